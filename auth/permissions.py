"""One permission check for every write and every sensitive read.

Callbacks, Flask routes and the API all call :func:`check` (directly or through
:func:`guarded`), so the checks live here and nowhere else; the roles and the smallest role
each action needs are defined once in ``rules.roles``. A refusal is audited.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from auth.current import current_record
from data_access.users import UserRecord
from rules.roles import PERMISSIONS, role_may


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
    return role_may(user.role, action)


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
