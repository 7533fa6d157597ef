"""Roles, their rank and the smallest role each action needs.

The one definition for the web layer (auth.permissions, auth.current), the data layer
(annotations, Learning Network sessions, voice) and the command line. Roles are ranked:
each role may do everything the roles below it may.
"""

from __future__ import annotations

VIEWER = "viewer"
PRACTITIONER = "practitioner"
ANALYST = "analyst"
ADMIN = "admin"

# Lowest first: a role's rank is its position here.
ROLES: tuple[str, ...] = (VIEWER, PRACTITIONER, ANALYST, ADMIN)
ROLE_RANK: dict[str, int] = {role: rank for rank, role in enumerate(ROLES)}

# The smallest role allowed to do each action. "read" covers organisation data.
PERMISSIONS: dict[str, str] = {
    "read": VIEWER,
    "annotation.write": PRACTITIONER,
    "annotation.moderate": ANALYST,
    "voice.write": PRACTITIONER,
    "voice.approve": ANALYST,
    "voice.false_alarm": ANALYST,
    "codebook.edit": ANALYST,
    "catalogue.edit": ANALYST,
    "data.import": ANALYST,
    "data.export": VIEWER,
    "costs.edit": ANALYST,
    "session.facilitate": ANALYST,
    "users.manage": ADMIN,
    "audit.read": ADMIN,
    "settings.edit": ADMIN,
}


def is_at_least(role: str, minimum: str) -> bool:
    """True when ``role`` ranks at or above ``minimum`` (viewer < practitioner < ...)."""
    return ROLE_RANK[role] >= ROLE_RANK[minimum]


def roles_at_least(minimum: str) -> tuple[str, ...]:
    """The roles ranking at or above ``minimum``, lowest first."""
    return ROLES[ROLE_RANK[minimum] :]


def role_may(role: str, action: str) -> bool:
    """True when ``role`` may do ``action`` (a key of ``PERMISSIONS``; KeyError otherwise)."""
    return is_at_least(role, PERMISSIONS[action])


def roles_for(action: str) -> tuple[str, ...]:
    """The roles that may do ``action``, lowest first."""
    return roles_at_least(PERMISSIONS[action])
