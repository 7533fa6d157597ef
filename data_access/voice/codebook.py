"""The voice codebook: themes and their descriptions."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import delete, false, func, select
from sqlalchemy.orm import Session

from data_access.codebook_owners import record_theme_owner, theme_change_allowed
from data_access.models import VoiceItem, VoiceItemTheme, VoiceTheme, VoiceThemeOwner
from data_access.users import UserRecord, write_audit
from data_access.voice.errors import THEME_NOT_YOURS, VoiceError, VoiceNotAllowed
from data_access.voice.guards import _require_role
from data_access.voice.vocabulary import _ANALYST_ROLES


def list_themes(session: Session) -> pd.DataFrame:
    """The codebook: id, label, description, examples, items (approved items using it)."""
    used = dict(
        session.execute(
            select(VoiceItemTheme.theme_id, func.count())
            .join(VoiceItem, VoiceItem.id == VoiceItemTheme.voice_item_id)
            .where(VoiceItem.withdrawn == false())
            .group_by(VoiceItemTheme.theme_id)
        ).all()
    )
    rows = [
        {
            "id": t.id,
            "label": t.label,
            "description": t.description or "",
            "examples": t.examples or "",
            "items": int(used.get(t.id, 0)),
        }
        for t in session.scalars(select(VoiceTheme).order_by(VoiceTheme.label))
    ]
    return pd.DataFrame(rows, columns=["id", "label", "description", "examples", "items"])


def _theme_id(label: str) -> str:
    import re

    slug = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")
    return slug[:64] or "theme"


def save_theme(
    session: Session,
    user: UserRecord,
    label: str,
    description: str = "",
    examples: str = "",
    theme_id: str | None = None,
) -> VoiceTheme:
    """Create a theme (id made from the label) or update the one with ``theme_id``."""
    _require_role(user, _ANALYST_ROLES, "codebook.edit")
    label = (label or "").strip()
    if not label:
        raise VoiceError("A theme needs a label.")
    if theme_id:
        theme = session.get(VoiceTheme, theme_id)
        if theme is None:
            raise VoiceError(f"There is no theme {theme_id!r}.")
        if not theme_change_allowed(session, user, theme_id):
            raise VoiceNotAllowed(THEME_NOT_YOURS)
        action = "codebook.update"
    else:
        new_id = _theme_id(label)
        if session.get(VoiceTheme, new_id) is not None:
            raise VoiceError(f"A theme {new_id!r} already exists.")
        theme = VoiceTheme(id=new_id)
        session.add(theme)
        action = "codebook.create"
    theme.label = label[:200]
    theme.description = (description or "").strip() or None
    theme.examples = (examples or "").strip() or None
    session.flush()
    if action == "codebook.create":
        record_theme_owner(session, user, theme.id)
    write_audit(session, action, user=user, object_type="voice_theme", object_id=theme.id)
    return theme


def delete_theme(session: Session, user: UserRecord, theme_id: str) -> None:
    """Delete an unused theme. Themes still on items are kept (say which to recode)."""
    _require_role(user, _ANALYST_ROLES, "codebook.edit")
    in_use = session.scalar(
        select(func.count()).select_from(VoiceItemTheme).where(VoiceItemTheme.theme_id == theme_id)
    )
    if in_use:
        raise VoiceError(f"The theme is used by {in_use} items; recode them first.")
    if not theme_change_allowed(session, user, theme_id):
        raise VoiceNotAllowed(THEME_NOT_YOURS)
    session.execute(delete(VoiceThemeOwner).where(VoiceThemeOwner.theme_id == theme_id))
    session.execute(delete(VoiceTheme).where(VoiceTheme.id == theme_id))
    write_audit(
        session, "codebook.delete", user=user, object_type="voice_theme", object_id=theme_id
    )


def upsert_codebook(session: Session, codebook: pd.DataFrame) -> int:
    """Insert or update themes from rows with id, label, description, examples."""
    for row in codebook.fillna("").itertuples():
        theme = session.get(VoiceTheme, row.id) or VoiceTheme(id=row.id)
        theme.label = row.label
        theme.description = row.description or None
        theme.examples = row.examples or None
        session.add(theme)
    session.flush()
    return len(codebook)
