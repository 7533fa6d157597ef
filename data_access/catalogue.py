"""Writing and reading the reference tables: areas, area groups and the indicator catalogue."""

from __future__ import annotations

import math

import pandas as pd
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from data_access.models import Area, AreaGroup, AreaGroupMember, Indicator


def _clean(value: object) -> object:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NaT:
        return None
    return value


def replace_areas(session: Session, areas: pd.DataFrame) -> int:
    """Replace the area table with ``areas`` (columns: code, la_number, name, area_type,
    la_type, parent_code, valid_from, valid_to, successor_code)."""
    session.execute(delete(Area))
    records = []
    for row in areas.to_dict("records"):
        record = {k: _clean(row.get(k)) for k in Area.__table__.columns.keys()}
        if record["la_number"] is not None:
            record["la_number"] = int(record["la_number"])
        records.append(record)
    session.execute(insert(Area), records)
    return len(records)


def replace_area_groups(session: Session, groups: pd.DataFrame) -> int:
    """Replace all area groups. Takes columns group_code, group_name, kind, owner_code,
    member_code, position (one row per member)."""
    session.execute(delete(AreaGroupMember))
    session.execute(delete(AreaGroup))
    count = 0
    for (code, name, kind), members in groups.groupby(
        ["group_code", "group_name", "kind"], sort=False
    ):
        owner = _clean(members["owner_code"].iloc[0])
        group = AreaGroup(code=code, name=name, kind=kind, owner_code=owner)
        session.add(group)
        session.flush()
        session.execute(
            insert(AreaGroupMember),
            [
                {"group_id": group.id, "area_code": m, "position": int(p)}
                for m, p in zip(members["member_code"], members["position"], strict=True)
            ],
        )
        count += 1
    return count


def upsert_indicators(session: Session, catalogue: pd.DataFrame) -> int:
    """Insert or update indicators from catalogue rows (columns as data/indicators.csv)."""
    columns = set(Indicator.__table__.columns.keys())
    for row in catalogue.to_dict("records"):
        values = {k: _clean(v) for k, v in row.items() if k in columns}
        values["illustrative"] = bool(values.get("illustrative"))
        existing = session.get(Indicator, values["id"])
        if existing is None:
            session.add(Indicator(**values))
        else:
            for key, value in values.items():
                setattr(existing, key, value)
    session.flush()
    return len(catalogue)


def areas_frame(session: Session) -> pd.DataFrame:
    """All areas: code, la_number, name, area_type, la_type, parent_code, valid_from,
    valid_to, successor_code."""
    columns = list(Area.__table__.columns.keys())
    rows = session.execute(select(*[getattr(Area, c) for c in columns])).all()
    return pd.DataFrame(rows, columns=columns)


def group_members(session: Session, group_code: str) -> list[str]:
    """Member area codes of a group, in their stored order."""
    query = (
        select(AreaGroupMember.area_code)
        .join(AreaGroup, AreaGroup.id == AreaGroupMember.group_id)
        .where(AreaGroup.code == group_code)
        .order_by(AreaGroupMember.position)
    )
    return list(session.scalars(query))


def neighbour_group_code(session: Session, area_code: str) -> str | None:
    """The code of the statistical-neighbour group owned by an area, if any."""
    return session.scalar(
        select(AreaGroup.code).where(
            AreaGroup.owner_code == area_code, AreaGroup.kind == "statistical_neighbours"
        )
    )
