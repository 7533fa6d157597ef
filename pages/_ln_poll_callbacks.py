"""Polls and actions on the Learning Network pages: what the pages show and their callbacks,
declared in one ``CallbackSet`` and registered by the app factory.

Pages hold one container each and call the builders here:

- the session builder (``/sessions?id=N``): :func:`poll_builder_section` (the facilitator's
  poll form, and a vote form for every poll of the session);
- the present screen: an empty ``present-poll`` Div, filled by :func:`show_present_poll`
  with the live results (refreshed every 2 seconds while the step is a poll, only when
  ``poll_version`` changed) and Close poll / Reopen voting buttons;
- the participant page: :func:`live_poll_children` (``step_id`` -> the vote form and the
  results, for the signed-in user), for its ``live-poll`` container;
- the session summary: :func:`summary_extras` (poll results, the actions, and the
  facilitator's form to add one);
- the Overview: :func:`overview_actions_section`; "You said, we did":
  :func:`you_said_we_did_section`.

Every callback is guarded by role, and every read and write goes through
``data_access.ln_polls`` or ``data_access.ln_actions``, which check the organisation and
the object again whatever ids the browser sends.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import dash
from dash import ALL, MATCH, Input, Output, State, ctx, dcc, html, no_update

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
from data_access.users import UserRecord

ln_poll_callbacks = CallbackSet("Learning Network polls and actions")
PRESENT_REFRESH_MS = 2_000


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _signed_in() -> UserRecord:
    """The signed-in user (the guard has already refused anyone else)."""
    user = current_record()
    if user is None:
        raise dash.exceptions.PreventUpdate
    return user


def _problem(error: Exception) -> str:
    if isinstance(error, ln.SessionNotAllowed):
        return "You cannot do that in this session."
    return str(error)


# --- builders the pages call ---------------------------------------------


def _vote_forms(session, user, record: ln.SessionRecord) -> list:  # type: ignore[no-untyped-def]
    polls = ln_polls.session_polls(session, user, record.id)
    can_vote = ln_polls.may_vote(user, record)
    forms: list = []
    for step in record.steps:
        if step.id not in polls:
            continue
        results = ln_polls.poll_results(session, user, step.id)
        if results is None:
            continue
        chosen = ln_polls.my_vote(session, user, step.id)
        forms.append(poll_ui.poll_vote_form(step.id, results.as_dict(), chosen, can_vote))
    return forms or [html.P("This session has no poll yet.")]


def poll_builder_section(record_id: int, editable: bool) -> html.Section:
    """The builder page's "Polls" section: the facilitator's form, then the vote forms."""
    user = current_record()
    with get_database().read() as session:
        record = ln.get_session(session, user, record_id)
        if record is None:
            return html.Section()
        polls = ln_polls.session_polls(session, user, record.id)
        votes = _vote_forms(session, user, record)
    questions = [
        {"id": s.id, "label": f"Step {s.position}: {s.title or s.config.get('text') or ''}"}
        for s in record.steps
        if s.kind == "question"
    ]
    children: list = [html.H2("Polls")]
    if editable:
        children.append(
            poll_ui.poll_builder_form(
                questions, {k: {"kind": p.kind, "options": p.options} for k, p in polls.items()}
            )
        )
    children += [html.H2("Vote"), html.Div(votes, id="ln-poll-votes")]
    return html.Section(children, className="ln-polls-section")


def live_poll_children(step_id: int) -> list:
    """For the participant page's ``live-poll`` container: the vote form of the step's poll
    and its results, for the signed-in user; [] when the step is not a poll they may see."""
    user = current_record()
    with get_database().read() as session:
        results = ln_polls.poll_results(session, user, step_id)
        if results is None:
            return []
        record = ln.get_session(session, user, ln_polls.get_poll(session, user, step_id).session_id)  # type: ignore[union-attr]
        assert record is not None
        chosen = ln_polls.my_vote(session, user, step_id)
        can_vote = ln_polls.may_vote(user, record)
    data = results.as_dict()
    return [
        poll_ui.poll_vote_form(step_id, data, chosen, can_vote),
        poll_ui.poll_results_view(data, {"type": "ln-poll-graph", "step": step_id}),
    ]


def _present_state(record_id: Any, index: Any, anonymised: bool) -> tuple[Any, bool] | None:
    """The current step's poll results (or None) and whether the user runs the session."""
    user = current_record()
    with get_database().read() as session:
        record = ln.get_session(session, user, _int(record_id) or 0)
        if record is None or not record.steps:
            return None
        step = record.steps[max(0, min(_int(index) or 0, len(record.steps) - 1))]
        results = ln_polls.poll_results(session, user, step.id, anonymised)
    runs = bool(user and ln.can_facilitate(user) and user.organisation_id == record.organisation_id)
    return (results, runs) if results is not None else None


def present_poll_children(record_id: Any, index: Any, anonymised: bool) -> list:
    """The present screen's poll area for a step: [] unless the step is a poll."""
    found = _present_state(record_id, index, anonymised)
    if found is None:
        return []
    results, runs = found
    data = results.as_dict()
    return [
        dcc.Store(id="present-poll-step", data=results.step_id),
        dcc.Store(id="present-poll-version", data=results.version),
        dcc.Interval(id="present-poll-tick", interval=PRESENT_REFRESH_MS),
        html.Div(
            poll_ui.poll_results_view(data, "present-poll-graph", large=True),
            id="present-poll-results",
        ),
        html.Div(
            poll_ui.present_poll_controls(results.is_open) if runs else [],
            id="present-poll-controls",
            className="present-controls",
        ),
        html.P(id="present-poll-message", role="status"),
    ]


def _session_extras_data(session, user, record: ln.SessionRecord, anonymised: bool):  # type: ignore[no-untyped-def]
    mapping = authority_mapping(session, record) if anonymised else None
    results = ln_polls.session_poll_results(session, user, record.id, anonymised)
    actions = []
    for action in ln_actions.session_actions(session, user, record.id):
        row = action.as_dict()
        row["owner_label"] = mapping.get(action.owner_code, "Authority") if mapping else None
        said = ln_actions.action_source_text(session, user, action)
        row["said"] = anonymise_text(said, mapping) if mapping and said else said
        if mapping:
            row["text"] = anonymise_text(action.text, mapping)
        actions.append(row)
    return mapping, results, actions


def session_record_extras(session, user, record: ln.SessionRecord, anonymised: bool):  # type: ignore[no-untyped-def]
    """Poll results by step id (dicts) and the actions (dicts) for the session record and
    its exports, anonymised when asked."""
    _, results, actions = _session_extras_data(session, user, record, anonymised)
    return {k: r.as_dict() for k, r in results.items()}, actions


def _sources(session, user, record: ln.SessionRecord, mapping) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    from pages._ln_support import contributions

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
        mapping, results, actions = _session_extras_data(session, user, record, anonymised)
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


# --- callbacks: builder ---------------------------------------------


@ln_poll_callbacks.callback(
    Output("ln-poll-kind", "value"),
    Output("ln-poll-options", "value"),
    Input("ln-poll-step-pick", "value"),
    prevent_initial_call=True,
)
@guarded("read")
def show_poll_settings(step_id):  # type: ignore[no-untyped-def]
    """Fill the poll form with the chosen question's poll (or a blank one)."""
    if _int(step_id) is None:
        raise dash.exceptions.PreventUpdate
    with get_database().read() as session:
        poll = ln_polls.get_poll(session, current_record(), int(step_id))
    if poll is None:
        return "single", ""
    return poll.kind, "\n".join(poll.options)


@ln_poll_callbacks.callback(
    Output("ln-poll-message", "children"),
    Output("ln-poll-votes", "children"),
    Input("ln-poll-save", "n_clicks"),
    Input("ln-poll-remove", "n_clicks"),
    State("ln-poll-step-pick", "value"),
    State("ln-poll-kind", "value"),
    State("ln-poll-options", "value"),
    State("ln-session-id", "data"),
    prevent_initial_call=True,
)
@guarded("session.facilitate")
def save_poll(_save, _remove, step_id, kind, options, record_id):  # type: ignore[no-untyped-def]
    """Make the chosen question a poll, change it, or make it a plain question again."""
    if ctx.triggered_id not in ("ln-poll-save", "ln-poll-remove") or _int(step_id) is None:
        raise dash.exceptions.PreventUpdate
    user = _signed_in()
    try:
        with get_database().write() as session:
            if ctx.triggered_id == "ln-poll-remove":
                ln_polls.remove_poll(session, user, int(step_id))
                message = "The question is no longer a poll."
            else:
                poll = ln_polls.set_poll(session, user, int(step_id), kind or "", options or "")
                message = f"Saved: a poll with {len(poll.options)} options, open for votes."
    except (ln.SessionNotAllowed, ln_polls.PollError, ln.SessionError) as error:
        return _problem(error), no_update
    with get_database().read() as session:
        record = ln.get_session(session, user, _int(record_id) or 0)
        votes = _vote_forms(session, user, record) if record else no_update
    return message, votes


# --- callbacks: voting (any page holding a vote form) ---------------------------------------------


@ln_poll_callbacks.callback(
    Output(poll_ui.pid("ln-poll-status", MATCH), "children"),
    Output(poll_ui.pid("ln-poll-vote", MATCH), "children"),
    Input(poll_ui.pid("ln-poll-vote", MATCH), "n_clicks"),
    State(poll_ui.pid("ln-poll-choice", MATCH), "value"),
    State(poll_ui.pid("ln-poll-step", MATCH), "data"),
    prevent_initial_call=True,
)
@guarded("annotation.write")
def cast_vote(n_clicks, choices, step_id):  # type: ignore[no-untyped-def]
    """Save the user's vote set in the poll (or change it); say what happened."""
    if not n_clicks or _int(step_id) is None:
        raise dash.exceptions.PreventUpdate
    try:
        with get_database().write() as session:
            picked, changed = ln_polls.vote(session, _signed_in(), int(step_id), choices)
    except ln.SessionNotAllowed:
        return (
            "Your organisation is not taking part in this session, so you cannot vote.",
            no_update,
        )
    except ln_polls.PollError as error:
        return str(error), no_update
    count = len(picked)
    what = "1 choice" if count == 1 else f"{count} choices"
    verb = "changed" if changed else "saved"
    return (
        f"Your vote is {verb} ({what}). You can change it until the poll closes.",
        poll_ui.vote_button_text(picked),
    )


# --- callbacks: present screen ---------------------------------------------


@ln_poll_callbacks.callback(
    Output("present-poll", "children"),
    Input("present-index", "data"),
    Input("present-names", "value"),
    State("present-session", "data"),
)
@guarded("read")
def show_present_poll(index, names, record_id):  # type: ignore[no-untyped-def]
    """The poll area of the step on the shared screen (empty, with no timer, for others)."""
    if _int(record_id) is None:
        raise dash.exceptions.PreventUpdate
    return present_poll_children(record_id, index, names == "anonymised")


@ln_poll_callbacks.callback(
    Output("present-poll-results", "children"),
    Output("present-poll-version", "data"),
    Input("present-poll-tick", "n_intervals"),
    State("present-poll-step", "data"),
    State("present-poll-version", "data"),
    State("present-names", "value"),
    prevent_initial_call=True,
)
@guarded("read")
def refresh_present_poll(_tick, step_id, version, names):  # type: ignore[no-untyped-def]
    """Redraw the results only when the poll's version changed."""
    if _int(step_id) is None:
        raise dash.exceptions.PreventUpdate
    with get_database().read() as session:
        results = ln_polls.poll_results(
            session, current_record(), int(step_id), names == "anonymised"
        )
    if results is None or results.version == version:
        raise dash.exceptions.PreventUpdate
    view = poll_ui.poll_results_view(results.as_dict(), "present-poll-graph", large=True)
    return view, results.version


@ln_poll_callbacks.callback(
    Output("present-poll-controls", "children"),
    Output("present-poll-message", "children"),
    Input("present-poll-close", "n_clicks"),
    Input("present-poll-reopen", "n_clicks"),
    State("present-poll-step", "data"),
    prevent_initial_call=True,
)
@guarded("session.facilitate")
def open_or_close_poll(_close, _reopen, step_id):  # type: ignore[no-untyped-def]
    """Close the poll, or reopen voting (the facilitator of the session only)."""
    if ctx.triggered_id not in ("present-poll-close", "present-poll-reopen"):
        raise dash.exceptions.PreventUpdate
    if _int(step_id) is None:
        raise dash.exceptions.PreventUpdate
    opening = ctx.triggered_id == "present-poll-reopen"
    try:
        with get_database().write() as session:
            poll = ln_polls.set_open(session, _signed_in(), int(step_id), opening)
    except (ln.SessionNotAllowed, ln_polls.PollError) as error:
        return no_update, _problem(error)
    message = "Voting is open again." if poll.is_open else "The poll is closed."
    return poll_ui.present_poll_controls(poll.is_open), message


# --- callbacks: session summary (actions) ---------------------------------------------


@ln_poll_callbacks.callback(
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


@ln_poll_callbacks.callback(
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
        from pages._ln_support import contributions

        note = next(
            (n for n in contributions(session, user, record, mapping) if n["id"] == int(number)),
            None,
        )
    if note is None:
        raise dash.exceptions.PreventUpdate
    return note["body"]


@ln_poll_callbacks.callback(
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
        _, _, actions = _session_extras_data(session, user, record, names == "anonymised")
    table = action_ui.actions_table(actions, "Actions agreed in this session")
    return "Action added. The owner sees it on their Overview until it is done.", table


# --- callbacks: Overview (mark done) ---------------------------------------------


@ln_poll_callbacks.callback(
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
    "live_poll_children",
    "ln_poll_callbacks",
    "overview_actions_section",
    "poll_builder_section",
    "present_poll_children",
    "session_record_extras",
    "summary_extras",
    "you_said_we_did_section",
]
