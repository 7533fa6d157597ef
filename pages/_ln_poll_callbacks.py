"""Polls on the Learning Network pages: their callbacks, declared in one ``CallbackSet`` that
the app factory registers (what the pages show is built in ``pages._ln_poll_views``).

- the session builder (``/sessions?id=N``): :func:`poll_builder_section` (the facilitator's
  poll form, and a vote form for every poll of the session);
- the present screen: an empty ``present-poll`` Div, filled by :func:`show_present_poll`
  with the live results (redrawn every 2 seconds while the step is a poll, only when the
  poll's version changed) and Close poll / Reopen voting buttons;
- the participant page: :func:`live_poll_children` (``step_id`` -> the vote form and the
  results, for the signed-in user), for its ``live-poll`` container.

Every callback is guarded by role; every read and write goes through
``data_access.ln_polls``, which checks the organisation and the object again whatever ids
the browser sends.
"""

from __future__ import annotations

import dash
from dash import MATCH, Input, Output, State, ctx, no_update

from auth.current import current_record
from auth.permissions import guarded
from components import ln_poll as poll_ui
from components.callbacks import CallbackSet
from data_access import learning_network as ln
from data_access import ln_polls
from data_access.db import get_database
from pages._ln_poll_views import (
    _int,
    _problem,
    _signed_in,
    _vote_forms,
    live_poll_children,
    poll_builder_section,
    present_poll_children,
)

ln_poll_callbacks = CallbackSet("Learning Network polls")


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


__all__ = [
    "live_poll_children",
    "ln_poll_callbacks",
    "poll_builder_section",
    "present_poll_children",
]
