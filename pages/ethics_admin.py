"""Information and ethics, for an authority's administrators: the public page's contact,
publishing the public "You said, we did" after the ethics check, and the record of
processing (lawful basis chosen here; downloaded as CSV for the data protection officer).
"""

from __future__ import annotations

from typing import Any

import dash
from dash import ALL, Input, Output, State, callback, dcc, html

import settings
from auth.current import current_record
from auth.permissions import allowed, guarded
from components.controls import select
from components.downloads import csv_download
from components.ethics_check import ethics_check_panel
from data_access.db import get_database
from data_access.ethics_check import EthicsCheckError, public_page_notes, record_ethics_check
from data_access.processing_record import (
    LAWFUL_BASES,
    NOT_CHOSEN,
    RECORD_COLUMNS,
    processing_record,
    set_lawful_bases,
)
from data_access.public_info import (
    authority_for_code,
    latest_publication,
    public_contact,
    set_public_contact,
)

dash.register_page(
    __name__,
    path="/admin/information",
    name="Information and ethics",
    title="Information and ethics - Chorus",
    order=91,
)

COLUMN_HEADINGS = {
    "information": "Information",
    "purpose": "Purpose",
    "lawful_basis": "Lawful basis",
    "source": "Source",
    "who_can_see": "Who can see it",
    "retention": "How long it is kept",
    "where_deleted": "Where it is deleted",
}


def _record_frame(user):  # type: ignore[no-untyped-def]
    with get_database().read() as session:
        return processing_record(session, user, settings.current())


def _record_table(frame) -> html.Table:  # type: ignore[no-untyped-def]
    header = html.Tr([html.Th(COLUMN_HEADINGS[c], scope="col") for c in RECORD_COLUMNS])
    rows = []
    for row in frame.to_dict("records"):
        cells: list[Any] = []
        for column in RECORD_COLUMNS:
            if column == "lawful_basis":
                chosen = row["lawful_basis"] if row["lawful_basis"] != NOT_CHOSEN else None
                cells.append(
                    html.Td(
                        # A label wrapping the select names it (a pattern id has no htmlFor).
                        html.Label(
                            [
                                html.Span(
                                    f"Lawful basis for {row['information']}",
                                    className="visually-hidden",
                                ),
                                select(
                                    {"type": "ropa-basis", "index": row["kind_id"]},
                                    [{"label": b, "value": b} for b in LAWFUL_BASES],
                                    chosen,
                                    placeholder="Choose a lawful basis",
                                    clearable=True,
                                ),
                            ]
                        )
                    )
                )
            elif column == "information":
                cells.append(html.Th(row[column], scope="row"))
            else:
                cells.append(html.Td(row[column]))
        rows.append(html.Tr(cells))
    return html.Table(
        [
            html.Caption("Record of processing"),
            html.Thead(header),
            html.Tbody(rows),
        ],
        className="table ropa-table",
    )


def layout(**_kwargs: Any) -> html.Div:
    user = current_record()
    if user is None or not allowed(user, "settings.edit"):
        return html.Div(
            [
                html.H1("Information and ethics"),
                html.P("This page needs an administrator account."),
            ]
        )
    with get_database().write() as session:
        authority = authority_for_code(session, user.organisation_code)
        contact = public_contact(session, user.organisation_id)
        published = latest_publication(session, user.organisation_id) is not None
        notes = public_page_notes(session, authority) if authority else []
    public_href = f"/public/{user.organisation_code}"
    return html.Div(
        className="ethics-admin-page",
        children=[
            html.H1("Information and ethics"),
            html.P(
                [
                    "Children, families and the public can read how ",
                    user.organisation_name,
                    " uses their information, without signing in: ",
                    html.A("How we use your information", href=public_href),
                    ". It is made from Chorus's live settings.",
                ],
                className="lead-text",
            ),
            html.H2("Whom to contact"),
            html.Label(
                "Contact named on the public page",
                htmlFor="info-contact",
                className="sessions-label",
            ),
            dcc.Input(
                id="info-contact",
                type="text",
                value=contact,
                maxLength=500,
                className="form-control",
            ),
            html.Button(
                "Save contact", id="info-contact-save", n_clicks=0, className="btn btn-primary"
            ),
            html.P(id="info-contact-status", role="status", className="sessions-message"),
            html.H2("Publish 'You said, we did'"),
            html.P(
                "The public page shows actions answering quotes whose speakers agreed to "
                "publication. "
                + (
                    "It is published; confirming again records a fresh review."
                    if published
                    else "It is not published yet."
                )
            ),
            ethics_check_panel("public", notes),
            html.H2("Record of processing"),
            html.P(
                "Every kind of information Chorus holds for your authority, made from the "
                "rules Chorus applies. Choose the lawful basis for each; the data protection "
                "officer can download it as CSV."
            ),
            _record_table(_record_frame(user)),
            html.Button(
                "Save lawful bases", id="ropa-save", n_clicks=0, className="btn btn-primary"
            ),
            " ",
            html.Button(
                "Download as CSV",
                id="ropa-download-button",
                n_clicks=0,
                className="btn btn-outline-primary",
            ),
            dcc.Download(id="ropa-download"),
            html.P(id="ropa-status", role="status", className="sessions-message"),
        ],
    )


@callback(
    Output("info-contact-status", "children"),
    Input("info-contact-save", "n_clicks"),
    State("info-contact", "value"),
    prevent_initial_call=True,
)
@guarded("settings.edit")
def save_contact(n_clicks, contact):  # type: ignore[no-untyped-def]
    """Save whom the public page names for questions."""
    if not n_clicks:
        raise dash.exceptions.PreventUpdate
    with get_database().write() as session:
        problem = set_public_contact(session, current_record(), contact or "")
    return problem or "Saved. The public page shows it now."


@callback(
    Output("public-ethics-status", "children"),
    Input("public-ethics-confirm", "n_clicks"),
    State("public-ethics-name", "value"),
    prevent_initial_call=True,
)
@guarded("settings.edit")
def publish_public_page(n_clicks, name):  # type: ignore[no-untyped-def]
    """Publish the public page after a named review (audited)."""
    if not n_clicks:
        raise dash.exceptions.PreventUpdate
    user = current_record()
    if user is None:
        raise dash.exceptions.PreventUpdate
    try:
        with get_database().write() as session:
            authority = authority_for_code(session, user.organisation_code)
            if authority is None:
                return "Only a local authority has a public page."
            notes = public_page_notes(session, authority)
            check = record_ethics_check(
                session, user, "public_page", authority.code, name or "", notes
            )
    except EthicsCheckError as exc:
        return str(exc)
    return f"Reviewed by {check.reviewer_name}. 'You said, we did' is published."


@callback(
    Output("ropa-status", "children"),
    Input("ropa-save", "n_clicks"),
    State({"type": "ropa-basis", "index": ALL}, "value"),
    State({"type": "ropa-basis", "index": ALL}, "id"),
    prevent_initial_call=True,
)
@guarded("settings.edit")
def save_lawful_bases(n_clicks, values, ids):  # type: ignore[no-untyped-def]
    """Keep the lawful basis chosen for each kind of information."""
    if not n_clicks:
        raise dash.exceptions.PreventUpdate
    chosen = {
        str(i.get("index")): (v or "")
        for i, v in zip(ids or [], values or [], strict=False)
        if isinstance(i, dict)
    }
    with get_database().write() as session:
        problem = set_lawful_bases(session, current_record(), chosen)
    return problem or "Saved."


@callback(
    Output("ropa-download", "data"),
    Input("ropa-download-button", "n_clicks"),
    prevent_initial_call=True,
)
@guarded("settings.edit")
def download_record(n_clicks):  # type: ignore[no-untyped-def]
    """The record of processing as CSV (the download writer every CSV goes through)."""
    if not n_clicks:
        raise dash.exceptions.PreventUpdate
    user = current_record()
    if user is None:
        raise dash.exceptions.PreventUpdate
    frame = _record_frame(user)[RECORD_COLUMNS]
    code = "".join(ch for ch in user.organisation_code if ch.isalnum()).lower()
    return csv_download(frame, f"record_of_processing_{code}.csv")
