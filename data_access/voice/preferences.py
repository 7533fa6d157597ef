"""Voice settings: the disclosure threshold and hiding items past their review date."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

import settings
from data_access.models import OrganisationSetting
from data_access.users import UserRecord, write_audit
from data_access.voice.guards import _require_role
from data_access.voice.vocabulary import HIDE_PAST_REVIEW_KEY
from rules.roles import roles_for


def disclosure_threshold() -> int:
    """The disclosure threshold (settings.disclosure_threshold, default 5)."""
    return settings.current().disclosure_threshold


def hide_past_review_default() -> bool:
    """The global admin setting CHORUS_HIDE_VOICE_PAST_REVIEW."""
    return settings.current().hide_voice_past_review


def hide_past_review_overrides(session: Session) -> dict[int, bool]:
    """Per-organisation overrides of the global setting, keyed by organisation id."""
    rows = session.execute(
        select(OrganisationSetting.organisation_id, OrganisationSetting.value).where(
            OrganisationSetting.key == HIDE_PAST_REVIEW_KEY
        )
    ).all()
    return {org_id: value == "1" for org_id, value in rows}


def set_hide_past_review(session: Session, user: UserRecord, hide: bool) -> None:
    """Admin setting for the user's organisation: hide its items past their review date."""
    _require_role(user, roles_for("settings.edit"), "settings.edit")
    row = session.get(OrganisationSetting, (user.organisation_id, HIDE_PAST_REVIEW_KEY))
    if row is None:
        session.add(
            OrganisationSetting(
                organisation_id=user.organisation_id,
                key=HIDE_PAST_REVIEW_KEY,
                value="1" if hide else "0",
            )
        )
    else:
        row.value = "1" if hide else "0"
    write_audit(
        session,
        "settings.hide_voice_past_review",
        user=user,
        object_type="organisation",
        object_id=user.organisation_id,
        detail={"hide": hide},
    )
