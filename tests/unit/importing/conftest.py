"""Fixtures for the importing tests; file helpers live in importing_files.py."""

from __future__ import annotations

import pytest

from data_access.importing.validation import Reference


@pytest.fixture(scope="session")
def reference() -> Reference:
    return Reference.from_files()
