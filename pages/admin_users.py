"""Users of the admin's organisation: create, change role, deactivate, reset password."""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, ctx, dcc, html, no_update
from flask import request

from auth.admin import (
    AdminError,
    change_role,
    create_account,
    ensure_same_organisation,
    reset_password,
    set_user_active,
)
from auth.current import current_record
from auth.permissions import allowed, check, guarded
from components.controls import select
from components.shell import refused_page
from data_access.db import get_database
from data_access.users import UserRecord, search_users
from rules.roles import ROLES

PERMISSION = "users.manage"  # the nav and this page's guard both follow it
dash.register_page(
    __name__,
    path="/admin/users",
    name="Users",
    title="Users - Chorus",
    order=90,
    nav_group="Administration",
    permission=PERMISSION,
)

ROLE_OPTIONS = [{"label": role.capitalize(), "value": role} for role in ROLES]


def _field(label: str, control: object, hint: str | None = None) -> html.Div:
    control_id = getattr(control, "id", None)
    parts = [html.Label(label, htmlFor=control_id, className="admin-label")]
    if hint:
        parts.append(html.P(hint, className="admin-hint"))
    parts.append(control)
    return html.Div(parts, className="admin-field")


def layout(**_kwargs: object) -> html.Div:
    user = current_record()
    if user is None or not allowed(user, PERMISSION):
        return refused_page("Users", PERMISSION, user.role if user else None)
    return html.Div(
        className="admin-page",
        children=[
            html.H1("Users"),
            html.P(
                f"People who can sign in for {user.organisation_name}. Changing a role, "
                "deactivating or resetting a password ends that person's sessions at once.",
                className="lead-text",
            ),
            dcc.Store(id="admin-users-version", data=0),
            html.Section(
                className="admin-section",
                children=[
                    html.H2("Find a user"),
                    _field(
                        "Search by username or name",
                        dcc.Input(id="admin-users-search", type="search", debounce=True, value=""),
                    ),
                    html.Div(id="admin-users-table"),
                ],
            ),
            html.Section(
                className="admin-section",
                children=[
                    html.H2("Add a user"),
                    _field("Username", dcc.Input(id="admin-new-username", type="text")),
                    _field("Name shown in the app", dcc.Input(id="admin-new-name", type="text")),
                    _field(
                        "Role",
                        select(
                            id="admin-new-role",
                            options=ROLE_OPTIONS,
                            value="viewer",
                            clearable=False,
                        ),
                    ),
                    html.Button("Add user", id="admin-create", className="btn btn-primary"),
                    html.P(id="admin-create-result", role="status", className="admin-result"),
                ],
            ),
            html.Section(
                className="admin-section",
                children=[
                    html.H2("Change a user"),
                    _field("User", select(id="admin-target", options=[], clearable=False)),
                    _field(
                        "New role",
                        select(id="admin-role", options=ROLE_OPTIONS, clearable=False),
                    ),
                    html.Div(
                        className="admin-actions",
                        children=[
                            html.Button(
                                "Change role", id="admin-set-role", className="btn btn-primary"
                            ),
                            html.Button(
                                "Deactivate",
                                id="admin-deactivate",
                                className="btn btn-outline-danger",
                            ),
                            html.Button(
                                "Reactivate",
                                id="admin-reactivate",
                                className="btn btn-outline-primary",
                            ),
                            html.Button(
                                "Reset password",
                                id="admin-reset",
                                className="btn btn-outline-primary",
                            ),
                        ],
                    ),
                    html.P(id="admin-change-result", role="status", className="admin-result"),
                ],
            ),
        ],
    )


def users_table(records: list[UserRecord]) -> html.Table | html.P:
    """The users as an accessible table; every value is text, never HTML."""
    if not records:
        return html.P("No users match.")
    header = html.Thead(
        html.Tr([html.Th(h, scope="col") for h in ("Username", "Name", "Role", "Status")])
    )
    body = html.Tbody(
        [
            html.Tr(
                [
                    html.Td(r.username),
                    html.Td(r.display_name, className="admin-display-name"),
                    html.Td(r.role),
                    html.Td("active" if r.active else "deactivated"),
                ]
            )
            for r in records
        ]
    )
    return html.Table(
        [html.Caption(f"{len(records)} users"), header, body], className="table admin-table"
    )


@callback(
    Output("admin-users-table", "children"),
    Output("admin-target", "options"),
    Input("admin-users-search", "value"),
    Input("admin-users-version", "data"),
)
@guarded("users.manage")
def show_users(search: str | None, _version: int) -> tuple[object, list[dict]]:
    user = check("users.manage")
    with get_database().read() as session:
        records = search_users(session, user.organisation_id, search or None)
        everyone = search_users(session, user.organisation_id)
    options = [{"label": f"{r.username} ({r.display_name})", "value": r.id} for r in everyone]
    return users_table(records), options


@callback(
    Output("admin-create-result", "children"),
    Output("admin-users-version", "data", allow_duplicate=True),
    Input("admin-create", "n_clicks"),
    State("admin-new-username", "value"),
    State("admin-new-name", "value"),
    State("admin-new-role", "value"),
    State("admin-users-version", "data"),
    prevent_initial_call=True,
)
@guarded("users.manage")
def create_user(
    _clicks: int | None, username: str | None, name: str | None, role: str | None, version: int
) -> tuple[str, object]:
    user = check("users.manage")
    try:
        with get_database().write() as session:
            created, password = create_account(
                session,
                user,
                username=username or "",
                display_name=name or username or "",
                role=role or "viewer",
                organisation_code=user.organisation_code,
                address=request.remote_addr,
            )
    except AdminError as exc:
        return str(exc), no_update
    return (
        f"Added {created.username} as {created.role}. Their first password, shown once: "
        f"{password} (ask them to keep it safe).",
        (version or 0) + 1,
    )


@callback(
    Output("admin-change-result", "children"),
    Output("admin-users-version", "data", allow_duplicate=True),
    Input("admin-set-role", "n_clicks"),
    Input("admin-deactivate", "n_clicks"),
    Input("admin-reactivate", "n_clicks"),
    Input("admin-reset", "n_clicks"),
    State("admin-target", "value"),
    State("admin-role", "value"),
    State("admin-users-version", "data"),
    prevent_initial_call=True,
)
@guarded("users.manage")
def change_user(*args: object) -> tuple[str, object]:
    *_clicks, target, role, version = args
    user = check("users.manage")
    # A native select reports the chosen user's id as text.
    if not str(target or "").isdigit():
        return "Choose a user first.", no_update
    target = int(target)  # type: ignore[arg-type]
    address = request.remote_addr
    ensure_same_organisation(user, target)
    try:
        with get_database().write() as session:
            message = _apply(session, user, ctx.triggered_id, target, role, address)
    except AdminError as exc:
        return str(exc), no_update
    return message, (version or 0) + 1  # type: ignore[operator]


def _apply(
    session, user: UserRecord, trigger: str, target: int, role: object, address: str | None
) -> str:  # type: ignore[no-untyped-def]
    if trigger == "admin-set-role":
        if role not in ROLES:
            raise AdminError("Choose the new role first.")
        changed = change_role(session, user, target, str(role), address)
        return f"{changed.username} is now {changed.role}; their sessions have ended."
    if trigger in ("admin-deactivate", "admin-reactivate"):
        active = trigger == "admin-reactivate"
        changed = set_user_active(session, user, target, active, address)
        state = "active again" if active else "deactivated and signed out everywhere"
        return f"{changed.username} is {state}."
    if trigger == "admin-reset":
        password = reset_password(session, user, target, address=address)
        return f"New password, shown once: {password}. Their sessions have ended."
    raise AdminError("Unknown action.")
