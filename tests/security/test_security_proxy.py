"""Behind a reverse proxy: CHORUS_TRUSTED_PROXIES trusts that many proxies' forwarded
headers (the sign-in limit and the audit log see the client), and production cookies are
Secure unless explicitly opted out."""

from __future__ import annotations

import os
import re

import pytest

from settings import Settings, SettingsError

PRODUCTION = {"CHORUS_ENV": "production", "SECRET_KEY": "x" * 64}


def test_prx001_settings_read_trusted_proxies_and_secure_cookies(tmp_path):
    base = {"CHORUS_INSTANCE_DIR": str(tmp_path)}
    assert Settings.from_env(base).trusted_proxies == 0
    assert Settings.from_env({**base, "CHORUS_TRUSTED_PROXIES": "2"}).trusted_proxies == 2
    for bad in ("-1", "one"):
        with pytest.raises(SettingsError):
            Settings.from_env({**base, "CHORUS_TRUSTED_PROXIES": bad})
    production = Settings.from_env({**base, **PRODUCTION})
    assert production.secure_cookies is True and production.allow_insecure_cookies is False
    trial = Settings.from_env({**base, **PRODUCTION, "CHORUS_ALLOW_INSECURE_COOKIES": "1"})
    assert trial.secure_cookies is False and trial.allow_insecure_cookies is True
    assert Settings.from_env(base).secure_cookies is False  # development over plain HTTP


def _server(proxies: int):  # type: ignore[no-untyped-def]
    from app import create_server

    return create_server(
        Settings.from_env(trusted_proxies=proxies, database_url=os.environ["DATABASE_URL"])
    )


def test_prx002_one_trusted_proxy_gives_the_clients_address_to_the_limit_and_the_audit(
    tmp_path, db, users, audit_rows
):
    server = _server(1)
    client = server.test_client()
    headers = {"X-Forwarded-For": "203.0.113.200", "X-Forwarded-Proto": "https"}
    page = client.get("/login", headers=headers, environ_base={"REMOTE_ADDR": "10.0.0.1"})
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    client.post(
        "/login",
        data={"username": "nobody.here", "password": "wrong", "csrf_token": token},
        headers=headers,
        environ_base={"REMOTE_ADDR": "10.0.0.1"},
    )
    failures = [e for e in audit_rows() if e.action == "login" and e.outcome == "failure"]
    assert [e.address for e in failures] == ["203.0.113.200"]


def test_prx003_without_trusted_proxies_forwarded_headers_are_ignored(
    tmp_path, db, users, audit_rows
):
    server = _server(0)
    client = server.test_client()
    headers = {"X-Forwarded-For": "203.0.113.201"}
    page = client.get("/login", headers=headers, environ_base={"REMOTE_ADDR": "10.0.0.2"})
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    client.post(
        "/login",
        data={"username": "nobody.here", "password": "wrong", "csrf_token": token},
        headers=headers,
        environ_base={"REMOTE_ADDR": "10.0.0.2"},
    )
    failures = [e for e in audit_rows() if e.action == "login" and e.outcome == "failure"]
    assert [e.address for e in failures] == ["10.0.0.2"]


def test_prx004_production_cookies_are_secure_unless_opted_out(tmp_path):
    from app import create_server

    secure = create_server(
        Settings.from_env(
            {"CHORUS_INSTANCE_DIR": str(tmp_path), **PRODUCTION},
            database_url=os.environ["DATABASE_URL"],
        )
    )
    assert secure.config["SESSION_COOKIE_SECURE"] is True
    trial = create_server(
        Settings.from_env(
            {
                "CHORUS_INSTANCE_DIR": str(tmp_path),
                **PRODUCTION,
                "CHORUS_ALLOW_INSECURE_COOKIES": "1",
            },
            database_url=os.environ["DATABASE_URL"],
        )
    )
    assert trial.config["SESSION_COOKIE_SECURE"] is False
