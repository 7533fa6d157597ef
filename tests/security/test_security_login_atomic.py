"""Sign-in limits hold under parallel attempts (check and record are one step), survive an
unreachable Redis, check the hash for every account and file failures under the account's
organisation."""

from __future__ import annotations

import logging
import re
import secrets
from concurrent.futures import ThreadPoolExecutor

import pytest
from dbsupport import require_redis

from auth import passwords, views
from auth.ratelimit import (
    DatabaseFailureStore,
    FallbackFailureStore,
    LoginLimiter,
    RedisFailureStore,
)


def _token(client) -> str:  # type: ignore[no-untyped-def]
    page = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]


def _parallel_statuses(server, username: str, count: int = 12) -> list[int]:  # type: ignore[no-untyped-def]
    clients = [server.test_client() for _ in range(count)]
    tokens = [_token(c) for c in clients]

    def attempt(n: int) -> int:
        return (
            clients[n]
            .post(
                "/login",
                data={
                    "username": username,
                    "password": "wrong password x",
                    "csrf_token": tokens[n],
                },
                environ_base={"REMOTE_ADDR": f"198.51.100.{n + 1}"},
            )
            .status_code
        )

    with ThreadPoolExecutor(count) as pool:
        return sorted(pool.map(attempt, range(count)))


@pytest.fixture
def limiter_store(server):  # type: ignore[no-untyped-def]
    """Swap the app's limiter for one on the given store; put the old one back after."""
    saved = server.extensions.get("chorus_login_limiter")

    def use(store) -> None:  # type: ignore[no-untyped-def]
        server.extensions["chorus_login_limiter"] = LoginLimiter(store, 5, 900)

    yield use
    server.extensions["chorus_login_limiter"] = saved


@pytest.mark.parametrize("backend", ["database", "redis"])
def test_lim001_twelve_parallel_attempts_check_exactly_five(server, users, limiter_store, backend):
    if backend == "redis":
        url = require_redis("redis://127.0.0.1:6379/15")
        limiter_store(RedisFailureStore(url, 900, prefix=f"test:{secrets.token_hex(4)}:"))
    else:
        limiter_store(DatabaseFailureStore())
    statuses = _parallel_statuses(server, "oldham.viewer")
    assert statuses.count(401) == 5
    assert statuses.count(429) == 7


def test_lim002_an_unreachable_redis_falls_back_to_the_database_with_one_warning(db, users, caplog):
    dead = RedisFailureStore("redis://127.0.0.1:1/0", 900, prefix="test:dead:")
    limiter = LoginLimiter(FallbackFailureStore(dead, DatabaseFailureStore()), 5, 900)
    keys = ["account:fallback", "address:203.0.113.77"]
    with caplog.at_level(logging.WARNING, logger="auth.ratelimit"):
        for _ in range(5):
            assert limiter.begin(keys) is not None
        assert limiter.begin(keys) is None  # the database counted them
        attempt_ok = LoginLimiter(FallbackFailureStore(dead, DatabaseFailureStore()), 5, 900)
        assert attempt_ok.blocked(keys)
    warnings = [r for r in caplog.records if "Redis cannot be reached" in r.getMessage()]
    assert len(warnings) == 2  # once per limiter (process), not once per call


def test_lim003_sign_in_works_when_redis_is_down(server, users, limiter_store):
    dead = RedisFailureStore("redis://127.0.0.1:1/0", 900, prefix="test:dead:")
    limiter_store(FallbackFailureStore(dead, DatabaseFailureStore()))
    client = server.test_client()
    response = client.post(
        "/login",
        data={
            "username": "oldham.viewer",
            "password": users["oldham_viewer"].password,
            "csrf_token": _token(client),
        },
    )
    assert response.status_code == 302


def test_lim004_the_hash_is_checked_for_deactivated_accounts(plain_client, users, db, monkeypatch):
    from sqlalchemy import update

    from data_access.models import User

    with db.write() as s:
        s.execute(update(User).where(User.username == "oldham.viewer").values(active=False))
    checked = []
    real = passwords.verify_password
    monkeypatch.setattr(views, "verify_password", lambda h, p: checked.append(1) or real(h, p))
    response = plain_client.post(
        "/login",
        data={
            "username": "oldham.viewer",
            "password": users["oldham_viewer"].password,
            "csrf_token": _token(plain_client),
        },
    )
    assert response.status_code == 401
    assert checked == [1]


def test_lim005_a_failed_sign_in_is_filed_under_the_accounts_organisation(
    plain_client, users, audit_rows
):
    plain_client.post(
        "/login",
        data={
            "username": "rochdale.admin",
            "password": "wrong password x",
            "csrf_token": _token(plain_client),
        },
    )
    failures = [e for e in audit_rows() if e.action == "login" and e.outcome == "failure"]
    assert [e.organisation_code for e in failures] == ["E08000005"]
    plain_client.post(
        "/login",
        data={"username": "nobody.here", "password": "x", "csrf_token": _token(plain_client)},
    )
    failures = [e for e in audit_rows() if e.action == "login" and e.outcome == "failure"]
    assert failures[-1].organisation_code is None
