"""Password hashing with argon2id (argon2-cffi's RFC 9106 low-memory profile)."""

from __future__ import annotations

import secrets
import string

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # argon2id, t=3, m=64 MiB, p=4 (RFC 9106 second recommendation)

MIN_LENGTH = 12
MAX_LENGTH = 128


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when the password matches; never raises for a wrong or malformed hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# A real hash of a random password, checked when the username is unknown, so that a
# login for a missing user takes as long as one for a real user (no user enumeration).
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


def burn_time_for_unknown_user(password: str) -> None:
    verify_password(_DUMMY_HASH, password)


def generate_password(length: int = 20) -> str:
    """A random password for demo users and resets: letters and digits, easy to paste."""
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))
