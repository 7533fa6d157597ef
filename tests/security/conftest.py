"""Fixtures for the security suite (helpers live in security_helpers.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from security_helpers import (
    RegisteredCallback,
    csrf_headers,
    find_callback,
    login_as,
    post_callback,
    server_callbacks,
)


@pytest.fixture(scope="session")
def registered_callbacks(app) -> list[RegisteredCallback]:
    return server_callbacks(app)


@pytest.fixture
def plain_client(server, users):
    """Flask's own test client: sends only what a test tells it to (no renderer help)."""
    return server.test_client()


@pytest.fixture
def login(plain_client, users) -> Callable[[str], Any]:
    """``login("oldham_admin")`` signs the plain client in and returns it."""

    def _login(key: str):  # type: ignore[no-untyped-def]
        login_as(plain_client, users, key)
        return plain_client

    return _login


@pytest.fixture
def call(plain_client) -> Callable[..., Any]:
    """``call(body)`` posts a callback as Dash's renderer would (header, Origin, JSON)."""

    def _call(body: dict[str, Any], **extra: Any):  # type: ignore[no-untyped-def]
        return post_callback(plain_client, body, {**csrf_headers(plain_client), **extra})

    return _call


@pytest.fixture
def callback_named(registered_callbacks) -> Callable[[str], RegisteredCallback]:
    return lambda name: find_callback(registered_callbacks, name)


@pytest.fixture
def audit_rows(db) -> Callable[[], list[Any]]:
    def _rows() -> list[Any]:
        from sqlalchemy import select

        from data_access.models import AuditEvent

        # Plain rows (attribute access), usable after the session has closed.
        with db.read() as s:
            return list(s.execute(select(*AuditEvent.__table__.columns).order_by(AuditEvent.id)))

    return _rows
