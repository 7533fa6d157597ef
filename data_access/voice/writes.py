"""Creating, editing, moderating and withdrawing voice items."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import delete, select, true
from sqlalchemy.orm import Session

from analysis.personal_details import Finding, find_personal_details, summarise_findings
from data_access.models import (
    Indicator,
    VoiceItem,
    VoiceItemIndicator,
    VoiceItemTheme,
    VoiceTheme,
    utcnow,
)
from data_access.users import UserRecord, write_audit
from data_access.voice.errors import NO_SUCH_ITEM, PersonalDetailsFound, VoiceError, VoiceNotAllowed
from data_access.voice.guards import _is_analyst, _require_owner, _require_role
from data_access.voice.scope import _empty_frame, visible_voice_items
from data_access.voice.vocabulary import (
    _ANALYST_ROLES,
    AGE_BANDS,
    CONSENT_SCOPES,
    METHODS,
    SERVICES,
    SPEAKER_ROLES,
)
from rules.roles import roles_for


@dataclass(frozen=True)
class VoiceInput:
    """What a practitioner enters (or a CSV row holds) for one voice item."""

    text: str
    speaker_role: str
    service: str
    method: str
    consent_scope: str
    collected_on: date | None = None
    consent_date: date | None = None
    review_date: date | None = None
    age_band: str | None = None
    sex: str | None = None
    ethnicity_group: str | None = None
    disability: str | None = None
    area_code: str | None = None
    themes: tuple[str, ...] = ()
    indicators: tuple[str, ...] = ()


def validate_voice_input(session: Session, data: VoiceInput) -> list[str]:
    """Problems with the fields (not personal details), as plain sentences; empty if fine."""
    problems = []
    if not data.text or not data.text.strip():
        problems.append("The quote text is empty.")
    elif len(data.text) > 2000:
        problems.append("The quote is longer than 2,000 characters.")
    checks = (
        ("speaker role", data.speaker_role, SPEAKER_ROLES),
        ("service", data.service, SERVICES),
        ("method", data.method, METHODS),
        ("consent scope", data.consent_scope, CONSENT_SCOPES),
    )
    for label, value, allowed_values in checks:
        if value not in allowed_values:
            problems.append(f"The {label} {value!r} is not one of: {', '.join(allowed_values)}.")
    if data.age_band and data.age_band not in AGE_BANDS:
        problems.append(f"The age band {data.age_band!r} is not one of: {', '.join(AGE_BANDS)}.")
    if data.consent_date is None:
        problems.append("The consent date is missing.")
    if data.collected_on and data.collected_on > date.today():
        problems.append("The date collected is in the future.")
    if data.review_date and data.consent_date and data.review_date < data.consent_date:
        problems.append("The review date is before the consent date.")
    known_themes = set(session.scalars(select(VoiceTheme.id)))
    unknown = [t for t in data.themes if t not in known_themes]
    if unknown:
        problems.append(f"Unknown themes: {', '.join(unknown)}.")
    known_indicators = set(session.scalars(select(Indicator.id)))
    unknown = [i for i in data.indicators if i not in known_indicators]
    if unknown:
        problems.append(f"Unknown indicators: {', '.join(unknown)}.")
    return problems


def check_text(text: str) -> list[Finding]:
    """Suspected personal details in a quote (the checker in analysis.personal_details)."""
    return find_personal_details(text or "")


def create_voice_item(
    session: Session,
    user: UserRecord,
    data: VoiceInput,
    *,
    false_alarm: bool = False,
    illustrative: bool = False,
    batch_id: int | None = None,
) -> VoiceItem:
    """Save a new pending item for the user's organisation.

    Refused (PersonalDetailsFound) when the checker finds personal details, unless
    ``false_alarm``: an analyst's mark clears it (de-identified); a practitioner's request
    saves it as not de-identified, and it cannot be approved until an analyst marks it.
    Raises VoiceError for invalid fields and PermissionDenied below practitioner.
    """
    _require_role(user, roles_for("voice.write"), "voice.write")
    problems = validate_voice_input(session, data)
    if problems:
        raise VoiceError(" ".join(problems))
    findings = check_text(data.text)
    if findings and not false_alarm:
        raise PersonalDetailsFound(findings)
    analyst_cleared = bool(findings) and _is_analyst(user)
    item = VoiceItem(
        text=data.text.strip(),
        speaker_role=data.speaker_role,
        age_band=data.age_band or None,
        sex=data.sex or None,
        ethnicity_group=data.ethnicity_group or None,
        disability=data.disability or None,
        area_code=data.area_code or user.organisation_code,
        organisation_id=user.organisation_id,
        service=data.service,
        method=data.method,
        collected_on=data.collected_on,
        consent_scope=data.consent_scope,
        consent_date=data.consent_date,
        review_date=data.review_date,
        deidentified=not findings or analyst_cleared,
        false_alarm_reviewed_by=user.id if analyst_cleared else None,
        moderation_status="pending",
        illustrative=illustrative,
        entered_by=user.id,
        batch_id=batch_id,
    )
    session.add(item)
    session.flush()
    _replace_links(session, item.id, data.themes, data.indicators)
    write_audit(
        session,
        "voice.create",
        user=user,
        object_type="voice_item",
        object_id=item.id,
        detail={
            "consent_scope": data.consent_scope,
            "findings": summarise_findings(findings) if findings else None,
            "batch_id": batch_id,
        },
    )
    return item


def _replace_links(
    session: Session, item_id: int, themes: Iterable[str], indicators: Iterable[str]
) -> None:
    session.execute(delete(VoiceItemTheme).where(VoiceItemTheme.voice_item_id == item_id))
    session.execute(delete(VoiceItemIndicator).where(VoiceItemIndicator.voice_item_id == item_id))
    for theme in dict.fromkeys(themes):
        session.add(VoiceItemTheme(voice_item_id=item_id, theme_id=theme))
    for indicator in dict.fromkeys(indicators):
        session.add(VoiceItemIndicator(voice_item_id=item_id, indicator_id=indicator))
    session.flush()


def _moderated_item(session: Session, user: UserRecord, item_id: int, action: str) -> VoiceItem:
    _require_role(user, _ANALYST_ROLES, action)
    item = session.get(VoiceItem, int(item_id))
    # The same answer for no such item and another organisation's: ids reveal nothing.
    if item is None:
        raise VoiceNotAllowed(NO_SUCH_ITEM)
    try:
        _require_owner(session, user, item, action)
    except VoiceNotAllowed:
        raise VoiceNotAllowed(NO_SUCH_ITEM) from None
    return item


def approve_voice_item(session: Session, user: UserRecord, item_id: int) -> VoiceItem:
    """An analyst of the owning organisation approves a pending item.

    Refused while suspected personal details have not been cleared (removed, or marked a
    false alarm by an analyst), and for withdrawn items.
    """
    item = _moderated_item(session, user, item_id, "voice.approve")
    if item.withdrawn:
        raise VoiceError("A withdrawn item cannot be approved.")
    if not item.deidentified:
        findings = check_text(item.text)
        raise VoiceError(
            "This item may contain personal details "
            f"({summarise_findings(findings)}): mark a false alarm or edit it first."
        )
    item.moderation_status = "approved"
    item.updated_at = utcnow()
    write_audit(session, "voice.approve", user=user, object_type="voice_item", object_id=item.id)
    return item


def mark_false_alarm(session: Session, user: UserRecord, item_id: int) -> VoiceItem:
    """An analyst confirms the checker's findings on this item are not personal details."""
    item = _moderated_item(session, user, item_id, "voice.false_alarm")
    if item.withdrawn:
        raise VoiceError("A withdrawn item cannot be changed.")
    item.deidentified = True
    item.false_alarm_reviewed_by = user.id
    item.updated_at = utcnow()
    write_audit(
        session,
        "voice.false_alarm",
        user=user,
        object_type="voice_item",
        object_id=item.id,
        detail={"findings": summarise_findings(check_text(item.text))},
    )
    return item


def edit_voice_item(
    session: Session, user: UserRecord, item_id: int, data: VoiceInput, *, false_alarm: bool = False
) -> VoiceItem:
    """An analyst of the owning organisation edits an item; the text is checked again.

    An edited text with new findings is refused unless ``false_alarm`` (the analyst's mark).
    """
    item = _moderated_item(session, user, item_id, "voice.approve")
    if item.withdrawn:
        raise VoiceError("A withdrawn item cannot be edited.")
    problems = validate_voice_input(session, data)
    if problems:
        raise VoiceError(" ".join(problems))
    findings = check_text(data.text)
    if findings and not false_alarm:
        raise PersonalDetailsFound(findings)
    changed = [
        name
        for name in (
            "text",
            "speaker_role",
            "age_band",
            "service",
            "method",
            "collected_on",
            "consent_scope",
            "consent_date",
            "review_date",
        )
        if getattr(item, name) != (getattr(data, name) or None)
    ]
    item.text = data.text.strip()
    for name in changed:
        if name != "text":
            setattr(item, name, getattr(data, name) or None)
    item.deidentified = True
    if findings:
        item.false_alarm_reviewed_by = user.id
    item.updated_at = utcnow()
    _replace_links(session, item.id, data.themes, data.indicators)
    write_audit(
        session,
        "voice.edit",
        user=user,
        object_type="voice_item",
        object_id=item.id,
        detail={"fields": changed},
    )
    return item


def withdraw_voice_item(
    session: Session, user: UserRecord, item_id: int, reason: str = "consent withdrawn"
) -> VoiceItem:
    """Withdraw an item everywhere at once, keeping a tombstone for audit.

    The text and the speaker's characteristics are blanked; the id, dates, role, service,
    area, who entered it and the audit trail stay. No read path returns withdrawn items.
    """
    item = _moderated_item(session, user, item_id, "voice.withdraw")
    if item.withdrawn:
        return item
    item.withdrawn = True
    item.withdrawn_at = utcnow()
    item.moderation_status = "withdrawn"
    item.text = ""
    item.sex = None
    item.ethnicity_group = None
    item.disability = None
    item.age_band = None
    item.updated_at = utcnow()
    write_audit(
        session,
        "voice.withdraw",
        user=user,
        object_type="voice_item",
        object_id=item.id,
        detail={"reason": reason[:200]},
    )
    return item


def moderation_queue(session: Session, user: UserRecord, status: str = "pending") -> pd.DataFrame:
    """The owning organisation's items awaiting moderation (or approved, for withdrawal).

    A view on :func:`visible_voice_items` with ``moderation=True``; adds ``findings`` (a
    list of Finding) and ``findings_summary`` for each item. Empty below analyst.
    """
    if user is None or not _is_analyst(user):
        return _empty_frame()
    frame = visible_voice_items(
        session,
        user,
        moderation=True,
        statuses=[status],
        area_codes=None,
        purpose="moderation",
    )
    frame = frame[frame["organisation_id"] == user.organisation_id].reset_index(drop=True)
    frame["findings"] = [check_text(t) for t in frame["text"]]
    frame["findings_summary"] = [summarise_findings(f) if f else "" for f in frame["findings"]]
    return frame


def tombstones(session: Session, user: UserRecord) -> pd.DataFrame:
    """Withdrawn items of the user's organisation: id, dates, who withdrew (no text)."""
    _require_role(user, _ANALYST_ROLES, "voice.approve")
    rows = session.execute(
        select(
            VoiceItem.id,
            VoiceItem.speaker_role,
            VoiceItem.service,
            VoiceItem.collected_on,
            VoiceItem.consent_date,
            VoiceItem.withdrawn_at,
            VoiceItem.entered_by,
        )
        .where(VoiceItem.withdrawn == true(), VoiceItem.organisation_id == user.organisation_id)
        .order_by(VoiceItem.withdrawn_at.desc())
    ).all()
    return pd.DataFrame(
        rows,
        columns=[
            "id",
            "speaker_role",
            "service",
            "collected_on",
            "consent_date",
            "withdrawn_at",
            "entered_by",
        ],
    )
