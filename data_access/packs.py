"""Monthly packs kept: save one as generated, list an organisation's, open one.

Every read checks the organisation on the server: a pack belongs to the organisation of
the person who made it, and only people of that organisation may list or open it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access.models import Pack
from data_access.users import UserRecord


class PackNotFound(LookupError):
    """No pack with that id that this person may open."""


@dataclass(frozen=True)
class PackSummary:
    """One kept pack as the history list shows it (no file content)."""

    id: int
    title: str
    created_at: datetime
    has_pdf: bool
    indicators: tuple[str, ...]


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive UTC; PostgreSQL an aware time.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def save_pack(
    session: Session,
    user: UserRecord,
    *,
    title: str,
    indicators: list[str],
    figures: dict[str, Any],
    html: str,
    pdf: bytes | None,
) -> int:
    """Keep a generated pack for the user's organisation; returns its id."""
    pack = Pack(
        organisation_id=user.organisation_id,
        created_by=user.id,
        created_at=datetime.now(UTC),
        title=title[:300],
        indicators=json.dumps(indicators),
        figures=json.dumps(figures),
        html=html,
        pdf=pdf,
    )
    session.add(pack)
    session.flush()
    return pack.id


def list_packs(session: Session, user: UserRecord | None, limit: int = 24) -> list[PackSummary]:
    """The user's organisation's packs, newest first."""
    if user is None or not user.active:
        return []
    rows = session.execute(
        select(Pack.id, Pack.title, Pack.created_at, Pack.pdf.is_not(None), Pack.indicators)
        .where(Pack.organisation_id == user.organisation_id)
        .order_by(Pack.created_at.desc(), Pack.id.desc())
        .limit(limit)
    ).all()
    return [
        PackSummary(
            id=row[0],
            title=row[1],
            created_at=_aware(row[2]),
            has_pdf=bool(row[3]),
            indicators=tuple(json.loads(row[4] or "[]")),
        )
        for row in rows
    ]


def open_pack(session: Session, user: UserRecord | None, pack_id: object) -> Pack:
    """The pack with this id, if it belongs to the user's organisation (else PackNotFound).

    Another organisation's pack and a missing one give the same answer, so ids reveal
    nothing.
    """
    try:
        wanted = int(pack_id)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise PackNotFound("That pack cannot be found.") from None
    if user is None or not user.active:
        raise PackNotFound("That pack cannot be found.")
    pack = session.get(Pack, wanted)
    if pack is None or pack.organisation_id != user.organisation_id:
        raise PackNotFound("That pack cannot be found.")
    return pack


def previous_pack(session: Session, user: UserRecord) -> Pack | None:
    """The organisation's most recent pack (what "since last month" compares with)."""
    return session.scalars(
        select(Pack)
        .where(Pack.organisation_id == user.organisation_id)
        .order_by(Pack.created_at.desc(), Pack.id.desc())
        .limit(1)
    ).first()


def pack_created_at(pack: Pack) -> datetime:
    """When the pack was generated, timezone-aware."""
    return _aware(pack.created_at)


def pack_figures(pack: Pack) -> dict[str, Any]:
    """The latest figures the pack held (``{indicator: {"title", "period", "value", "unit"}}``)."""
    try:
        figures = json.loads(pack.figures or "{}")
    except ValueError:
        return {}
    return figures if isinstance(figures, dict) else {}


def _aware_or_none(moment: object) -> datetime | None:
    if isinstance(moment, datetime):
        return _aware(moment)
    if isinstance(moment, str) and moment:
        try:
            return _aware(datetime.fromisoformat(moment))
        except ValueError:
            return None
    return None


def activity_since(
    session: Session,
    user: UserRecord,
    area_code: str,
    indicator_ids: list[str],
    since: datetime,
) -> dict[str, list[dict[str, Any]]]:
    """Notes written, questions resolved and quotes added since ``since`` on these
    indicators, as the pack's "Since last month" lists them.

    Notes follow the annotation visibility rules for ``user``. Quotes are read with
    ``purpose="export"``: only those whose consent allows publication, because the pack
    is a file (``rules.consent.DOWNLOAD_SCOPES``).
    """
    from data_access.annotations import AnnotationFilters, list_annotations
    from data_access.voice import visible_voice_items

    since = _aware(since)
    notes: list[dict[str, Any]] = []
    resolved: list[dict[str, Any]] = []
    quotes: list[dict[str, Any]] = []
    seen_quotes: set[int] = set()
    for indicator in indicator_ids:
        threads = list_annotations(
            session, user, AnnotationFilters(indicator=indicator, area_code=area_code), limit=50
        )
        for note in threads:
            entry = {
                "said_by": f"{note.author} ({note.organisation_name})",
                "body": note.body,
                "kind": note.kind,
                "status": note.status,
                "when": f"{note.indicator_title}, {_aware(note.created_at).date().isoformat()}",
            }
            if _aware(note.created_at) >= since:
                notes.append(entry)
            elif (
                note.kind == "question"
                and note.status == "resolved"
                and _aware(note.updated_at) >= since
            ):
                resolved.append(entry)
        frame = visible_voice_items(session, user, indicator=indicator, purpose="export")
        for item in frame.to_dict("records"):
            created = _aware_or_none(item.get("created_at"))
            if created is None or created < since or item["id"] in seen_quotes:
                continue
            seen_quotes.add(item["id"])
            quotes.append({"text": item["text"], "attribution": item["attribution"]})
    return {"notes": notes, "resolved": resolved, "quotes": quotes}


def since_last_pack(
    session: Session, user: UserRecord | None, area_code: str, indicator_ids: list[str]
) -> tuple[datetime | None, dict[str, Any], dict[str, list[dict[str, Any]]]]:
    """What the pack's "Since last month" compares with: when the organisation's previous
    pack was made (None if never), the figures it held, and the activity since then."""
    earlier = previous_pack(session, user) if user is not None else None
    if earlier is None or user is None:
        return None, {}, {"notes": [], "resolved": [], "quotes": []}
    since = pack_created_at(earlier)
    activity = activity_since(session, user, area_code, indicator_ids, since)
    return since, pack_figures(earlier), activity
