"""User administration shared by the admin page and the CLI: every change is audited.

The page passes the signed-in admin as ``actor`` and may only touch users of the admin's
own organisation (checked here too, not only in the page). The CLI passes ``actor=None``
and is recorded as ``cli``: whoever can run it already controls the server.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from auth.passwords import generate_password, hash_password
from auth.permissions import PermissionDenied, check_same_organisation
from auth.policy import password_problems
from data_access import users as repo
from data_access.users import UserRecord
from rules.roles import ADMIN, ROLES

USERNAME_MAX = 150


class AdminError(ValueError):
    """A request an admin can fix (plain-English message, safe to show)."""


def _target(session: Session, actor: UserRecord | None, user_id: int, action: str) -> UserRecord:
    target = repo.user_by_id(session, user_id)
    if target is None:
        raise AdminError("No such user.")
    if actor is not None and actor.organisation_id != target.organisation_id:
        # Callers run ensure_same_organisation first (which audits the refusal); this
        # is the backstop inside the write transaction.
        raise PermissionDenied(action, "another organisation's object")
    return target


def ensure_same_organisation(actor: UserRecord, user_id: int, action: str = "users.manage") -> None:
    """Refuse (and audit) a change to a user of another organisation, before any write.

    Call it outside a write transaction: the refusal is audited in its own transaction,
    which on SQLite must not nest inside another writer.
    """
    from data_access.db import get_database

    with get_database().read() as session:
        target = repo.user_by_id(session, user_id)
    if target is not None:
        check_same_organisation(actor, target.organisation_id, action)


def _audit(
    session: Session,
    actor: UserRecord | None,
    action: str,
    target_id: int,
    address: str | None,
    detail: dict | None = None,
) -> None:
    repo.write_audit(
        session,
        action,
        user=actor,
        username=None if actor else "cli",
        object_type="user",
        object_id=target_id,
        address=address,
        detail=detail,
    )


def create_account(
    session: Session,
    actor: UserRecord | None,
    *,
    username: str,
    display_name: str,
    role: str,
    organisation_code: str,
    password: str | None = None,
    address: str | None = None,
) -> tuple[UserRecord, str]:
    """Add a user; returns the record and the password (generated when none is given)."""
    username = username.strip()
    if not username or len(username) > USERNAME_MAX or any(c.isspace() for c in username):
        raise AdminError("Usernames need 1 to 150 characters and no spaces.")
    if role not in ROLES:
        raise AdminError(f"Role must be one of {', '.join(ROLES)}.")
    if actor is not None and actor.organisation_code != organisation_code:
        raise PermissionDenied("users.manage", "another organisation's object")
    password = password or generate_password()
    problems = password_problems(password, username)
    if problems:
        raise AdminError(" ".join(problems))
    organisation = repo.find_organisation(session, organisation_code)
    if organisation is None:
        raise AdminError(f"No organisation with code {organisation_code}.")
    try:
        user = repo.create_user(
            session,
            username,
            hash_password(password),
            organisation,
            role,
            display_name.strip()[:200] or None,
        )
    except ValueError as exc:
        raise AdminError(str(exc)) from exc
    _audit(session, actor, "user.create", user.id, address, {"role": role})
    return repo.user_by_id(session, user.id), password  # type: ignore[return-value]


def change_role(
    session: Session, actor: UserRecord | None, user_id: int, role: str, address: str | None = None
) -> UserRecord:
    target = _target(session, actor, user_id, "users.manage")
    if role not in ROLES:
        raise AdminError(f"Role must be one of {', '.join(ROLES)}.")
    if actor is not None and target.id == actor.id and role != ADMIN:
        raise AdminError("You cannot remove your own admin role; ask another admin.")
    repo.set_role(session, user_id, role)
    _audit(session, actor, "user.role", user_id, address, {"from": target.role, "to": role})
    return repo.user_by_id(session, user_id)  # type: ignore[return-value]


def set_user_active(
    session: Session,
    actor: UserRecord | None,
    user_id: int,
    active: bool,
    address: str | None = None,
) -> UserRecord:
    """Deactivate (every session of the user ends at once) or reactivate."""
    target = _target(session, actor, user_id, "users.manage")
    if actor is not None and target.id == actor.id and not active:
        raise AdminError("You cannot deactivate yourself; ask another admin.")
    repo.set_active(session, user_id, active)
    _audit(session, actor, "user.activate" if active else "user.deactivate", user_id, address)
    return repo.user_by_id(session, user_id)  # type: ignore[return-value]


def reset_password(
    session: Session,
    actor: UserRecord | None,
    user_id: int,
    new_password: str | None = None,
    address: str | None = None,
) -> str:
    """Set a new password (generated unless given) and end the user's sessions; returns it."""
    target = _target(session, actor, user_id, "users.manage")
    password = new_password or generate_password()
    problems = password_problems(password, target.username)
    if problems:
        raise AdminError(" ".join(problems))
    repo.set_password_hash(session, user_id, hash_password(password))
    _audit(session, actor, "user.password_reset", user_id, address)
    return password
