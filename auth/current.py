"""The logged-in user as flask-login sees it, and role helpers."""

from __future__ import annotations

from typing import Any

from flask_login import UserMixin, current_user

from data_access.users import UserRecord
from rules.roles import is_at_least


class CurrentUser(UserMixin):
    """Wraps a :class:`UserRecord`; flask-login keeps it for the request."""

    def __init__(self, record: UserRecord) -> None:
        self.record = record

    def get_id(self) -> str:
        return str(self.record.id)

    @property
    def is_active(self) -> bool:
        return self.record.active

    def __getattr__(self, name: str) -> Any:
        # Delegate id, username, role, organisation_code ... to the record.
        return getattr(self.record, name)

    def has_role(self, minimum: str) -> bool:
        """True when the user's role is at least ``minimum`` (viewer < practitioner < ...)."""
        return is_at_least(self.record.role, minimum)


def current_record() -> UserRecord | None:
    """The logged-in user's record, or None outside a logged-in request."""
    if not current_user or not current_user.is_authenticated:
        return None
    return current_user.record


def signed_in_record() -> UserRecord:
    """The logged-in user's record where a login is certain (behind ``@guarded`` with an
    action, which has already refused anyone not logged in)."""
    record = current_record()
    if record is None:
        raise PermissionError("login required")
    return record
