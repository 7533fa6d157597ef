"""Learning Network sessions: an agenda of steps shown on one shared screen, and the
contributions people make while it is shown.

Rules, checked here as well as by the guard on every callback:

- Reading a session: users of the organisation that owns it, and users of every
  organisation in the Learning Network while the owner is in it too (the same reach as a
  ``learning_network`` note).
- Building a session (create, edit, add, move or remove steps): a facilitator, that is an
  analyst or admin (``session.facilitate``), of the owning organisation.
- Contributions are annotations (``data_access.annotations.create_annotation``), so they
  follow the annotation rules: a practitioner or above writes them, their visibility is
  ``learning_network``, and every read goes through the annotation visibility filter.

Where a contribution goes. A question step gives a note of kind ``question``; every other
step gives an ``interpretation``. An indicator step's note sits on that step's chart
(indicator, area, breakdown, at the latest period shown). Quotes, question and text steps
have no chart of their own: their notes go on the chart of the nearest indicator step
before them, or failing that the session's first indicator step. An annotation must sit
on an indicator (the column is required), so a session without any indicator step cannot
take contributions; the builder says so. Every contribution carries ``ln_session_id``, the
tags ``learning-network`` and ``ln-session-<id>``, and in its view state the step it was
typed against and who said it (``ln_attribution``: a participant's code, or None for
anonymous).

Quotes in a session are read through ``data_access.voice.visible_voice_items`` with the
consent scopes that allow the Learning Network (``learning_network`` and
``publication``): an ``own_organisation`` item never reaches a session or its exports.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any, NoReturn
from urllib.parse import parse_qs, urlsplit

import pandas as pd
from sqlalchemy import Select, delete, func, or_, select, true
from sqlalchemy.orm import Session

from analysis.periods import period_text
from data_access.annotations import (
    AnnotationFilters,
    AnnotationRecord,
    NewAnnotation,
    WriteResult,
    clean_body,
    create_annotation,
    get_thread,
    list_annotations,
)
from data_access.models import (
    Annotation,
    Area,
    Indicator,
    LnContributionKey,
    LnLive,
    LnParticipant,
    LnSession,
    LnStep,
    Observation,
    Organisation,
    User,
)
from data_access.users import UserRecord, write_audit
from rules.consent import LEARNING_NETWORK_SCOPES
from rules.roles import ANALYST, is_at_least

STEP_KINDS: dict[str, str] = {
    "indicator": "Indicator view",
    "quotes": "Quotes",
    "question": "Question for discussion",
    "text": "Short text",
}
LN_CONSENT_SCOPES = LEARNING_NETWORK_SCOPES
NETWORK_TAG = "learning-network"
MAX_TITLE_CHARS = 300
MAX_TEXT_CHARS = 2_000
MAX_STEPS = 40
MAX_QUOTES_PER_STEP = 6
MAX_PARTICIPANTS = 40
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CODE = re.compile(r"^[A-Za-z0-9_]{1,16}$")
EXPLORE_KEYS = ("indicator", "area", "compare", "breakdown", "from", "to")


class SessionError(ValueError):
    """A session or step could not be saved; the message says why in plain English."""


class SessionNotAllowed(PermissionError):
    """The user may not change (or see) this session.

    Raised after a denial audit row is added to the same database session: catch it
    inside the ``with database.write()`` block so that the audit row commits.
    """


# --- records ---------------------------------------------


@dataclass(frozen=True)
class StepRecord:
    """One step of an agenda. ``config`` by kind: indicator ``{"indicator", "area",
    "compare": [...], "breakdown", "from", "to"}``; quotes ``{"voice_ids": [...]}``;
    question and text ``{"text"}``."""

    id: int
    session_id: int
    position: int
    kind: str
    title: str
    config: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "session_id": self.session_id,
            "position": self.position,
            "kind": self.kind,
            "title": self.title,
            "config": self.config,
        }


@dataclass(frozen=True)
class SessionRecord:
    """A session with its agenda (steps in order, positions 1..n)."""

    id: int
    title: str
    held_on: date | None
    facilitator_id: int
    facilitator_name: str
    organisation_id: int
    organisation_code: str
    organisation_name: str
    participants: tuple[str, ...]
    anonymised: bool
    created_at: datetime
    steps: tuple[StepRecord, ...] = field(default_factory=tuple)

    @property
    def tag(self) -> str:
        return session_tag(self.id)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "held_on": self.held_on.isoformat() if self.held_on else None,
            "facilitator_id": self.facilitator_id,
            "facilitator_name": self.facilitator_name,
            "organisation_id": self.organisation_id,
            "organisation_code": self.organisation_code,
            "organisation_name": self.organisation_name,
            "participants": list(self.participants),
            "anonymised": self.anonymised,
            "created_at": self.created_at.isoformat(),
            "steps": [s.as_dict() for s in self.steps],
        }


def session_tag(session_id: int) -> str:
    """The tag every contribution of a session carries, e.g. ``ln-session-7``."""
    return f"ln-session-{int(session_id)}"


# --- permissions ---------------------------------------------


def can_facilitate(user: UserRecord | None) -> bool:
    """Analysts and admins build and run sessions (``session.facilitate``)."""
    return bool(user and user.active and is_at_least(user.role, ANALYST))


def _readable_clause(user: UserRecord | None) -> Any:
    if user is None or not user.active:
        return LnSession.id.is_(None)  # matches nothing: ids are never NULL
    rules = [LnSession.organisation_id == user.organisation_id]
    if user.in_learning_network:
        network = select(Organisation.id).where(Organisation.in_learning_network.is_(true()))
        rules.append(LnSession.organisation_id.in_(network))
    return or_(*rules)


def refuse(
    session: Session,
    user: UserRecord | None,
    action: str,
    object_id: Any,
    *,
    object_type: str = "ln_session",
    error: type[PermissionError] = SessionNotAllowed,
) -> NoReturn:
    """Refuse a Learning Network read or write: audit ``denied:<action>`` on the object,
    then raise ``error``. Sessions, live sessions, polls and actions all refuse this way."""
    write_audit(
        session,
        f"denied:{action}",
        user=user,
        object_type=object_type,
        object_id=object_id,
        outcome="denied",
    )
    raise error(f"{action}: not allowed")


def _deny(session: Session, user: UserRecord | None, action: str, object_id: Any) -> None:
    refuse(session, user, action, object_id)


def _editable(session: Session, user: UserRecord | None, session_id: int, action: str) -> LnSession:
    row = session.get(LnSession, session_id)
    if row is None or user is None or not can_facilitate(user):
        _deny(session, user, action, session_id)
    assert row is not None and user is not None
    if row.organisation_id != user.organisation_id:
        _deny(session, user, action, session_id)
    return row


# --- text rules ---------------------------------------------


def clean_text(text: object, limit: int, what: str, *, required: bool = True) -> str:
    """Normalised plain text (control characters dropped), or SessionError saying why not."""
    value = _CONTROL.sub("", str(text or "").replace("\r\n", "\n").replace("\r", "\n")).strip()
    if required and not value:
        raise SessionError(f"Write a {what}: it is empty.")
    if len(value) > limit:
        raise SessionError(
            f"The {what} is {len(value):,} characters long and the limit is {limit:,}."
        )
    return value


def _as_date(value: date | str | None) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError as exc:
        raise SessionError("Give the date as YYYY-MM-DD, for example 2026-03-12.") from exc


def clean_participants(session: Session, codes: Sequence[str] | None) -> list[str]:
    """Known organisation or local-authority codes, unique, in the order given."""
    out: list[str] = []
    for code in codes or []:
        code = str(code).strip()
        if not code or code in out:
            continue
        if not _CODE.match(code):
            raise SessionError(f"{code[:20]!r} is not an organisation code.")
        known = session.scalar(select(Organisation.id).where(Organisation.code == code))
        if known is None:
            known = session.scalar(select(Area.code).where(Area.code == code))
        if known is None:
            raise SessionError(f"No organisation or authority has the code {code}.")
        out.append(code)
    if len(out) > MAX_PARTICIPANTS:
        raise SessionError(f"A session can have at most {MAX_PARTICIPANTS} participants.")
    return out


# --- reads ---------------------------------------------


def _steps(session: Session, session_id: int) -> tuple[StepRecord, ...]:
    rows = session.scalars(
        select(LnStep).where(LnStep.session_id == session_id).order_by(LnStep.position, LnStep.id)
    )
    return tuple(
        StepRecord(
            id=row.id,
            session_id=row.session_id,
            position=row.position,
            kind=row.kind,
            title=row.title or "",
            config=_load_json(row.config, {}),
        )
        for row in rows
    )


def _to_record(
    session: Session, row: LnSession, facilitator: str, org: Organisation
) -> SessionRecord:
    created = row.created_at
    if created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    return SessionRecord(
        id=row.id,
        title=row.title,
        held_on=row.held_on,
        facilitator_id=row.facilitator_id,
        facilitator_name=facilitator,
        organisation_id=row.organisation_id,
        organisation_code=org.code,
        organisation_name=org.name,
        participants=tuple(_load_json(row.participants, [])),
        anonymised=bool(row.anonymised),
        created_at=created,
        steps=_steps(session, row.id),
    )


def _session_query() -> Select[tuple[LnSession, str, Organisation]]:
    return (
        select(LnSession, User.display_name, Organisation)
        .join(User, User.id == LnSession.facilitator_id)
        .join(Organisation, Organisation.id == LnSession.organisation_id)
    )


def list_sessions(session: Session, user: UserRecord | None) -> list[SessionRecord]:
    """Sessions the user may see, newest date first (undated last)."""
    query = (
        _session_query()
        .where(_readable_clause(user))
        .order_by(LnSession.held_on.desc().nulls_last(), LnSession.id.desc())
    )
    return [_to_record(session, *row) for row in session.execute(query).all()]


def get_session(session: Session, user: UserRecord | None, session_id: int) -> SessionRecord | None:
    """One session with its steps if the user may see it, else None."""
    try:
        session_id = int(session_id)
    except (TypeError, ValueError):
        return None
    query = _session_query().where(LnSession.id == session_id, _readable_clause(user))
    row = session.execute(query).first()
    return None if row is None else _to_record(session, *row)


def participant_names(session: Session, codes: Sequence[str]) -> dict[str, str]:
    """Display names of participant codes (organisation name, else area name, else code)."""
    names: dict[str, str] = {}
    for code in codes:
        name = session.scalar(select(Organisation.name).where(Organisation.code == code))
        if name is None:
            name = session.scalar(select(Area.name).where(Area.code == code))
        names[code] = name or code
    return names


def participant_options(session: Session) -> list[dict[str, str]]:
    """Choices for "organisations taking part": the Learning Network's authorities and the
    organisations in the network, by name. ``[{"label", "value"}]``."""
    from data_access.catalogue import group_members

    codes = list(group_members(session, "LN"))
    codes += list(
        session.scalars(
            select(Organisation.code).where(Organisation.in_learning_network.is_(true()))
        )
    )
    names = participant_names(session, list(dict.fromkeys(codes)))
    return sorted(
        ({"label": name, "value": code} for code, name in names.items()),
        key=lambda o: o["label"],
    )


# --- writes: sessions ---------------------------------------------


def create_session(
    session: Session,
    user: UserRecord,
    title: str,
    held_on: date | str | None = None,
    participants: Sequence[str] | None = None,
    anonymised: bool = False,
) -> SessionRecord:
    """A new, empty session owned by the facilitator's organisation."""
    if not can_facilitate(user):
        _deny(session, user, "session.create", None)
    row = LnSession(
        title=clean_text(title, MAX_TITLE_CHARS, "title"),
        held_on=_as_date(held_on),
        facilitator_id=user.id,
        organisation_id=user.organisation_id,
        participants=json.dumps(clean_participants(session, participants)),
        anonymised=bool(anonymised),
    )
    session.add(row)
    session.flush()
    _audit(session, user, "session.create", row.id)
    found = get_session(session, user, row.id)
    assert found is not None
    return found


def update_session(
    session: Session,
    user: UserRecord,
    session_id: int,
    *,
    title: str,
    held_on: date | str | None,
    participants: Sequence[str] | None,
    anonymised: bool,
) -> SessionRecord:
    """Change a session's title, date, participants and default anonymisation."""
    row = _editable(session, user, session_id, "session.edit")
    row.title = clean_text(title, MAX_TITLE_CHARS, "title")
    row.held_on = _as_date(held_on)
    row.participants = json.dumps(clean_participants(session, participants))
    row.anonymised = bool(anonymised)
    session.flush()
    _audit(session, user, "session.edit", row.id)
    found = get_session(session, user, row.id)
    assert found is not None
    return found


def delete_session(session: Session, user: UserRecord, session_id: int) -> None:
    """Remove a session and its steps; its contributions stay as notes (unlinked)."""
    row = _editable(session, user, session_id, "session.delete")
    session.execute(
        Annotation.__table__.update()
        .where(Annotation.ln_session_id == row.id)
        .values(ln_session_id=None)
    )
    for table in (LnContributionKey, LnParticipant, LnLive, LnStep):
        session.execute(delete(table).where(table.session_id == row.id))
    session.delete(row)
    session.flush()
    _audit(session, user, "session.delete", session_id)


# --- writes: steps ---------------------------------------------


def parse_explore_url(url: str | None) -> dict[str, Any] | None:
    """An Explore view from a pasted URL or query string, or None if it holds no indicator.

    Accepts ``http://host/explore?indicator=gld&area=...``, ``/explore?...`` or ``?...``.
    Returns ``{"indicator", "area", "compare": [...], "breakdown", "from", "to"}``.
    """
    text = (url or "").strip()
    if not text:
        return None
    query = urlsplit(text).query if ("?" in text or "://" in text) else text
    params = parse_qs(query.lstrip("?"))

    def first(name: str) -> str | None:
        values = params.get(name) or []
        return values[0].strip() if values and values[0].strip() else None

    indicator = first("indicator")
    if not indicator:
        return None
    compare_text = first("compare")
    compare = [] if compare_text in (None, "none") else compare_text.split(",")
    if compare_text is None:
        compare = ["england", "region", "neighbours"]
    return {
        "indicator": indicator,
        "area": first("area"),
        "compare": [c.strip() for c in compare if c.strip()][:12],
        "breakdown": first("breakdown") or "total",
        "from": first("from"),
        "to": first("to"),
    }


def _check_indicator_config(session: Session, config: dict[str, Any]) -> dict[str, Any]:
    indicator = str(config.get("indicator") or "")
    if session.get(Indicator, indicator) is None:
        raise SessionError("Paste the address of an Explore view: its indicator is not known.")
    area = str(config.get("area") or "")
    if session.get(Area, area) is None:
        raise SessionError("The Explore view has no known area: choose one on Explore first.")
    compare = [str(c) for c in config.get("compare") or [] if _CODE.match(str(c))]
    for period in ("from", "to"):
        if config.get(period):
            _as_date(config[period])
    return {
        "indicator": indicator,
        "area": area,
        "compare": compare,
        "breakdown": str(config.get("breakdown") or "total")[:32],
        "from": config.get("from") or None,
        "to": config.get("to") or None,
    }


def _check_quotes_config(
    session: Session, user: UserRecord, config: dict[str, Any]
) -> dict[str, Any]:
    ids = []
    for value in config.get("voice_ids") or []:
        try:
            ids.append(int(value))
        except (TypeError, ValueError) as exc:
            raise SessionError("Choose quotes from the Voice library.") from exc
    ids = list(dict.fromkeys(ids))
    if not ids:
        raise SessionError("Choose at least one quote from the Voice library.")
    if len(ids) > MAX_QUOTES_PER_STEP:
        raise SessionError(f"A step shows at most {MAX_QUOTES_PER_STEP} quotes: choose fewer.")
    allowed = set(int(i) for i in session_quotes(session, user, ids, audit=False)["id"])
    refused = [i for i in ids if i not in allowed]
    if refused:
        raise SessionError(
            "Only quotes whose consent allows the Learning Network can be shown in a "
            f"session: {len(refused)} of the chosen quotes cannot."
        )
    return {"voice_ids": ids}


def clean_step(
    session: Session, user: UserRecord, kind: str, title: str, config: dict[str, Any]
) -> tuple[str, str, dict[str, Any]]:
    """Validate a step; returns (kind, title, config) or raises SessionError."""
    if kind not in STEP_KINDS:
        raise SessionError("Choose a kind of step: indicator view, quotes, question or text.")
    title = clean_text(title, MAX_TITLE_CHARS, "step title", required=kind != "indicator")
    if kind == "indicator":
        config = _check_indicator_config(session, config)
        if not title:
            title = session.scalar(
                select(Indicator.title).where(Indicator.id == config["indicator"])
            )
            title = title or config["indicator"]
    elif kind == "quotes":
        config = _check_quotes_config(session, user, config)
    else:
        label = "question" if kind == "question" else "text"
        config = {"text": clean_text(config.get("text"), MAX_TEXT_CHARS, label)}
    return kind, title, config


def add_step(
    session: Session,
    user: UserRecord,
    session_id: int,
    kind: str,
    title: str,
    config: dict[str, Any],
) -> StepRecord:
    """Append a step to the agenda."""
    row = _editable(session, user, session_id, "session.edit")
    kind, title, config = clean_step(session, user, kind, title, config)
    count = session.scalar(select(func.count()).where(LnStep.session_id == row.id)) or 0
    if count >= MAX_STEPS:
        raise SessionError(f"A session can have at most {MAX_STEPS} steps.")
    step = LnStep(
        session_id=row.id,
        position=count + 1,
        kind=kind,
        title=title,
        config=json.dumps(config, sort_keys=True),
    )
    session.add(step)
    session.flush()
    _audit(session, user, "session.step_add", row.id, {"step": step.id, "kind": kind})
    return next(s for s in _steps(session, row.id) if s.id == step.id)


def update_step(
    session: Session,
    user: UserRecord,
    step_id: int,
    title: str,
    config: dict[str, Any],
) -> StepRecord:
    """Change a step's title and content (its kind stays)."""
    step = session.get(LnStep, int(step_id))
    if step is None:
        raise SessionError("That step no longer exists.")
    _editable(session, user, step.session_id, "session.edit")
    kind, title, config = clean_step(session, user, step.kind, title, config)
    step.title = title
    step.config = json.dumps(config, sort_keys=True)
    session.flush()
    _audit(session, user, "session.step_edit", step.session_id, {"step": step.id})
    return next(s for s in _steps(session, step.session_id) if s.id == step.id)


def _renumber(session: Session, ordered: list[LnStep]) -> None:
    for position, step in enumerate(ordered, start=1):
        step.position = position
    session.flush()


def move_step(session: Session, user: UserRecord, step_id: int, offset: int) -> None:
    """Move a step up (offset -1) or down (+1) the agenda; at either end nothing moves."""
    step = session.get(LnStep, int(step_id))
    if step is None:
        raise SessionError("That step no longer exists.")
    _editable(session, user, step.session_id, "session.edit")
    ordered = list(
        session.scalars(
            select(LnStep)
            .where(LnStep.session_id == step.session_id)
            .order_by(LnStep.position, LnStep.id)
        )
    )
    index = next(i for i, s in enumerate(ordered) if s.id == step.id)
    target = index + (1 if offset > 0 else -1)
    if 0 <= target < len(ordered):
        ordered[index], ordered[target] = ordered[target], ordered[index]
    _renumber(session, ordered)
    _audit(session, user, "session.step_move", step.session_id, {"step": step.id})


def remove_step(session: Session, user: UserRecord, step_id: int) -> None:
    """Take a step out of the agenda (contributions typed against it stay as notes)."""
    step = session.get(LnStep, int(step_id))
    if step is None:
        raise SessionError("That step no longer exists.")
    session_id = step.session_id
    _editable(session, user, session_id, "session.edit")
    session.delete(step)
    session.flush()
    ordered = list(
        session.scalars(
            select(LnStep).where(LnStep.session_id == session_id).order_by(LnStep.position)
        )
    )
    _renumber(session, ordered)
    _audit(session, user, "session.step_remove", session_id, {"step": int(step_id)})


# --- quotes ---------------------------------------------


def session_quotes(
    session: Session,
    user: UserRecord | None,
    ids: Sequence[int] | None = None,
    *,
    purpose: str = "ln_session",
    audit: bool = True,
    **filters: Any,
) -> pd.DataFrame:
    """Voice items a session may show: visible to ``user`` AND consented for the Learning
    Network (``LN_CONSENT_SCOPES``). ``ids`` keeps only those items, in that order.

    Returns ``data_access.voice.VOICE_COLUMNS``.
    """
    from data_access.voice import visible_voice_items

    frame = visible_voice_items(
        session,
        user,
        ids=list(ids) if ids is not None else None,
        consent_scopes=list(LN_CONSENT_SCOPES),
        purpose=purpose,
        audit=audit,
        **filters,
    )
    # Belt and braces: the scope filter is the rule, so check it again on the rows.
    frame = frame[frame["consent_scope"].isin(LN_CONSENT_SCOPES)]
    if ids is not None and not frame.empty:
        order = {int(i): n for n, i in enumerate(ids)}
        frame = frame.assign(_o=frame["id"].map(lambda i: order.get(int(i), 0)))
        frame = frame.sort_values("_o").drop(columns="_o")
    return frame.reset_index(drop=True)


# --- contributions ---------------------------------------------


def chart_step_for(record: SessionRecord, step: StepRecord) -> StepRecord | None:
    """The indicator step whose chart a contribution on ``step`` is written on."""
    if step.kind == "indicator":
        return step
    before = [s for s in record.steps if s.kind == "indicator" and s.position < step.position]
    if before:
        return before[-1]
    return next((s for s in record.steps if s.kind == "indicator"), None)


def contribution_kind(step: StepRecord) -> str:
    """``question`` for a question step, ``interpretation`` for every other step."""
    return "question" if step.kind == "question" else "interpretation"


def _latest_period(session: Session, config: dict[str, Any]) -> tuple[date | None, str | None]:
    """Start and label of the latest period drawn for the view (ending by its ``to``)."""
    query = select(Observation.period_start, Observation.period_label).where(
        Observation.indicator_id == config["indicator"],
        Observation.area_code == config["area"],
        Observation.breakdown == (config.get("breakdown") or "total"),
        Observation.value.is_not(None),
    )
    if config.get("to"):
        query = query.where(Observation.period_end <= _as_date(config["to"]))
    if config.get("from"):
        query = query.where(Observation.period_start >= _as_date(config["from"]))
    row = session.execute(query.order_by(Observation.period_start.desc()).limit(1)).first()
    return (row[0], period_text(row[1])) if row else (None, None)


def add_contribution(
    session: Session,
    user: UserRecord,
    session_id: int,
    step_id: int,
    body: str,
    said_by: str | None = None,
    mapping: dict[str, str] | None = None,
    kind: str | None = None,
) -> WriteResult:
    """Save what someone said against a step, as a Learning Network note on its chart.

    In an anonymised session ``mapping`` (the session's "Authority A, B" labels, from
    ``data_access.ln_anonymity``, which callers use) anonymises what is stored.

    ``said_by`` is a participant's code (or the owning organisation's), or None (or
    "anonymous") for an unattributed contribution. ``kind`` is the note's kind
    (interpretation, question or context_event); by default it follows the step. Returns
    the annotation module's WriteResult (saved, invalid, denied).
    """
    record = get_session(session, user, session_id)
    if record is None:
        return WriteResult("not_found", "That session does not exist or you cannot see it.")
    step = next((s for s in record.steps if s.id == int(step_id)), None)
    if step is None:
        return WriteResult("invalid", "That step is no longer in the session.")
    said_by = None if said_by in (None, "", "anonymous") else str(said_by)
    speakers = (*record.participants, record.organisation_code)
    if said_by is not None and said_by not in speakers:
        return WriteResult("invalid", "Choose one of the session's participants, or anonymous.")
    chart = chart_step_for(record, step)
    if chart is None:
        return WriteResult(
            "invalid",
            "This session has no indicator step, so there is no chart to write on: add one "
            "in the session builder first.",
        )
    config = chart.config
    breakdown = config.get("breakdown") or "total"
    start, label = _latest_period(session, config)
    view_state = {
        "comparators": config.get("compare") or [],
        "breakdown": breakdown,
        "breakdown_value": "total" if breakdown == "total" else None,
        "period_from": config.get("from"),
        "period_to": config.get("to"),
        "period_label": label,
        "scope": "point",
        "ln_session_id": record.id,
        "ln_step_id": step.id,
        "ln_step_position": step.position,
        "ln_step_title": step.title,
        "ln_attribution": said_by,
    }
    body = clean_body(body)
    if record.anonymised:  # stored anonymised: no later reader can undo it
        if mapping is None:
            return WriteResult(
                "invalid", "This session is anonymised: save the contribution from its page."
            )
        body, view_state = _anonymised(body, said_by, view_state, mapping)
    new = NewAnnotation(
        indicator=config["indicator"],
        area_code=config["area"],
        kind=kind or contribution_kind(step),
        body=body,
        visibility="learning_network",
        breakdown=breakdown,
        period_start=start,
        period_end=None,
        tags=(NETWORK_TAG, record.tag),
        view_state=view_state,
        ln_session_id=record.id,
    )
    result = create_annotation(session, user, new)
    if record.anonymised and result.outcome == "saved" and result.annotation is not None:
        _hold_by_session(session, user, result.annotation.id, record.id)
        result = replace(result, annotation=get_thread(session, user, result.annotation.id))
    return result


def _anonymised(
    body: str, said_by: str | None, view_state: dict[str, Any], mapping: dict[str, str]
) -> tuple[str, dict[str, Any]]:
    """Body and view state as stored for an anonymised session: authority names and codes
    become labels in the text and step title, who said it becomes the label, and the
    chart's comparators (which would name the others) are dropped."""
    from analysis.anonymise import anonymise_text

    state = dict(view_state)
    state["ln_attribution"] = mapping.get(said_by, "Authority") if said_by else None
    state["ln_step_title"] = anonymise_text(str(state.get("ln_step_title") or ""), mapping)
    state["comparators"] = []
    state["ln_anonymised"] = True
    return anonymise_text(body, mapping), state


def _hold_by_session(session: Session, user: UserRecord, note_id: int, session_id: int) -> None:
    """Make an anonymised session's contribution the facilitator's and the session's
    organisation's, so the note's author and organisation name no participant."""
    owner = session.get(LnSession, session_id)
    session.execute(
        Annotation.__table__.update()
        .where(Annotation.id == note_id)
        .values(author_id=owner.facilitator_id, organisation_id=owner.organisation_id)
    )


def session_contributions(
    session: Session, user: UserRecord | None, session_id: int
) -> list[AnnotationRecord]:
    """The session's contributions ``user`` may see (annotation visibility rules), in the
    order they were made. Notes merely tagged like a session are not included: the note
    must carry the session's id."""
    linked = set(
        session.scalars(select(Annotation.id).where(Annotation.ln_session_id == int(session_id)))
    )
    if not linked:
        return []
    notes = list_annotations(session, user, AnnotationFilters(tag=session_tag(session_id)))
    notes = [n for n in notes if n.id in linked]
    return sorted(notes, key=lambda n: (n.created_at, n.id))


def contribution_step_id(note: AnnotationRecord | dict[str, Any]) -> int | None:
    """The id of the step a contribution was typed against."""
    state = note.view_state if isinstance(note, AnnotationRecord) else note.get("view_state")
    value = (state or {}).get("ln_step_id")
    return int(value) if isinstance(value, int | str) and str(value).isdigit() else None


def contribution_attribution(note: AnnotationRecord | dict[str, Any]) -> str | None:
    """The participant code a contribution is attributed to, or None (anonymous)."""
    state = note.view_state if isinstance(note, AnnotationRecord) else note.get("view_state")
    value = (state or {}).get("ln_attribution")
    return str(value) if value else None


# --- helpers ---------------------------------------------


def _load_json(text: str | None, default: Any) -> Any:
    if not text:
        return default
    try:
        value = json.loads(text)
    except ValueError:
        return default
    return value if isinstance(value, type(default)) else default


def _audit(
    session: Session,
    user: UserRecord,
    action: str,
    session_id: int,
    detail: dict[str, Any] | None = None,
) -> None:
    # Ids and kinds only: no titles, questions or quote texts in the audit log.
    write_audit(
        session,
        action,
        user=user,
        object_type="ln_session",
        object_id=session_id,
        detail=detail or {},
    )


__all__ = [
    "refuse",
    "LN_CONSENT_SCOPES",
    "STEP_KINDS",
    "SessionError",
    "SessionNotAllowed",
    "SessionRecord",
    "StepRecord",
    "add_contribution",
    "add_step",
    "can_facilitate",
    "chart_step_for",
    "contribution_attribution",
    "contribution_kind",
    "contribution_step_id",
    "create_session",
    "delete_session",
    "get_session",
    "list_sessions",
    "move_step",
    "parse_explore_url",
    "participant_names",
    "participant_options",
    "remove_step",
    "session_contributions",
    "session_quotes",
    "session_tag",
    "update_session",
    "update_step",
]
