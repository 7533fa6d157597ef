"""Repository for organisations, users and audit events."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from data_access.models import AuditEvent, Organisation, User, utcnow

ROLES = ("viewer", "practitioner", "analyst", "admin")


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
) -> None:
    """Append one audit event. Callers must never put passwords or quote texts in detail."""
    session.add(
        AuditEvent(
            user_id=user.id if user else None,
            username=user.username if user else username,
            organisation_code=user.organisation_code if user else None,
            action=action,
            object_type=object_type,
            object_id=None if object_id is None else str(object_id),
            outcome=outcome,
            address=address,
            detail=json.dumps(detail, default=str) if detail else None,
        )
    )
