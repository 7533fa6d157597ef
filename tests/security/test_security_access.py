"""Promises: nothing answers without a login; each role can do exactly its actions;
nobody reads or changes another organisation's users or audit log."""

from __future__ import annotations

import pytest
from security_helpers import (
    OPEN_ENDPOINTS,
    PUBLIC_PAGE_ENDPOINTS,
    body_with,
    callback_body,
    permission_marker,
    post_callback,
)

from auth.permissions import PERMISSIONS, allowed
from data_access.users import ROLES, user_by_username

ROLE_KEYS = [f"oldham_{role}" for role in ROLES]


def _data_routes(server) -> list[str]:  # type: ignore[no-untyped-def]
    """GET-able routes that are not the open login/health endpoints, with sample arguments."""
    paths = []
    for rule in server.url_map.iter_rules():
        if rule.endpoint in OPEN_ENDPOINTS | PUBLIC_PAGE_ENDPOINTS:
            continue
        if "GET" not in (rule.methods or ()):
            continue
        if rule.rule.startswith(("/assets/", "/_dash-component-suites/", "/static/")):
            continue
        path = rule.rule
        for argument in rule.arguments:
            path = path.replace(f"<{argument}>", "x")
            for converter in ("path", "int", "string"):
                path = path.replace(f"<{converter}:{argument}>", "1" if converter == "int" else "x")
        paths.append(path)
    return paths


def test_sec010_every_route_refuses_without_login(plain_client, server):
    paths = _data_routes(server)
    assert "/api/v1/observations" in paths or any(p.startswith("/api/") for p in paths)
    for path in paths:
        response = plain_client.get(path)
        assert response.status_code in (302, 401), path
        if response.status_code == 302:
            assert response.headers["Location"].startswith("/login"), path
        else:
            assert b"login required" in response.data, path


def test_sec011_every_callback_refuses_without_login(
    plain_client, registered_callbacks, audit_rows
):
    for callback in registered_callbacks:
        response = post_callback(
            plain_client, callback_body(callback), {"Origin": "http://localhost"}
        )
        assert response.status_code == 401, callback.key
    # Refused before any callback ran: nothing was written, not even a refusal by a callback.
    assert [e for e in audit_rows() if not e.action.startswith("denied")] == []


@pytest.mark.parametrize("role", ROLES)
def test_sec012_permission_table_matches_the_role_ladder(role, users):
    from data_access.db import get_database

    with get_database().read() as s:
        record = user_by_username(s, users[f"oldham_{role}"].username)
    ladder = {"viewer": 0, "practitioner": 1, "analyst": 2, "admin": 3}
    for action, minimum in PERMISSIONS.items():
        assert allowed(record, action) == (ladder[role] >= ladder[minimum]), (role, action)


@pytest.mark.parametrize("key", ROLE_KEYS[:-1])
def test_sec013_callbacks_refuse_roles_below_their_action(
    key, login, call, registered_callbacks, users, server
):
    """Every guarded callback, posted by each non-admin role: 403 when the role is too low."""
    login(key)
    role = users[key].role
    ladder = {r: i for i, r in enumerate(ROLES)}
    checked = 0
    for callback in registered_callbacks:
        kind, action = permission_marker(callback.function) or ("", "")
        if kind != "action" or ladder[role] >= ladder[PERMISSIONS[action]]:
            continue
        if callback.entry.get("background"):
            # The request only starts a job; the job runs the check. Check it directly.
            _assert_guard_refuses(server, users[key].username, callback)
        else:
            response = call(callback_body(callback))
            assert response.status_code == 403, (key, callback.key)
        checked += 1
    assert checked > 0


def _assert_guard_refuses(server, username: str, callback) -> None:  # type: ignore[no-untyped-def]
    from flask_login import login_user

    from auth.current import CurrentUser
    from auth.permissions import PermissionDenied
    from data_access.db import get_database

    # functools.wraps copies the marker onto outer wrappers (Dash's too): the guard
    # itself is the innermost function that carries it.
    guarded_function, function = None, callback.function
    while function is not None:
        if hasattr(function, "__chorus_permission__"):
            guarded_function = function
        function = getattr(function, "__wrapped__", None)
    with get_database().read() as s:
        record = user_by_username(s, username)
    with server.test_request_context("/_dash-update-component", method="POST"):
        login_user(CurrentUser(record))
        with pytest.raises(PermissionDenied):
            guarded_function(*([None] * 8))


def test_sec014_admin_pages_refuse_analysts_and_let_admins_in(login, call, callback_named):
    show = callback_named("show_users")
    login("oldham_analyst")
    assert call(body_with(show, {"admin-users-search.value": ""})).status_code == 403
    assert call(body_with(callback_named("show_events"), {})).status_code == 403
    login("oldham_admin")
    response = call(body_with(show, {"admin-users-search.value": ""}))
    assert response.status_code == 200
    assert "oldham.viewer" in response.get_data(as_text=True)


def test_sec015_admin_sees_only_their_own_organisations_users(login, call, callback_named):
    login("oldham_admin")
    text = call(body_with(callback_named("show_users"), {})).get_data(as_text=True)
    assert "oldham.analyst" in text
    for other in ("rochdale.", "manchester.", "research."):
        assert other not in text


def test_sec016_admin_cannot_change_another_organisations_user(
    login, call, callback_named, users, db
):
    with db.read() as s:
        victim = user_by_username(s, users["rochdale_viewer"].username)
    login("oldham_admin")
    change = callback_named("change_user")
    for trigger in ("admin-deactivate", "admin-set-role", "admin-reset"):
        body = body_with(
            change,
            {
                "admin-target.value": victim.id,
                "admin-role.value": "admin",
                f"{trigger}.n_clicks": 1,
            },
            trigger=f"{trigger}.n_clicks",
        )
        assert call(body).status_code == 403, trigger
    with db.read() as s:
        after = user_by_username(s, users["rochdale_viewer"].username)
    assert (after.active, after.role, after.session_version) == (
        True,
        "viewer",
        victim.session_version,
    )


def test_sec017_audit_log_shows_only_own_organisation(
    login, call, callback_named, plain_client, users
):
    # Rochdale's admin leaves a trace; Oldham's admin must not see it.
    login("rochdale_admin")
    call(body_with(callback_named("show_users"), {}))
    plain_client.post("/logout", data={"csrf_token": plain_client.get_cookie("_csrf_token").value})
    login("oldham_admin")
    text = call(body_with(callback_named("show_events"), {"audit-outcome.value": "any"})).get_data(
        as_text=True
    )
    assert "oldham.admin" in text
    assert "rochdale.admin" not in text


def test_sec018_api_answers_only_with_login_and_never_for_another_organisations_writes(
    login, plain_client
):
    assert plain_client.get("/api/v1/indicators").status_code == 401
    login("oldham_viewer")
    assert plain_client.get("/api/v1/indicators").status_code == 200
    # The API is read-only: unsafe methods are refused (CSRF check or no such method).
    for method in ("post", "put", "delete"):
        response = getattr(plain_client, method)("/api/v1/indicators")
        assert response.status_code in (403, 405), method
