"""Reading, exporting and ageing out the append-only audit log; retention of voice items.

Rows are written by :func:`data_access.users.write_audit`. The database refuses UPDATE
of ``audit_events`` always and DELETE unless the transaction opted in with
:func:`audit_purge_allowed` (migration 0002_audit_append_only): only the retention
command and the test reset do that.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta

import pandas as pd
from sqlalchemy import delete, func, or_, select, text
from sqlalchemy.orm import Session

from data_access.models import AuditEvent, VoiceItem, utcnow

AUDIT_COLUMNS = [
    "id",
    "occurred_at",
    "username",
    "organisation_code",
    "action",
    "object_type",
    "object_id",
    "outcome",
    "address",
    "detail",
]
MAX_ROWS = 5000


@contextmanager
def audit_purge_allowed(session: Session) -> Iterator[None]:
    """Within this block (and only in this transaction) audit rows may be deleted.

    PostgreSQL: a transaction-local setting the trigger reads. SQLite: a row in
    ``audit_purge_permits`` that exists only inside this write transaction (SQLite's
    writer holds the lock, so no other connection ever sees it).
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT set_config('chorus.allow_audit_purge', 'on', true)"))
        yield
        session.execute(text("SELECT set_config('chorus.allow_audit_purge', 'off', true)"))
    else:
        session.execute(text("INSERT INTO audit_purge_permits (granted) VALUES (1)"))
        yield
        session.execute(text("DELETE FROM audit_purge_permits"))


def audit_events_frame(
    session: Session,
    organisation_code: str,
    *,
    search: str | None = None,
    outcome: str | None = None,
    since: datetime | None = None,
    limit: int = MAX_ROWS,
) -> pd.DataFrame:
    """One organisation's audit events, newest first.

    ``search`` matches action, username or object id as a plain substring (bound as a
    parameter, never spliced into SQL); ``outcome`` is an exact match. Returns
    AUDIT_COLUMNS.
    """
    query = select(*[getattr(AuditEvent, c) for c in AUDIT_COLUMNS]).where(
        AuditEvent.organisation_code == organisation_code
    )
    if search:
        pattern = "%" + _escape_like(search.strip()[:100]) + "%"
        query = query.where(
            or_(
                AuditEvent.action.ilike(pattern, escape="\\"),
                AuditEvent.username.ilike(pattern, escape="\\"),
                AuditEvent.object_id.ilike(pattern, escape="\\"),
            )
        )
    if outcome:
        query = query.where(AuditEvent.outcome == outcome)
    if since is not None:
        query = query.where(AuditEvent.occurred_at >= since)
    query = query.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()).limit(limit)
    rows = session.execute(query).all()
    return pd.DataFrame(rows, columns=AUDIT_COLUMNS)


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def purge_audit_events(session: Session, older_than_days: int, today: date | None = None) -> int:
    """Delete audit events older than the retention period; returns how many went."""
    if older_than_days < 1:
        raise ValueError("audit retention must be at least one day")
    cutoff = _cutoff(older_than_days, today)
    with audit_purge_allowed(session):
        result = session.execute(delete(AuditEvent).where(AuditEvent.occurred_at < cutoff))
    return result.rowcount or 0


def purge_voice_past_review(
    session: Session, days_past_review: int, today: date | None = None
) -> int:
    """Delete voice items whose review date passed more than ``days_past_review`` ago.

    Their theme and indicator links go with them (deleted first); annotations that cite
    them lose the link. Returns the number of voice items deleted.
    """
    if days_past_review < 0:
        raise ValueError("days past review cannot be negative")
    from data_access import models

    cutoff = (today or utcnow().date()) - timedelta(days=days_past_review)
    ids = list(
        session.scalars(
            select(VoiceItem.id).where(
                VoiceItem.review_date.is_not(None), VoiceItem.review_date < cutoff
            )
        )
    )
    if not ids:
        return 0
    for link in ("VoiceItemTheme", "VoiceItemIndicator", "AnnotationVoiceLink", "VoiceWithdrawal"):
        table = getattr(models, link, None)
        if table is not None:
            session.execute(delete(table).where(table.voice_item_id.in_(ids)))
    session.execute(delete(VoiceItem).where(VoiceItem.id.in_(ids)))
    return len(ids)


def count_audit_events(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEvent)) or 0


def _cutoff(days: int, today: date | None) -> datetime:
    now = (
        utcnow() if today is None else datetime.combine(today, datetime.min.time(), utcnow().tzinfo)
    )
    return now - timedelta(days=days)
