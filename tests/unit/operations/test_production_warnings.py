"""Production start-up warnings: each unsafe or unscalable setting is named once."""

from __future__ import annotations

import importlib.util

import pytest

from settings import Settings, production_warnings

GOOD = {
    "CHORUS_ENV": "production",
    "SECRET_KEY": "k" * 64,
    "DATABASE_URL": "postgresql://db/chorus",
    "CHORUS_SECURE_COOKIES": "1",
}


def _warnings(**changes: str | None) -> list[str]:
    environ = {**GOOD, **changes}
    environ = {k: v for k, v in environ.items() if v is not None}
    return production_warnings(Settings.from_env(environ))


def test_prw001_a_well_set_production_has_nothing_to_say():
    assert _warnings() == []


def test_prw002_development_and_test_never_warn():
    assert production_warnings(Settings.from_env({"CHORUS_ENV": "test", "SECRET_KEY": "x"})) == []


def test_prw003_insecure_cookies_are_named():
    found = _warnings(CHORUS_ALLOW_INSECURE_COOKIES="1")
    assert len(found) == 1 and "Secure flag" in found[0]


def test_prw004_a_short_secret_key_is_named():
    found = _warnings(SECRET_KEY="short-but-set")
    assert len(found) == 1 and "shorter than 32 bytes" in found[0]
    assert _warnings(SECRET_KEY="x" * 32) == []


def test_prw005_redis_without_celery_is_named(monkeypatch):
    real = importlib.util.find_spec

    def no_celery(name, *args):  # type: ignore[no-untyped-def]
        return None if name == "celery" else real(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", no_celery)
    found = _warnings(REDIS_URL="redis://cache:6379/0")
    assert len(found) == 1 and "Celery is not installed" in found[0]


@pytest.mark.parametrize(
    ("extra", "warned"),
    [
        ({"WEB_CONCURRENCY": "4"}, True),
        ({"WEB_CONCURRENCY": "1"}, False),
        ({"REDIS_URL": "redis://cache:6379/0"}, True),
    ],
)
def test_prw006_sqlite_with_several_workers_or_machines_is_named(extra, warned):
    pytest.importorskip("celery")  # else the Redis case also warns about Celery
    found = _warnings(DATABASE_URL=None, **extra)
    sqlite = [w for w in found if "SQLite" in w]
    assert bool(sqlite) is warned
    assert len(found) == len(sqlite)
