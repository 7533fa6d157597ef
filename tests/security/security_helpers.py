"""Helpers for the security suite: Dash's callback registry, request bodies, logins."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

CALLBACK_URL = "/_dash-update-component"
ORIGIN = "http://localhost"

# Dash's own callbacks (page routing) and routes that must answer without a login.
DASH_INTERNAL_CALLBACK_MARKERS = ("_pages_location", "_pages_store", "_pages_dummy")
# Health endpoints answer without a login; /metrics checks its own token (404 without one).
# The accessibility statement is public by law: it must be readable before signing in.
OPEN_ENDPOINTS = {
    "auth.login_form",
    "auth.login_submit",
    "auth.logout",
    "public.accessibility_statement",
    "health",
    "health_live",
    "health_ready",
    "metrics",
    "static",
}
# The public information pages under /public/ (no sign-in, by design): the only other
# routes the login guard lets through.
PUBLIC_PAGE_ENDPOINTS = {
    "public.index",
    "public.information",
    "public.easy_read",
    "public.you_said_we_did",
    "public.take_back",
}
DASH_INTERNAL_ROUTE_PREFIXES = (
    "/_dash-",
    "/_reload-hash",
    "/_favicon.ico",
    "/assets/",
    "/_dash-component-suites/",
    "/static/",
)


@dataclass(frozen=True)
class RegisteredCallback:
    key: str  # the "output" string Dash's renderer posts
    entry: dict[str, Any]

    @property
    def function(self) -> Callable[..., Any]:
        return self.entry["callback"]


def permission_marker(function: Callable[..., Any]) -> tuple[str, str] | None:
    """The ``__chorus_permission__`` marker anywhere along the ``__wrapped__`` chain."""
    seen = 0
    while function is not None and seen < 20:
        marker = getattr(function, "__chorus_permission__", None)
        if marker is not None:
            return marker
        function = getattr(function, "__wrapped__", None)
        seen += 1
    return None


def is_dash_internal(key: str) -> bool:
    return any(name in key for name in DASH_INTERNAL_CALLBACK_MARKERS)


def server_callbacks(app) -> list[RegisteredCallback]:  # type: ignore[no-untyped-def]
    """Every server-side callback Dash knows, after its first-request setup."""
    import dash._callback as dash_callback

    with app.server.test_request_context("/"):
        app._setup_server()
    found = {**dash_callback.GLOBAL_CALLBACK_MAP, **app.callback_map}
    return [
        RegisteredCallback(key, entry)
        for key, entry in sorted(found.items())
        if "callback" in entry and not is_dash_internal(key)
    ]


def _value_slot(spec: dict[str, str]) -> Any:
    """A request slot for one input or state, as the renderer would send it empty."""
    if spec["id"].startswith("{"):
        pattern = json.loads(spec["id"])
        wildcards = [v for v in pattern.values() if isinstance(v, list)]
        if any(w == ["ALL"] or w == ["ALLSMALLER"] for w in wildcards):
            return []
        concrete = {k: ("x" if isinstance(v, list) else v) for k, v in pattern.items()}
        return {"id": concrete, "property": spec["property"], "value": None}
    return {"id": spec["id"], "property": spec["property"], "value": None}


def callback_body(callback: RegisteredCallback) -> dict[str, Any]:
    """A request body for the callback with every input and state empty."""
    outputs = []
    declared = callback.entry.get("output") or []
    for output in declared if isinstance(declared, list | tuple) else [declared]:
        component_id = output.component_id
        if isinstance(component_id, dict):
            component_id = {
                k: ("x" if not isinstance(v, str) else v) for k, v in component_id.items()
            }
        outputs.append({"id": component_id, "property": output.component_property})
    return {
        "output": callback.key,
        "outputs": outputs if isinstance(declared, list | tuple) else outputs[0],
        "inputs": [_value_slot(s) for s in callback.entry.get("inputs", [])],
        "state": [_value_slot(s) for s in callback.entry.get("state", [])],
        "changedPropIds": [],
    }


def login_as(client, users, key: str) -> None:  # type: ignore[no-untyped-def]
    """Sign in through the real form; the response sets the session and CSRF cookies."""
    import re

    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    user = users[key]
    response = client.post(
        "/login", data={"username": user.username, "password": user.password, "csrf_token": token}
    )
    assert response.status_code == 302, f"login as {key} failed: {response.status_code}"


def csrf_headers(client) -> dict[str, str]:  # type: ignore[no-untyped-def]
    cookie = client.get_cookie("_csrf_token")
    assert cookie is not None, "no _csrf_token cookie after login"
    return {"X-CSRFToken": cookie.value, "Origin": ORIGIN}


def post_callback(client, body: dict[str, Any], headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return client.post(
        CALLBACK_URL, data=json.dumps(body), content_type="application/json", headers=headers or {}
    )


def find_callback(callbacks: list[RegisteredCallback], function_name: str) -> RegisteredCallback:
    for callback in callbacks:
        function = callback.function
        while function is not None:
            if getattr(function, "__name__", "") == function_name:
                return callback
            function = getattr(function, "__wrapped__", None)
    raise LookupError(function_name)


def body_with(
    callback: RegisteredCallback, values: dict[str, Any], trigger: str | None = None
) -> dict[str, Any]:
    """A callback body with some inputs/states filled: ``{"component-id.property": value}``."""
    body = callback_body(callback)
    for slot in body["inputs"] + body["state"]:
        if isinstance(slot, dict):
            name = f"{slot['id']}.{slot['property']}"
            if name in values:
                slot["value"] = values[name]
    if trigger:
        body["changedPropIds"] = [trigger]
    return body


# (code, name, in the Learning Network, username prefix) for tests on a scratch database.
SCRATCH_ORGANISATIONS = (
    ("E08000004", "Oldham", True, "oldham"),
    ("E08000005", "Rochdale", True, "rochdale"),
    ("E10000014", "Hampshire", True, "hampshire"),
    ("E08000003", "Manchester", False, "manchester"),
)


def create_scratch_users(database) -> None:  # type: ignore[no-untyped-def]
    """One user per role in each scratch organisation ("oldham.analyst" ...); no password."""
    from data_access.users import create_user, get_or_create_organisation

    with database.write() as session:
        for code, name, in_network, prefix in SCRATCH_ORGANISATIONS:
            org = get_or_create_organisation(session, code, name, "local_authority", in_network)
            for role in ("viewer", "practitioner", "analyst", "admin"):
                create_user(session, f"{prefix}.{role}", "not-a-hash", org, role, f"{name} {role}")


# --- the Import page's upload ----------------------------------------------------------------

UPLOAD_URL = "/import/upload"


@contextlib.contextmanager
def logged_in(server, username: str):  # type: ignore[no-untyped-def]
    """A request context with ``username`` signed in (for calling callbacks directly)."""
    from flask_login import login_user

    from auth.current import CurrentUser
    from data_access.db import get_database
    from data_access.users import user_with_hash

    with server.test_request_context():
        with get_database().read() as session:
            record, _ = user_with_hash(session, username)
        login_user(CurrentUser(record))
        yield record


def post_upload(  # type: ignore[no-untyped-def]
    client, content: bytes, filename: str, fmt: str = "template", headers: dict | None = None
):
    """POST ``content`` to the upload route as the page's script does (raw body, the name
    in X-Filename, the CSRF header and Origin from the signed-in client's cookie)."""
    from urllib.parse import quote

    sent = {**csrf_headers(client), "X-Filename": quote(filename), **(headers or {})}
    return client.post(
        f"{UPLOAD_URL}?format={fmt}",
        data=content,
        content_type="application/octet-stream",
        headers=sent,
    )


@dataclass
class PageUpload:
    """An upload through the Import page: the route's answer and, when it kept the file,
    what ``receive_upload`` returned (its outputs, in order)."""

    status: int
    answer: dict[str, Any]
    outputs: tuple | None
    jobs_base: Any  # this machine's folder of jobs' files (a Path)
    jobs_kept: int  # import jobs in the database after the upload
    staged: list  # files left in the upload staging folder (should be none)

    @property
    def message(self) -> str:
        """What the page shows about the file: the route's refusal or the file's info."""
        if self.outputs is None:
            return str(self.answer.get("error", ""))
        return json.dumps(self.outputs[1], default=str)


def upload_to_import_page(  # type: ignore[no-untyped-def]
    server, users, key: str, content: bytes, filename: str, fmt: str = "template"
) -> PageUpload:
    """Upload as the browser does: sign in as ``key``, stream the file to the route, then
    hand the token to the page's ``receive_upload`` callback as the script does."""
    from flask.testing import FlaskClient
    from sqlalchemy import func, select

    from data_access.db import get_database
    from data_access.models import ImportJob
    from pages._import_files import jobs_base, receive_upload
    from pages._import_upload import staging_folder

    client = FlaskClient(server, server.response_class, use_cookies=True)
    login_as(client, users, key)
    response = post_upload(client, content, filename, fmt)
    answer = response.get_json() or {}
    outputs = None
    if response.status_code == 201:
        with logged_in(server, users[key].username):
            outputs = receive_upload(
                {"token": answer["token"], "filename": answer["filename"]}, fmt, []
            )
    with server.app_context():
        base, staging = jobs_base(), staging_folder()
        with get_database().read() as session:
            kept = session.scalar(select(func.count()).select_from(ImportJob)) or 0
    staged = sorted(p for p in staging.rglob("*") if p.is_file()) if staging.exists() else []
    return PageUpload(response.status_code, answer, outputs, base, kept, staged)
