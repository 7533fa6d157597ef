"""One permission check for every write and every sensitive read.

Callbacks, Flask routes and the API all call :func:`check` (directly or through
:func:`guarded`), so the rules live here and nowhere else. A refusal is audited.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from auth.current import ROLE_RANK, current_record
from data_access.users import UserRecord

# The smallest role allowed to do each action. "read" covers organisation data.
PERMISSIONS: dict[str, str] = {
    "read": "viewer",
    "annotation.write": "practitioner",
    "annotation.moderate": "analyst",
    "voice.write": "practitioner",
    "voice.approve": "analyst",
    "voice.false_alarm": "analyst",
    "codebook.edit": "analyst",
    "catalogue.edit": "analyst",
    "data.import": "analyst",
    "data.export": "viewer",
    "costs.edit": "analyst",
    "session.facilitate": "analyst",
    "users.manage": "admin",
    "audit.read": "admin",
    "settings.edit": "admin",
}


class PermissionDenied(Exception):
    """The current user may not do this. Flask turns it into a 403 (or 401 without login)."""

    def __init__(self, action: str, reason: str = "not allowed") -> None:
        super().__init__(f"{action}: {reason}")
        self.action = action
        self.reason = reason


def allowed(user: UserRecord | None, action: str) -> bool:
    """True when ``user`` holds at least the role the action needs."""
    if user is None or not user.active:
        return False
    minimum = PERMISSIONS[action]
    return ROLE_RANK[user.role] >= ROLE_RANK[minimum]


def check(
    action: str,
    user: UserRecord | None = None,
    *,
    object_type: str | None = None,
    object_id: Any = None,
) -> UserRecord:
    """Return the user when allowed; otherwise audit the refusal and raise PermissionDenied."""
    if action not in PERMISSIONS:
        raise KeyError(f"unknown action {action!r}")
    user = user or current_record()
    if allowed(user, action):
        return user  # type: ignore[return-value]
    _audit_refusal(action, user, object_type, object_id)
    raise PermissionDenied(action, "login required" if user is None else "role too low")


def check_same_organisation(user: UserRecord, organisation_id: int, action: str) -> None:
    """Refuse writes to another organisation's objects (audited)."""
    if user.organisation_id != organisation_id:
        _audit_refusal(action, user, "organisation", organisation_id)
        raise PermissionDenied(action, "another organisation's object")


def _audit_refusal(
    action: str, user: UserRecord | None, object_type: str | None, object_id: Any
) -> None:
    from flask import has_request_context, request

    from data_access.db import get_database
    from data_access.users import write_audit

    address = request.remote_addr if has_request_context() else None
    with get_database().write() as session:
        write_audit(
            session,
            f"denied:{action}",
            user=user,
            object_type=object_type,
            object_id=object_id,
            outcome="denied",
            address=address,
        )


F = TypeVar("F", bound=Callable[..., Any])


def guarded(action: str | None, *, reason: str = "") -> Callable[[F], F]:
    """Mark (and enforce) the permission a callback or route needs.

    ``guarded("annotation.write")`` checks before the function runs. ``guarded(None,
    reason="presentation only")`` declares that the function reads no organisation data
    and writes nothing; the security test walks every callback and route and requires one
    of the two, so nothing is left unchecked by accident.
    """
    if action is not None and action not in PERMISSIONS:
        raise KeyError(f"unknown action {action!r}")
    if action is None and not reason:
        raise ValueError("an unguarded function must say why it needs no check")

    def decorate(function: F) -> F:
        if action is None:
            function.__chorus_permission__ = ("public", reason)  # type: ignore[attr-defined]
            return function

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            check(action)
            return function(*args, **kwargs)

        wrapper.__chorus_permission__ = ("action", action)  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate
