"""After a session: every step with its chart as shown, what was said, the open questions,
and the record to hand out (a self-contained HTML file that draws its charts offline and
prints to PDF, and a CSV).

``/sessions/summary?id=N``. The names/anonymised choice applies to the page and to both
exports alike; it starts from the session's own setting.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State, callback, dcc, html

from auth.current import current_record
from auth.permissions import guarded
from components.controls import radios
from components.ethics_check import ethics_check_panel
from components.ln_export import export_csv, export_html
from components.present import summary_step
from data_access import learning_network as ln
from data_access.db import get_database
from data_access.ethics_check import (
    EthicsCheckError,
    ethics_section,
    reader_notes,
    recent_check,
    record_ethics_check,
)
from pages._ln_action_callbacks import summary_extras
from pages._ln_support import export_filename, session_document

dash.register_page(
    __name__,
    path="/sessions/summary",
    name="Session summary",
    title="Session summary - Chorus",
    nav=False,
    nav_group="Learning Network",
)

NAME_CHOICES = [
    {"label": "By name", "value": "names"},
    {"label": "Anonymised (Authority A, B, C)", "value": "anonymised"},
]


def _int(value: Any) -> int | None:
    if isinstance(value, list):
        value = value[0] if value else None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _document(record_id: int, anonymised: bool) -> tuple[dict, list, ln.SessionRecord] | None:
    user = current_record()
    with get_database().read() as session:
        record = ln.get_session(session, user, record_id)
        if record is None:
            return None
        document, payloads = session_document(session, user, record, anonymised)
    return document, payloads, record


def _subject(record_id: int, names: str | None) -> str:
    """One ethics check covers one session, by name or anonymised."""
    return f"session:{int(record_id)}:{'anonymised' if names == 'anonymised' else 'names'}"


def session_notes(user, record: ln.SessionRecord) -> list[str]:  # type: ignore[no-untyped-def]
    """What readers of the session record should know (see data_access.ethics_check)."""
    slices = [
        (str(step.config["indicator"]), str(step.config["area"]))
        for step in record.steps
        if step.kind == "indicator" and step.config.get("indicator") and step.config.get("area")
    ]
    voice_ids = [
        int(v)
        for step in record.steps
        if step.kind == "quotes"
        for v in step.config.get("voice_ids") or []
        if str(v).isdigit()
    ]
    with get_database().read() as session:
        return reader_notes(session, user, slices, voice_ids, network=True)


def _checked(record_id: int, names: str | None):  # type: ignore[no-untyped-def]
    with get_database().read() as session:
        return recent_check(session, current_record(), "session_export", _subject(record_id, names))


def summary_children(document: dict[str, Any], payloads: list[dict[str, Any]]) -> list:
    """The page body: lines, each step with its contributions, then the open questions."""
    children: list = [html.P(line) for line in document["lines"]]
    for number, (section, payload) in enumerate(
        zip(document["sections"], payloads, strict=True), start=1
    ):
        children.append(summary_step(payload, section["contributions"], f"summary-graph-{number}"))
    questions = document["open_questions"]
    children += [
        html.H2("Questions still open"),
        html.Ul([html.Li(q) for q in questions], className="summary-open-questions")
        if questions
        else html.P("None."),
    ]
    return children


def layout(**kwargs: Any) -> html.Div:
    record_id = _int(kwargs.get("id"))
    built = _document(record_id, False) if record_id is not None else None
    if built is None:
        return html.Div(
            [
                html.H1("Session summary"),
                html.P("Choose a session on the Learning Network sessions page."),
                dcc.Link("Learning Network sessions", href="/sessions"),
            ]
        )
    record = built[2]
    if record.anonymised:
        built = _document(record.id, True)
        assert built is not None
    document, payloads, _ = built
    return html.Div(
        className="summary-page",
        children=[
            html.H1(f"Summary: {document['title']}", id="summary-title"),
            dcc.Store(id="summary-session", data=record.id),
            html.Fieldset(
                [
                    html.Legend("Authorities in the summary and its exports"),
                    radios(
                        "summary-names",
                        NAME_CHOICES,
                        "anonymised" if record.anonymised else "names",
                        legend="",
                        inline=True,
                        bare=True,
                    ),
                ],
                className="summary-names",
            ),
            ethics_check_panel("summary", session_notes(current_record(), record)),
            html.Div(
                [
                    html.Button(
                        "Download the record (HTML, works offline)",
                        id="summary-html-button",
                        n_clicks=0,
                        className="btn btn-primary",
                    ),
                    " ",
                    html.Button(
                        "Download as CSV",
                        id="summary-csv-button",
                        n_clicks=0,
                        className="btn btn-outline-primary",
                    ),
                    dcc.Download(id="summary-html-download"),
                    dcc.Download(id="summary-csv-download"),
                ],
                className="summary-exports",
            ),
            html.P(
                [
                    html.A("Present this session", href=f"/sessions/present?id={record.id}"),
                    " · ",
                    dcc.Link("Back to the session", href=f"/sessions?id={record.id}"),
                ]
            ),
            html.Div(id="summary-body", children=summary_children(document, payloads)),
            summary_extras(record.id, record.anonymised),
        ],
    )


@callback(
    Output("summary-body", "children"),
    Output("summary-title", "children"),
    Input("summary-names", "value"),
    State("summary-session", "data"),
    prevent_initial_call=True,
)
@guarded("read")
def switch_names(names, record_id):  # type: ignore[no-untyped-def]
    """Show the summary by name or anonymised."""
    built = _document(int(record_id), names == "anonymised")
    if built is None:
        raise dash.exceptions.PreventUpdate
    document, payloads, _ = built
    return summary_children(document, payloads), f"Summary: {document['title']}"


NEEDS_CHECK = (
    "Before the record can leave, read what readers should know and confirm with your name (above)."
)


@callback(
    Output("summary-html-download", "data"),
    Output("summary-ethics-status", "children", allow_duplicate=True),
    Input("summary-html-button", "n_clicks"),
    State("summary-names", "value"),
    State("summary-session", "data"),
    prevent_initial_call=True,
)
@guarded("data.export")
def download_html(n_clicks, names, record_id):  # type: ignore[no-untyped-def]
    """The self-contained HTML record of the session, after the ethics check."""
    if not n_clicks:
        raise dash.exceptions.PreventUpdate
    built = _document(int(record_id), names == "anonymised")
    if built is None:
        raise dash.exceptions.PreventUpdate
    check = _checked(int(record_id), names)
    if check is None:
        return dash.no_update, NEEDS_CHECK
    document = built[0]
    document["ethics"] = ethics_section(check)
    return {
        "content": export_html(document),
        "filename": export_filename(document["title"], "html"),
        "type": "text/html",
        "base64": False,
    }, dash.no_update


@callback(
    Output("summary-csv-download", "data"),
    Output("summary-ethics-status", "children", allow_duplicate=True),
    Input("summary-csv-button", "n_clicks"),
    State("summary-names", "value"),
    State("summary-session", "data"),
    prevent_initial_call=True,
)
@guarded("data.export")
def download_csv(n_clicks, names, record_id):  # type: ignore[no-untyped-def]
    """The session as CSV: one row per step, figure, quote and contribution."""
    if not n_clicks:
        raise dash.exceptions.PreventUpdate
    built = _document(int(record_id), names == "anonymised")
    if built is None:
        raise dash.exceptions.PreventUpdate
    check = _checked(int(record_id), names)
    if check is None:
        return dash.no_update, NEEDS_CHECK
    document = built[0]
    sections = [*document["sections"], ethics_section(check)]
    return {
        "content": export_csv(document["title"], sections),
        "filename": export_filename(document["title"], "csv"),
        "type": "text/csv",
        "base64": False,
    }, dash.no_update


@callback(
    Output("summary-ethics-status", "children"),
    Input("summary-ethics-confirm", "n_clicks"),
    State("summary-ethics-name", "value"),
    State("summary-names", "value"),
    State("summary-session", "data"),
    prevent_initial_call=True,
)
@guarded("data.export")
def confirm_session_check(n_clicks, name, names, record_id):  # type: ignore[no-untyped-def]
    """Record the named review of this session's record (audited)."""
    if not n_clicks:
        raise dash.exceptions.PreventUpdate
    user = current_record()
    with get_database().read() as session:
        record = ln.get_session(session, user, int(record_id))
    if record is None:
        raise dash.exceptions.PreventUpdate
    notes = session_notes(user, record)
    try:
        with get_database().write() as session:
            check = record_ethics_check(
                session, user, "session_export", _subject(record.id, names), name or "", notes
            )
            reviewer = check.reviewer_name
    except EthicsCheckError as exc:
        return str(exc)
    return f"Reviewed by {reviewer}. You can download the record now."
