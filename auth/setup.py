"""Wire flask-login, the login and logout routes and the default-deny guard into Flask."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import Flask, Response, jsonify, redirect, request, session
from flask_login import LoginManager, current_user, login_user, logout_user

import settings as chorus_settings
from auth import clock
from auth.csrf import refuse_cross_site_requests, rotate_csrf_token, set_csrf_cookie
from auth.current import CurrentUser
from auth.errors import init_error_pages
from auth.headers import init_security_headers
from auth.views import blueprint as auth_blueprint
from data_access.db import get_database
from data_access.users import UserRecord, user_by_id

# Paths anyone may fetch. Everything else needs a login (default deny).
# /metrics checks its own token (observability.py). The accessibility statement is public
# by law: it must be readable before signing in. /public/ holds the public information
# pages (pages/_public_site.py), and nothing else.
PUBLIC_PATHS = frozenset(
    {
        "/login",
        "/health",
        "/health/live",
        "/health/ready",
        "/metrics",
        "/favicon.ico",
        "/accessibility",
        "/public",
    }
)
PUBLIC_PREFIXES = ("/assets/", "/_dash-component-suites/", "/public/")
# Machine endpoints answer 401 rather than redirecting to the login page.
API_PREFIXES = ("/_dash-", "/api/", "/_reload-hash", "/_favicon")

login_manager = LoginManager()


def init_auth(server: Flask) -> None:
    """Register the login manager, the auth routes, the request guards and headers.

    Order matters: the login guard runs first (401 without a session), then the CSRF
    check on state-changing requests (403).
    """
    login_manager.init_app(server)
    login_manager.user_loader(_load_user)
    server.register_blueprint(auth_blueprint)
    server.before_request(_require_login)
    server.before_request(refuse_cross_site_requests)
    server.after_request(set_csrf_cookie)
    init_security_headers(server)
    init_error_pages(server)


def _load_user(user_id: str) -> CurrentUser | None:
    try:
        uid = int(user_id)
    except ValueError:
        return None
    with get_database().read() as db:
        record = user_by_id(db, uid)
    # A bumped session version (logout, deactivation, password reset) ends old cookies.
    if record is None or not record.active or session.get("sv") != record.session_version:
        return None
    return CurrentUser(record)


def is_public_path(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


def _require_login() -> Response | None:
    path = request.path
    if is_public_path(path):
        return None
    if current_user.is_authenticated and _session_still_fresh():
        return None
    if current_user.is_authenticated:
        logout_user()
        session.clear()
    if path.startswith(API_PREFIXES) or request.method != "GET":
        response = jsonify({"error": "login required"})
        response.status_code = 401
        return response
    return redirect(f"/login?next={_safe_next(request.full_path)}")


def _session_still_fresh() -> bool:
    """Idle and absolute timeouts, measured on the server's clock."""
    settings = session_settings()
    now = clock.now()
    started = session.get("login_at", 0)
    last_seen = session.get("last_seen", 0)
    if now - started > settings["absolute_seconds"] or now - last_seen > settings["idle_seconds"]:
        return False
    session["last_seen"] = now
    return True


def session_settings() -> dict[str, int]:

    chorus = chorus_settings.current()
    return {
        "idle_seconds": chorus.session_idle_minutes * 60,
        "absolute_seconds": chorus.session_absolute_hours * 3600,
    }


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths, so the login page cannot redirect off-site."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target.rstrip("?") or "/"


def start_session(record: UserRecord) -> None:
    """Log the user in with a fresh session (no fixation) and the timeout clocks started.

    Everything from before login is dropped; the session gets a new random identifier and
    a new CSRF token, so a cookie or token planted before login is worthless after it.
    """
    session.clear()
    session["sid"] = secrets.token_urlsafe(24)
    login_user(CurrentUser(record))
    rotate_csrf_token()
    now = clock.now()
    session["sv"] = record.session_version
    session["login_at"] = now
    session["last_seen"] = now
    session.permanent = True
