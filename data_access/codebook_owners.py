"""Who owns a codebook theme, and whether a user may change it (``rules.ownership``)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access.models import VoiceThemeOwner
from data_access.users import UserRecord, write_audit
from rules.ownership import may_change_theme


def theme_owner(session: Session, theme_id: str) -> int | None:
    """The owning organisation's id, or None for the shared codebook."""
    return session.scalar(
        select(VoiceThemeOwner.organisation_id).where(VoiceThemeOwner.theme_id == theme_id)
    )


def record_theme_owner(session: Session, user: UserRecord, theme_id: str) -> None:
    """A theme an analyst creates is their organisation's; an admin's joins the shared
    codebook."""
    if user.role != "admin":
        session.add(VoiceThemeOwner(theme_id=theme_id, organisation_id=user.organisation_id))
        session.flush()


def theme_change_allowed(session: Session, user: UserRecord, theme_id: str) -> bool:
    """Whether ``user`` may edit or delete the theme; a refusal is audited."""
    allowed = may_change_theme(user.role, user.organisation_id, theme_owner(session, theme_id))
    if not allowed:
        write_audit(
            session,
            "denied:codebook.edit",
            user=user,
            object_type="voice_theme",
            object_id=theme_id,
            outcome="denied",
        )
    return allowed
