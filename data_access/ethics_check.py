"""The ethics check before anything leaves Chorus: what the reader should know, and a
named person's confirmation that they reviewed it.

Before a monthly pack, a Learning Network session record or the public "You said, we did"
page goes out, :func:`reader_notes` (or :func:`public_page_notes`) lists in plain
sentences: how small groups are protected, whose voices are included, which groups have
no voice in it, and which notes were written before the figures they discuss were revised.
:func:`record_ethics_check` keeps who confirmed, when and what they saw (in
``ethics_checks`` and the audit log); the export then prints it on its last page
(:func:`ethics_section`). A download is refused without a recent check for the same thing.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from analysis.disclosure import SUPPRESSED
from data_access.annotations import visible_note_clause
from data_access.models import (
    Annotation,
    EthicsCheck,
    Observation,
    ObservationHistory,
    utcnow,
)
from data_access.users import UserRecord, write_audit
from data_access.voice import (
    SERVICE_USER_ROLES,
    disclosure_threshold,
    visible_voice_items,
)
from rules.consent import LEARNING_NETWORK_SCOPES
from rules.roles import role_may

if TYPE_CHECKING:
    from data_access.public_info import Authority

KINDS = {
    "monthly_pack": "monthly pack",
    "session_export": "Learning Network session record",
    "public_page": "public 'You said, we did' page",
}
# A confirmation stands for this long: long enough to download, short enough that an
# old review does not cover a changed pack.
VALID_FOR = timedelta(minutes=30)
ROLE_WORDS = {
    "child": "children",
    "young_person": "young people",
    "parent_carer": "parents or carers",
    "practitioner": "practitioners",
    "community": "community members",
}
# Who may confirm: anyone who may download for the exports; an admin for the public page.
_ACTION_FOR = {"public_page": "settings.edit"}


@dataclass(frozen=True)
class CheckRecord:
    """A confirmation as the rest of the app sees it (outside the database session)."""

    id: int
    kind: str
    subject: str
    reviewer_name: str
    confirmed_at: datetime
    notes: tuple[str, ...]


def _record(check: EthicsCheck) -> CheckRecord:
    return CheckRecord(
        id=check.id,
        kind=check.kind,
        subject=check.subject,
        reviewer_name=check.reviewer_name,
        confirmed_at=check.confirmed_at,
        notes=tuple(json.loads(check.summary or "[]")),
    )


class EthicsCheckError(ValueError):
    """The check could not be recorded; the message says why in plain words."""


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _voice_sentences(role_counts: Counter, consent: str = "allows publication") -> list[str]:
    total = sum(role_counts.values())
    if not total:
        return ["Voices: no quotes are included."]
    parts = [f"{n} from {ROLE_WORDS.get(role, role)}" for role, n in role_counts.most_common() if n]
    noun = "quote" if total == 1 else "quotes"
    lines = [f"Voices: {total} {noun} whose consent {consent}, {_join(parts)}."]
    missing = [ROLE_WORDS[r] for r in SERVICE_USER_ROLES if not role_counts.get(r)]
    if missing:
        lines.append(f"Missing from the voices: no quotes from {_join(missing)}.")
    else:
        lines.append("Children or young people and parents or carers are all heard.")
    return lines


def reader_notes(
    session: Session,
    user: UserRecord,
    slices: Iterable[tuple[str, str]],
    voice_ids: Iterable[int] = (),
    *,
    network: bool = False,
) -> list[str]:
    """What a reader should know about an export of these (indicator, area) slices and
    these chosen quotes (a session's quote steps). ``network`` is for a Learning Network
    record, which carries network-consent quotes too; other exports carry only quotes
    whose consent allows publication."""
    # The quotes an export carries: the same consent rule the export itself applies.
    reading = (
        {"consent_scopes": list(LEARNING_NETWORK_SCOPES), "purpose": "actions"}
        if network
        else {"purpose": "export"}
    )
    consent = "allows the Learning Network or publication" if network else "allows publication"
    slices = sorted(set(slices))
    voice_ids = sorted({int(v) for v in voice_ids})
    threshold = disclosure_threshold()
    roles: Counter = Counter()
    seen: set[int] = set()
    if voice_ids:
        chosen = visible_voice_items(session, user, ids=voice_ids, audit=False, **reading)
        for quote in chosen.to_dict("records"):
            seen.add(int(quote["id"]))
            roles[quote["speaker_role"]] += 1
    if not slices:
        return ["There are no figures in this export.", *_voice_sentences(roles, consent)]
    slice_match = or_(
        *[
            and_(Observation.indicator_id == indicator, Observation.area_code == area)
            for indicator, area in slices
        ]
    )
    held_back = session.scalar(
        select(func.count(Observation.id)).where(
            slice_match,
            or_(
                Observation.status == SUPPRESSED,
                and_(Observation.numerator > 0, Observation.numerator < threshold),
            ),
        )
    )
    lines = [
        f"Small groups are protected: counts under {threshold} are not shown "
        f"({held_back or 0} figures for these areas are held back or published suppressed)."
    ]
    for indicator, area in slices:
        quotes = visible_voice_items(
            session, user, indicator=indicator, area_codes=[area], audit=False, **reading
        )
        for quote in quotes.to_dict("records"):
            if int(quote["id"]) not in seen:
                seen.add(int(quote["id"]))
                roles[quote["speaker_role"]] += 1
    lines += _voice_sentences(roles, consent)
    lines.append(_revised_sentence(session, user, slices))
    return lines


def _revised_sentence(session: Session, user: UserRecord, slices: list[tuple[str, str]]) -> str:
    note_match = or_(
        *[
            and_(Annotation.indicator_id == indicator, Annotation.area_code == area)
            for indicator, area in slices
        ]
    )
    readable = visible_note_clause(user)
    revised = session.scalar(
        select(func.count(func.distinct(Annotation.id)))
        .select_from(Annotation)
        .join(
            Observation,
            and_(
                Observation.indicator_id == Annotation.indicator_id,
                Observation.area_code == Annotation.area_code,
            ),
        )
        .join(ObservationHistory, ObservationHistory.observation_id == Observation.id)
        .where(
            note_match,
            readable,
            Annotation.deleted_at.is_(None),
            ObservationHistory.replaced_at > Annotation.created_at,
        )
    )
    if not revised:
        return "Revisions: no figure has been revised since the notes on it were written."
    noun = "note was" if revised == 1 else "notes were"
    return (
        f"Revisions: {revised} {noun} written before the figures they discuss were revised; "
        "read them with the new figures in mind."
    )


def public_page_notes(session: Session, authority: Authority) -> list[str]:
    """What the public "You said, we did" page will show, before an admin publishes it."""
    from data_access.public_info import public_actions

    actions = public_actions(session, authority)
    roles: Counter = Counter()
    for action in actions:
        for _text, who in action.quotes:
            roles[who] += 1
    total = sum(len(a.quotes) for a in actions)
    lines = [
        f"The page will show {len(actions)} actions and {total} quotes whose speakers "
        "agreed to publication, each with the speaker's role and year only.",
        "Small groups are protected: the page shows no figures, and no age, sex, ethnicity "
        "or disability beside a quote.",
        "Quotes kept for the organisation or the Learning Network, notes, private actions "
        "and staff names never appear on it.",
    ]
    if roles:
        said = [f"{n} from {who.split(',')[0].lower()}" for who, n in roles.most_common()]
        lines.append(f"Voices: {_join(said)}.")
    return lines


def record_ethics_check(
    session: Session,
    user: UserRecord | None,
    kind: str,
    subject: str,
    reviewer_name: str,
    notes: list[str],
) -> CheckRecord:
    """Keep a named person's confirmation (and audit it). Raises EthicsCheckError."""
    if kind not in KINDS:
        raise EthicsCheckError("That is not something Chorus exports.")
    if (
        user is None
        or not user.active
        or not role_may(user.role, _ACTION_FOR.get(kind, "data.export"))
    ):
        raise EthicsCheckError("Your role does not allow this.")
    name = " ".join((reviewer_name or "").split())
    if len(name) < 2:
        raise EthicsCheckError("Type your name to confirm you reviewed what readers should know.")
    if len(name) > 200:
        raise EthicsCheckError("Use at most 200 characters for your name.")
    check = EthicsCheck(
        organisation_id=user.organisation_id,
        user_id=user.id,
        kind=kind,
        subject=subject[:200],
        reviewer_name=name,
        summary=json.dumps(notes),
        confirmed_at=utcnow(),
    )
    session.add(check)
    session.flush()
    write_audit(
        session,
        "ethics.check",
        user=user,
        object_type=kind,
        object_id=subject[:64],
        detail={"check_id": check.id, "reviewer": name, "notes": notes},
    )
    return _record(check)


def recent_check(
    session: Session, user: UserRecord | None, kind: str, subject: str
) -> CheckRecord | None:
    """The user's latest confirmation for this export, if still fresh."""
    if user is None:
        return None
    check = session.scalar(
        select(EthicsCheck)
        .where(
            EthicsCheck.user_id == user.id,
            EthicsCheck.organisation_id == user.organisation_id,
            EthicsCheck.kind == kind,
            EthicsCheck.subject == subject[:200],
        )
        .order_by(EthicsCheck.id.desc())
        .limit(1)
    )
    if check is None:
        return None
    confirmed = check.confirmed_at
    if confirmed.tzinfo is None:  # SQLite gives naive UTC
        confirmed = confirmed.replace(tzinfo=utcnow().tzinfo)
    return _record(check) if utcnow() - confirmed <= VALID_FOR else None


def ethics_section(check: CheckRecord) -> dict:
    """The export's last section: what the reader should know and who reviewed it."""
    when = check.confirmed_at.strftime("%d %B %Y %H:%M UTC")
    return {
        "heading": "Ethics check",
        "kind": "text",
        "text": f"Reviewed by {check.reviewer_name} on {when}, before this left Chorus.",
        "lines": list(check.notes),
    }
