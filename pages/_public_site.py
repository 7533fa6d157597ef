"""The public pages under /public/ (no sign-in): Flask routes, server-rendered HTML.

- ``/public``: the list of authorities;
- ``/public/<code>``: "How we use your information", from the live settings and rules;
- ``/public/<code>/easy-read``: the same in short lines;
- ``/public/<code>/you-said-we-did``: publication-consent quotes and the actions on them;
- ``/public/<code>/take-back``: the form to take words back and to check on a request.

These are the only paths besides the login form that the login guard lets through
(``auth.setup.PUBLIC_PREFIXES``). Every view is rate-limited per address with the login
limiter's machinery; rendered pages are kept for a minute, keyed by everything they show
depends on (settings, the authority's settings, withdrawals), so a change shows at once.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from itertools import groupby

from flask import Blueprint, Response, current_app, request

from auth.csrf import csrf_token, csrf_valid
from auth.permissions import guarded
from auth.ratelimit import (
    DatabaseFailureStore,
    FailureStore,
    LoginLimiter,
    RedisFailureStore,
    address_key,
)
from components.accessibility import statement_html
from components.public_templates import public_nav, render_public, years_text
from data_access.db import get_database
from data_access.public_info import (
    authority_for_code,
    latest_publication,
    public_actions,
    public_authorities,
    public_facts,
    settings_fingerprint,
    withdrawal_state,
)
from data_access.withdrawals import STATUS_TEXT, request_withdrawal, withdrawal_status

blueprint = Blueprint("public", __name__)


@blueprint.get("/accessibility")
@guarded(None, reason="the accessibility statement: fixed public text, no data")
def accessibility_statement() -> tuple[str, int]:
    """The accessibility statement, public by law: readable before signing in."""
    return statement_html(), 200


PAGE_VIEWS_PER_MINUTE = 120
FORM_POSTS_PER_WINDOW = 10
FORM_WINDOW_SECONDS = 15 * 60
CACHE_SECONDS = 60
CACHE_ENTRIES = 256
PUBLIC_REASON = "public information page: shows only what the rules allow anyone to read"


class _PageCache:
    """A small per-process cache of rendered pages, keyed by what they depend on."""

    def __init__(self) -> None:
        self._data: OrderedDict[tuple, tuple[float, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> str | None:
        with self._lock:
            found = self._data.get(key)
            if found is None or found[0] < time.monotonic():
                return None
            return found[1]

    def put(self, key: tuple, page: str) -> None:
        with self._lock:
            self._data[key] = (time.monotonic() + CACHE_SECONDS, page)
            while len(self._data) > CACHE_ENTRIES:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


page_cache = _PageCache()


def _limiter(name: str, limit: int, window: int) -> LoginLimiter:
    """The login limiter's counting (Redis or the database, shared by workers) for a
    public-page budget."""
    key = f"chorus_public_limiter_{name}"
    limiter = current_app.extensions.get(key)
    if limiter is None:
        settings = current_app.extensions["chorus_settings"]
        store: FailureStore = (
            RedisFailureStore(settings.redis_url, window, prefix=f"chorus:public:{name}:")
            if settings.redis_url
            else DatabaseFailureStore()
        )
        limiter = LoginLimiter(store, limit, window)
        current_app.extensions[key] = limiter
    return limiter


def _over_limit(name: str, limit: int, window: int) -> bool:
    """Count this request against the address's budget; True when it is used up."""
    limiter = _limiter(name, limit, window)
    keys = [f"public-{name}:" + address_key(request.remote_addr)]
    if limiter.blocked(keys):
        return True
    limiter.record_failure(keys)
    return False


def _too_many() -> Response:
    page = render_public("too_many", title="Please wait")
    return Response(page, status=429, headers={"Retry-After": "60"})


def _page(html: str, status: int = 200, shared_cache: bool = False) -> Response:
    response = Response(html, status=status, mimetype="text/html")
    if shared_cache:
        response.headers["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    return response


def _not_found() -> Response:
    return _page(render_public("not_found", title="Page not found"), 404)


@blueprint.get("/public")
@blueprint.get("/public/")
@guarded(None, reason=PUBLIC_REASON)
def index() -> Response:
    if _over_limit("page", PAGE_VIEWS_PER_MINUTE, 60):
        return _too_many()
    with get_database().read() as session:
        authorities = public_authorities(session)
    return _page(render_public("index", title="Your council", authorities=authorities))


def _information_page(code: str, template: str, title: str) -> Response:
    if _over_limit("page", PAGE_VIEWS_PER_MINUTE, 60):
        return _too_many()
    settings = current_app.extensions["chorus_settings"]
    with get_database().read() as session:
        authority = authority_for_code(session, code)
        if authority is None:
            return _not_found()
        key = (template, code, settings_fingerprint(session, authority, settings))
        cached = page_cache.get(key)
        if cached is not None:
            return _page(cached, shared_cache=True)
        facts = public_facts(session, authority, settings)
    here = f"/public/{code}" + ("/easy-read" if template == "easy_read" else "")
    html = render_public(
        template,
        title=title,
        authority_name=authority.name,
        f=facts,
        audit_years=years_text(facts.audit_days),
        nav=public_nav(code),
        here=here,
    )
    page_cache.put(key, html)
    return _page(html, shared_cache=True)


@blueprint.get("/public/<code>")
@guarded(None, reason=PUBLIC_REASON)
def information(code: str) -> Response:
    return _information_page(code, "information", "How we use your information")


@blueprint.get("/public/<code>/easy-read")
@guarded(None, reason=PUBLIC_REASON)
def easy_read(code: str) -> Response:
    return _information_page(code, "easy_read", "How we use your information: easy read")


@blueprint.get("/public/<code>/you-said-we-did")
@guarded(None, reason=PUBLIC_REASON)
def you_said_we_did(code: str) -> Response:
    if _over_limit("page", PAGE_VIEWS_PER_MINUTE, 60):
        return _too_many()
    settings = current_app.extensions["chorus_settings"]
    db = get_database()
    with db.read() as session:
        authority = authority_for_code(session, code)
        if authority is None:
            return _not_found()
        key = (
            "you_said",
            code,
            settings_fingerprint(session, authority, settings),
            withdrawal_state(session),
        )
    cached = page_cache.get(key)
    if cached is not None:
        return _page(cached)
    # Quote reads go through the one read path, which may audit: a write session.
    with db.write() as session:
        published = latest_publication(session, authority.id) is not None
        actions = public_actions(session, authority) if published else []
    groups = [(theme, list(items)) for theme, items in groupby(actions, key=lambda a: a.theme)]
    html = render_public(
        "you_said",
        title="You said, we did",
        authority_name=authority.name,
        published=published,
        groups=groups,
        nav=public_nav(code),
        here=f"/public/{code}/you-said-we-did",
    )
    page_cache.put(key, html)
    return _page(html)


def _take_back_page(code: str, name: str, message: str = "", status: int = 200) -> Response:
    html = render_public(
        "take_back",
        title="Take your words back",
        authority_name=name,
        code=code,
        csrf=csrf_token(),
        message=message,
        nav=public_nav(code),
        here=f"/public/{code}/take-back",
    )
    return _page(html, status)


@blueprint.route("/public/<code>/take-back", methods=["GET", "POST"])
@guarded(None, reason="public form: takes a withdrawal reference and reveals nothing")
def take_back(code: str) -> Response:
    if _over_limit("page", PAGE_VIEWS_PER_MINUTE, 60):
        return _too_many()
    with get_database().read() as session:
        authority = authority_for_code(session, code)
    if authority is None:
        return _not_found()
    if request.method == "GET":
        return _take_back_page(code, authority.name)
    if not csrf_valid(request.form.get("csrf_token")):
        return _take_back_page(code, authority.name, "The form expired. Please try again.", 400)
    if _over_limit("form", FORM_POSTS_PER_WINDOW, FORM_WINDOW_SECONDS):
        return _too_many()
    reference = (request.form.get("reference") or "")[:64]
    with get_database().write() as session:
        if request.form.get("action") == "status":
            message = STATUS_TEXT[withdrawal_status(session, reference)]
        else:
            message = request_withdrawal(session, reference, address=request.remote_addr)
    return _take_back_page(code, authority.name, message)
