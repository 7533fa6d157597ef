"""CSRF tokens for server-rendered forms: one random token per session."""

from __future__ import annotations

import hmac
import secrets

from flask import session

SESSION_KEY = "csrf_token"


def csrf_token() -> str:
    """The session's token, made on first use."""
    token = session.get(SESSION_KEY)
    if not token:
        token = secrets.token_urlsafe(32)
        session[SESSION_KEY] = token
    return token


def csrf_valid(submitted: str | None) -> bool:
    expected = session.get(SESSION_KEY)
    return bool(expected and submitted and hmac.compare_digest(expected, submitted))
