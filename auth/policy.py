"""Password rules: long enough, not too long, not on the common-password list."""

from __future__ import annotations

from auth.passwords import MAX_LENGTH, MIN_LENGTH

# A short list of the most common passwords and patterns; a deployment can extend it.
COMMON_PASSWORDS = frozenset(
    {
        "password",
        "password1",
        "password123",
        "passw0rd",
        "123456789012",
        "1234567890",
        "qwertyuiop",
        "qwerty123456",
        "letmein12345",
        "iloveyou1234",
        "welcome12345",
        "administrator",
        "changeme1234",
        "football1234",
        "monkey123456",
        "sunshine1234",
        "princess1234",
        "abc123456789",
        "aaaaaaaaaaaa",
        "chorus123456",
    }
)


def password_problems(password: str, username: str = "") -> list[str]:
    """Plain-English reasons a password is refused (empty list when it is acceptable)."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Use at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        problems.append(f"Use at most {MAX_LENGTH} characters.")
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or (username and lowered == username.lower()):
        problems.append("That password is too common or too easy to guess.")
    return problems
