"""Learning Network sessions: the list, and the builder for one session.

``/sessions`` lists the sessions the user may see (their organisation's, and the
network's while both are in it) with links to present and summarise each. Facilitators
(analysts and admins) create sessions and build the agenda on ``/sessions?id=N``: an
indicator view captured from Explore (paste its address, or follow "Use in a Learning
Network session" there, which arrives here with ``?capture=<the view's query>``), quotes
chosen from the Voice library (only those consented for the Learning Network are offered),
a question, or a short text; steps move up and down and can be removed.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import dash
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update

from auth.current import current_record
from auth.permissions import allowed, guarded
from components.controls import checkboxes, radios
from data_access import learning_network as ln
from data_access.db import get_database
from pages._ln_poll_views import poll_builder_section

dash.register_page(
    __name__,
    path="/sessions",
    name="Learning Network sessions",
    title="Learning Network sessions - Chorus",
    order=30,
    nav_group="Learning Network",
)

KIND_CHOICES = [{"label": label, "value": kind} for kind, label in ln.STEP_KINDS.items()]


def _int(value: Any) -> int | None:
    if isinstance(value, list):
        value = value[0] if value else None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _first(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return str(value) if value else None


def _links(record: ln.SessionRecord, capture: str | None, can_edit: bool) -> html.Ul:
    edit_query = {"id": record.id, **({"capture": capture} if capture else {})}
    items = []
    if can_edit:
        label = "Add the captured view to this session" if capture else "Build the agenda"
        items.append(html.Li(dcc.Link(label, href=f"/sessions?{urlencode(edit_query)}")))
    # Present mode is a full page load: it has its own page without navigation.
    items.append(html.Li(html.A("Present", href=f"/sessions/present?id={record.id}")))
    items.append(html.Li(dcc.Link("Summary and export", href=f"/sessions/summary?id={record.id}")))
    return html.Ul(items, className="sessions-links")


def _session_item(record: ln.SessionRecord, capture: str | None, can_edit: bool) -> html.Li:
    held = record.held_on.strftime("%d %B %Y").lstrip("0") if record.held_on else "no date set"
    return html.Li(
        [
            html.H2(record.title),
            html.P(
                f"{held}. {len(record.steps)} steps. {len(record.participants)} organisations "
                f"taking part. Facilitated by {record.facilitator_name} "
                f"({record.organisation_name})."
                + (" Anonymised by default." if record.anonymised else "")
            ),
            _links(record, capture, can_edit),
        ]
    )


def _details_form(prefix: str, record: ln.SessionRecord | None, participants: list) -> html.Div:
    return html.Div(
        className="sessions-form",
        children=[
            html.Div(
                [
                    html.Label("Title", htmlFor=f"{prefix}-title"),
                    dcc.Input(
                        id=f"{prefix}-title",
                        type="text",
                        value=record.title if record else "",
                        maxLength=ln.MAX_TITLE_CHARS,
                        className="form-control",
                    ),
                ]
            ),
            html.Div(
                [
                    html.Label("Date (YYYY-MM-DD)", htmlFor=f"{prefix}-date"),
                    dcc.Input(
                        id=f"{prefix}-date",
                        type="text",
                        value=record.held_on.isoformat() if record and record.held_on else "",
                        placeholder="2026-03-12",
                        className="form-control",
                    ),
                ]
            ),
            checkboxes(
                f"{prefix}-participants",
                participants,
                list(record.participants) if record else [],
                legend="Organisations taking part",
                className="chorus-scroll-group",
            ),
            checkboxes(
                f"{prefix}-anonymised",
                [{"label": "Present anonymised by default (Authority A, B, C)", "value": "yes"}],
                ["yes"] if record and record.anonymised else [],
                legend="Anonymising",
                legend_hidden=True,
            ),
        ],
    )


def _list_page(capture: str | None) -> html.Div:
    user = current_record()
    with get_database().read() as session:
        records = ln.list_sessions(session, user)
        participants = ln.participant_options(session)
    facilitator = allowed(user, "session.facilitate")
    children: list = [
        html.H1("Learning Network sessions"),
        html.P(
            "A session walks the network through figures, what people say and questions, "
            "one step at a time on a shared screen, and keeps what is said as notes on the "
            "charts.",
            className="lead-text",
        ),
    ]
    view = ln.parse_explore_url(capture) if capture else None
    if view:
        children.append(
            html.P(
                f"Adding an Explore view ({view['indicator']}): choose a session below, or "
                "create one; the view will be filled in for you.",
                className="sessions-capture-notice",
            )
        )
    children.append(
        html.Ul(
            [
                _session_item(
                    r,
                    capture,
                    facilitator and user is not None and r.organisation_id == user.organisation_id,
                )
                for r in records
            ],
            className="sessions-list",
        )
        if records
        else html.P("No sessions yet.")
    )
    if facilitator:
        children += [
            html.H2("New session"),
            _details_form("ln-new", None, participants),
            html.Button(
                "Create the session", id="ln-new-create", n_clicks=0, className="btn btn-primary"
            ),
            html.P(id="ln-new-message", className="sessions-message", **{"aria-live": "polite"}),
            dcc.Store(id="ln-capture", data=capture or ""),
            dcc.Location(id="ln-new-go", refresh="callback-nav"),
        ]
    return html.Div(children, className="sessions-page")


def _step_line(step: ln.StepRecord, editable: bool) -> html.Li:
    detail = ln.STEP_KINDS.get(step.kind, step.kind)
    if step.kind == "quotes":
        detail += f", {len(step.config.get('voice_ids') or [])} chosen"
    elif step.kind == "indicator":
        detail += f": {step.config.get('indicator')}, {step.config.get('area')}"
    children: list = [
        html.Span(step.title or "(untitled)"),
        html.Span(f"({detail})", className="sessions-step-kind"),
    ]
    if editable:
        label = step.title or f"step {step.position}"
        children.append(
            html.Span(
                [
                    html.Button(
                        "Up",
                        id={"type": "ln-step-up", "index": step.id},
                        n_clicks=0,
                        className="btn btn-outline-primary",
                        **{"aria-label": f"Move up: {label}"},
                    ),
                    html.Button(
                        "Down",
                        id={"type": "ln-step-down", "index": step.id},
                        n_clicks=0,
                        className="btn btn-outline-primary",
                        **{"aria-label": f"Move down: {label}"},
                    ),
                    html.Button(
                        "Remove",
                        id={"type": "ln-step-remove", "index": step.id},
                        n_clicks=0,
                        className="btn btn-outline-danger",
                        **{"aria-label": f"Remove: {label}"},
                    ),
                ],
                className="sessions-step-actions",
            )
        )
    return html.Li(children, id=f"ln-step-{step.position}")


def agenda(record: ln.SessionRecord, editable: bool) -> html.Ol | html.P:
    """The agenda as an ordered list (with move and remove buttons for the facilitator)."""
    if not record.steps:
        return html.P("No steps yet: add the first one below.")
    return html.Ol([_step_line(s, editable) for s in record.steps], className="sessions-agenda")


def _quote_options(session, user) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    frame = ln.session_quotes(session, user, None, audit=False)
    options = []
    for row in frame.to_dict("records"):
        text = str(row["text"])
        short = text if len(text) <= 110 else text[:107] + "..."
        options.append(
            {"label": f"{short} ({row['attribution']})", "value": int(row["id"]), "search": text}
        )
    return options


def _add_step_form(capture: str | None, quote_options: list) -> html.Div:
    return html.Div(
        className="sessions-form",
        children=[
            html.Fieldset(
                [
                    html.Legend("Kind of step", className="sessions-label"),
                    radios(
                        "ln-step-kind",
                        KIND_CHOICES,
                        "indicator" if capture else "question",
                        legend="",
                        inline=True,
                        bare=True,
                    ),
                ]
            ),
            html.Div(
                [
                    html.Label("Step title", htmlFor="ln-step-title"),
                    html.P(
                        "Indicator steps may leave it empty: the indicator's title is used.",
                        className="sessions-hint",
                    ),
                    dcc.Input(id="ln-step-title", type="text", value="", className="form-control"),
                ]
            ),
            html.Div(
                id="ln-step-indicator-fields",
                children=[
                    html.Label("Address of the Explore view", htmlFor="ln-step-url"),
                    html.P(
                        "Open Explore, set the indicator, area, comparators, breakdown and "
                        "period, then paste its address here (or use the link on Explore).",
                        className="sessions-hint",
                    ),
                    dcc.Input(
                        id="ln-step-url",
                        type="text",
                        value=f"/explore{capture}" if capture else "",
                        className="form-control",
                    ),
                ],
            ),
            html.Div(
                id="ln-step-quote-fields",
                hidden=True,
                children=[
                    html.P(
                        "Only quotes whose consent allows the Learning Network are offered.",
                        className="sessions-hint",
                        id="ln-step-quotes-hint",
                    ),
                    checkboxes(
                        "ln-step-quotes",
                        quote_options,
                        [],
                        legend="Quotes (up to 6)",
                        className="chorus-scroll-group",
                    ),
                ],
            ),
            html.Div(
                id="ln-step-text-fields",
                hidden=True,
                children=[
                    html.Label("Question or text", htmlFor="ln-step-text"),
                    dcc.Textarea(
                        id="ln-step-text",
                        value="",
                        rows=3,
                        maxLength=ln.MAX_TEXT_CHARS,
                        className="form-control",
                    ),
                ],
            ),
            html.Button("Add the step", id="ln-step-add", n_clicks=0, className="btn btn-primary"),
        ],
    )


def _builder_page(record_id: int, capture: str | None) -> html.Div:
    user = current_record()
    with get_database().read() as session:
        record = ln.get_session(session, user, record_id)
        if record is None:
            return html.Div(
                [
                    html.H1("Session not found"),
                    html.P("That session does not exist or is not shared with you."),
                    dcc.Link("All sessions", href="/sessions"),
                ]
            )
        participants = ln.participant_options(session)
        editable = (
            allowed(user, "session.facilitate")
            and user is not None
            and record.organisation_id == user.organisation_id
        )
        quotes = _quote_options(session, user) if editable else []
    children: list = [
        html.H1(f"Session: {record.title}"),
        html.Ul(
            [
                html.Li(dcc.Link("All sessions", href="/sessions")),
                html.Li(html.A("Present", href=f"/sessions/present?id={record.id}")),
                html.Li(dcc.Link("Summary and export", href=f"/sessions/summary?id={record.id}")),
            ],
            className="sessions-links",
        ),
        dcc.Store(id="ln-session-id", data=record.id),
        html.H2("Agenda"),
        html.Div(id="ln-agenda", children=agenda(record, editable)),
        poll_builder_section(record.id, editable),
    ]
    if not any(s.kind == "indicator" for s in record.steps):
        children.append(
            html.P(
                "Contributions are saved as notes on a chart, so a session needs at least one "
                "indicator step before anything said can be captured.",
                className="sessions-hint",
            )
        )
    if editable:
        children += [
            html.P(id="ln-agenda-message", className="sessions-message", **{"aria-live": "polite"}),
            html.H2("Add a step"),
            _add_step_form(capture, quotes),
            html.H2("Session details"),
            _details_form("ln-edit", record, participants),
            html.Button(
                "Save the details", id="ln-edit-save", n_clicks=0, className="btn btn-primary"
            ),
            html.P(id="ln-edit-message", className="sessions-message", **{"aria-live": "polite"}),
        ]
    return html.Div(children, className="sessions-page")


def layout(**kwargs: Any) -> html.Div:
    record_id = _int(kwargs.get("id"))
    capture = _first(kwargs.get("capture"))
    if capture and not capture.startswith("?"):
        capture = "?" + capture.split("?", 1)[-1]
    if record_id is None:
        return _list_page(capture)
    return _builder_page(record_id, capture)


def _problem(error: Exception) -> str:
    if isinstance(error, ln.SessionNotAllowed):
        return "Only a facilitator of the organisation that owns this session can change it."
    return str(error)


# --- callbacks ---------------------------------------------------------------------------------


@callback(
    Output("ln-new-message", "children"),
    Output("ln-new-go", "href"),
    Input("ln-new-create", "n_clicks"),
    State("ln-new-title", "value"),
    State("ln-new-date", "value"),
    State("ln-new-participants", "value"),
    State("ln-new-anonymised", "value"),
    State("ln-capture", "data"),
    prevent_initial_call=True,
)
@guarded("session.facilitate")
def create_new_session(n_clicks, title, held_on, participants, anonymised, capture):  # type: ignore[no-untyped-def]
    """Create a session and open its builder (carrying a captured Explore view along)."""
    if not n_clicks:
        raise dash.exceptions.PreventUpdate
    user = current_record()
    # Refusals are caught inside the transaction so that their audit rows commit.
    with get_database().write() as session:
        try:
            record = ln.create_session(
                session, user, title or "", held_on, participants or [], bool(anonymised)
            )
        except (ln.SessionError, ln.SessionNotAllowed) as error:
            return _problem(error), no_update
    query = {"id": record.id, **({"capture": capture} if capture else {})}
    return "Created.", f"/sessions?{urlencode(query)}"


@callback(
    Output("ln-step-indicator-fields", "hidden"),
    Output("ln-step-quote-fields", "hidden"),
    Output("ln-step-text-fields", "hidden"),
    Input("ln-step-kind", "value"),
)
@guarded(None, reason="shows the fields of the chosen kind of step; reads and writes no data")
def show_step_fields(kind):  # type: ignore[no-untyped-def]
    """Show only the fields the chosen kind of step needs."""
    return kind != "indicator", kind != "quotes", kind not in ("question", "text")


def _step_config(kind: str, url: str | None, quotes: list | None, text: str | None) -> dict:
    if kind == "indicator":
        view = ln.parse_explore_url(url)
        if view is None:
            raise ln.SessionError("Paste the address of an Explore view (it holds ?indicator=...).")
        return view
    if kind == "quotes":
        return {"voice_ids": list(quotes or [])}
    return {"text": text or ""}


@callback(
    Output("ln-agenda", "children"),
    Output("ln-agenda-message", "children"),
    Output("ln-step-title", "value"),
    Output("ln-step-text", "value"),
    Output("ln-step-quotes", "value"),
    Input("ln-step-add", "n_clicks"),
    Input({"type": "ln-step-up", "index": ALL}, "n_clicks"),
    Input({"type": "ln-step-down", "index": ALL}, "n_clicks"),
    Input({"type": "ln-step-remove", "index": ALL}, "n_clicks"),
    State("ln-session-id", "data"),
    State("ln-step-kind", "value"),
    State("ln-step-title", "value"),
    State("ln-step-url", "value"),
    State("ln-step-quotes", "value"),
    State("ln-step-text", "value"),
    prevent_initial_call=True,
)
@guarded("session.facilitate")
def change_agenda(_add, _up, _down, _remove, record_id, kind, title, url, quotes, text):  # type: ignore[no-untyped-def]
    """Add a step, or move or remove one, and redraw the agenda."""
    trigger = ctx.triggered_id
    if trigger is None or not (ctx.triggered and ctx.triggered[0].get("value")):
        raise dash.exceptions.PreventUpdate  # a button drawn anew, not a click
    user = current_record()
    clear = ("", "", [])
    keep = (no_update, no_update, no_update)
    with get_database().write() as session:
        try:
            if trigger == "ln-step-add":
                config = _step_config(kind, url, quotes, text)
                step = ln.add_step(session, user, int(record_id), kind, title or "", config)
                message, reset = f"Added step {step.position}: {step.title}.", clear
            else:
                action = trigger["type"]
                step_id = int(trigger["index"])
                if action == "ln-step-remove":
                    ln.remove_step(session, user, step_id)
                    message = "Step removed."
                else:
                    ln.move_step(session, user, step_id, -1 if action == "ln-step-up" else 1)
                    message = "Step moved."
                reset = keep
            record = ln.get_session(session, user, int(record_id))
        except (ln.SessionError, ln.SessionNotAllowed) as error:
            return no_update, _problem(error), *keep
    assert record is not None
    return agenda(record, True), message, *reset


@callback(
    Output("ln-edit-message", "children"),
    Input("ln-edit-save", "n_clicks"),
    State("ln-session-id", "data"),
    State("ln-edit-title", "value"),
    State("ln-edit-date", "value"),
    State("ln-edit-participants", "value"),
    State("ln-edit-anonymised", "value"),
    prevent_initial_call=True,
)
@guarded("session.facilitate")
def save_details(n_clicks, record_id, title, held_on, participants, anonymised):  # type: ignore[no-untyped-def]
    """Save the session's title, date, participants and default anonymisation."""
    if not n_clicks:
        raise dash.exceptions.PreventUpdate
    user = current_record()
    with get_database().write() as session:
        try:
            ln.update_session(
                session,
                user,
                int(record_id),
                title=title or "",
                held_on=held_on,
                participants=participants or [],
                anonymised=bool(anonymised),
            )
        except (ln.SessionError, ln.SessionNotAllowed) as error:
            return _problem(error)
    return "The details are saved."
