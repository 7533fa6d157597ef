"""What the Learning Network pages show of a poll, for the signed-in user: the builder's
section (:func:`poll_builder_section`), the participant page's vote form and results
(:func:`live_poll_children`) and the present screen's results (:func:`present_poll_children`).

Every read goes through ``data_access.ln_polls``, which checks the organisation and the
object. The callbacks that redraw these are in ``pages._ln_poll_callbacks``.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import dcc, html

from auth.current import current_record
from components import ln_poll as poll_ui
from data_access import learning_network as ln
from data_access import ln_polls
from data_access.db import get_database
from data_access.users import UserRecord

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


def live_poll_children(step_id: int, anonymised: bool | None = None) -> list:
    """For the participant page's ``live-poll`` container: the vote form of the step's poll
    and its results, for the signed-in user; [] when the step is not a poll they may see.
    ``anonymised`` None follows the session's setting (pass the presenter's choice)."""
    user = current_record()
    with get_database().read() as session:
        results = ln_polls.poll_results(session, user, step_id, anonymised)
        poll = ln_polls.get_poll(session, user, step_id)
        record = ln.get_session(session, user, poll.session_id) if poll else None
        if results is None or record is None:
            return []
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
