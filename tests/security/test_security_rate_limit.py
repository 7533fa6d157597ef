"""Promise: after 5 failed sign-ins in 15 minutes for an account or from an address,
further attempts get 429 until the window passes; workers share the count (Redis when
REDIS_URL is set, the database otherwise)."""

from __future__ import annotations

import re
import secrets

import pytest
from dbsupport import require_redis

from auth import clock
from auth.ratelimit import DatabaseFailureStore, LoginLimiter, RedisFailureStore


def _token(client) -> str:  # type: ignore[no-untyped-def]
    page = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]


def _attempt(client, username: str, password: str, address: str = "203.0.113.7"):  # type: ignore[no-untyped-def]
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": _token(client)},
        environ_base={"REMOTE_ADDR": address},
    )


@pytest.fixture
def moving_clock(monkeypatch):
    state = {"now": 1_900_000_000.0}
    monkeypatch.setattr(clock, "now", lambda: state["now"])
    return state


def test_sec040_account_locks_after_five_failures(plain_client, users, audit_rows, moving_clock):
    password = users["oldham_viewer"].password
    for attempt in range(5):
        address = f"198.51.100.{attempt}"  # different addresses: the account limit applies
        assert (
            _attempt(plain_client, "oldham.viewer", "wrong password x", address).status_code == 401
        )
    locked = _attempt(plain_client, "oldham.viewer", password, "198.51.100.99")
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) == 15 * 60
    assert "Too many sign-in attempts" in locked.get_data(as_text=True)
    assert plain_client.get("/").status_code == 302  # the right password did not sign in
    assert any(e.outcome == "rate_limited" for e in audit_rows())
    # Another account is not affected; the lock lifts once the failures age out.
    assert _attempt(plain_client, "oldham.analyst", password, "198.51.100.98").status_code == 302
    moving_clock["now"] += 15 * 60 + 1
    assert _attempt(plain_client, "oldham.viewer", password, "198.51.100.97").status_code == 302


def test_sec041_address_locks_after_five_failures_across_accounts(
    plain_client, users, moving_clock
):
    for name in ("a.one", "b.two", "c.three", "d.four", "e.five"):
        assert _attempt(plain_client, name, "wrong password x", "192.0.2.50").status_code == 401
    good = users["oldham_viewer"].password
    assert _attempt(plain_client, "oldham.viewer", good, "192.0.2.50").status_code == 429
    assert _attempt(plain_client, "oldham.viewer", good, "192.0.2.51").status_code == 302


def test_sec042_success_clears_the_account_count(plain_client, users, moving_clock):
    good = users["oldham_viewer"].password
    for i in range(4):
        _attempt(plain_client, "oldham.viewer", "wrong password x", f"192.0.2.{i}")
    assert _attempt(plain_client, "oldham.viewer", good, "192.0.2.10").status_code == 302
    plain_client.post("/logout", data={"csrf_token": plain_client.get_cookie("_csrf_token").value})
    for i in range(4):
        assert _attempt(plain_client, "oldham.viewer", "wrong", f"192.0.2.2{i}").status_code == 401
    assert _attempt(plain_client, "oldham.viewer", good, "192.0.2.30").status_code == 302


def _redis_url() -> str:
    return require_redis("redis://127.0.0.1:6379/15")


@pytest.mark.parametrize("backend", ["database", "redis"])
def test_sec043_both_stores_count_within_the_window(backend, db, moving_clock):
    store = (
        DatabaseFailureStore()
        if backend == "database"
        else RedisFailureStore(_redis_url(), 900, prefix=f"test:{secrets.token_hex(4)}:")
    )
    limiter = LoginLimiter(store, max_failures=5, window_seconds=900)
    keys = ["account:someone", "address:203.0.113.9"]
    for _ in range(4):
        limiter.record_failure(keys)
    assert not limiter.blocked(keys)
    limiter.record_failure(keys)
    assert limiter.blocked(keys)
    assert limiter.blocked(["address:203.0.113.9"])
    assert not limiter.blocked(["account:someone-else"])
    moving_clock["now"] += 901
    assert not limiter.blocked(keys)
    limiter.record_failure(keys)
    limiter.clear("account:someone")
    assert not limiter.blocked(["account:someone"])
