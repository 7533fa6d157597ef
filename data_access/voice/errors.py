"""Errors raised by the voice library, each with a plain-English message."""

from __future__ import annotations

from analysis.personal_details import Finding, summarise_findings


class VoiceError(ValueError):
    """A voice item or theme could not be saved; the message says why, in plain English."""


class VoiceNotAllowed(PermissionError):
    """The user's role or organisation does not allow this change (checked again here,
    behind the guard on every callback and route)."""


NO_SUCH_ITEM = "There is no such quote in your organisation's library."
THEME_NOT_YOURS = (
    "Only admins change the shared codebook; analysts change their own organisation's themes."
)


class PersonalDetailsFound(VoiceError):
    """The text has suspected personal details; ``findings`` says where."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__(
            f"The text may contain personal details ({summarise_findings(findings)}). "
            "Remove them, or ask an analyst to mark a false alarm."
        )
        self.findings = findings
