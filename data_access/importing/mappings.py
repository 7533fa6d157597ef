"""Saved import mappings: one per publication and organisation, reused and editable."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from data_access.importing import ees_generic, lait
from data_access.models import ImportMapping, utcnow


def built_in_mappings() -> dict[str, dict]:
    """Mappings shipped with Chorus (the demo's publications), by name."""
    return {
        "LAIT standard (demo indicators)": lait.default_mapping(),
        **ees_generic.BUILT_IN_MAPPINGS,
    }


def save_mapping(
    session: Session,
    name: str,
    fmt: str,
    config: dict,
    *,
    organisation_id: int | None,
    created_by: str | None,
) -> int:
    """Create or replace the organisation's mapping called ``name``; returns its id."""
    name = name.strip()[:200]
    if not name:
        raise ValueError("A mapping needs a name.")
    row = session.scalar(
        select(ImportMapping).where(
            ImportMapping.name == name,
            ImportMapping.format == fmt,
            ImportMapping.organisation_id == organisation_id
            if organisation_id is not None
            else ImportMapping.organisation_id.is_(None),
        )
    )
    text = json.dumps({**config, "format": fmt}, sort_keys=True)
    if row is None:
        row = ImportMapping(name=name, format=fmt, organisation_id=organisation_id, config=text)
        session.add(row)
    row.config = text
    row.created_by = created_by
    row.updated_at = utcnow()
    session.flush()
    return row.id


def list_mappings(
    session: Session, organisation_id: int | None, fmt: str | None = None
) -> pd.DataFrame:
    """Saved mappings the organisation may use (its own and shared ones), then built-ins.

    Columns: id (None for built-ins), name, format, updated_at, built_in.
    """
    query = select(ImportMapping).where(
        or_(
            ImportMapping.organisation_id == organisation_id,
            ImportMapping.organisation_id.is_(None),
        )
    )
    if fmt:
        query = query.where(ImportMapping.format == fmt)
    rows = [
        {
            "id": m.id,
            "name": m.name,
            "format": m.format,
            "updated_at": m.updated_at,
            "built_in": False,
        }
        for m in session.scalars(query.order_by(ImportMapping.name))
    ]
    for name, config in built_in_mappings().items():
        if fmt in (None, config["format"]):
            rows.append(
                {
                    "id": None,
                    "name": name,
                    "format": config["format"],
                    "updated_at": None,
                    "built_in": True,
                }
            )
    return pd.DataFrame(rows, columns=["id", "name", "format", "updated_at", "built_in"])


def load_mapping(
    session: Session, name_or_id: str | int, organisation_id: int | None = None
) -> dict | None:
    """A mapping by id, by saved name (the organisation's first, then shared) or built-in name."""
    if isinstance(name_or_id, int) or str(name_or_id).isdigit():
        row = session.get(ImportMapping, int(name_or_id))
        if row is not None and row.organisation_id in (None, organisation_id):
            return json.loads(row.config)
        return None
    rows = session.scalars(select(ImportMapping).where(ImportMapping.name == str(name_or_id))).all()
    for row in sorted(rows, key=lambda r: r.organisation_id != organisation_id):
        if row.organisation_id in (None, organisation_id):
            return json.loads(row.config)
    return built_in_mappings().get(str(name_or_id))


def json_problem(error: json.JSONDecodeError) -> str:
    """Where mapping text stops being JSON, in plain words (not the parser's message)."""
    return (
        f"The mapping is not valid JSON: check line {error.lineno}, character {error.colno} "
        "(a missing comma, quote or bracket)."
    )


def resolve_mapping_argument(
    session: Session, argument: str | None, organisation_id: int | None = None
) -> tuple[dict | None, str | None]:
    """For the CLI: JSON text, a path to a JSON file, or a saved/built-in mapping name.

    Returns (mapping, name); (None, None) when ``argument`` is empty. Raises ValueError.
    """
    if not argument:
        return None, None
    text = argument.strip()
    if text.startswith("{"):
        try:
            return json.loads(text), "inline JSON"
        except json.JSONDecodeError as exc:
            raise ValueError(json_problem(exc)) from exc
    path = Path(text)
    if path.suffix == ".json" and path.is_file():
        return json.loads(path.read_text(encoding="utf-8")), path.name
    found = load_mapping(session, text, organisation_id)
    if found is None:
        raise ValueError(f"No mapping called {text!r}.")
    return found, text
