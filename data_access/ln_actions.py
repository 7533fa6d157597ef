"""Actions agreed in a Learning Network session: what will be done, by which organisation,
by when. The facilitator turns a contribution or a poll result into an action.

Rules, checked here whatever the page sends:

- Creating an action: the session's facilitator (an analyst or admin of the organisation
  that owns the session). The owner must be an organisation taking part in the session,
  or the facilitator's own, with accounts in Chorus; the due date is today or later; the
  source, when given, is a contribution of this session or one of its polls.
- Reading a session's actions: anyone who may read the session.
- An organisation's open actions (its Overview, its "You said, we did"): users of that
  organisation only.
- Marking an action done: a practitioner, analyst or admin of the owner organisation, or
  the session's facilitator.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access import learning_network as ln
from data_access.models import Annotation, LnAction, LnPoll, LnSession, Organisation, User
from data_access.users import UserRecord, write_audit
from rules.roles import PRACTITIONER, is_at_least

MAX_ACTION_CHARS = 1_000
SOURCE_KINDS = ("contribution", "poll")


class ActionError(ValueError):
    """An action could not be saved; the message says why in plain English."""


@dataclass(frozen=True)
class ActionRecord:
    """One action with its session's title and the owner organisation's code and name."""

    id: int
    session_id: int
    session_title: str
    text: str
    owner_organisation_id: int
    owner_code: str
    owner_name: str
    due_on: date
    status: str
    source_kind: str | None
    source_id: int | None
    created_by_name: str
    created_at: datetime
    done_at: datetime | None

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "session_id": self.session_id,
            "session_title": self.session_title,
            "text": self.text,
            "owner_code": self.owner_code,
            "owner_name": self.owner_name,
            "due_on": self.due_on.isoformat(),
            "status": self.status,
            "source_kind": self.source_kind,
            "source_id": self.source_id,
            "created_by_name": self.created_by_name,
            "created_at": self.created_at.isoformat(),
            "done_at": self.done_at.isoformat() if self.done_at else None,
        }


def _audit(
    session: Session,
    user: UserRecord | None,
    action: str,
    object_id: Any,
    outcome: str = "success",
    detail: dict[str, Any] | None = None,
) -> None:
    # Ids only: the action's text is not copied into the audit log.
    write_audit(
        session,
        action,
        user=user,
        object_type="ln_action",
        object_id=object_id,
        outcome=outcome,
        detail=detail or {},
    )


def _deny(session: Session, user: UserRecord | None, action: str, object_id: Any) -> None:
    ln.refuse(session, user, action, object_id, object_type="ln_action")


def _aware(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def _query():  # type: ignore[no-untyped-def]
    return (
        select(LnAction, LnSession.title, Organisation.code, Organisation.name, User.display_name)
        .join(LnSession, LnSession.id == LnAction.session_id)
        .join(Organisation, Organisation.id == LnAction.owner_organisation_id)
        .join(User, User.id == LnAction.created_by)
    )


def _record(*found: Any) -> ActionRecord:
    """An ActionRecord from a row of ``_query()``: (LnAction, title, code, name, author)."""
    row, title, code, name, author = found
    created = _aware(row.created_at)
    assert created is not None
    return ActionRecord(
        id=row.id,
        session_id=row.session_id,
        session_title=title,
        text=row.text,
        owner_organisation_id=row.owner_organisation_id,
        owner_code=code,
        owner_name=name,
        due_on=row.due_on,
        status=row.status,
        source_kind=row.source_kind,
        source_id=row.source_id,
        created_by_name=author,
        created_at=created,
        done_at=_aware(row.done_at),
    )


def owner_choices(session: Session, record: ln.SessionRecord) -> list[dict[str, str]]:
    """Organisations that can own an action of the session: those taking part that have
    accounts in Chorus, and the facilitator's. ``[{"label", "value"}]`` by name."""
    codes = [*record.participants, record.organisation_code]
    rows = session.execute(
        select(Organisation.code, Organisation.name).where(Organisation.code.in_(codes))
    ).all()
    return sorted(({"label": n, "value": c} for c, n in rows), key=lambda o: o["label"])


def _due(value: date | str | None, today: date) -> date:
    if value in (None, ""):
        raise ActionError("Give a due date.")
    if isinstance(value, datetime):
        due = value.date()
    elif isinstance(value, date):
        due = value
    else:
        try:
            due = date.fromisoformat(str(value).strip()[:10])
        except ValueError as exc:
            raise ActionError("Give the due date as YYYY-MM-DD, for example 2026-03-12.") from exc
    if due < today:
        raise ActionError("The due date is in the past: choose today or a later date.")
    return due


def _check_source(
    session: Session, record: ln.SessionRecord, kind: str | None, source_id: Any
) -> tuple[str | None, int | None]:
    if kind in (None, "") and source_id in (None, ""):
        return None, None
    if kind not in SOURCE_KINDS:
        raise ActionError("An action comes from a contribution or a poll.")
    try:
        number = int(source_id)
    except (TypeError, ValueError) as exc:
        raise ActionError("That contribution or poll is not in this session.") from exc
    if kind == "contribution":
        found = session.scalar(
            select(Annotation.id).where(
                Annotation.id == number, Annotation.ln_session_id == record.id
            )
        )
    else:
        found = session.scalar(
            select(LnPoll.step_id).where(LnPoll.step_id == number, LnPoll.session_id == record.id)
        )
    if found is None:
        raise ActionError("That contribution or poll is not in this session.")
    return kind, number


def create_action(
    session: Session,
    user: UserRecord,
    session_id: int,
    text: str,
    owner_code: str,
    due_on: date | str | None,
    source_kind: str | None = None,
    source_id: int | None = None,
    today: date | None = None,
) -> ActionRecord:
    """A new open action of the session (the facilitator only)."""
    row = ln._editable(session, user, int(session_id), "action.create")
    record = ln.get_session(session, user, row.id)
    assert record is not None
    try:
        body = ln.clean_text(text, MAX_ACTION_CHARS, "action")
    except ln.SessionError as exc:
        raise ActionError(str(exc)) from exc
    allowed = {o["value"] for o in owner_choices(session, record)}
    if not owner_code or owner_code not in allowed:
        raise ActionError(
            "Choose an owner: an organisation taking part in the session, or your own."
        )
    owner_id = session.scalar(select(Organisation.id).where(Organisation.code == owner_code))
    assert owner_id is not None
    due = _due(due_on, today or datetime.now(UTC).date())
    kind, number = _check_source(session, record, source_kind, source_id)
    action = LnAction(
        session_id=record.id,
        text=body,
        owner_organisation_id=owner_id,
        due_on=due,
        status="open",
        source_kind=kind,
        source_id=number,
        created_by=user.id,
        created_at=datetime.now(UTC),
    )
    session.add(action)
    session.flush()
    _audit(
        session,
        user,
        "action.create",
        action.id,
        detail={"session": record.id, "owner": owner_code, "source": kind},
    )
    found = session.execute(_query().where(LnAction.id == action.id)).one()
    return _record(*found)


def session_actions(
    session: Session, user: UserRecord | None, session_id: int
) -> list[ActionRecord]:
    """The session's actions (due date order) if the user may read the session."""
    if ln.get_session(session, user, session_id) is None:
        return []
    query = _query().where(LnAction.session_id == int(session_id))
    rows = session.execute(query.order_by(LnAction.due_on, LnAction.id)).all()
    return [_record(*r) for r in rows]


def organisation_actions(
    session: Session,
    user: UserRecord | None,
    organisation_id: int | None = None,
    *,
    include_done: bool = False,
) -> list[ActionRecord]:
    """Actions owned by the user's organisation (open ones unless ``include_done``), due
    date first. Asking for another organisation's is refused (audited) and gives []."""
    if user is None or not user.active:
        return []
    if organisation_id is not None and int(organisation_id) != user.organisation_id:
        _audit(session, user, "denied:action.list", organisation_id, outcome="denied")
        return []
    query = _query().where(LnAction.owner_organisation_id == user.organisation_id)
    if not include_done:
        query = query.where(LnAction.status == "open")
    rows = session.execute(query.order_by(LnAction.due_on, LnAction.id)).all()
    return [_record(*r) for r in rows]


def may_mark_done(user: UserRecord | None, action: LnAction, session_row: LnSession) -> bool:
    """The owner organisation's practitioners and above, or the session's facilitator."""
    if user is None or not user.active:
        return False
    if user.organisation_id == action.owner_organisation_id and is_at_least(
        user.role, PRACTITIONER
    ):
        return True
    return ln.can_facilitate(user) and user.organisation_id == session_row.organisation_id


def mark_done(session: Session, user: UserRecord, action_id: int) -> ActionRecord:
    """Mark an action done (refused and audited for anyone else)."""
    try:
        row = session.get(LnAction, int(action_id))
    except (TypeError, ValueError):
        row = None
    owner = session.get(LnSession, row.session_id) if row is not None else None
    if row is None or owner is None or not may_mark_done(user, row, owner):
        _deny(session, user, "action.done", action_id)
    assert row is not None
    if row.status != "done":
        row.status = "done"
        row.done_at = datetime.now(UTC)
        row.done_by = user.id
        session.flush()
    _audit(session, user, "action.done", row.id, detail={"session": row.session_id})
    found = session.execute(_query().where(LnAction.id == row.id)).one()
    return _record(*found)


def action_source_text(
    session: Session, user: UserRecord | None, action: ActionRecord
) -> str | None:
    """What the action answers, as the user may see it: the contribution's text (through
    the annotation visibility rules) or the poll's question with its leading option."""
    if action.source_kind == "contribution" and action.source_id is not None:
        from data_access.annotations import get_thread

        note = get_thread(session, user, action.source_id)
        return note.body if note is not None else None
    if action.source_kind == "poll" and action.source_id is not None:
        from data_access.ln_polls import poll_results

        results = poll_results(session, user, action.source_id)
        if results is None:
            return None
        return poll_summary_text(results.question or results.title, results.options, results.counts)
    return None


def poll_summary_text(question: str, options: tuple[str, ...], counts: tuple[int, ...]) -> str:
    """ "Question: most votes for X (n)" in plain words."""
    if not options or not any(counts):
        return f"{question}: no votes."
    top = max(counts)
    leaders = [o for o, c in zip(options, counts, strict=True) if c == top]
    return f"{question}: most votes for {' and '.join(leaders)} ({top})."


def you_said_we_did_actions(session: Session, user: UserRecord | None) -> list[dict[str, Any]]:
    """The user's organisation's session actions with what they answer, newest first.

    Dicts: ``id``, ``session_title``, ``said`` (the source text the user may see, or None),
    ``text``, ``due_on`` (date), ``status``. Only the organisation's own actions, and the
    session title only if the user may read the session.
    """
    out = []
    for action in organisation_actions(session, user, include_done=True):
        record = ln.get_session(session, user, action.session_id)
        title = record.title if record is not None else "A Learning Network session"
        if record is not None and record.anonymised:
            from analysis.anonymise import anonymise_text
            from data_access.ln_anonymity import authority_mapping

            title = anonymise_text(title, authority_mapping(session, record))
        out.append(
            {
                "id": action.id,
                "session_title": title,
                "said": action_source_text(session, user, action) if record else None,
                "text": action.text,
                "due_on": action.due_on,
                "status": action.status,
            }
        )
    return sorted(out, key=lambda a: a["id"], reverse=True)


def session_polls_and_actions(
    session: Session, user: UserRecord | None, record: ln.SessionRecord, anonymised: bool
) -> tuple[dict[str, str] | None, dict[int, Any], list[dict[str, Any]]]:
    """What the session record keeps of its polls and actions, as the user may see them:
    (the "Authority A, B" mapping or None, poll results by step id (``PollResults``),
    actions as dicts: ``ActionRecord.as_dict()`` keys plus ``owner_label`` (the owner's
    label when anonymised) and ``said`` (what the action answers)). When ``anonymised``,
    every text is read through the session's mapping."""
    from analysis.anonymise import anonymise_text
    from data_access.ln_anonymity import authority_mapping
    from data_access.ln_polls import session_poll_results

    mapping = authority_mapping(session, record) if anonymised else None
    results = session_poll_results(session, user, record.id, anonymised)
    actions = []
    for action in session_actions(session, user, record.id):
        row = action.as_dict()
        row["owner_label"] = mapping.get(action.owner_code, "Authority") if mapping else None
        said = action_source_text(session, user, action)
        row["said"] = anonymise_text(said, mapping) if mapping and said else said
        if mapping:
            row["text"] = anonymise_text(action.text, mapping)
            row["session_title"] = anonymise_text(action.session_title, mapping)
        actions.append(row)
    return mapping, results, actions


__all__ = [
    "MAX_ACTION_CHARS",
    "ActionError",
    "ActionRecord",
    "action_source_text",
    "create_action",
    "mark_done",
    "may_mark_done",
    "organisation_actions",
    "owner_choices",
    "poll_summary_text",
    "session_polls_and_actions",
    "session_actions",
    "you_said_we_did_actions",
]
