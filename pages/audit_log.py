"""The audit log of the admin's own organisation: read, filter and export (never edit)."""

from __future__ import annotations

import dash
import pandas as pd
from dash import Input, Output, State, callback, dcc, html
from flask import request

from auth.current import current_record
from auth.permissions import allowed, check, guarded
from components.controls import select
from data_access.audit import audit_events_frame
from data_access.db import get_database
from data_access.users import write_audit
from rules.files import csv_text

dash.register_page(
    __name__, path="/admin/audit", name="Audit log", title="Audit log - Chorus", order=91
)

SHOWN_ROWS = 200
OUTCOMES = ["success", "failure", "denied", "rate_limited"]
SHOWN_COLUMNS = [
    "occurred_at",
    "username",
    "action",
    "object_type",
    "object_id",
    "outcome",
    "address",
]
HEADINGS = ["When (UTC)", "User", "Action", "Object", "Object id", "Outcome", "Address"]


def layout(**_kwargs: object) -> html.Div:
    user = current_record()
    if user is None or not allowed(user, "audit.read"):
        return html.Div(
            [html.H1("Audit log"), html.P("The audit log needs an administrator account.")]
        )
    outcome_options = [{"label": "Any outcome", "value": "any"}] + [
        {"label": o.replace("_", " "), "value": o} for o in OUTCOMES
    ]
    return html.Div(
        className="admin-page",
        children=[
            html.H1("Audit log"),
            html.P(
                f"Sign-ins, refusals and every change made by or for {user.organisation_name}. "
                "Nobody can edit or delete entries; old entries are removed only by the "
                "retention rule.",
                className="lead-text",
            ),
            html.Div(
                className="admin-filters",
                children=[
                    html.Div(
                        [
                            html.Label("Search action, user or object id", htmlFor="audit-search"),
                            dcc.Input(id="audit-search", type="search", debounce=True, value=""),
                        ],
                        className="admin-field",
                    ),
                    html.Div(
                        [
                            html.Label("Outcome", htmlFor="audit-outcome"),
                            select(
                                id="audit-outcome",
                                options=outcome_options,
                                value="any",
                                clearable=False,
                            ),
                        ],
                        className="admin-field",
                    ),
                    html.Button("Download CSV", id="audit-export", className="btn btn-primary"),
                    dcc.Download(id="audit-download"),
                ],
            ),
            html.Div(id="audit-table"),
        ],
    )


def _events(search: str | None, outcome: str | None, limit: int | None = None) -> pd.DataFrame:
    user = check("audit.read")
    chosen = outcome if outcome in OUTCOMES else None
    with get_database().read() as session:
        kwargs = {"search": search or None, "outcome": chosen}
        if limit:
            kwargs["limit"] = limit
        return audit_events_frame(session, user.organisation_code, **kwargs)  # type: ignore[arg-type]


def events_table(events: pd.DataFrame) -> html.Table | html.P:
    """Audit events as a table of plain text cells."""
    if events.empty:
        return html.P("No audit events match.")
    rows = [
        html.Tr([html.Td("" if pd.isna(v) else str(v)) for v in row])
        for row in events[SHOWN_COLUMNS].itertuples(index=False)
    ]
    return html.Table(
        [
            html.Caption(f"Latest {len(events)} events, newest first"),
            html.Thead(html.Tr([html.Th(h, scope="col") for h in HEADINGS])),
            html.Tbody(rows),
        ],
        className="table admin-table audit-table",
    )


@callback(
    Output("audit-table", "children"),
    Input("audit-search", "value"),
    Input("audit-outcome", "value"),
)
@guarded("audit.read")
def show_events(search: str | None, outcome: str | None) -> object:
    return events_table(_events(search, outcome, SHOWN_ROWS))


@callback(
    Output("audit-download", "data"),
    Input("audit-export", "n_clicks"),
    State("audit-search", "value"),
    State("audit-outcome", "value"),
    prevent_initial_call=True,
)
@guarded("audit.read")
def export_events(_clicks: int | None, search: str | None, outcome: str | None) -> dict:
    user = check("audit.read")
    events = _events(search, outcome)
    with get_database().write() as session:
        write_audit(
            session,
            "audit.export",
            user=user,
            object_type="audit_events",
            address=request.remote_addr,
            detail={"rows": len(events)},
        )
    return dcc.send_string(csv_text(events), "chorus-audit-log.csv")
