"""Data for the live screens (participant page and the present screen's live bar), read
through ``data_access.live`` for the signed-in user and turned into plain dicts for
``components.live`` and ``components.present``. Anonymised exactly as the shared screen:
an anonymised session's steps and contributions go through its "Authority A, B" mapping.
"""

from __future__ import annotations

import secrets
from typing import Any

from auth.current import current_record
from data_access import learning_network as ln
from data_access import live, ln_polls
from data_access.db import get_database
from pages._ln_support import authority_mapping, contributions, step_payload


def new_client_key() -> str:
    """A fresh key for the next contribution (a retry of one send reuses its key)."""
    return secrets.token_urlsafe(18)


def as_int(value: Any) -> int | None:
    if isinstance(value, list):
        value = value[0] if value else None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def participant_view(session_id: int, look: int | None) -> dict[str, Any] | None:
    """What the participant's screen shows: the live step, or an earlier one (``look``,
    0-based, never past the live step). Keys: title, index, live_index, total, ended,
    allow_anonymous, payload, step_id, poll_version. None when the user may not follow the
    session."""
    user = current_record()
    with get_database().read() as session:
        state = live.live_state(session, user, session_id)
        record = ln.get_session(session, user, session_id) if state else None
        if state is None or record is None:
            return None
        mapping = authority_mapping(session, record) if record.anonymised else None
        index = state.step_index if look is None else max(0, min(look, state.step_index))
        step = record.steps[index] if record.steps else None
        payload = step_payload(session, user, step, mapping) if step else None
        polls = ln_polls.poll_version(session, session_id)
    title = record.title
    if mapping:
        from analysis.anonymise import anonymise_text

        title = anonymise_text(title, mapping)
    return {
        "title": title,
        "index": index,
        "live_index": state.step_index,
        "total": state.total,
        "ended": state.ended,
        "allow_anonymous": state.allow_anonymous,
        "payload": payload,
        "step_id": step.id if step else None,
        "poll_version": polls,
    }


def followed_step_id(session_id: int, look: int | None) -> int | None:
    """The id of the step a participant's screen shows (as ``participant_view``, without
    drawing it): what a redraw of the poll alone needs."""
    user = current_record()
    with get_database().read() as session:
        state = live.live_state(session, user, session_id)
        record = ln.get_session(session, user, session_id) if state else None
        if state is None or record is None or not record.steps:
            return None
        index = state.step_index if look is None else max(0, min(look, state.step_index))
        return record.steps[index].id


def present_live(session_id: int, index: int) -> dict[str, Any] | None:
    """The present screen's live bar and the contributions on step ``index``, for a
    facilitator; None for anyone else."""
    user = current_record()
    with get_database().read() as session:
        record = ln.get_session(session, user, session_id)
        if record is None or not live.is_facilitator(user, record):
            return None
        state = live.live_state(session, user, session_id)
        items: list[dict[str, Any]] = []
        if state is not None and state.show_contributions and record.steps:
            mapping = authority_mapping(session, record) if record.anonymised else None
            step = record.steps[max(0, min(index, len(record.steps) - 1))]
            items = [
                c for c in contributions(session, user, record, mapping) if c["step_id"] == step.id
            ]
    running = state is not None and not state.ended
    return {
        "running": running,
        "ended": state is not None and state.ended,
        "code": state.join_code if state else None,
        "joined": state.joined if state else 0,
        "version": str(state.version) if state else "",
        "allow_anonymous": state.allow_anonymous if state else True,
        "show_contributions": state.show_contributions if state else True,
        "items": items,
    }


def saved_index(session_id: int) -> int | None:
    """The live step a reloading facilitator goes back to (None when not live)."""
    with get_database().read() as session:
        return live.saved_step(session, current_record(), session_id)


def save_step(session_id: int, index: int) -> int:
    """Save the facilitator's step when the session is live; returns the index shown."""
    user = current_record()
    with get_database().read() as session:
        record = ln.get_session(session, user, session_id)
        running = record is not None and live.saved_step(session, user, session_id) is not None
    if not running:
        return index
    with get_database().write() as session:
        return live.set_live_step(session, user, session_id, index)
