"""Repository for organisations, users and audit events."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session

from data_access.models import Area, AuditEvent, LoginAttempt, Organisation, User, utcnow
from rules.roles import ROLES as ROLES  # defined in rules.roles, kept importable here


@dataclass(frozen=True)
class UserRecord:
    """A user as the rest of the app sees it: no password hash."""

    id: int
    username: str
    display_name: str
    role: str
    active: bool
    session_version: int
    organisation_id: int
    organisation_code: str
    organisation_name: str
    organisation_kind: str
    in_learning_network: bool


def _record(user: User) -> UserRecord:
    org = user.organisation
    return UserRecord(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        active=user.active,
        session_version=user.session_version,
        organisation_id=org.id,
        organisation_code=org.code,
        organisation_name=org.name,
        organisation_kind=org.kind,
        in_learning_network=org.in_learning_network,
    )


def get_or_create_organisation(
    session: Session, code: str, name: str, kind: str = "local_authority", in_network: bool = False
) -> Organisation:
    org = session.scalar(select(Organisation).where(Organisation.code == code))
    if org is None:
        org = Organisation(code=code, name=name, kind=kind, in_learning_network=in_network)
        session.add(org)
        session.flush()
    return org


def find_organisation(session: Session, code: str) -> Organisation | None:
    return session.scalar(select(Organisation).where(Organisation.code == code))


def create_user(
    session: Session,
    username: str,
    password_hash: str,
    organisation: Organisation,
    role: str,
    display_name: str | None = None,
) -> User:
    """Add a user. Raises ValueError for an unknown role or a username already taken."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise ValueError(f"a user called {username!r} already exists")
    user = User(
        username=username,
        display_name=display_name or username,
        password_hash=password_hash,
        organisation=organisation,
        role=role,
        password_changed_at=utcnow(),
    )
    session.add(user)
    session.flush()
    return user


def user_with_hash(session: Session, username: str) -> tuple[UserRecord, str] | None:
    """The user and their password hash, for the login check only."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        return None
    return _record(user), user.password_hash


def user_by_id(session: Session, user_id: int) -> UserRecord | None:
    user = session.get(User, user_id)
    return None if user is None else _record(user)


def list_users(session: Session, organisation_id: int | None = None) -> list[UserRecord]:
    query = select(User).order_by(User.username)
    if organisation_id is not None:
        query = query.where(User.organisation_id == organisation_id)
    return [_record(u) for u in session.scalars(query)]


def record_login(session: Session, user_id: int, when: datetime | None = None) -> None:
    session.execute(update(User).where(User.id == user_id).values(last_login_at=when or utcnow()))


def bump_session_version(session: Session, user_id: int) -> None:
    """End every session of this user (logout everywhere, deactivation, password change)."""
    session.execute(
        update(User).where(User.id == user_id).values(session_version=User.session_version + 1)
    )


def set_password_hash(session: Session, user_id: int, password_hash: str) -> None:
    session.execute(
        update(User)
        .where(User.id == user_id)
        .values(password_hash=password_hash, password_changed_at=utcnow())
    )
    bump_session_version(session, user_id)


def write_audit(
    session: Session,
    action: str,
    *,
    user: UserRecord | None = None,
    username: str | None = None,
    object_type: str | None = None,
    object_id: str | int | None = None,
    outcome: str = "success",
    address: str | None = None,
    detail: dict | None = None,
    organisation_code: str | None = None,
) -> None:
    """Append one audit event. Callers must never put passwords or quote texts in detail.

    ``organisation_code`` files an event without a signed-in user under an organisation
    (a failed sign-in against one of its accounts), so its admins see it.
    """
    session.add(
        AuditEvent(
            user_id=user.id if user else None,
            username=user.username if user else username,
            organisation_code=user.organisation_code if user else organisation_code,
            action=action,
            object_type=object_type,
            object_id=None if object_id is None else str(object_id),
            outcome=outcome,
            address=address,
            detail=json.dumps(detail, default=str) if detail else None,
        )
    )


# --- login rate limiting (the database backend; Redis is used when REDIS_URL is set) ------


def record_login_failure(session: Session, key: str, when: datetime) -> None:
    """Remember one failed sign-in for ``key`` (``account:<name>`` or ``address:<ip>``)."""
    session.add(LoginAttempt(key=key[:200], attempted_at=when))


def count_login_failures(session: Session, key: str, since: datetime) -> int:
    """Failed sign-ins for ``key`` at or after ``since``."""
    query = select(func.count()).where(
        LoginAttempt.key == key[:200], LoginAttempt.attempted_at >= since
    )
    return session.scalar(query) or 0


def reserve_login_failure(
    session: Session, key: str, when: datetime, since: datetime, limit: int
) -> int | None:
    """Record a failure for ``key`` unless ``limit`` are already counted since ``since``.

    Returns the new row's id, or None. Call inside a write transaction: the key's lock
    (SQLite's write lock; an advisory lock on PostgreSQL) makes count-and-add atomic.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key[:200]})
    if count_login_failures(session, key, since) >= limit:
        return None
    row = LoginAttempt(key=key[:200], attempted_at=when)
    session.add(row)
    session.flush()
    return row.id


def release_login_failure(session: Session, attempt_id: int) -> None:
    """Forget one reserved failure (the sign-in succeeded)."""
    session.execute(delete(LoginAttempt).where(LoginAttempt.id == attempt_id))


def clear_login_failures(session: Session, key: str) -> None:
    session.execute(delete(LoginAttempt).where(LoginAttempt.key == key[:200]))


def purge_login_attempts(session: Session, before: datetime) -> int:
    """Forget failures older than ``before`` (they no longer count); returns how many."""
    result = session.execute(delete(LoginAttempt).where(LoginAttempt.attempted_at < before))
    return result.rowcount or 0


# --- user administration ----------------------------------------------------------------


def set_role(session: Session, user_id: int, role: str) -> None:
    """Change a user's role; their sessions end so the new role applies at once."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    session.execute(update(User).where(User.id == user_id).values(role=role))
    bump_session_version(session, user_id)


def set_active(session: Session, user_id: int, active: bool) -> None:
    """Deactivate (ending every session at once) or reactivate a user."""
    session.execute(update(User).where(User.id == user_id).values(active=active))
    bump_session_version(session, user_id)


def user_by_username(session: Session, username: str) -> UserRecord | None:
    user = session.scalar(select(User).where(User.username == username))
    return None if user is None else _record(user)


def search_users(
    session: Session, organisation_id: int, search: str | None = None
) -> list[UserRecord]:
    """The organisation's users, optionally those whose username or name contains ``search``
    (a bound parameter, never SQL text)."""
    query = select(User).where(User.organisation_id == organisation_id).order_by(User.username)
    if search:
        escaped = search.strip()[:100].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        query = query.where(
            User.username.ilike(pattern, escape="\\")
            | User.display_name.ilike(pattern, escape="\\")
        )
    return [_record(u) for u in session.scalars(query)]


def areas_with_active_users(session: Session) -> list[str]:
    """Area codes of organisations with an active user (the authorities people look at)."""
    query = (
        select(Organisation.code)
        .join(User, User.organisation_id == Organisation.id)
        .join(Area, Area.code == Organisation.code)
        .where(User.active.is_(True))
        .distinct()
        .order_by(Organisation.code)
    )
    return list(session.scalars(query))
