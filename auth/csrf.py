"""CSRF protection: a random token per session, checked on every state-changing request.

Server-rendered forms (login, logout) carry the token as a hidden ``csrf_token`` field.
Dash's renderer copies the ``_csrf_token`` cookie into an ``X-CSRFToken`` header on every
callback request, so the app sets that cookie (readable by script, SameSite=Strict) from
the session's token. A callback request is accepted only with that header, an Origin or
Referer of this site and a JSON body: a cross-site form post or a ``text/plain`` post
(the "simple requests" a hostile page can send without CORS) is refused.
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from flask import Request, Response, jsonify, request, session

import settings as chorus_settings

SESSION_KEY = "csrf_token"
COOKIE_NAME = "_csrf_token"  # Dash's default csrf_token_name
HEADER_NAME = "X-CSRFToken"  # Dash's default csrf_header_name
CALLBACK_PATH = "/_dash-update-component"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# These views check the hidden form field themselves (and show a friendly page).
FORM_PATHS = frozenset({"/login", "/logout"})
# These take a raw body (an upload streamed to disk): the token comes in the header only,
# so checking it never reads the body as a form.
HEADER_ONLY_PATHS = frozenset({"/import/upload"})


def csrf_token() -> str:
    """The session's token, made on first use."""
    token = session.get(SESSION_KEY)
    if not token:
        token = secrets.token_urlsafe(32)
        session[SESSION_KEY] = token
    return token


def rotate_csrf_token() -> str:
    """A fresh token (at login), so a token seen before login is worthless after it."""
    session.pop(SESSION_KEY, None)
    return csrf_token()


def csrf_valid(submitted: str | None) -> bool:
    expected = session.get(SESSION_KEY)
    return bool(expected and submitted and hmac.compare_digest(expected, submitted))


def same_origin(req: Request) -> bool:
    """True when the Origin header (or, without it, the Referer) names this host.

    Only the host and port are compared: behind a TLS-terminating proxy the app sees
    http while the browser says https. The proxy must pass the Host header through.
    """
    source = req.headers.get("Origin") or req.headers.get("Referer")
    if not source or source == "null":
        return False
    return urlsplit(source).netloc.lower() == req.host.lower()


def request_problem(req: Request) -> str | None:
    """Why an unsafe request must be refused, or None when it may go on."""
    if req.method in SAFE_METHODS or req.path in FORM_PATHS:
        return None
    if not same_origin(req):
        return "cross-site or missing Origin"
    if req.path == CALLBACK_PATH and req.mimetype != "application/json":
        return "callback body is not JSON"
    submitted = req.headers.get(HEADER_NAME)
    form_allowed = req.path != CALLBACK_PATH and req.path not in HEADER_ONLY_PATHS
    if submitted is None and form_allowed and req.mimetype != "application/json":
        submitted = req.form.get("csrf_token")
    if not csrf_valid(submitted):
        return "missing or wrong CSRF token"
    return None


def refuse_cross_site_requests() -> Response | None:
    """before_request hook (runs after the login guard): refuse forged requests with 403."""
    problem = request_problem(request)
    if problem is None:
        return None
    _audit_refusal(problem)
    response = jsonify({"error": "This request was refused. Reload the page and try again."})
    response.status_code = 403
    return response


def set_csrf_cookie(response: Response) -> Response:
    """after_request hook: give a logged-in browser the cookie Dash's renderer reads."""
    from flask_login import current_user

    from auth.setup import PUBLIC_PREFIXES

    # Static files need no token, and asking who is logged in would cost a database read
    # for each of the page's dozens of script and style requests.
    if request.path.startswith(PUBLIC_PREFIXES):
        return response
    if not current_user or not current_user.is_authenticated:
        return response
    token = csrf_token()
    if request.cookies.get(COOKIE_NAME) != token:
        settings = chorus_settings.current()
        response.set_cookie(
            COOKIE_NAME,
            token,
            httponly=False,  # the renderer must read it; it is useless to another site
            samesite="Strict",
            secure=settings.secure_cookies,
            path="/",
        )
    return response


def _audit_refusal(problem: str) -> None:
    from auth.current import current_record
    from data_access.db import get_database
    from data_access.users import write_audit

    with get_database().write() as db:
        write_audit(
            db,
            "denied:csrf",
            user=current_record(),
            object_type="request",
            object_id=request.path[:64],
            outcome="denied",
            address=request.remote_addr,
            detail={"reason": problem, "method": request.method},
        )
