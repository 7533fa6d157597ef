"""Promise: every Dash callback and every Flask route declares its permission check.

``@guarded("<action>")`` enforces a check before the function runs; ``@guarded(None,
reason=...)`` declares that it reads no organisation data and writes nothing. A new
callback or route without either fails this test. Exempt: Dash's own page-routing
callbacks and internal routes, the login/logout forms and the health check. The public
information pages under /public/ are the only other routes the login guard lets through.
"""

from __future__ import annotations

import re

from security_helpers import (
    DASH_INTERNAL_ROUTE_PREFIXES,
    OPEN_ENDPOINTS,
    PUBLIC_PAGE_ENDPOINTS,
    permission_marker,
)

from auth.permissions import PERMISSIONS


def _unmarked_routes(server) -> list[str]:  # type: ignore[no-untyped-def]
    missing = []
    for rule in server.url_map.iter_rules():
        if rule.endpoint in OPEN_ENDPOINTS or rule.rule.startswith(DASH_INTERNAL_ROUTE_PREFIXES):
            continue
        view = server.view_functions[rule.endpoint]
        if _is_dash_page_route(rule.endpoint, view):
            continue
        if permission_marker(view) is None:
            missing.append(f"{rule.rule} ({rule.endpoint})")
    return missing


def _is_dash_page_route(endpoint: str, view) -> bool:  # type: ignore[no-untyped-def]
    # Dash serves the same HTML shell for "/" and "/<path>"; the shell holds no data
    # (layouts come through callbacks and /_dash-layout, both behind the login guard).
    return getattr(view, "__module__", "").startswith("dash.") or endpoint.startswith("/")


def test_sec001_every_server_callback_has_a_permission_marker(registered_callbacks):
    assert len(registered_callbacks) > 5, "the walk found suspiciously few callbacks"
    missing = [cb.key for cb in registered_callbacks if permission_marker(cb.function) is None]
    assert missing == [], f"callbacks without @guarded: {missing}"


def test_sec002_every_flask_route_has_a_permission_marker(server):
    assert _unmarked_routes(server) == []


def test_sec003_markers_name_known_actions_or_give_a_reason(registered_callbacks, server):
    functions = [cb.function for cb in registered_callbacks] + list(server.view_functions.values())
    for function in functions:
        marker = permission_marker(function)
        if marker is None:
            continue
        kind, value = marker
        assert kind in ("action", "public"), marker
        if kind == "action":
            assert value in PERMISSIONS, marker
        else:
            assert len(value) > 10, f"a public marker needs a real reason: {marker}"


def test_sec004_the_walk_sees_a_callback_added_without_a_marker(app):
    # The walk must notice a new unguarded callback (so it is not vacuously passing).
    import dash._callback as dash_callback
    from dash import Input, Output, callback

    @callback(Output("sec004-out", "children"), Input("sec004-in", "value"))
    def unguarded(value):  # type: ignore[no-untyped-def]
        return value

    try:
        entries = {k: v for k, v in dash_callback.GLOBAL_CALLBACK_MAP.items() if "sec004" in k}
        assert entries, "a new callback should be in Dash's registry"
        assert all(permission_marker(v["callback"]) is None for v in entries.values())
    finally:
        for key in [k for k in dash_callback.GLOBAL_CALLBACK_MAP if "sec004" in k]:
            del dash_callback.GLOBAL_CALLBACK_MAP[key]
        dash_callback.GLOBAL_CALLBACK_LIST[:] = [
            c for c in dash_callback.GLOBAL_CALLBACK_LIST if "sec004" not in str(c.get("output"))
        ]


def _sample_path(rule) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r"<(?:[a-z]+:)?[a-z_]+>", "E08000004", rule.rule)


def test_sec005_the_public_pages_are_the_only_routes_open_without_sign_in(server):
    from auth.setup import is_public_path

    open_routes = {
        rule.endpoint
        for rule in server.url_map.iter_rules()
        if is_public_path(_sample_path(rule))
        and not rule.rule.startswith(DASH_INTERNAL_ROUTE_PREFIXES)
    }
    assert open_routes - OPEN_ENDPOINTS == PUBLIC_PAGE_ENDPOINTS
    for endpoint in PUBLIC_PAGE_ENDPOINTS:
        kind, reason = permission_marker(server.view_functions[endpoint])
        assert kind == "public" and "public" in reason
    # The allowance is the /public/ folder, not every path that starts with the word.
    assert not is_public_path("/publications") and not is_public_path("/public-data")


def test_sec006_the_public_pages_answer_without_sign_in(plain_client, server):
    for rule in server.url_map.iter_rules():
        if rule.endpoint in PUBLIC_PAGE_ENDPOINTS:
            response = plain_client.get(_sample_path(rule))
            assert response.status_code == 200, rule.rule
