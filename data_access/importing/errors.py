"""The refusal of a whole file, shared by the safety checks and the upload limits."""

from __future__ import annotations


class FileRejected(ValueError):
    """The file cannot be imported at all; ``message`` says why in plain words."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
