"""Polls on the question steps of a Learning Network session.

A question step becomes a poll when its facilitator gives it options. Kinds: ``single``
(one choice), ``multiple`` (any number of choices) and ``prioritise`` (up to three
choices, each a vote). Each participant has one vote set per poll, changed in place
until the facilitator closes the poll.

Rules, checked here whatever the page sends:

- Making, changing, closing and reopening a poll: the session's facilitator, that is an
  analyst or admin of the organisation that owns the session
  (``learning_network._editable``).
- Voting: a practitioner or above (the same role as a contribution) whose organisation
  takes part in the session, or is the facilitator's, while the poll is open.
- Results: anyone who may read the session. They are counts per option and the number of
  voters: nothing says who voted what. In an anonymised session (or when the caller asks
  for it) the question and options are read through the session's "Authority A, B"
  mapping, so no text names an authority.

``poll_version(session, session_id)`` is a cheap number that changes whenever a poll of
the session, or a vote in one, changes; a live page compares it (for equality) to know
when to fetch the results again.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from data_access import learning_network as ln
from data_access.live import poll_version, polls_changed
from data_access.models import LnPoll, LnStep, LnVote
from data_access.users import UserRecord, write_audit
from rules.roles import PRACTITIONER, is_at_least

POLL_KINDS: dict[str, str] = {
    "single": "One choice each",
    "multiple": "Any number of choices each",
    "prioritise": "Up to three choices each, to prioritise",
}
PRIORITY_VOTES = 3
MIN_OPTIONS = 2
MAX_OPTIONS = 8
MAX_OPTION_CHARS = 200


class PollError(ValueError):
    """A poll or vote could not be saved; the message says why in plain English."""


@dataclass(frozen=True)
class PollRecord:
    """A poll: the question step's id, its session, kind, options (in order) and state."""

    step_id: int
    session_id: int
    kind: str
    options: tuple[str, ...]
    is_open: bool
    version: int

    @property
    def kind_label(self) -> str:
        return POLL_KINDS.get(self.kind, self.kind)


@dataclass(frozen=True)
class PollResults:
    """Counts per option (in the poll's order) and the number of people who voted."""

    step_id: int
    kind: str
    question: str
    title: str
    options: tuple[str, ...]
    counts: tuple[int, ...]
    voters: int
    is_open: bool
    version: int

    def frame(self) -> pd.DataFrame:
        """Columns: ``option`` (str), ``votes`` (int), in the poll's order."""
        return pd.DataFrame({"option": list(self.options), "votes": list(self.counts)})

    def as_dict(self) -> dict[str, Any]:
        return {
            "step_id": self.step_id,
            "kind": self.kind,
            "question": self.question,
            "title": self.title,
            "options": list(self.options),
            "counts": list(self.counts),
            "voters": self.voters,
            "is_open": self.is_open,
        }


# --- helpers ---------------------------------------------


def clean_options(options: str | Sequence[object] | None) -> list[str]:
    """Plain-text options, one per line (or a list), trimmed, without blanks or repeats."""
    items = options.splitlines() if isinstance(options, str) else list(options or [])
    out: list[str] = []
    seen: set[str] = set()
    for item in items:
        text = ln.clean_text(item, MAX_OPTION_CHARS, "option", required=False)
        text = " ".join(text.split())
        if not text or text.casefold() in seen:
            continue
        seen.add(text.casefold())
        out.append(text)
    if len(out) < MIN_OPTIONS:
        raise PollError(f"A poll needs at least {MIN_OPTIONS} different options, one per line.")
    if len(out) > MAX_OPTIONS:
        raise PollError(f"A poll can have at most {MAX_OPTIONS} options: you gave {len(out)}.")
    return out


def _load(text: str | None) -> list[Any]:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return []
    return value if isinstance(value, list) else []


def _record(row: LnPoll) -> PollRecord:
    return PollRecord(
        step_id=row.step_id,
        session_id=row.session_id,
        kind=row.kind,
        options=tuple(str(o) for o in _load(row.options)),
        is_open=bool(row.is_open),
        version=int(row.version or 0),
    )


def _audit(
    session: Session,
    user: UserRecord | None,
    action: str,
    step_id: Any,
    detail: dict[str, Any] | None = None,
) -> None:
    # Ids, kinds and counts only: no question, option or choice text in the audit log.
    write_audit(
        session,
        action,
        user=user,
        object_type="ln_poll",
        object_id=step_id,
        detail=detail or {},
    )


def _deny(session: Session, user: UserRecord | None, action: str, step_id: Any) -> None:
    ln.refuse(session, user, action, step_id, object_type="ln_poll")


def _question_step(session: Session, user: UserRecord, step_id: Any, action: str) -> LnStep:
    """The question step, if the user facilitates its session (else audited refusal)."""
    try:
        step = session.get(LnStep, int(step_id))
    except (TypeError, ValueError):
        step = None
    if step is None:
        _deny(session, user, action, step_id)
    assert step is not None
    ln._editable(session, user, step.session_id, action)
    if step.kind != "question":
        raise PollError("Only a question step can be a poll.")
    return step


def takes_part(user: UserRecord | None, record: ln.SessionRecord) -> bool:
    """True when the user's organisation takes part in the session or is the facilitator's."""
    if user is None or not user.active:
        return False
    return (
        user.organisation_code in record.participants
        or user.organisation_id == record.organisation_id
    )


def may_vote(user: UserRecord | None, record: ln.SessionRecord) -> bool:
    """A practitioner or above whose organisation takes part (or is the facilitator's)."""
    return bool(user and is_at_least(user.role, PRACTITIONER) and takes_part(user, record))


def _tell_live_screens(session: Session, session_id: int) -> None:
    """Live screens poll one version number: tell them a poll changed."""
    polls_changed(session, session_id)


def _bump(session: Session, step_id: int) -> None:
    session.execute(
        update(LnPoll)
        .where(LnPoll.step_id == step_id)
        .values(version=LnPoll.version + 1, updated_at=datetime.now(UTC))
    )


# --- facilitator: make, change, close ---------------------------------------------


def set_poll(
    session: Session,
    user: UserRecord,
    step_id: int,
    kind: str,
    options: str | Sequence[object] | None,
) -> PollRecord:
    """Make a question step a poll, or change its kind and options. Changing the options
    or kind of a poll people have voted in clears the votes (they chose from the old list)."""
    step = _question_step(session, user, step_id, "poll.set")
    if kind not in POLL_KINDS:
        raise PollError("Choose how people vote: one choice, several, or up to three.")
    cleaned = clean_options(options)
    row = session.get(LnPoll, step.id)
    cleared = 0
    if row is None:
        row = LnPoll(
            step_id=step.id,
            session_id=step.session_id,
            kind=kind,
            options=json.dumps(cleaned),
            is_open=True,
            version=1,
            created_by=user.id,
            updated_at=datetime.now(UTC),
        )
        session.add(row)
    elif row.kind != kind or _load(row.options) != cleaned:
        cleared = session.scalar(select(func.count()).where(LnVote.step_id == step.id)) or 0
        session.execute(delete(LnVote).where(LnVote.step_id == step.id))
        row.kind = kind
        row.options = json.dumps(cleaned)
        row.version = int(row.version or 0) + 1
        row.updated_at = datetime.now(UTC)
    session.flush()
    _audit(
        session,
        user,
        "poll.set",
        step.id,
        detail={"kind": kind, "options": len(cleaned), "votes_cleared": cleared},
    )
    _tell_live_screens(session, step.session_id)
    session.refresh(row)
    return _record(row)


def remove_poll(session: Session, user: UserRecord, step_id: int) -> None:
    """Make the step a plain question again (its votes go)."""
    step = _question_step(session, user, step_id, "poll.remove")
    session.execute(delete(LnVote).where(LnVote.step_id == step.id))
    session.execute(delete(LnPoll).where(LnPoll.step_id == step.id))
    session.flush()
    _audit(session, user, "poll.remove", step.id)
    _tell_live_screens(session, step.session_id)


def set_open(session: Session, user: UserRecord, step_id: int, is_open: bool) -> PollRecord:
    """Close (``is_open=False``) or reopen a poll."""
    action = "poll.reopen" if is_open else "poll.close"
    step = _question_step(session, user, step_id, action)
    row = session.get(LnPoll, step.id)
    if row is None:
        raise PollError("This question is not a poll.")
    if bool(row.is_open) != bool(is_open):
        row.is_open = bool(is_open)
        row.version = int(row.version or 0) + 1
        row.updated_at = datetime.now(UTC)
        session.flush()
        _tell_live_screens(session, step.session_id)
    _audit(session, user, action, step.id)
    return _record(row)


def close_poll(session: Session, user: UserRecord, step_id: int) -> PollRecord:
    """Stop voting: the results stand and no vote can be changed."""
    return set_open(session, user, step_id, False)


def reopen_poll(session: Session, user: UserRecord, step_id: int) -> PollRecord:
    """Let people vote, and change their votes, again."""
    return set_open(session, user, step_id, True)


# --- reads ---------------------------------------------


def _readable_poll(
    session: Session, user: UserRecord | None, step_id: Any
) -> tuple[ln.SessionRecord, ln.StepRecord, LnPoll] | None:
    try:
        row = session.get(LnPoll, int(step_id))
    except (TypeError, ValueError):
        return None
    if row is None:
        return None
    record = ln.get_session(session, user, row.session_id)
    if record is None:
        return None
    step = next((s for s in record.steps if s.id == row.step_id), None)
    return None if step is None else (record, step, row)


def get_poll(session: Session, user: UserRecord | None, step_id: int) -> PollRecord | None:
    """The poll of a step if the user may read its session, else None."""
    found = _readable_poll(session, user, step_id)
    return None if found is None else _record(found[2])


def session_polls(
    session: Session, user: UserRecord | None, session_id: int
) -> dict[int, PollRecord]:
    """The session's polls by step id, if the user may read the session."""
    if ln.get_session(session, user, session_id) is None:
        return {}
    rows = session.scalars(select(LnPoll).where(LnPoll.session_id == int(session_id)))
    return {row.step_id: _record(row) for row in rows}


def my_vote(session: Session, user: UserRecord | None, step_id: int) -> list[int]:
    """The option indexes the user chose in this poll (empty if none, or not readable)."""
    if user is None or _readable_poll(session, user, step_id) is None:
        return []
    text = session.scalar(
        select(LnVote.choices).where(LnVote.step_id == int(step_id), LnVote.user_id == user.id)
    )
    return [int(c) for c in _load(text) if isinstance(c, int)]


def poll_results(
    session: Session,
    user: UserRecord | None,
    step_id: int,
    anonymised: bool | None = None,
) -> PollResults | None:
    """Counts per option and voters, if the user may read the session (else None).

    ``anonymised`` None follows the session's own setting; True reads the question, title
    and options through the session's "Authority A, B" mapping.
    """
    found = _readable_poll(session, user, step_id)
    if found is None:
        return None
    record, step, row = found
    poll = _record(row)
    counts = [0] * len(poll.options)
    voters = 0
    for text in session.scalars(select(LnVote.choices).where(LnVote.step_id == poll.step_id)):
        chosen = {c for c in _load(text) if isinstance(c, int) and 0 <= c < len(counts)}
        if not chosen:
            continue
        voters += 1
        for index in chosen:
            counts[index] += 1
    question = str(step.config.get("text") or "")
    title = step.title
    options: Sequence[str] = poll.options
    if record.anonymised if anonymised is None else anonymised:
        from analysis.anonymise import anonymise_text, anonymise_texts
        from data_access.ln_anonymity import authority_mapping

        mapping = authority_mapping(session, record)
        question, title = anonymise_text(question, mapping), anonymise_text(title, mapping)
        options = anonymise_texts(options, mapping)
    return PollResults(
        step_id=poll.step_id,
        kind=poll.kind,
        question=question,
        title=title,
        options=tuple(options),
        counts=tuple(counts),
        voters=voters,
        is_open=poll.is_open,
        version=poll.version,
    )


# --- participants: vote ---------------------------------------------


def check_choices(kind: str, choices: Sequence[object] | None, count: int) -> list[int]:
    """Option indexes, validated for the kind, or PollError saying what to change."""
    picked: list[int] = []
    for choice in choices if isinstance(choices, list | tuple) else [choices]:
        if choice is None or choice == "":
            continue
        try:
            index = int(str(choice))
        except ValueError as exc:
            raise PollError("That is not one of the options.") from exc
        if not 0 <= index < count:
            raise PollError("That is not one of the options.")
        if index not in picked:
            picked.append(index)
    if not picked:
        raise PollError("Choose an option before you vote.")
    if kind == "single" and len(picked) != 1:
        raise PollError("Choose one option only.")
    if kind == "prioritise" and len(picked) > PRIORITY_VOTES:
        raise PollError(
            f"Choose up to {PRIORITY_VOTES} options: you chose {len(picked)}. Untick "
            f"{len(picked) - PRIORITY_VOTES}."
        )
    return sorted(picked)


def vote(
    session: Session, user: UserRecord, step_id: int, choices: Sequence[object] | None
) -> tuple[list[int], bool]:
    """Save the user's vote set (replacing an earlier one). Returns (choices, changed):
    ``changed`` is True when an earlier vote was replaced.

    Refused (SessionNotAllowed, audited) when the user may not read the session, or their
    organisation does not take part, or their role is below practitioner; PollError when
    the poll is closed or the choices do not fit its kind.
    """
    found = _readable_poll(session, user, step_id)
    if found is None:
        _deny(session, user, "poll.vote", step_id)
    assert found is not None
    record, _step, row = found
    if not may_vote(user, record):
        _deny(session, user, "poll.vote", row.step_id)
    if not row.is_open:
        raise PollError("This poll is closed: votes can no longer be changed.")
    picked = check_choices(row.kind, choices, len(_load(row.options)))
    now = datetime.now(UTC)
    existing = session.scalar(
        select(LnVote).where(LnVote.step_id == row.step_id, LnVote.user_id == user.id)
    )
    changed = existing is not None
    if existing is None:
        try:
            with session.begin_nested():
                session.add(
                    LnVote(
                        step_id=row.step_id,
                        user_id=user.id,
                        organisation_id=user.organisation_id,
                        choices=json.dumps(picked),
                        updated_at=now,
                    )
                )
        except IntegrityError:  # the same user's vote arrived twice at once: keep one
            changed = True
            existing = session.scalar(
                select(LnVote).where(LnVote.step_id == row.step_id, LnVote.user_id == user.id)
            )
    if existing is not None:
        existing.choices = json.dumps(picked)
        existing.organisation_id = user.organisation_id
        existing.updated_at = now
    _bump(session, row.step_id)
    session.flush()
    _tell_live_screens(session, row.session_id)
    _audit(
        session,
        user,
        "poll.vote",
        row.step_id,
        detail={"session": record.id, "choices": len(picked), "changed": changed},
    )
    return picked, changed


def session_poll_results(
    session: Session, user: UserRecord | None, session_id: int, anonymised: bool | None = None
) -> dict[int, PollResults]:
    """Results of every poll of the session the user may read, by step id."""
    out: dict[int, PollResults] = {}
    for step_id in session_polls(session, user, session_id):
        results = poll_results(session, user, step_id, anonymised)
        if results is not None:
            out[step_id] = results
    return out


__all__ = [
    "MAX_OPTIONS",
    "MIN_OPTIONS",
    "POLL_KINDS",
    "PRIORITY_VOTES",
    "PollError",
    "PollRecord",
    "PollResults",
    "check_choices",
    "clean_options",
    "close_poll",
    "get_poll",
    "may_vote",
    "my_vote",
    "poll_results",
    "poll_version",
    "remove_poll",
    "reopen_poll",
    "session_poll_results",
    "session_polls",
    "set_open",
    "set_poll",
    "takes_part",
    "vote",
]
