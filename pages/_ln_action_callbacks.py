"""Actions from Learning Network sessions on the pages: the session summary's polls and
actions (with the facilitator's form to add one), the owner's Overview (Mark done) and
"You said, we did"; declared in one ``CallbackSet`` that the app factory registers.

Every callback is guarded by role; every read and write goes through
``data_access.ln_actions`` (and ``ln_polls``), which check the organisation and the object
again whatever ids the browser sends.
"""

from __future__ import annotations

from datetime import UTC, datetime

import dash
from dash import ALL, Input, Output, State, ctx, html, no_update

from analysis.anonymise import anonymise_text
from auth.current import current_record
from auth.permissions import allowed, guarded
from components import ln_actions as action_ui
from components import ln_poll as poll_ui
from components.callbacks import CallbackSet
from data_access import learning_network as ln
from data_access import ln_actions, ln_polls
from data_access.db import get_database
from data_access.ln_anonymity import authority_mapping
from pages._ln_poll_views import _int, _problem, _signed_in
from pages._ln_support import contributions

ln_action_callbacks = CallbackSet("Learning Network actions")


def _sources(session, user, record: ln.SessionRecord, mapping) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    out = []
    for note in contributions(session, user, record, mapping):
        text = f"{note['said_by']}: {note['body']}"
        out.append({"label": text[:90], "value": f"contribution:{note['id']}"})
    for step_id in ln_polls.session_polls(session, user, record.id):
        step = next(s for s in record.steps if s.id == step_id)
        title = anonymise_text(step.title, mapping) if mapping else step.title
        out.append(
            {"label": f"Poll, step {step.position}: {title}"[:90], "value": f"poll:{step_id}"}
        )
    return out


def _extras_children(record_id: int, anonymised: bool) -> list:
    user = current_record()
    with get_database().read() as session:
        record = ln.get_session(session, user, record_id)
        if record is None:
            return []
        mapping, results, actions = ln_actions.session_polls_and_actions(
            session, user, record, anonymised
        )
        runs = bool(
            user and ln.can_facilitate(user) and user.organisation_id == record.organisation_id
        )
        sources = _sources(session, user, record, mapping) if runs else []
        owners = ln_actions.owner_choices(session, record) if runs else []
    if mapping:
        owners = [
            {"label": mapping.get(o["value"], o["label"]), "value": o["value"]} for o in owners
        ]
    children: list = [html.H2("Polls")]
    if results:
        children += [
            poll_ui.poll_results_view(r.as_dict(), f"summary-poll-{k}", heading_level=3)
            for k, r in results.items()
        ]
    else:
        children.append(html.P("No polls in this session."))
    children += [
        html.H2("Actions"),
        html.Div(
            action_ui.actions_table(actions, "Actions agreed in this session"),
            id="summary-actions-list",
        ),
    ]
    if runs:
        children += [
            html.H3("Add an action"),
            action_ui.action_form(sources, owners, datetime.now(UTC).date()),
        ]
    return children


def summary_extras(record_id: int, anonymised: bool) -> html.Div:
    """The session summary's polls and actions (and the facilitator's action form)."""
    return html.Div(_extras_children(record_id, anonymised), id="summary-ln-extras")


def overview_actions_section() -> html.Div:
    """The Overview's "Actions from Learning Network sessions" for the user's organisation."""
    return html.Div(_overview_children(), id="overview-ln-actions-wrap")


def _overview_children() -> html.Section:
    user = current_record()
    with get_database().read() as session:
        actions = ln_actions.organisation_actions(session, user)
        rows = []
        for action in actions:
            row = action.as_dict()
            record = ln.get_session(session, user, action.session_id)
            if record is not None and record.anonymised:
                mapping = authority_mapping(session, record)
                row["session_title"] = anonymise_text(record.title, mapping)
            rows.append(row)
    return action_ui.overview_actions(rows, allowed(user, "annotation.write"))


def you_said_we_did_section() -> html.Div | html.P:
    """Session actions of the user's organisation for "You said, we did"."""
    user = current_record()
    with get_database().read() as session:
        entries = ln_actions.you_said_we_did_actions(session, user)
    return action_ui.you_said_we_did_actions(entries)


# --- callbacks: session summary (actions) ---------------------------------------------


@ln_action_callbacks.callback(
    Output("summary-ln-extras", "children"),
    Input("summary-names", "value"),
    State("summary-session", "data"),
    prevent_initial_call=True,
)
@guarded("read")
def switch_summary_extras(names, record_id):  # type: ignore[no-untyped-def]
    """Polls and actions by name or anonymised, with the summary."""
    if _int(record_id) is None:
        raise dash.exceptions.PreventUpdate
    return _extras_children(int(record_id), names == "anonymised")


@ln_action_callbacks.callback(
    Output("ln-action-text", "value"),
    Input("ln-action-source", "value"),
    State("summary-session", "data"),
    State("summary-names", "value"),
    prevent_initial_call=True,
)
@guarded("read")
def prefill_action(source, record_id, names):  # type: ignore[no-untyped-def]
    """Start the action's text from the contribution or poll it comes from."""
    kind, _, number = str(source or "").partition(":")
    if _int(number) is None or _int(record_id) is None:
        raise dash.exceptions.PreventUpdate
    user = current_record()
    with get_database().read() as session:
        record = ln.get_session(session, user, int(record_id))
        if record is None:
            raise dash.exceptions.PreventUpdate
        mapping = authority_mapping(session, record) if names == "anonymised" else None
        if kind == "poll":
            results = ln_polls.poll_results(session, user, int(number), names == "anonymised")
            if results is None:
                raise dash.exceptions.PreventUpdate
            return ln_actions.poll_summary_text(
                results.question or results.title, results.options, results.counts
            )
        note = next(
            (n for n in contributions(session, user, record, mapping) if n["id"] == int(number)),
            None,
        )
    if note is None:
        raise dash.exceptions.PreventUpdate
    return note["body"]


@ln_action_callbacks.callback(
    Output("ln-action-message", "children"),
    Output("summary-actions-list", "children"),
    Input("ln-action-add", "n_clicks"),
    State("ln-action-source", "value"),
    State("ln-action-text", "value"),
    State("ln-action-owner", "value"),
    State("ln-action-due", "value"),
    State("summary-session", "data"),
    State("summary-names", "value"),
    prevent_initial_call=True,
)
@guarded("session.facilitate")
def add_action(n_clicks, source, text, owner, due, record_id, names):  # type: ignore[no-untyped-def]
    """Save the action (the session's facilitator only) and list the session's actions."""
    if not n_clicks or _int(record_id) is None:
        raise dash.exceptions.PreventUpdate
    kind, _, number = str(source or "").partition(":")
    user = _signed_in()
    try:
        with get_database().write() as session:
            ln_actions.create_action(
                session,
                user,
                int(record_id),
                text or "",
                str(owner or ""),
                due,
                source_kind=kind or None,
                source_id=_int(number),
            )
    except (ln.SessionNotAllowed, ln_actions.ActionError) as error:
        return _problem(error), no_update
    with get_database().read() as session:
        record = ln.get_session(session, user, int(record_id))
        assert record is not None
        _, _, actions = ln_actions.session_polls_and_actions(
            session, user, record, names == "anonymised"
        )
    table = action_ui.actions_table(actions, "Actions agreed in this session")
    return "Action added. The owner sees it on their Overview until it is done.", table


# --- callbacks: Overview (mark done) ---------------------------------------------


@ln_action_callbacks.callback(
    Output("overview-ln-actions-wrap", "children"),
    Input({"type": "ln-action-done", "index": ALL}, "n_clicks"),
    prevent_initial_call=True,
)
@guarded("annotation.write")
def mark_action_done(clicks):  # type: ignore[no-untyped-def]
    """Mark the action done (its owner organisation or the session's facilitator)."""
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not any(clicks or []):
        raise dash.exceptions.PreventUpdate
    try:
        with get_database().write() as session:
            ln_actions.mark_done(session, _signed_in(), int(trigger["index"]))
    except (ln.SessionNotAllowed, TypeError, ValueError):
        section = _overview_children()
        section.children[-1].children = "You cannot mark that action done."
        return section
    section = _overview_children()
    section.children[-1].children = "Marked done. It leaves this list."
    return section


__all__ = [
    "ln_action_callbacks",
    "overview_actions_section",
    "summary_extras",
    "you_said_we_did_section",
]
