"""Present mode: one step of a Learning Network session at a time, full screen.

``/sessions/present?id=N`` (optionally ``&step=K``). No navigation chrome: the shell
leaves out its header, navigation and footer for this path (``components.shell``), and
``assets/present.css`` hides them too if the page was reached inside the app. Keyboard:
``assets/present.js`` turns ArrowRight, Space and PageDown into a click on Next, ArrowLeft
and PageUp into Previous, and "t" into the table toggle; the buttons are real buttons for
mouse and keyboard users alike. Contributions typed in the capture box are saved as
Learning Network notes (``data_access.learning_network.add_contribution``).

Running it live (join code, step kept on the server, contributions): ``pages._live_present``.

Stores hold only the session id, the step index, the table flag and a save counter, so in
anonymised mode no authority name is in the page's data either.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State, callback, ctx, dcc, html, no_update

from auth.current import current_record
from auth.permissions import allowed, guarded
from components.controls import radios
from components.present import capture_section, contributions_list, step_counter_text, step_view
from data_access import learning_network as ln
from data_access.db import get_database
from data_access.ln_anonymity import add_contribution
from pages._live_present import live_parts, save_step, saved_index
from pages._ln_support import authority_mapping, said_by_label, step_payload
from pages._ln_support import contributions as session_contributions

dash.register_page(
    __name__,
    path="/sessions/present",
    name="Present a session",
    title="Present - Chorus",
    nav=False,
)

ANONYMOUS = "anonymous"
NAME_CHOICES = [
    {"label": "By name", "value": "names"},
    {"label": "Anonymised (Authority A, B, C)", "value": "anonymised"},
]


def _session_id(value: Any) -> int | None:
    if isinstance(value, list):
        value = value[0] if value else None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _said_by_options(session, record: ln.SessionRecord, mapping) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    # Values are positions ("p0"), not codes, so the page holds no authority code either.
    names = ln.participant_names(session, list(record.participants))
    options = [{"label": "Anonymous (not attributed)", "value": ANONYMOUS}]
    options += [
        {"label": said_by_label(code, names, mapping), "value": f"p{i}"}
        for i, code in enumerate(record.participants)
    ]
    return options


def _state(record_id: int, index: int, anonymised: bool) -> dict[str, Any] | None:
    """Everything the page shows for one step, read for the current user."""
    user = current_record()
    with get_database().read() as session:
        record = ln.get_session(session, user, record_id)
        if record is None:
            return None
        mapping = authority_mapping(session, record) if anonymised else None
        total = len(record.steps)
        index = max(0, min(index, total - 1)) if total else 0
        step = record.steps[index] if total else None
        payload = step_payload(session, user, step, mapping) if step else None
        if payload is not None:
            payload["total"] = total
        said = session_contributions(session, user, record, mapping)
        options = _said_by_options(session, record, mapping)
    title = record.title if mapping is None else _anon_title(record.title, mapping)
    return {
        "record": record,
        "index": index,
        "total": total,
        "payload": payload,
        "contributions": [c for c in said if step is not None and c["step_id"] == step.id],
        "options": options,
        "title": title,
    }


def _anon_title(title: str, mapping: dict[str, str]) -> str:
    from analysis.anonymise import anonymise_text

    return anonymise_text(title, mapping)


def _missing() -> html.Div:
    return html.Div(
        className="present-page present-missing",
        children=[
            html.H1("Present a session"),
            html.P(
                "Choose a session to present from the Learning Network sessions page. "
                "Sessions are shared within the Learning Network.",
                className="present-body",
            ),
            html.A("Go to Learning Network sessions", href="/sessions", className="present-exit"),
        ],
    )


def layout(**kwargs: Any) -> html.Div:
    record_id = _session_id(kwargs.get("id"))
    if record_id is None:
        return _missing()
    step = _session_id(kwargs.get("step"))  # else a live session's saved step
    index = max(0, step - 1) if step else saved_index(record_id) or 0
    user = current_record()
    with get_database().read() as session:
        record = ln.get_session(session, user, record_id)
    if record is None:
        return _missing()
    mode = kwargs.get("mode")
    anonymised = record.anonymised if mode not in ("names", "anonymised") else mode == "anonymised"
    state = _state(record_id, index, anonymised)
    assert state is not None
    # Viewers watch; capturing needs the annotation write permission.
    can_capture = allowed(user, "annotation.write") and bool(user and user.in_learning_network)
    counter = step_counter_text(state["index"] + 1, state["total"])
    return html.Div(
        id="present-root",
        className="present-page",
        children=[
            dcc.Store(id="present-session", data=record_id),
            dcc.Store(id="present-index", data=state["index"]),
            dcc.Store(id="present-show-table", data=False),
            dcc.Store(id="present-saved", data=0),
            html.Div(
                className="present-bar",
                children=[
                    html.H1(state["title"], id="present-title", className="present-title"),
                    html.P(
                        counter,
                        id="present-counter",
                        className="present-counter",
                        **{"aria-live": "polite"},
                    ),
                    html.Div(
                        className="present-controls",
                        children=[
                            html.Button(
                                "Previous",
                                id="present-prev",
                                n_clicks=0,
                                className="present-button",
                                **{"aria-keyshortcuts": "ArrowLeft"},
                            ),
                            html.Button(
                                "Next",
                                id="present-next",
                                n_clicks=0,
                                className="present-button present-button-primary",
                                **{"aria-keyshortcuts": "ArrowRight Space"},
                            ),
                            html.Button(
                                "Show table",
                                id="present-table",
                                n_clicks=0,
                                className="present-button",
                                **{"aria-keyshortcuts": "T", "aria-pressed": "false"},
                            ),
                            html.Fieldset(
                                className="present-names",
                                children=[
                                    html.Legend("Authorities"),
                                    radios(
                                        "present-names",
                                        NAME_CHOICES,
                                        "anonymised" if anonymised else "names",
                                        legend="",
                                        inline=True,
                                        bare=True,
                                    ),
                                ],
                            ),
                            html.A(
                                "Leave present mode",
                                href=f"/sessions?id={record_id}",
                                className="present-exit",
                            ),
                        ],
                    ),
                ],
            ),
            *live_parts(record_id, state["index"]),
            html.Div(id="present-step", children=step_view(state["payload"])),
            capture_section(state["options"], can_capture, state["contributions"], ANONYMOUS),
            html.P(
                "Keys: right arrow, space or page down for the next step; left arrow or page "
                "up for the previous one; T shows the table instead of the chart; D shows or "
                "hides the chart's full description.",
                className="present-help",
            ),
        ],
    )


@callback(
    Output("present-index", "data"),
    Output("present-show-table", "data"),
    Output("present-step", "children"),
    Output("present-counter", "children"),
    Output("present-title", "children"),
    Output("present-table", "children"),
    Output("present-table", "aria-pressed"),
    Output("present-said-by", "options"),
    Output("present-contributions", "children"),
    Input("present-prev", "n_clicks"),
    Input("present-next", "n_clicks"),
    Input("present-table", "n_clicks"),
    Input("present-names", "value"),
    Input("present-saved", "data"),
    State("present-index", "data"),
    State("present-show-table", "data"),
    State("present-session", "data"),
    prevent_initial_call=True,
)
@guarded("read")
def show_step(_prev, _next, _table, names, _saved, index, show_table, record_id):  # type: ignore[no-untyped-def]
    """Move between steps, switch chart and table, names and anonymised; refresh what was
    said on the step."""
    index = int(index or 0)
    show_table = bool(show_table)
    trigger = ctx.triggered_id
    if trigger == "present-next":
        index += 1
    elif trigger == "present-prev":
        index -= 1
    if trigger in ("present-next", "present-prev"):
        index = save_step(int(record_id), index)
    elif trigger == "present-table":
        show_table = not show_table
    state = _state(int(record_id), index, names == "anonymised")
    if state is None:
        raise dash.exceptions.PreventUpdate
    payload = state["payload"]
    is_chart = payload is not None and payload["kind"] == "indicator"
    return (
        state["index"],
        show_table,
        step_view(payload, show_table and is_chart),
        step_counter_text(state["index"] + 1, state["total"]),
        state["title"],
        "Show chart" if show_table else "Show table",
        "true" if show_table else "false",
        state["options"],
        contributions_list(state["contributions"], "Said on this step"),
    )


@callback(
    Output("present-message", "children"),
    Output("present-text", "value"),
    Output("present-saved", "data"),
    Input("present-save", "n_clicks"),
    State("present-text", "value"),
    State("present-said-by", "value"),
    State("present-index", "data"),
    State("present-session", "data"),
    State("present-saved", "data"),
    prevent_initial_call=True,
)
@guarded("annotation.write")
def save_contribution(n_clicks, text, said_by, index, record_id, saved):  # type: ignore[no-untyped-def]
    """Save the typed contribution against the current step as a Learning Network note."""
    if not n_clicks:
        raise dash.exceptions.PreventUpdate
    user = current_record()
    with get_database().write() as session:
        record = ln.get_session(session, user, int(record_id))
        if record is None or not record.steps:
            return "This session has no step to write on.", no_update, no_update
        step = record.steps[max(0, min(int(index or 0), len(record.steps) - 1))]
        code = None
        if isinstance(said_by, str) and said_by.startswith("p") and said_by[1:].isdigit():
            position = int(said_by[1:])
            if position < len(record.participants):
                code = record.participants[position]
        result = add_contribution(session, user, record.id, step.id, text or "", code)
    if not result.ok:
        return result.message, no_update, no_update
    return "Saved. It is on the chart as a Learning Network note.", "", int(saved or 0) + 1
