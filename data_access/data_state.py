"""The global data version: bumped by every import so caches and annotations notice."""

from __future__ import annotations

from sqlalchemy.orm import Session

from data_access.models import DataState


def current_data_version(session: Session) -> int:
    """The global data version (one primary-key read; 1 before the first import)."""
    state = session.get(DataState, "data_version")
    return state.value if state else 1


def bump_data_version(session: Session) -> int:
    """Add one to the data version (inside the import's transaction); returns the new one."""
    state = session.get(DataState, "data_version")
    if state is None:
        state = DataState(key="data_version", value=1)
        session.add(state)
    state.value += 1
    session.flush()
    return state.value
