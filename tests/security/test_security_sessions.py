"""Promises about sessions: a new identifier at login, idle and absolute expiry on the
server's clock, logout that cannot be replayed, deactivation and role or password changes
that end sessions at once, and cookie flags."""

from __future__ import annotations

import pytest
from security_helpers import login_as

from auth import clock
from settings import Settings


def _session_of(client) -> dict:  # type: ignore[no-untyped-def]
    with client.session_transaction() as session:
        return dict(session)


@pytest.fixture
def frozen_clock(monkeypatch):
    """A clock the test moves by hand: ``frozen_clock.advance(seconds)``."""

    class Clock:
        def __init__(self) -> None:
            self.now = 1_900_000_000.0

        def advance(self, seconds: float) -> None:
            self.now += seconds

    fake = Clock()
    monkeypatch.setattr(clock, "now", lambda: fake.now)
    return fake


def test_sec030_login_issues_a_new_session_identifier_and_csrf_token(plain_client, users):
    plain_client.get("/login")
    before = _session_of(plain_client)
    planted_cookie = plain_client.get_cookie("chorus_session").value
    login_as(plain_client, users, "oldham_viewer")
    after = _session_of(plain_client)
    assert after["sid"] and after.get("sid") != before.get("sid")
    assert after["csrf_token"] != before["csrf_token"]
    assert plain_client.get_cookie("chorus_session").value != planted_cookie
    # The pre-login cookie (what a fixation attacker would plant) is still anonymous.
    plain_client.set_cookie("chorus_session", planted_cookie)
    assert plain_client.get("/").status_code == 302


def test_sec031_two_logins_get_different_identifiers(server, users):
    first, second = server.test_client(), server.test_client()
    login_as(first, users, "oldham_viewer")
    login_as(second, users, "oldham_viewer")
    assert _session_of(first)["sid"] != _session_of(second)["sid"]


def test_sec032_idle_timeout_ends_the_session(plain_client, users, frozen_clock, server):
    idle = server.extensions["chorus_settings"].session_idle_minutes * 60
    login_as(plain_client, users, "oldham_viewer")
    frozen_clock.advance(idle - 5)
    assert plain_client.get("/").status_code == 200  # activity resets the idle clock
    frozen_clock.advance(idle - 5)
    assert plain_client.get("/").status_code == 200
    frozen_clock.advance(idle + 1)
    assert plain_client.get("/").status_code == 302
    assert plain_client.get("/_dash-layout").status_code == 401


def test_sec033_absolute_timeout_ends_an_active_session(plain_client, users, frozen_clock, server):
    settings = server.extensions["chorus_settings"]
    assert (settings.session_idle_minutes, settings.session_absolute_hours) == (30, 8)
    login_as(plain_client, users, "oldham_viewer")
    step = settings.session_idle_minutes * 60 - 60
    elapsed = 0
    while elapsed + step < settings.session_absolute_hours * 3600:
        frozen_clock.advance(step)
        elapsed += step
        assert plain_client.get("/").status_code == 200, elapsed
    frozen_clock.advance(step)
    assert plain_client.get("/").status_code == 302


def test_sec034_logout_cannot_be_undone_by_replaying_the_cookie(plain_client, users):
    login_as(plain_client, users, "oldham_viewer")
    cookie = plain_client.get_cookie("chorus_session").value
    token = plain_client.get_cookie("_csrf_token").value
    assert plain_client.post("/logout", data={"csrf_token": token}).status_code == 302
    plain_client.set_cookie("chorus_session", cookie)
    assert plain_client.get("/").status_code == 302
    assert plain_client.get("/api/v1/indicators").status_code == 401


def test_sec035_deactivation_ends_sessions_at_once(server, users, login, call, callback_named, db):
    from data_access.users import user_by_username

    victim = server.test_client()
    login_as(victim, users, "oldham_viewer")
    assert victim.get("/").status_code == 200
    with db.read() as s:
        victim_id = user_by_username(s, users["oldham_viewer"].username).id
    login("oldham_admin")
    from security_helpers import body_with

    body = body_with(
        callback_named("change_user"),
        {"admin-target.value": victim_id, "admin-deactivate.n_clicks": 1},
        trigger="admin-deactivate.n_clicks",
    )
    response = call(body)
    assert response.status_code == 200
    assert "deactivated" in response.get_data(as_text=True)
    assert victim.get("/").status_code == 302
    # And the password no longer works.
    fresh = server.test_client()
    page = fresh.get("/login").get_data(as_text=True)
    import re

    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    denied = fresh.post(
        "/login",
        data={
            "username": "oldham.viewer",
            "password": users["oldham_viewer"].password,
            "csrf_token": token,
        },
    )
    assert denied.status_code == 401


def test_sec036_role_change_and_password_reset_end_sessions(server, users, db):
    from auth.admin import change_role, reset_password
    from data_access.users import user_by_username

    victim = server.test_client()
    login_as(victim, users, "oldham_analyst")
    with db.write() as s:
        target = user_by_username(s, "oldham.analyst")
        change_role(s, None, target.id, "viewer")
    assert victim.get("/").status_code == 302
    login_as(victim, users, "oldham_analyst")
    with db.write() as s:
        new_password = reset_password(s, None, target.id)
    assert victim.get("/").status_code == 302
    assert len(new_password) >= 12


def test_sec037_session_cookie_flags_follow_the_https_setting():
    from app import create_server

    for secure in (False, True):
        server = create_server(Settings.from_env(secure_cookies=secure))
        assert server.config["SESSION_COOKIE_HTTPONLY"] is True
        assert server.config["SESSION_COOKIE_SAMESITE"] == "Lax"
        assert server.config["SESSION_COOKIE_SECURE"] is secure


def test_sec038_passwords_follow_the_policy():
    from auth.passwords import hash_password
    from auth.policy import password_problems

    assert password_problems("short1") != []
    assert password_problems("password123") != []
    assert password_problems("qwertyuiop") != []
    assert password_problems("x" * 129) != []
    assert password_problems("a fine passphrase, pasted") == []
    assert password_problems("y" * 64 + " long") == []  # at least 64 characters allowed
    assert hash_password("a fine passphrase, pasted").startswith("$argon2id$")
