"""Indicator views: an area's series with comparators, breakdowns, rankings and API rows.

Every frame returned here has had disclosure control applied (``analysis.
apply_disclosure_control``) before any figure is derived from it, so what reaches a chart,
a download or the API is the same suppressed data. Suppression runs over all breakdowns of
an area at once, because a cell hidden in one breakdown must not be recoverable from the
total shown elsewhere.

Series frames (``SERIES_COLUMNS``) hold one row per (series, breakdown value, period):
``series_key`` ("area", "england", "region", "neighbours", "ln", "gm" or an area code for
a named authority), ``series_name``, ``area_code``, ``period_label``, ``period_start``,
``period_end``, ``breakdown``, ``breakdown_value``, ``numerator``, ``denominator``,
``value``, ``lower_ci``, ``upper_ci``, ``status``, ``england_value``, ``comparison``
(the verdict against England for the same period and group).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis import (
    add_comparison_column,
    aggregate_group,
    apply_disclosure_control,
    ranks_and_quartiles,
)
from analysis.periods import period_text
from analysis.series import round_for_display, summarise_breakdown
from data_access.catalogue import group_members, neighbour_group_code
from data_access.importing.distinct import map_distinct
from data_access.models import Area, Indicator, Observation
from data_access.observations import (
    CANONICAL_COLUMNS,
    indicator_catalogue,
    newest_period,
    observations_frame,
    period_frame,
)
from rules.disclosure import indicator_denominator_counts_people

ENGLAND = "E92000001"
GREATER_MANCHESTER = "GM"
LEARNING_NETWORK = "LN"
DEFAULT_COMPARATORS = ["england", "region", "neighbours"]
FIXED_COMPARATORS = ("england", "region", "neighbours", "ln", "gm")
AUTHORITY_VALUE_COLUMNS = [
    "area_code",
    "area_name",
    "period_label",
    "period_start",
    "value",
    "status",
    "rank",
    "ranked",
    "band",
]
SERIES_COLUMNS = [
    "series_key",
    "series_name",
    "area_code",
    "period_label",
    "period_start",
    "period_end",
    "breakdown",
    "breakdown_value",
    "numerator",
    "denominator",
    "value",
    "lower_ci",
    "upper_ci",
    "status",
    "england_value",
    "comparison",
]


def indicator_record(
    session: Session, indicator_id: str, include_unpublished: bool = False
) -> dict[str, Any] | None:
    """One catalogue row as a dict (keys as data/indicators.csv), or None if unknown (or
    not yet published by an admin, unless ``include_unpublished``)."""
    # A primary-key read: every panel, tab and API request asks for one, so no DataFrame.
    indicator = session.get(Indicator, indicator_id)
    if indicator is None or not (indicator.published or include_unpublished):
        return None
    return {c.name: getattr(indicator, c.name) for c in Indicator.__table__.columns}


def indicator_options(session: Session) -> list[dict[str, str]]:
    """``[{"label", "value"}]`` for every indicator, by theme then title."""
    catalogue = indicator_catalogue(session)
    return [
        {"label": f"{row.title}{' (illustrative)' if row.illustrative else ''}", "value": row.id}
        for row in catalogue.sort_values(["theme", "title"]).itertuples()
    ]


def area_record(session: Session, area_code: str) -> dict[str, Any] | None:
    """``{"code", "name", "parent_code", "parent_name"}`` of an area, or None."""
    area = session.get(Area, area_code)
    if area is None:
        return None
    parent = session.get(Area, area.parent_code) if area.parent_code else None
    return {
        "code": area.code,
        "name": area.name,
        "parent_code": area.parent_code,
        "parent_name": parent.name if parent else None,
    }


def local_authorities(session: Session) -> pd.DataFrame:
    """Current local authorities: columns code, name, parent_code; sorted by name."""
    query = (
        select(Area.code, Area.name, Area.parent_code)
        .where(Area.area_type == "la", Area.valid_to.is_(None))
        .order_by(Area.name)
    )
    return pd.DataFrame(session.execute(query).all(), columns=["code", "name", "parent_code"])


def available_breakdowns(session: Session, indicator: str, area_code: str) -> list[str]:
    """Breakdown dimensions with rows for this indicator and area ("total" first)."""
    query = (
        select(Observation.breakdown)
        .where(Observation.indicator_id == indicator, Observation.area_code == area_code)
        .distinct()
    )
    found = set(session.scalars(query))
    return ["total", *sorted(found - {"total"})]


def comparator_names(session: Session, area_code: str, keys: Sequence[str]) -> dict[str, str]:
    """Display names of comparator keys for an area (region and neighbours depend on it)."""
    area = area_record(session, area_code) or {"name": area_code, "parent_name": None}
    fixed = {
        "england": "England",
        "region": area.get("parent_name") or "Region",
        "neighbours": "Statistical neighbours (mean)",
        "ln": "Learning Network",
        "gm": "Greater Manchester",
    }
    names = {}
    for key in keys:
        if key in fixed:
            names[key] = fixed[key]
        else:
            other = session.get(Area, key)
            names[key] = other.name if other else key
    return names


def suppressed_rows(
    session: Session,
    indicator: dict[str, Any],
    area_codes: Sequence[str] | None,
    threshold: int,
    period_from: object | None = None,
    period_to: object | None = None,
) -> pd.DataFrame:
    """Canonical rows plus area_name for all breakdowns of the areas, with disclosure control.

    ``area_codes`` None means every area. Rates use a population denominator, which is not a
    count of people to protect (``denominator_is_people=False``). The observations are read
    through their cache (``observations_frame``); what is built from them is cached as a
    view (``data_access.views``), not here.
    """
    areas = None if area_codes is None else sorted(set(area_codes))
    frame = observations_frame(
        session, indicator["id"], areas, None, _as_date(period_from), _as_date(period_to)
    )
    return _disclosure_controlled(frame, indicator, threshold)


def _disclosure_controlled(
    frame: pd.DataFrame, indicator: dict[str, Any], threshold: int
) -> pd.DataFrame:
    """``apply_disclosure_control`` for this indicator's rows. Rates use a population
    denominator, which is not a count of people to protect. A count indicator's figure is
    itself the count: a file that gives only the figure (value 4, no numerator) is
    suppressed as if it had given the numerator."""
    people = indicator_denominator_counts_people(indicator)
    if indicator.get("unit") == "count" and len(frame):
        frame = frame.assign(numerator=frame["numerator"].fillna(frame["value"]))
    return with_period_text(
        apply_disclosure_control(frame, threshold=threshold, denominator_is_people=people)
    )


def with_period_text(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its period labels written the one way they are shown
    (``analysis.periods.period_text``): every row read here for a screen, a download or the
    API passes through this, whatever form the importer stored."""
    if "period_label" not in frame.columns or frame.empty:
        return frame
    # Once per distinct label: an API page or the map holds thousands of rows, few periods.
    return frame.assign(period_label=map_distinct(frame["period_label"], period_text, ""))


def _as_date(value: object | None) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _group_series(
    rows: pd.DataFrame,
    indicator: dict[str, Any],
    group_code: str,
    group_name: str,
    members: Sequence[str],
) -> pd.DataFrame:
    """A group's figures from its members' suppressed counts (summed, never averaged).

    Members are aggregated after their own suppression, so the group figure minus the
    visible members can never give back a suppressed member's count.
    """
    if indicator.get("unit") not in ("percent", "rate_per_10k", "count"):
        return pd.DataFrame(columns=CANONICAL_COLUMNS)
    rows = rows[rows["area_code"].isin(members)]
    if rows.empty:
        return pd.DataFrame(columns=CANONICAL_COLUMNS)
    return aggregate_group(rows, group_code, group_name, unit=indicator["unit"])


def _neighbour_series(
    rows: pd.DataFrame, indicator: dict[str, Any], group_code: str, members: Sequence[str]
) -> pd.DataFrame:
    """Mean of the neighbours' values present in each period (LAIT's rule); no interval."""
    rows = rows[rows["area_code"].isin(members) & rows["value"].notna()]
    if rows.empty:
        return pd.DataFrame(columns=CANONICAL_COLUMNS)
    keys = ["period_label", "period_start", "period_end", "breakdown", "breakdown_value"]
    out = rows.groupby(keys, as_index=False).agg(
        value=("value", "mean"), members_present=("area_code", "nunique")
    )
    out["area_code"] = group_code
    out["indicator"] = indicator["id"]
    out["numerator"] = np.nan
    out["denominator"] = np.nan
    out["lower_ci"] = np.nan
    out["upper_ci"] = np.nan
    out["status"] = None
    return out


def _comparator_members(session: Session, area: dict[str, Any], keys: Sequence[str]) -> dict:
    """Area codes each comparator key needs: {key: (group_code, [member codes])}."""
    needed: dict[str, tuple[str, list[str]]] = {"england": (ENGLAND, [ENGLAND])}
    for key in keys:
        if key == "region" and area.get("parent_code"):
            needed[key] = (area["parent_code"], [area["parent_code"]])
        elif key == "neighbours":
            code = neighbour_group_code(session, area["code"])
            if code:
                needed[key] = (code, group_members(session, code))
        elif key in ("ln", "gm"):
            code = LEARNING_NETWORK if key == "ln" else GREATER_MANCHESTER
            needed[key] = (code, group_members(session, code))
        elif key not in FIXED_COMPARATORS:
            needed[key] = (key, [key])
    return needed


def panel_area_codes(session: Session, area_code: str, comparators: Sequence[str]) -> list[str]:
    """Every area whose rows a panel of ``area_code`` with ``comparators`` needs, sorted."""
    area = area_record(session, area_code) or {"code": area_code, "name": area_code}
    return _needed_codes(area_code, _comparator_members(session, area, comparators))


def _needed_codes(area_code: str, needed: dict) -> list[str]:
    """The area and every member of its comparators (``_comparator_members``), sorted."""
    return sorted({area_code, *(c for _, members in needed.values() for c in members)})


def series_frame(
    session: Session,
    indicator: dict[str, Any],
    area_code: str,
    breakdown: str = "total",
    comparators: Sequence[str] | None = None,
    period_from: object | None = None,
    period_to: object | None = None,
    threshold: int = 5,
    rows: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The area's series and its comparators' series (``SERIES_COLUMNS``), suppressed.

    With ``breakdown`` "total" every comparator is included; with a breakdown dimension
    the chart compares the area's groups, with England's matching groups when "england"
    is chosen (the other benchmarks are not published by group). All areas are read in
    one query and suppressed together. ``rows`` may
    pass the suppressed rows of ``panel_area_codes`` when the caller already has them.
    """
    comparators = list(DEFAULT_COMPARATORS if comparators is None else comparators)
    names = comparator_names(session, area_code, ["england", *comparators])
    area = area_record(session, area_code) or {"code": area_code, "name": area_code}
    needed = _comparator_members(session, area, comparators)
    if rows is None:
        codes = _needed_codes(area_code, needed)
        rows = suppressed_rows(session, indicator, codes, threshold, period_from, period_to)
    rows = rows[rows["breakdown"] == breakdown]
    england = rows[rows["area_code"] == ENGLAND]

    frames = [_label(rows[rows["area_code"] == area_code], "area", area["name"])]
    for key in comparators:
        if (breakdown != "total" and key != "england") or key not in needed:
            continue
        code, members = needed[key]
        if key == "neighbours":
            frame = _neighbour_series(rows, indicator, code, members)
        elif key in ("ln", "gm"):
            frame = _group_series(rows, indicator, code, names[key], members)
        else:
            frame = rows[rows["area_code"] == code]
        if not frame.empty:
            frames.append(_label(frame, key, names[key]))
    present = [f for f in frames if not f.empty]
    if not present:
        # An area with no figures at all (the research team has no area of its own).
        return pd.DataFrame(columns=SERIES_COLUMNS)
    series = pd.concat(present, ignore_index=True)
    return _with_england_comparison(series, england, indicator["polarity"])


def _label(frame: pd.DataFrame, key: str, name: str) -> pd.DataFrame:
    out = frame.copy()
    out["series_key"] = key
    out["series_name"] = name
    return out


def _with_england_comparison(
    series: pd.DataFrame, england: pd.DataFrame, polarity: str
) -> pd.DataFrame:
    """Add england_value and comparison (the verdict against England, same period/group)."""
    bench = england[["period_start", "breakdown_value", "value"]].rename(
        columns={"value": "england_value"}
    )
    out = series.drop(columns=["england_value"], errors="ignore").merge(
        bench, on=["period_start", "breakdown_value"], how="left"
    )
    out = add_comparison_column(out, "england_value", polarity)
    out.loc[out["series_key"] == "england", "comparison"] = None
    out["status"] = out["status"].astype(object).where(out["status"].notna(), None)
    sort_order = {"area": 0, "england": 1, "region": 2, "neighbours": 3, "ln": 4, "gm": 5}
    out["_order"] = out["series_key"].map(sort_order).fillna(6)
    out = out.sort_values(["_order", "series_key", "breakdown_value", "period_start"])
    return out[SERIES_COLUMNS].reset_index(drop=True)


def breakdown_summary(
    session: Session,
    indicator: dict[str, Any],
    area_code: str,
    breakdown: str,
    threshold: int,
    period_from: object | None = None,
    period_to: object | None = None,
    rows: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """The groups of one breakdown for the latest period that has them, with the gap
    (``analysis.series.summarise_breakdown`` of the area's suppressed rows). ``rows`` may
    pass suppressed rows that include the area's (suppression is per area, so the area's
    rows are the same whichever other areas were suppressed with them).
    """
    if rows is None:
        rows = suppressed_rows(session, indicator, [area_code], threshold, period_from, period_to)
    rows = rows[rows["area_code"] == area_code]
    return summarise_breakdown(rows, breakdown, indicator.get("unit"))


def authority_values(
    session: Session,
    indicator: dict[str, Any],
    period_start: object | None,
    threshold: int,
    period_to: object | None = None,
) -> pd.DataFrame:
    """Whole-population values of every current local authority for one period.

    ``period_start`` None picks the latest period with local-authority values (ending by
    ``period_to`` when given). Returns
    columns area_code, area_name, period_label, period_start, value, status, rank, ranked,
    band (polarity respected, ``analysis.ranks_and_quartiles``); ``AUTHORITY_VALUE_COLUMNS``.
    Cached as a map view (``data_access.views.build_map_view``), not here.
    """
    codes = set(local_authorities(session)["code"])
    columns = ["area_code", "area_name", "period_label", "period_start", "value", "status"]
    chosen = pd.DataFrame(columns=columns)
    for start, end in _map_periods(session, indicator["id"], period_start, period_to):
        totals = _authority_totals(session, indicator, codes, start, end, threshold)
        # The newest period where disclosure control leaves some authority's figure shown.
        if period_start not in (None, "") or totals["value"].notna().any():
            chosen = totals[columns]
            break
    if chosen.empty:
        return pd.DataFrame(columns=AUTHORITY_VALUE_COLUMNS)
    chosen = chosen.reset_index(drop=True)
    ranks = ranks_and_quartiles(chosen.set_index("area_code")["value"], indicator["polarity"])
    # Plain ints and None, as rank_and_quartile gives them, for the map and the table.
    chosen["rank"] = [None if pd.isna(r) else int(r) for r in ranks["rank"]]
    chosen["ranked"] = ranks["ranked"].to_numpy()
    chosen["band"] = ranks["band"].to_numpy()
    return chosen


def _map_periods(
    session: Session, indicator: str, period_start: object | None, period_to: object | None
) -> Iterator[tuple[date, date]]:
    """(start, end) of the periods the map may show, newest first: the period starting on
    ``period_start`` when given, else each period ending by ``period_to`` (found one at a
    time: the newest almost always has figures to show)."""
    start = _as_date(period_start)
    if start is not None:
        found = newest_period(session, indicator, start + timedelta(days=1))
        if found is not None and found[0] == start:
            yield found
        return
    found = newest_period(session, indicator, None, _as_date(period_to))
    while found is not None:
        yield found
        found = newest_period(session, indicator, found[0], _as_date(period_to))


def _authority_totals(
    session: Session,
    indicator: dict[str, Any],
    authorities: set[str],
    start: date,
    end: date,
    threshold: int,
) -> pd.DataFrame:
    """Each authority's whole-population row for one period, after disclosure control.

    Suppression runs over every breakdown of the period, as on each authority's own panel:
    a total can be hidden because of a cell in one of its breakdowns (a lone small cell
    whose neighbours are all 0 or unknown), which suppressing the totals alone would miss.
    Canonical columns plus area_name, one row per authority with a figure.
    """
    rows = period_frame(session, indicator["id"], start, end)
    rows = rows[rows["area_code"].isin(authorities)].reset_index(drop=True)
    rows = _disclosure_controlled(rows, indicator, threshold)
    return rows[rows["breakdown"].eq("total")].sort_values("area_code")


def indicator_periods(session: Session, indicator: str, area_code: str) -> pd.DataFrame:
    """Distinct periods of an indicator for an area: period_label, period_start, period_end."""
    query = (
        select(Observation.period_label, Observation.period_start, Observation.period_end)
        .where(Observation.indicator_id == indicator, Observation.area_code == area_code)
        .distinct()
        .order_by(Observation.period_start)
    )
    return with_period_text(
        pd.DataFrame(
            session.execute(query).all(), columns=["period_label", "period_start", "period_end"]
        )
    ).drop_duplicates(ignore_index=True)


API_COLUMNS = [
    "indicator",
    "area_code",
    "area_name",
    "period",
    "period_start",
    "period_end",
    "breakdown",
    "breakdown_value",
    "numerator",
    "denominator",
    "value",
    "lower_ci",
    "upper_ci",
    "status",
    "england_value",
    "comparison_england",
]


def api_observation_rows(
    session: Session,
    indicator: dict[str, Any],
    area_codes: Sequence[str] | None,
    breakdown: str | None,
    period_from: object | None,
    period_to: object | None,
    threshold: int,
) -> pd.DataFrame:
    """Rows for /api/v1/observations (``API_COLUMNS``), suppressed, with the England verdict.

    Values and intervals are rounded to one decimal place, as shown on screen.
    """
    rows = suppressed_rows(session, indicator, area_codes, threshold, period_from, period_to)
    england = suppressed_rows(session, indicator, [ENGLAND], threshold, period_from, period_to)
    if breakdown is not None:
        rows = rows[rows["breakdown"] == breakdown]
    if rows.empty:
        return pd.DataFrame(columns=API_COLUMNS)
    bench = england[["period_start", "breakdown", "breakdown_value", "value"]].rename(
        columns={"value": "england_value"}
    )
    out = rows.merge(bench, on=["period_start", "breakdown", "breakdown_value"], how="left")
    out = add_comparison_column(out, "england_value", indicator["polarity"], "comparison_england")
    out.loc[out["area_code"] == ENGLAND, "comparison_england"] = None
    out = out.rename(columns={"period_label": "period"})
    out = out.sort_values(["area_code", "breakdown", "breakdown_value", "period_start"])
    return round_for_display(out[API_COLUMNS].reset_index(drop=True))
