"""Role and ownership checks for voice changes (checked again here, behind the guard on
every callback and route)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from data_access.models import VoiceItem
from data_access.users import UserRecord, write_audit
from data_access.voice.errors import VoiceNotAllowed
from data_access.voice.vocabulary import _ANALYST_ROLES


def _is_analyst(user: UserRecord) -> bool:
    return user.role in _ANALYST_ROLES


def _require_role(user: UserRecord | None, roles: Iterable[str], action: str) -> UserRecord:
    if user is None or not user.active or user.role not in tuple(roles):
        raise VoiceNotAllowed(f"{action}: role too low")
    return user


def _require_owner(session: Session, user: UserRecord, item: VoiceItem, action: str) -> None:
    if item.organisation_id != user.organisation_id:
        write_audit(
            session,
            f"denied:{action}",
            user=user,
            object_type="voice_item",
            object_id=item.id,
            outcome="denied",
        )
        raise VoiceNotAllowed(f"{action}: another organisation's item")
