"""The server-rendered login form and the logout route."""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template_string, request

from auth.csrf import csrf_token, csrf_valid
from auth.passwords import burn_time_for_unknown_user, verify_password
from auth.ratelimit import account_key, address_key, current_limiter
from data_access.db import get_database
from data_access.users import bump_session_version, record_login, user_with_hash, write_audit

blueprint = Blueprint("auth", __name__)

GENERIC_FAILURE = "That username and password did not match. Check them and try again."
TOO_MANY = (
    "Too many sign-in attempts for this account or from this address. "
    "Wait 15 minutes and try again, or ask your Chorus administrator."
)

LOGIN_TEMPLATE = """<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in - Chorus</title>
<link rel="stylesheet" href="/assets/chorus.css">
</head>
<body class="login-body">
<main id="main" class="login-card">
  <h1>Sign in to Chorus</h1>
  <p class="login-intro">Indicators, voice and interpretation for children's services.</p>
  {% if message %}<div class="login-error" role="alert">{{ message }}</div>{% endif %}
  <form method="post" action="/login" autocomplete="on">
    <input type="hidden" name="csrf_token" value="{{ csrf }}">
    <input type="hidden" name="next" value="{{ next_url }}">
    <label for="username">Username</label>
    <input id="username" name="username" type="text" autocomplete="username"
           autocapitalize="none" spellcheck="false" required value="{{ username }}">
    <label for="password">Password</label>
    <input id="password" name="password" type="password" autocomplete="current-password" required>
    <button type="submit">Sign in</button>
  </form>
  <p class="login-public"><a href="/public">How we use your information</a></p>
</main>
<footer class="login-footer"><a href="/accessibility">Accessibility statement</a></footer>
</body>
</html>
"""


def _render(message: str = "", username: str = "", status: int = 200) -> tuple[str, int]:
    from auth.setup import _safe_next

    next_url = _safe_next(request.values.get("next"))
    page = render_template_string(
        LOGIN_TEMPLATE, message=message, username=username, csrf=csrf_token(), next_url=next_url
    )
    return page, status


@blueprint.get("/login")
def login_form() -> tuple[str, int]:
    return _render()


@blueprint.post("/login")
def login_submit() -> Response | tuple[str, int]:
    from auth.setup import _safe_next, start_session

    username = (request.form.get("username") or "").strip()
    password = request.form.get("password") or ""
    address = request.remote_addr
    if not csrf_valid(request.form.get("csrf_token")):
        return _render("Your sign-in form expired. Please try again.", username, 400)

    limiter = current_limiter()
    keys = [account_key(username), address_key(address)]
    db = get_database()
    attempt = limiter.begin(keys)  # checks and records in one step
    if attempt is None:
        with db.write() as s:
            write_audit(
                s, "login", username=username[:150], outcome="rate_limited", address=address
            )
        page, status = _render(TOO_MANY, username, 429)
        return Response(page, status=status, headers={"Retry-After": str(limiter.window_seconds)})
    with db.read() as s:
        found = user_with_hash(s, username) if username else None
    if found is None:
        burn_time_for_unknown_user(password)
        ok = False
        record = None
    else:
        record, password_hash = found
        # The hash is checked for every account, active or not: the time taken must not
        # tell a deactivated account from an active one.
        ok = verify_password(password_hash, password) and record.active

    with db.write() as s:
        if not ok:
            write_audit(
                s,
                "login",
                username=username[:150],
                outcome="failure",
                address=address,
                # A real account's organisation, so its admins see attacks on it.
                organisation_code=record.organisation_code if record else None,
            )
        else:
            record_login(s, record.id)
            write_audit(s, "login", user=record, address=address)
    if not ok:
        return _render(GENERIC_FAILURE, username, 401)  # the reserved place is the failure
    limiter.succeeded(attempt, keys[0])
    start_session(record)
    return redirect(_safe_next(request.form.get("next")))


@blueprint.post("/logout")
def logout() -> Response:
    from flask import session
    from flask_login import current_user, logout_user

    if not csrf_valid(request.form.get("csrf_token")):
        return Response("Sign-out form expired; reload the page and try again.", status=400)
    if current_user.is_authenticated:
        record = current_user.record
        with get_database().write() as s:
            # Bumping the version makes a replayed copy of the old cookie useless.
            bump_session_version(s, record.id)
            write_audit(s, "logout", user=record, address=request.remote_addr)
        logout_user()
    session.clear()
    return redirect("/login")
