"""Annotations: notes written on the charts, their threads, history and visibility.

Every read goes through :func:`visibility_clause` (through :func:`list_annotations` and
:func:`get_thread`), so callbacks, the API and the exports apply the same rules:

- ``private``: the author only;
- ``organisation``: everyone in the author's organisation;
- ``learning_network``: the author's organisation, and every organisation in the Learning
  Network while the author's organisation is in it too.

Replies belong to a thread: a reply is visible exactly when its thread's first note is.
Writes return a :class:`WriteResult` rather than raising, so a refusal can be audited in the
same transaction and shown to the user as a plain sentence. Edits use optimistic locking on
``version``: a save based on an old version is refused, and the refused text is kept as a
conflict revision so that nothing anybody typed is lost.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, case, false, func, literal, or_, select, update
from sqlalchemy.orm import Session, aliased

from analysis.periods import period_text
from data_access.models import (
    Annotation,
    AnnotationRevision,
    Area,
    Indicator,
    Observation,
    Organisation,
    User,
    utcnow,
)
from data_access.observations import current_data_version
from data_access.users import UserRecord, write_audit
from rules.labels import VISIBILITY_LABELS
from rules.roles import ANALYST, PRACTITIONER, is_at_least

KINDS: dict[str, str] = {
    "interpretation": "Interpretation",
    "context_event": "Context or event",
    "data_quality": "Data quality",
    "question": "Question",
    "action": "Action",
}
VISIBILITIES: dict[str, str] = VISIBILITY_LABELS
STATUSES: dict[str, str] = {"open": "Open", "resolved": "Resolved"}

MAX_BODY_CHARS = 4_000
MAX_TAGS = 8
MAX_TAG_CHARS = 40
# Control characters other than newline and tab are dropped (PostgreSQL refuses NUL).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# --- records -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnnotationRecord:
    """One annotation (a thread's first note or a reply) as the rest of the app sees it."""

    id: int
    parent_id: int | None
    indicator: str
    indicator_title: str
    theme: str
    area_code: str
    area_name: str
    breakdown: str
    period_start: date | None
    period_end: date | None
    kind: str
    body: str
    tags: tuple[str, ...]
    author_id: int
    author: str
    organisation_id: int
    organisation_code: str
    organisation_name: str
    visibility: str
    status: str
    version: int
    view_state: dict[str, Any]
    data_version: int | None
    seen_value: float | None
    created_at: datetime
    updated_at: datetime
    edited: bool = False
    data_changed: bool = False
    current_value: float | None = None
    replies: tuple[AnnotationRecord, ...] = ()
    deleted_at: datetime | None = None  # set only on the moderators' list of hidden notes

    @property
    def is_range(self) -> bool:
        return self.view_state.get("scope") == "range"

    @property
    def period_text(self) -> str:
        """The period as people read it: one label, or 'from to'."""
        state = self.view_state
        if self.is_range:
            first = period_text(state.get("period_from_label")) or _iso(self.period_start)
            last = period_text(state.get("period_to_label")) or _iso(self.period_end)
            return f"{first} to {last}"
        return period_text(state.get("period_label")) or _iso(self.period_start) or "no period"

    def as_dict(self, with_replies: bool = True) -> dict[str, Any]:
        """Plain JSON-ready dict (dates as ISO text); the API and exports use this."""
        out = {
            "id": self.id,
            "parent_id": self.parent_id,
            "indicator": self.indicator,
            "indicator_title": self.indicator_title,
            "theme": self.theme,
            "area_code": self.area_code,
            "area_name": self.area_name,
            "breakdown": self.breakdown,
            "period_start": _iso(self.period_start),
            "period_end": _iso(self.period_end),
            "period": self.period_text if self.parent_id is None else "",
            "scope": "range" if self.is_range else "point",
            "kind": self.kind,
            "body": self.body,
            "tags": list(self.tags),
            "author": self.author,
            "organisation_code": self.organisation_code,
            "organisation_name": self.organisation_name,
            "visibility": self.visibility,
            "status": self.status,
            "version": self.version,
            "view_state": self.view_state,
            "seen_value": self.seen_value,
            "current_value": self.current_value,
            "data_changed": self.data_changed,
            "edited": self.edited,
            "created_at": _iso(self.created_at),
            "updated_at": _iso(self.updated_at),
        }
        if with_replies:
            out["replies"] = [reply.as_dict(with_replies=False) for reply in self.replies]
        return out


@dataclass(frozen=True)
class NewAnnotation:
    """What the form sends to create a note on a chart.

    ``period_start``/``period_end`` are the first period's start and the last period's end;
    ``view_state`` holds the view it was written on (comparators, breakdown_value, period
    range and labels, ``scope`` "point" or "range").
    """

    indicator: str
    area_code: str
    kind: str
    body: str
    visibility: str
    breakdown: str = "total"
    period_start: date | None = None
    period_end: date | None = None
    tags: Sequence[str] | str = ()
    view_state: dict[str, Any] = field(default_factory=dict)
    ln_session_id: int | None = None


def _period(state: dict[str, Any], start: str | None) -> dict[str, Any] | None:
    return next((p for p in state.get("periods") or [] if p["start"] == start), None)


def new_annotation_from_form(
    state: dict[str, Any],
    kind: str,
    scope: str,
    first: str | None,
    last: str | None,
    text: str | None,
    tags: str | None,
    visibility: str,
) -> NewAnnotation | str:
    """A NewAnnotation from the form and the panel's view, or a sentence saying what is wrong."""
    first_period = _period(state, first)
    last_period = _period(state, last) if scope == "range" else first_period
    if first_period is None or last_period is None:
        return "Choose a period shown on the chart."
    breakdown = state.get("breakdown") or "total"
    view_state = {
        "comparators": list(state.get("comparators") or []),
        "breakdown": breakdown,
        "breakdown_value": "total" if breakdown == "total" else None,
        "period_from": state.get("period_from"),
        "period_to": state.get("period_to"),
        "scope": "range" if scope == "range" else "point",
        "period_label": first_period["label"],
    }
    if scope == "range":
        view_state.update(
            period_from_label=first_period["label"], period_to_label=last_period["label"]
        )
    return NewAnnotation(
        indicator=state["indicator"],
        area_code=state["area_code"],
        breakdown=breakdown,
        kind=kind,
        body=text or "",
        visibility=visibility,
        period_start=date.fromisoformat(first_period["start"]),
        period_end=date.fromisoformat(last_period["end"] or last_period["start"]),
        tags=tags or "",
        view_state=view_state,
    )


@dataclass(frozen=True)
class EditConflict:
    """A save refused because someone else saved first; both texts are kept."""

    annotation_id: int
    your_text: str
    your_version: int
    current_text: str
    current_version: int


@dataclass(frozen=True)
class WriteResult:
    """The outcome of a write: saved, conflict, invalid, denied or not_found."""

    outcome: str
    message: str
    annotation: AnnotationRecord | None = None
    conflict: EditConflict | None = None

    @property
    def ok(self) -> bool:
        return self.outcome == "saved"


@dataclass(frozen=True)
class AnnotationFilters:
    """The Discussion page's filters (all optional). Dates filter on when a note was written."""

    theme: str | None = None
    indicator: str | None = None
    area_code: str | None = None
    kind: str | None = None
    status: str | None = None
    author_id: int | None = None
    tag: str | None = None
    written_from: date | None = None
    written_to: date | None = None
    breakdown: str | None = None
    organisation_code: str | None = None


# --- text rules ----------------------------------------------------------------------------


def _filter_date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def filters_from_values(values: Sequence[Any]) -> AnnotationFilters:
    """A filter form's values as AnnotationFilters, in the order theme, indicator, area,
    kind, status, author, tag, written from, written to (the Discussion page's filters)."""
    theme, indicator, area, kind, status, author, tag, written_from, written_to = values
    return AnnotationFilters(
        theme=theme or None,
        indicator=indicator or None,
        area_code=area or None,
        kind=kind or None,
        status=status or None,
        author_id=int(author) if author else None,
        tag=tag or None,
        written_from=_filter_date(written_from),
        written_to=_filter_date(written_to),
    )


def clean_body(text: str | None) -> str:
    """Normalise newlines, drop control characters and trailing space; keep everything else
    as typed (the text is shown as plain text, never as HTML)."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", _CONTROL.sub("", text))
    return text.strip()


def body_problem(text: str) -> str | None:
    """A sentence saying what is wrong with a cleaned body, or None when it is fine."""
    if not text:
        return "Write something before saving: the note is empty."
    if len(text) > MAX_BODY_CHARS:
        over = len(text) - MAX_BODY_CHARS
        return (
            f"The note is {len(text):,} characters long and the limit is {MAX_BODY_CHARS:,}: "
            f"shorten it by {over:,} characters."
        )
    return None


def normalise_tags(tags: Sequence[str] | str | None) -> tuple[str, ...]:
    """Lower-case tags of letters, digits and hyphens (spaces become hyphens), unique, in
    the order given, at most MAX_TAGS of at most MAX_TAG_CHARS characters."""
    if tags is None:
        return ()
    items = tags.split(",") if isinstance(tags, str) else list(tags)
    out: list[str] = []
    for item in items:
        tag = re.sub(r"\s+", "-", str(item).strip().lower())
        tag = re.sub(r"[^a-z0-9-]", "", tag).strip("-")[:MAX_TAG_CHARS]
        if tag and tag not in out:
            out.append(tag)
    return tuple(out[:MAX_TAGS])


# --- permissions (the same rules as auth.permissions, checked again at the data layer) -----


def can_write(user: UserRecord | None) -> bool:
    """Practitioner or above, active."""
    return bool(user and user.active and is_at_least(user.role, PRACTITIONER))


def can_moderate(user: UserRecord | None, organisation_id: int) -> bool:
    """Analysts and admins moderate their own organisation's notes."""
    return bool(
        user
        and user.active
        and is_at_least(user.role, ANALYST)
        and user.organisation_id == organisation_id
    )


# --- visibility: the one filter every read uses --------------------------------------------


def visibility_clause(user: UserRecord | None, root: Any = Annotation) -> Any:
    """SQL condition on a thread's first note (``root``) that ``user`` may see it.

    Deleted notes are never shown. Nobody outside a request (``None``) sees anything.
    """
    if user is None or not user.active:
        return false()
    rules = [
        and_(root.visibility == "private", root.author_id == user.id),
        and_(
            root.visibility.in_(("organisation", "learning_network")),
            root.organisation_id == user.organisation_id,
        ),
    ]
    if user.in_learning_network:
        network = select(Organisation.id).where(Organisation.in_learning_network.is_(True))
        rules.append(and_(root.visibility == "learning_network", root.organisation_id.in_(network)))
    return and_(root.deleted_at.is_(None), or_(*rules))


def visible_note_clause(user: UserRecord | None, note: Any = Annotation) -> Any:
    """SQL condition that ``user`` may see ``note``, a first note or a reply.

    A reply is seen with its thread: the condition is :func:`visibility_clause` on the
    thread's first note. For readers outside this module (the Voice page's "You said, we
    did"), so no read of notes keeps its own copy of the rule.
    """
    root = aliased(Annotation)
    visible_roots = select(root.id).where(root.parent_id.is_(None), visibility_clause(user, root))
    return and_(
        note.deleted_at.is_(None),
        func.coalesce(note.parent_id, note.id).in_(visible_roots),
    )


def shared_notes_of_clause(organisation_id: int, note: Any = Annotation) -> Any:
    """SQL condition: ``note`` is a live first note of ``organisation_id`` shared beyond its
    author (organisation or network), never a private one. For the public pages' actions."""
    return and_(
        note.organisation_id == organisation_id,
        note.deleted_at.is_(None),
        note.parent_id.is_(None),
        note.visibility.in_(("organisation", "learning_network")),
    )


def _record_query() -> Select[Any]:
    return (
        select(
            Annotation,
            User.display_name,
            Organisation.code,
            Organisation.name,
            Indicator.short_title,
            Indicator.theme,
            Area.name,
        )
        .join(User, User.id == Annotation.author_id)
        .join(Organisation, Organisation.id == Annotation.organisation_id)
        .join(Indicator, Indicator.id == Annotation.indicator_id)
        .join(Area, Area.code == Annotation.area_code, isouter=True)
    )


def _to_record(row: Any, edited: bool = False) -> AnnotationRecord:
    ann, author, org_code, org_name, title, theme, area_name = row
    return AnnotationRecord(
        id=ann.id,
        parent_id=ann.parent_id,
        indicator=ann.indicator_id,
        indicator_title=title,
        theme=theme,
        area_code=ann.area_code,
        area_name=area_name or ann.area_code,
        breakdown=ann.breakdown,
        period_start=ann.period_start,
        period_end=ann.period_end,
        kind=ann.kind,
        body=ann.body,
        tags=tuple(t for t in (ann.tags or "").split(",") if t),
        author_id=ann.author_id,
        author=author,
        organisation_id=ann.organisation_id,
        organisation_code=org_code,
        organisation_name=org_name,
        visibility=ann.visibility,
        status=ann.status,
        version=ann.version,
        view_state=_load_view_state(ann.view_state),
        data_version=ann.data_version,
        seen_value=ann.seen_value,
        created_at=_aware(ann.created_at),
        updated_at=_aware(ann.updated_at),
        edited=edited,
        deleted_at=_aware(ann.deleted_at) if ann.deleted_at is not None else None,
    )


def _apply_filters(query: Any, filters: AnnotationFilters) -> Any:
    if filters.theme:
        query = query.where(Indicator.theme == filters.theme)
    if filters.indicator:
        query = query.where(Annotation.indicator_id == filters.indicator)
    if filters.area_code:
        query = query.where(Annotation.area_code == filters.area_code)
    if filters.breakdown:
        query = query.where(Annotation.breakdown == filters.breakdown)
    if filters.kind:
        query = query.where(Annotation.kind == filters.kind)
    if filters.status:
        query = query.where(Annotation.status == filters.status)
    if filters.author_id:
        query = query.where(Annotation.author_id == filters.author_id)
    if filters.organisation_code:
        query = query.where(Organisation.code == filters.organisation_code)
    tags = normalise_tags(filters.tag)
    if tags:
        # Tags are stored "a,b,c" and hold only [a-z0-9-], so LIKE needs no escaping.
        wrapped = literal(",") + Annotation.tags + literal(",")
        query = query.where(wrapped.like(f"%,{tags[0]},%"))
    if filters.written_from:
        query = query.where(Annotation.created_at >= _day_start(filters.written_from))
    if filters.written_to:
        query = query.where(Annotation.created_at < _day_start(filters.written_to, 1))
    return query


def list_annotations(
    session: Session,
    user: UserRecord | None,
    filters: AnnotationFilters | None = None,
    *,
    limit: int | None = None,
    offset: int = 0,
) -> list[AnnotationRecord]:
    """The threads ``user`` may see, filtered, open questions first then newest first.

    Each record carries its visible replies (oldest first) and the data-changed flag.
    """
    filters = filters or AnnotationFilters()
    open_question_first = case(
        (and_(Annotation.kind == "question", Annotation.status == "open"), 0), else_=1
    )
    query = (
        _apply_filters(_record_query(), filters)
        .where(Annotation.parent_id.is_(None), visibility_clause(user))
        .order_by(open_question_first, Annotation.updated_at.desc(), Annotation.id.desc())
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    roots = [_to_record(row) for row in session.execute(query).all()]
    return _with_replies_and_flags(session, roots)


def get_thread(
    session: Session, user: UserRecord | None, annotation_id: int
) -> AnnotationRecord | None:
    """The whole thread holding ``annotation_id`` if ``user`` may see it, else None.

    Returns the thread's first note with its replies (asking for a reply gives its thread).
    """
    row = session.get(Annotation, annotation_id)
    if row is None:
        return None
    root_id = row.parent_id or row.id
    query = _record_query().where(Annotation.id == root_id, visibility_clause(user))
    found = session.execute(query).first()
    if found is None:
        return None
    return _with_replies_and_flags(session, [_to_record(found)])[0]


def _with_replies_and_flags(
    session: Session, roots: list[AnnotationRecord]
) -> list[AnnotationRecord]:
    if not roots:
        return roots
    ids = [r.id for r in roots]
    reply_rows = session.execute(
        _record_query()
        .where(Annotation.parent_id.in_(ids), Annotation.deleted_at.is_(None))
        .order_by(Annotation.created_at, Annotation.id)
    ).all()
    edited_ids = set(
        session.scalars(
            select(AnnotationRevision.annotation_id).where(
                AnnotationRevision.annotation_id.in_(ids + [r[0].id for r in reply_rows]),
                AnnotationRevision.conflict.is_(False),
            )
        )
    )
    replies: dict[int, list[AnnotationRecord]] = {}
    for row in reply_rows:
        reply = _to_record(row, edited=row[0].id in edited_ids)
        replies.setdefault(reply.parent_id or 0, []).append(reply)
    changes = data_changes(session, roots)
    return [
        replace(
            root,
            replies=tuple(replies.get(root.id, ())),
            edited=root.id in edited_ids,
            data_changed=changes.get(root.id, (False, None))[0],
            current_value=changes.get(root.id, (False, None))[1],
        )
        for root in roots
    ]


# --- has the data changed since the note was written? ---------------------------------------


def data_changes(
    session: Session, annotations: Iterable[AnnotationRecord]
) -> dict[int, tuple[bool, float | None]]:
    """For each annotation with a period: (changed since written, current value).

    A note's figures changed when an observation in its period (same indicator, area,
    breakdown and breakdown value) carries a newer data version than the note, and - for a
    note on one period - its value differs from the value the author saw. The current value
    is the figure of the note's period (the last period of a range).
    """
    out: dict[int, tuple[bool, float | None]] = {}
    for ann in annotations:
        if ann.period_start is None or ann.parent_id is not None:
            continue
        breakdown_value = ann.view_state.get("breakdown_value") or (
            "total" if ann.breakdown == "total" else None
        )
        query = select(Observation.period_start, Observation.value, Observation.data_version).where(
            Observation.indicator_id == ann.indicator,
            Observation.area_code == ann.area_code,
            Observation.breakdown == ann.breakdown,
            Observation.period_start >= ann.period_start,
            Observation.period_end <= (ann.period_end or ann.period_start),
        )
        if breakdown_value is not None:
            query = query.where(Observation.breakdown_value == breakdown_value)
        rows = session.execute(query.order_by(Observation.period_start)).all()
        if not rows:
            out[ann.id] = (False, None)
            continue
        written_version = ann.data_version if ann.data_version is not None else 0
        revised = any(version > written_version for _, _, version in rows)
        current = rows[-1][1] if breakdown_value is not None else None
        if revised and not ann.is_range and breakdown_value is not None:
            revised = not _same_value(current, ann.seen_value)
        out[ann.id] = (revised, current)
    return out


def _same_value(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) < 1e-9


def _seen_value(session: Session, new: NewAnnotation) -> float | None:
    """The figure the author saw: the value of the note's (last) period."""
    if new.period_start is None:
        return None
    breakdown_value = new.view_state.get("breakdown_value") or "total"
    query = select(Observation.value).where(
        Observation.indicator_id == new.indicator,
        Observation.area_code == new.area_code,
        Observation.breakdown == new.breakdown,
        Observation.breakdown_value == breakdown_value,
        Observation.period_end == (new.period_end or new.period_start),
    )
    if new.view_state.get("scope") != "range":
        query = query.where(Observation.period_start == new.period_start)
    return session.scalar(query.limit(1))


# --- writes ----------------------------------------------------------------------------------


def create_annotation(
    session: Session,
    user: UserRecord,
    new: NewAnnotation,
    *,
    created_at: datetime | None = None,
) -> WriteResult:
    """Save a new note on a chart; stores the figure seen and the current data version."""
    action = "annotation.create"
    if not can_write(user):
        return _denied(session, user, action, None, "Viewers can read notes but not write them.")
    body = clean_body(new.body)
    problem = (
        body_problem(body)
        or _choice_problem(new.kind, KINDS, "kind")
        or _choice_problem(new.visibility, VISIBILITIES, "visibility")
        or _period_problem(new.period_start, new.period_end)
    )
    if problem is None and new.visibility == "learning_network" and not user.in_learning_network:
        problem = "Your organisation is not in the Learning Network: choose another visibility."
    if problem is None and session.get(Indicator, new.indicator) is None:
        problem = "That indicator does not exist."
    if problem:
        return WriteResult("invalid", problem)
    view_state = dict(new.view_state)
    view_state.setdefault("scope", "point")
    when = created_at or utcnow()
    row = Annotation(
        indicator_id=new.indicator,
        area_code=new.area_code,
        breakdown=new.breakdown or "total",
        period_start=new.period_start,
        period_end=new.period_end or new.period_start,
        kind=new.kind,
        body=body,
        tags=",".join(normalise_tags(new.tags)),
        author_id=user.id,
        organisation_id=user.organisation_id,
        visibility=new.visibility,
        status="open",
        version=1,
        view_state=json.dumps(view_state, default=str, sort_keys=True),
        data_version=current_data_version(session),
        seen_value=_seen_value(session, replace(new, view_state=view_state)),
        ln_session_id=new.ln_session_id,
        created_at=when,
        updated_at=when,
    )
    session.add(row)
    session.flush()
    _audit(session, user, action, row.id, {"kind": new.kind, "visibility": new.visibility})
    return WriteResult("saved", "Your note is saved.", _reload(session, user, row.id))


def reply_to_annotation(
    session: Session,
    user: UserRecord,
    parent_id: int,
    body: str,
    *,
    created_at: datetime | None = None,
) -> WriteResult:
    """Add a reply to the thread holding ``parent_id`` (replies to replies join the thread)."""
    action = "annotation.reply"
    thread = get_thread(session, user, parent_id)
    if thread is None:
        return _not_found(session, user, action, parent_id)
    if not can_write(user):
        return _denied(session, user, action, parent_id, "Viewers can read notes but not reply.")
    text = clean_body(body)
    problem = body_problem(text)
    if problem:
        return WriteResult("invalid", problem)
    when = created_at or utcnow()
    row = Annotation(
        parent_id=thread.id,
        indicator_id=thread.indicator,
        area_code=thread.area_code,
        breakdown=thread.breakdown,
        period_start=None,
        period_end=None,
        kind="reply",
        body=text,
        tags="",
        author_id=user.id,
        organisation_id=user.organisation_id,
        visibility=thread.visibility,
        status="open",
        version=1,
        created_at=when,
        updated_at=when,
    )
    session.add(row)
    session.flush()
    # Activity in a thread brings it up the list.
    session.execute(update(Annotation).where(Annotation.id == thread.id).values(updated_at=when))
    _audit(session, user, action, row.id, {"thread": thread.id})
    return WriteResult("saved", "Your reply is saved.", _reload(session, user, row.id))


def edit_annotation(
    session: Session,
    user: UserRecord,
    annotation_id: int,
    body: str,
    expected_version: int,
    tags: Sequence[str] | str | None = None,
) -> WriteResult:
    """Change the text (and optionally tags) of your own note, if nobody saved first.

    ``expected_version`` is the version the editor started from. The update only lands
    when the row still has it (UPDATE ... WHERE id = ? AND version = ?); otherwise the
    refused text is kept as a conflict revision and the result carries both texts.
    """
    action = "annotation.edit"
    row, thread = _visible_row(session, user, annotation_id)
    if row is None or thread is None:
        return _not_found(session, user, action, annotation_id)
    if not can_write(user) or row.author_id != user.id:
        return _denied(session, user, action, annotation_id, "Only the author can edit a note.")
    text = clean_body(body)
    problem = body_problem(text)
    if problem:
        return WriteResult("invalid", problem)
    # Lock the row (PostgreSQL; SQLite already holds the write lock) and read the text the
    # edit replaces, so the history records exactly what was overwritten.
    locked = session.execute(
        select(Annotation.body, Annotation.version)
        .where(Annotation.id == annotation_id)
        .with_for_update()
    ).first()
    if locked is None or locked.version != expected_version:
        return _conflict(session, user, annotation_id, text, expected_version)
    previous_body = locked.body
    values: dict[str, Any] = {
        "body": text,
        "version": expected_version + 1,
        "updated_at": utcnow(),
    }
    if tags is not None and row.parent_id is None:
        values["tags"] = ",".join(normalise_tags(tags))
    result = session.execute(
        update(Annotation)
        .where(
            Annotation.id == annotation_id,
            Annotation.version == expected_version,
            Annotation.deleted_at.is_(None),
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return _conflict(session, user, annotation_id, text, expected_version)
    # History: the text as it was before this edit, under the version it had.
    session.add(
        AnnotationRevision(
            annotation_id=annotation_id,
            version=expected_version,
            body=previous_body,
            edited_by=user.id,
            conflict=False,
        )
    )
    session.flush()
    _audit(session, user, action, annotation_id, {"version": expected_version + 1})
    session.expire_all()
    return WriteResult("saved", "Your changes are saved.", _reload(session, user, annotation_id))


def _conflict(
    session: Session, user: UserRecord, annotation_id: int, text: str, expected_version: int
) -> WriteResult:
    session.expire_all()
    current = session.get(Annotation, annotation_id)
    if current is None or current.deleted_at is not None:
        return WriteResult("not_found", "This note has been deleted in the meantime.")
    session.add(
        AnnotationRevision(
            annotation_id=annotation_id,
            version=expected_version,
            body=text,
            edited_by=user.id,
            conflict=True,
        )
    )
    _audit(
        session,
        user,
        "annotation.edit",
        annotation_id,
        {"expected_version": expected_version, "current_version": current.version},
        outcome="conflict",
    )
    conflict = EditConflict(
        annotation_id=annotation_id,
        your_text=text,
        your_version=expected_version,
        current_text=current.body,
        current_version=current.version,
    )
    return WriteResult(
        "conflict",
        "Someone else saved this note while you were editing it, so your save was not "
        "applied. Both texts are shown below and yours has been kept in the note's history: "
        "copy what you need and save again.",
        _reload(session, user, annotation_id),
        conflict,
    )


def set_status(session: Session, user: UserRecord, annotation_id: int, status: str) -> WriteResult:
    """Resolve or reopen a thread: its author, or a practitioner or above of its organisation."""
    action = "annotation.resolve" if status == "resolved" else "annotation.reopen"
    row, thread = _visible_row(session, user, annotation_id)
    if row is None or thread is None:
        return _not_found(session, user, action, annotation_id)
    problem = _choice_problem(status, STATUSES, "status")
    if problem:
        return WriteResult("invalid", problem)
    if row.parent_id is not None:
        return WriteResult("invalid", "Replies are resolved with their thread.")
    same_org = can_write(user) and user.organisation_id == row.organisation_id
    if not (same_org or (can_write(user) and row.author_id == user.id)):
        return _denied(
            session,
            user,
            action,
            annotation_id,
            "Only the author's organisation can resolve or reopen this note.",
        )
    session.execute(
        update(Annotation)
        .where(Annotation.id == annotation_id)
        .values(status=status, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    _audit(session, user, action, annotation_id, {"status": status})
    session.expire_all()
    word = "resolved" if status == "resolved" else "reopened"
    return WriteResult("saved", f"The note is {word}.", _reload(session, user, annotation_id))


def delete_annotation(session: Session, user: UserRecord, annotation_id: int) -> WriteResult:
    """Soft delete: the author, or a moderator of the note's organisation. The row stays
    (with its history and audit trail) but nobody sees it any more."""
    action = "annotation.delete"
    row, thread = _visible_row(session, user, annotation_id)
    if row is None or thread is None:
        return _not_found(session, user, action, annotation_id)
    is_author = can_write(user) and row.author_id == user.id
    moderator = can_moderate(user, row.organisation_id)
    if not (is_author or moderator):
        return _denied(session, user, action, annotation_id, "You cannot delete this note.")
    session.execute(
        update(Annotation)
        .where(Annotation.id == annotation_id)
        .values(deleted_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    _audit(session, user, action, annotation_id, {"by": "author" if is_author else "moderator"})
    return WriteResult("saved", "The note is deleted.")


def restore_annotation(session: Session, user: UserRecord, annotation_id: int) -> WriteResult:
    """Moderators bring back a deleted note of their organisation: the notes
    :func:`moderation_queue` lists (another member's private note stays with its author)."""
    action = "annotation.moderate"
    row = session.get(Annotation, annotation_id)
    if (
        row is None
        or not can_moderate(user, row.organisation_id)
        or (row.visibility == "private" and row.author_id != user.id)
    ):
        return _denied(session, user, action, annotation_id, "You cannot restore this note.")
    if row.deleted_at is None:
        return WriteResult("invalid", "This note is not hidden: there is nothing to restore.")
    row.deleted_at = None
    session.flush()
    _audit(session, user, action, annotation_id, {"restored": True})
    return WriteResult("saved", "The note is restored.", _reload(session, user, annotation_id))


def moderation_queue(session: Session, user: UserRecord) -> list[AnnotationRecord]:
    """Deleted notes of the moderator's organisation (not private ones), newest first."""
    if not can_moderate(user, user.organisation_id):
        return []
    query = (
        _record_query()
        .where(
            Annotation.organisation_id == user.organisation_id,
            Annotation.deleted_at.is_not(None),
            Annotation.visibility != "private",
        )
        .order_by(Annotation.deleted_at.desc())
    )
    return [_to_record(row) for row in session.execute(query).all()]


def revisions(session: Session, user: UserRecord, annotation_id: int) -> list[dict[str, Any]]:
    """Earlier texts of a note the user may see: version, body, edited_at, conflict."""
    row, thread = _visible_row(session, user, annotation_id)
    if row is None or thread is None:
        return []
    query = (
        select(AnnotationRevision)
        .where(AnnotationRevision.annotation_id == annotation_id)
        .order_by(AnnotationRevision.id)
    )
    if row.author_id != user.id:
        # Refused saves are the editor's own draft: only the author sees them.
        query = query.where(AnnotationRevision.conflict.is_(False))
    return [
        {
            "version": rev.version,
            "body": rev.body,
            "edited_at": _iso(_aware(rev.edited_at)),
            "conflict": rev.conflict,
        }
        for rev in session.scalars(query)
    ]


# --- helpers ---------------------------------------------------------------------------------


def _visible_row(
    session: Session, user: UserRecord | None, annotation_id: int
) -> tuple[Annotation | None, AnnotationRecord | None]:
    row = session.get(Annotation, annotation_id)
    if row is None or row.deleted_at is not None:
        return None, None
    thread = get_thread(session, user, annotation_id)
    return (row, thread) if thread is not None else (None, None)


def _reload(session: Session, user: UserRecord, annotation_id: int) -> AnnotationRecord | None:
    session.flush()
    found = session.execute(_record_query().where(Annotation.id == annotation_id)).first()
    if found is None:
        return None
    record = _to_record(found)
    if record.parent_id is None:
        thread = get_thread(session, user, annotation_id)
        return thread or record
    return record


def _denied(
    session: Session, user: UserRecord | None, action: str, object_id: Any, message: str
) -> WriteResult:
    write_audit(
        session,
        f"denied:{action}",
        user=user,
        object_type="annotation",
        object_id=object_id,
        outcome="denied",
    )
    return WriteResult("denied", message)


def _not_found(
    session: Session, user: UserRecord | None, action: str, object_id: Any
) -> WriteResult:
    # Another organisation's private note and a missing note look the same from outside.
    _denied(session, user, action, object_id, "")
    return WriteResult("not_found", "That note does not exist or you cannot see it.")


def _audit(
    session: Session,
    user: UserRecord,
    action: str,
    object_id: int,
    detail: dict[str, Any],
    outcome: str = "success",
) -> None:
    # No note text in the audit log: only what was done.
    write_audit(
        session,
        action,
        user=user,
        object_type="annotation",
        object_id=object_id,
        outcome=outcome,
        detail=detail,
    )


def _choice_problem(value: str, choices: dict[str, str], name: str) -> str | None:
    if value in choices:
        return None
    return f"Choose a {name}: one of {', '.join(choices.values())}."


def _period_problem(start: date | None, end: date | None) -> str | None:
    if start is None and end is not None:
        return "Choose the first period of the range."
    if start is not None and end is not None and end < start:
        return "The range ends before it starts: choose a later end period."
    return None


def _load_view_state(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive UTC; make every time timezone-aware."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _iso(value: date | datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _day_start(day: date, plus_days: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=plus_days)


def explore_href(record: AnnotationRecord | dict[str, Any]) -> str:
    """Link to the Explore page in the view the note was written on.

    Uses the Explore page's query format (pages/explore.py ``view_query``): indicator, area,
    compare (comma-separated codes, or "none"), breakdown, from and to (ISO dates), plus
    ``note`` with the note's id.
    """
    from urllib.parse import urlencode

    data = record.as_dict(with_replies=False) if isinstance(record, AnnotationRecord) else record
    state = data.get("view_state") or {}
    comparators = [str(c) for c in state.get("comparators") or []]
    params = {
        "indicator": data["indicator"],
        "area": data["area_code"],
        "compare": ",".join(comparators) if comparators else "none",
        "breakdown": state.get("breakdown") or data.get("breakdown") or "total",
        "from": state.get("period_from") or "",
        "to": state.get("period_to") or "",
        "note": str(data["id"]),
    }
    return "/explore?" + urlencode({k: v for k, v in params.items() if v})
