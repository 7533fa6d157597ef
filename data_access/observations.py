"""Reading and writing observations as DataFrames: the raw observations cache layer.

Canonical observation columns (the contract shared with the importers and analysis):
indicator, area_code, period_label, period_start, period_end, breakdown, breakdown_value,
numerator, denominator, value, lower_ci, upper_ci, status.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import cast

import numpy as np
import pandas as pd
from sqlalchemy import Select, func, insert, select
from sqlalchemy.orm import Session

from data_access.cache import cached_frame
from data_access.data_state import bump_data_version, current_data_version
from data_access.importing.canonical import OBSERVATION_COLUMNS
from data_access.models import Area, Indicator, Observation

CANONICAL_COLUMNS = list(OBSERVATION_COLUMNS)

_SELECT_COLUMNS = (
    Observation.indicator_id.label("indicator"),
    Observation.area_code,
    Observation.period_label,
    Observation.period_start,
    Observation.period_end,
    Observation.breakdown,
    Observation.breakdown_value,
    Observation.numerator,
    Observation.denominator,
    Observation.value,
    Observation.lower_ci,
    Observation.upper_ci,
    Observation.status,
)

INSERT_CHUNK = 5_000


def _none_if_nan(value: object) -> object:
    return None if value is None or (isinstance(value, float) and value != value) else value


def insert_observations(
    session: Session,
    frame: pd.DataFrame,
    batch_id: int | None = None,
    source: str | None = None,
) -> int:
    """Insert canonical rows as new observations (no revision handling). Returns rows written.

    Each row's source is its ``source`` column when the frame has one, else ``source``.
    """
    if frame.empty:
        return 0
    version = current_data_version(session)
    records = []
    sources = (
        [s if isinstance(s, str) and s else source for s in frame["source"]]
        if "source" in frame.columns
        else [source] * len(frame)
    )
    for row, row_source in zip(
        frame[CANONICAL_COLUMNS].itertuples(index=False), sources, strict=True
    ):
        records.append(
            {
                "indicator_id": row.indicator,
                "area_code": row.area_code,
                "period_label": row.period_label,
                "period_start": row.period_start,
                "period_end": row.period_end,
                "breakdown": row.breakdown,
                "breakdown_value": row.breakdown_value,
                "numerator": _none_if_nan(row.numerator),
                "denominator": _none_if_nan(row.denominator),
                "value": _none_if_nan(row.value),
                "lower_ci": _none_if_nan(row.lower_ci),
                "upper_ci": _none_if_nan(row.upper_ci),
                "status": _none_if_nan(row.status) or None,
                "batch_id": batch_id,
                "data_version": version,
                "source": row_source,
            }
        )
    for start in range(0, len(records), INSERT_CHUNK):
        session.execute(insert(Observation), records[start : start + INSERT_CHUNK])
    return len(records)


def observations_frame(
    session: Session,
    indicator: str,
    area_codes: Sequence[str] | None = None,
    breakdown: str | None = "total",
    period_from: object | None = None,
    period_to: object | None = None,
    *,
    memoise: bool = True,
) -> pd.DataFrame:
    """Observations of one indicator as a DataFrame of the canonical columns plus area_name.

    ``area_codes`` None means every area; ``breakdown`` None means every breakdown.
    Sorted by area_code, breakdown, breakdown_value, period_start. Memoised by
    data_access.cache under the data version, so an import (which bumps it) invalidates it;
    ``memoise=False`` reads the database (for callers that keep what they make of it).
    """
    areas = None if area_codes is None else sorted(set(area_codes))
    if not memoise:
        return _observations_frame_uncached(
            session, indicator, areas, breakdown, period_from, period_to
        )
    key = (indicator, areas, breakdown, str(period_from), str(period_to))
    return cached_frame(
        "observations",
        key,
        lambda: _observations_frame_uncached(
            session, indicator, areas, breakdown, period_from, period_to
        ),
        session=session,
    )


def _observations_frame_uncached(
    session: Session,
    indicator: str,
    area_codes: Sequence[str] | None,
    breakdown: str | None,
    period_from: object | None,
    period_to: object | None,
) -> pd.DataFrame:
    query = (
        select(*_SELECT_COLUMNS, Area.name.label("area_name"))
        .join(Area, Area.code == Observation.area_code, isouter=True)
        .where(Observation.indicator_id == indicator)
    )
    if area_codes is not None:
        query = query.where(Observation.area_code.in_(list(area_codes)))
    if breakdown is not None:
        query = query.where(Observation.breakdown == breakdown)
    if period_from is not None:
        query = query.where(Observation.period_start >= period_from)
    if period_to is not None:
        query = query.where(Observation.period_end <= period_to)
    query = query.order_by(
        Observation.area_code,
        Observation.breakdown,
        Observation.breakdown_value,
        Observation.period_start,
    )
    return frame_from_tuples(fetch_tuples(session, query), [*CANONICAL_COLUMNS, "area_name"])


def period_frame(
    session: Session, indicator: str, period_start: date, period_end: date
) -> pd.DataFrame:
    """Every area and breakdown of one period of an indicator: canonical columns plus
    area_name, in no particular order.

    Selected by indicator and start date only, so that both databases read it through
    ``ix_obs_indicator_period``: PostgreSQL takes start and end together for a rare pair
    and walks the indicator's whole history in ``uq_observation_slice`` order instead (31 ms
    against 3 ms on 2 million rows). The end date is checked here; callers keep the areas
    they need (a list of every authority in the query would mislead the planner too).
    Memoised with the other observations under the data version.
    """
    return cached_frame(
        "observations",
        ("period", indicator, str(period_start), str(period_end)),
        lambda: _period_frame_uncached(session, indicator, period_start, period_end),
        session=session,
    )


def _period_frame_uncached(
    session: Session, indicator: str, period_start: date, period_end: date
) -> pd.DataFrame:
    query = (
        select(*_SELECT_COLUMNS, Area.name.label("area_name"))
        .join(Area, Area.code == Observation.area_code, isouter=True)
        .where(Observation.indicator_id == indicator, Observation.period_start == period_start)
    )
    rows = frame_from_tuples(fetch_tuples(session, query), [*CANONICAL_COLUMNS, "area_name"])
    return rows[rows["period_end"] == period_end].reset_index(drop=True)


def newest_period(
    session: Session,
    indicator: str,
    starting_before: date | None = None,
    ending_by: date | None = None,
) -> tuple[date, date] | None:
    """(period_start, period_end) of the indicator's newest period starting before
    ``starting_before`` and ending by ``ending_by`` (either None: no limit), or None."""
    query = (
        select(Observation.period_start, Observation.period_end)
        .where(Observation.indicator_id == indicator)
        .order_by(Observation.period_start.desc())
        .limit(1)
    )
    if starting_before is not None:
        query = query.where(Observation.period_start < starting_before)
    if ending_by is not None:
        query = query.where(Observation.period_end <= ending_by)
    found = session.execute(query).first()
    if found is None:
        return None
    start, end = _as_dates(found)
    return start, end  # type: ignore[return-value]


FLOAT_COLUMNS = ("numerator", "denominator", "value", "lower_ci", "upper_ci")
DATE_COLUMNS = ("period_start", "period_end")


def frame_from_tuples(rows: list[tuple], names: list[str]) -> pd.DataFrame:
    """Driver rows as a DataFrame: figures as float (NaN for NULL), dates as ``date``
    objects, text as object columns (built column by column: far cheaper than pandas
    inferring types row by row)."""
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(names)
    data: dict[str, object] = {}
    for name, values in zip(names, columns, strict=True):
        if name in FLOAT_COLUMNS:
            data[name] = np.array(values, dtype=float)  # None becomes NaN
        elif name in DATE_COLUMNS:
            data[name] = pd.Series(_as_dates(values), dtype=object)
        else:
            data[name] = pd.Series(values, dtype=object)
    return pd.DataFrame(data, columns=names)


def fetch_tuples(session: Session, query: Select) -> list[tuple]:
    """The rows of ``query`` as plain tuples straight from the database driver.

    SQLAlchemy's result rows and type processing cost far more than the query for the
    thousands of rows a panel reads (80 ms against 5 ms for 2,600 rows on SQLite), so the
    statement is compiled once with its parameters and run on the driver's cursor. Dates
    come back as ``date`` from PostgreSQL and as ISO text from SQLite (see ``_as_dates``).
    """
    connection = session.connection()
    compiled = query.compile(
        dialect=connection.dialect, compile_kwargs={"render_postcompile": True}
    )
    parameters = compiled.params
    if connection.dialect.paramstyle in ("qmark", "numeric"):
        arguments: object = tuple(parameters[name] for name in compiled.positiontup or [])
    else:
        arguments = parameters
    driver = connection.connection.driver_connection
    assert driver is not None  # an open connection always has its driver's
    cursor = driver.cursor()
    try:
        cursor.execute(str(compiled), arguments)
        return cursor.fetchall()
    finally:
        cursor.close()


def _as_dates(values: Iterable[object]) -> list[date | None]:
    """ISO text (SQLite) or dates (PostgreSQL) as ``date`` or None."""
    values = list(values)
    # A column repeats a few dozen periods thousands of times: parse each text once.
    parsed = {v: date.fromisoformat(v[:10]) for v in set(values) if isinstance(v, str)}
    return [parsed[v] if isinstance(v, str) else cast("date | None", v) for v in values]


def latest_totals(
    session: Session, indicators: Iterable[str], area_codes: Sequence[str]
) -> pd.DataFrame:
    """The newest whole-population value of each indicator for each area.

    Returns canonical columns plus area_name, one row per (indicator, area_code) that has
    any observation; the newest period is chosen per indicator across the given areas so
    that an area missing the latest year shows as missing, not as an older figure.
    """
    frames = []
    for indicator in indicators:
        frame = observations_frame(session, indicator, area_codes, "total")
        if frame.empty:
            continue
        newest = frame["period_end"].max()
        frames.append(frame[frame["period_end"] == newest])
    if not frames:
        return pd.DataFrame(columns=[*CANONICAL_COLUMNS, "area_name"])
    return pd.concat(frames, ignore_index=True)


def indicator_catalogue(
    session: Session, ids: Sequence[str] | None = None, include_unpublished: bool = False
) -> pd.DataFrame:
    """The indicator catalogue: one row per indicator with every catalogue column. An
    analyst's new indicator is left out until an admin publishes it, unless
    ``include_unpublished``."""
    query = select(Indicator).order_by(Indicator.theme, Indicator.id)
    if not include_unpublished:
        query = query.where(Indicator.published.is_(True))
    if ids is not None:
        query = query.where(Indicator.id.in_(list(ids)))
    columns = [c.name for c in Indicator.__table__.columns]
    rows = [{c: getattr(ind, c) for c in columns} for ind in session.scalars(query)]
    return pd.DataFrame(rows, columns=columns)


def count_observations(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Observation)) or 0


__all__ = [
    "CANONICAL_COLUMNS",
    "bump_data_version",
    "count_observations",
    "current_data_version",
    "fetch_tuples",
    "frame_from_tuples",
    "indicator_catalogue",
    "insert_observations",
    "latest_totals",
    "newest_period",
    "observations_frame",
    "period_frame",
]
