"""Errors raised by the voice library, each with a plain-English message."""

from __future__ import annotations

from analysis.personal_details import Finding, summarise_findings


class VoiceError(ValueError):
    """A voice item or theme could not be saved; the message says why, in plain English."""


class VoiceNotAllowed(PermissionError):
    """The user's role or organisation does not allow this change (checked again here,
    behind the guard on every callback and route)."""


class PersonalDetailsFound(VoiceError):
    """The text has suspected personal details; ``findings`` says where."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__(
            f"The text may contain personal details ({summarise_findings(findings)}). "
            "Remove them, or ask an analyst to mark a false alarm."
        )
        self.findings = findings
