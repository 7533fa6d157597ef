"""Voice settings: the disclosure threshold and hiding items past their review date."""

from __future__ import annotations

import os

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access.models import OrganisationSetting
from data_access.users import UserRecord, write_audit
from data_access.voice.guards import _require_role
from data_access.voice.vocabulary import HIDE_PAST_REVIEW_KEY


def _settings_value(name: str, env_name: str, default: str) -> str:
    """A setting from the running app when there is one, else from the environment."""
    try:
        from flask import current_app, has_app_context

        if has_app_context() and "chorus_settings" in current_app.extensions:
            return str(getattr(current_app.extensions["chorus_settings"], name))
    except ImportError:  # pragma: no cover - flask is a dependency
        pass
    return os.environ.get(env_name, default)


def disclosure_threshold() -> int:
    """The disclosure threshold (settings.disclosure_threshold, default 5)."""
    return int(_settings_value("disclosure_threshold", "CHORUS_DISCLOSURE_THRESHOLD", "5"))


def hide_past_review_default() -> bool:
    """The global admin setting CHORUS_HIDE_VOICE_PAST_REVIEW."""
    value = _settings_value("hide_voice_past_review", "CHORUS_HIDE_VOICE_PAST_REVIEW", "0")
    return value.lower() in ("1", "true", "yes")


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
    _require_role(user, ("admin",), "settings.edit")
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
