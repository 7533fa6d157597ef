"""The view service: what a panel or a map shows, built once and cached once.

Pages, the API, Learning Network steps, costs and the command line's cache warm-up ask
here for views; nothing above this module reads observations for a panel itself.

- ``build_panel_view(session, ViewRequest) -> PanelView``: everything one indicator panel
  shows, suppressed. ``ViewRequest`` is a frozen dataclass holding everything the answer
  depends on (the disclosure threshold and the data version included), so it is also the
  cache key.
- ``build_map_view(session, MapRequest)``: every authority's figure for one period of an
  indicator, ranked (the Explore map and the costs scatter).

There are exactly two cache layers: these views (namespace ``view``) and the raw
observations (``data_access.observations``, namespace ``observations``). Both are keyed by
the data version, so an import (which bumps it) leaves nothing stale to serve.
``warm_views`` fills the first layer after an import, in one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import astuple, dataclass, replace
from datetime import date
from typing import Any

import orjson
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.costs import (
    financial_year_end,
    financial_year_start,
    is_comparable_authority,
    spend_per_child,
)
from analysis.panel_view import (
    AreaRecord,
    BreakdownSummary,
    IndicatorRecord,
    PanelView,
    PeriodOption,
)
from analysis.periods import period_text
from analysis.series import area_trend, latest_comparisons, latest_counted_point
from analysis.verdicts import Verdict, build_verdict
from data_access import indicators_query as iq
from data_access.cache import cached_value, describe_cache, frame_from_document, frame_to_document
from data_access.catalogue import group_members, neighbour_group_code
from data_access.journeys import child_population
from data_access.learning_network import SessionRecord, participant_names
from data_access.models import Area, Organisation
from data_access.observations import current_data_version, observations_frame
from data_access.users import areas_with_active_users

# Breakdowns a panel summarises under its chart when the whole population is drawn.
PREFERRED_BREAKDOWNS = ("fsm", "ethnicity", "sex", "sen", "imd_quintile", "age_band")
VIEW_NAMESPACE = "view"


class UnknownView(LookupError):
    """The indicator or the area of a request is not in the database."""


@dataclass(frozen=True)
class ViewRequest:
    """One panel's view: indicator, area, breakdown, comparators and period range, with the
    disclosure threshold and the data version it is built under. Hashable and the cache
    key; build it with :meth:`of` so the data version is read, never typed in."""

    indicator_id: str
    area_code: str
    breakdown: str = "total"
    comparators: tuple[str, ...] = tuple(iq.DEFAULT_COMPARATORS)
    period_from: str | None = None
    period_to: str | None = None
    threshold: int = 5
    data_version: int = 0

    @classmethod
    def of(
        cls,
        session: Session,
        indicator_id: str,
        area_code: str,
        *,
        threshold: int,
        breakdown: str | None = "total",
        comparators: Sequence[str] | None = None,
        period_from: object | None = None,
        period_to: object | None = None,
    ) -> ViewRequest:
        """The request at the database's current data version (``comparators`` None: the
        default ones; empty strings and None mean no period limit)."""
        chosen = iq.DEFAULT_COMPARATORS if comparators is None else comparators
        return cls(
            indicator_id=indicator_id,
            area_code=area_code,
            breakdown=breakdown or "total",
            comparators=tuple(chosen),
            period_from=_text_or_none(period_from),
            period_to=_text_or_none(period_to),
            threshold=int(threshold),
            data_version=current_data_version(session),
        )

    def key_parts(self) -> tuple[object, ...]:
        """The request as plain values (the version travels in the cache key's prefix)."""
        return astuple(replace(self, data_version=0))


@dataclass(frozen=True)
class MapRequest:
    """Every authority's whole-population figure for one period of an indicator:
    ``period_start`` None picks the newest period with figures (ending by ``period_to``)."""

    indicator_id: str
    period_start: str | None = None
    period_to: str | None = None
    threshold: int = 5
    data_version: int = 0

    @classmethod
    def of(
        cls,
        session: Session,
        indicator_id: str,
        *,
        threshold: int,
        period_start: object | None = None,
        period_to: object | None = None,
    ) -> MapRequest:
        return cls(
            indicator_id=indicator_id,
            period_start=_text_or_none(period_start),
            period_to=_text_or_none(period_to),
            threshold=int(threshold),
            data_version=current_data_version(session),
        )

    def key_parts(self) -> tuple[object, ...]:
        return astuple(replace(self, data_version=0))


def _text_or_none(value: object | None) -> str | None:
    return None if value in (None, "") else str(value)


# --- records ---------------------------------------------------------------------------------


def indicator_record(session: Session, indicator_id: str) -> IndicatorRecord | None:
    """The catalogue row of an indicator, or None if unknown."""
    row = iq.indicator_record(session, indicator_id)
    return None if row is None else IndicatorRecord.from_row(row)


def area_record(session: Session, area_code: str) -> AreaRecord | None:
    """An area with its parent's code and name, or None if unknown."""
    row = iq.area_record(session, area_code)
    return None if row is None else AreaRecord(**row)


def session_authorities(session: Session, record: SessionRecord) -> list[tuple[str, str]]:
    """(code, name) of every local authority a Learning Network session touches: its
    participants, then each indicator step's area and named comparators, in that order;
    an authority's other codes (North Yorkshire before 2023) follow with the same name."""
    codes: list[str] = [c for c in record.participants if _is_authority(session, c)]
    for step in record.steps:
        if step.kind != "indicator":
            continue
        for code in [step.config.get("area"), *(step.config.get("compare") or [])]:
            if code and code not in iq.FIXED_COMPARATORS and _is_authority(session, code):
                codes.append(code)
    unique = list(dict.fromkeys(codes))
    names = participant_names(session, unique)
    pairs = [(code, names[code]) for code in unique]
    for code, name in list(pairs):
        pairs.extend((other, name) for other in other_codes_of(session, code))
    return pairs


def _is_authority(session: Session, code: str) -> bool:
    area = session.get(Area, code)
    if area is not None:
        return area.area_type == "la"
    kind = session.scalar(select(Organisation.kind).where(Organisation.code == code))
    return kind == "local_authority"


def other_codes_of(session: Session, code: str) -> list[str]:
    """The other area codes of the same local authority (same LA number), if any."""
    area = session.get(Area, code)
    if area is None or area.la_number is None:
        return []
    query = select(Area.code).where(Area.la_number == area.la_number, Area.code != code)
    return list(session.scalars(query))


# --- panels ----------------------------------------------------------------------------------


def build_panel_view(session: Session, request: ViewRequest) -> PanelView:
    """Everything a panel shows for ``request``, suppressed; memoised under the request.

    Raises ``UnknownView`` when the indicator or the area is not known.
    """
    view: PanelView = cached_value(
        VIEW_NAMESPACE,
        ("panel", *request.key_parts()),
        lambda: _build_panel_view(session, request),
        _encode_panel_view,
        _decode_panel_view,
        _copy_panel_view,
        session=session,
        version=request.data_version,
    )
    return view


def _build_panel_view(session: Session, request: ViewRequest) -> PanelView:
    indicator_row = iq.indicator_record(session, request.indicator_id)
    area_row = iq.area_record(session, request.area_code)
    if indicator_row is None or area_row is None:
        raise UnknownView(f"{request.indicator_id}, {request.area_code}")
    indicator, area = IndicatorRecord.from_row(indicator_row), AreaRecord(**area_row)
    comparators = list(request.comparators)
    breakdowns = iq.available_breakdowns(session, indicator.id, area.code)
    breakdown = request.breakdown if request.breakdown in breakdowns else "total"
    # One read and one suppression of every area the panel needs, shared by the chart's
    # series and the breakdown summary.
    codes = iq.panel_area_codes(session, area.code, comparators)
    period_from, period_to = request.period_from, request.period_to
    rows = iq.suppressed_rows(
        session, indicator_row, codes, request.threshold, period_from, period_to
    )
    series = iq.series_frame(
        session,
        indicator_row,
        area.code,
        breakdown,
        comparators,
        period_from,
        period_to,
        request.threshold,
        rows=rows,
    )
    summary = iq.breakdown_summary(
        session,
        indicator_row,
        area.code,
        _summary_breakdown(breakdown, breakdowns),
        request.threshold,
        period_from,
        period_to,
        rows=rows,
    )
    periods = iq.indicator_periods(session, indicator.id, area.code)
    comparisons = latest_comparisons(series, indicator.polarity)
    verdict = (
        panel_verdict(session, indicator, series, comparisons, request.threshold)
        if breakdown == "total"
        else None
    )
    return PanelView(
        indicator=indicator,
        area=area,
        series=series,
        breakdown=breakdown,
        comparisons=comparisons,
        counted_point=latest_counted_point(series),
        trend=area_trend(series, indicator.polarity),
        breakdown_summary=BreakdownSummary.from_dict(summary),
        breakdown_options=breakdowns,
        comparator_options=comparator_options(session, area.code, comparators),
        period_options=[
            PeriodOption(r.period_label, str(r.period_start), str(r.period_end))
            for r in periods.itertuples(index=False)
        ],
        verdict=verdict,
        neighbour_options=neighbour_options(session, area.code),
    )


def neighbour_options(session: Session, area_code: str) -> list[dict[str, str]]:
    """Each statistical neighbour of the area by name (``{"label", "value"}``, value the
    area code), in the group's order: chosen, each is drawn as a named authority."""
    group = neighbour_group_code(session, area_code)
    if group is None:
        return []
    codes = group_members(session, group)
    names = iq.comparator_names(session, area_code, codes)
    return [{"label": names[c], "value": c} for c in codes]


def panel_verdict(
    session: Session,
    indicator: IndicatorRecord,
    series: pd.DataFrame,
    comparisons: list[dict[str, Any]],
    threshold: int,
) -> Verdict | None:
    """The verdict on the area's latest whole-population figure in ``series``: its rank and
    band among authorities (from the map views of that period and the one before, so the
    ranks are the Explore map's), the gap to England and the significance verdict when the
    figure has counts. None when the area has no figure or is not an authority."""
    area = series[(series["series_key"] == "area") & series["value"].notna()]
    area = area.sort_values("period_start")
    if area.empty:
        return None
    latest = area.iloc[-1]
    area_code = str(latest["area_code"])
    values = _authority_period_values(session, indicator.id, latest["period_start"], threshold)
    if area_code not in values.index:
        return None  # England, a region or a group: ranks are among authorities
    previous_values, previous_label = None, None
    if len(area) > 1:
        earlier = area.iloc[-2]
        previous_values = _authority_period_values(
            session, indicator.id, earlier["period_start"], threshold
        )
        previous_label = str(earlier["period_label"])
    england = next((c for c in comparisons if c["key"] == "england"), None)
    england_rows = series[
        (series["series_key"] == "england") & (series["period_start"] == latest["period_start"])
    ]
    england_value = england_rows["value"].iloc[0] if len(england_rows) else None
    return build_verdict(
        values,
        area_code,
        indicator.polarity,
        period_label=str(latest["period_label"]),
        england=england_value,
        unit=indicator.unit,
        significance=None if england is None else england["verdict"],
        previous_values=previous_values,
        previous_period_label=previous_label,
    )


def _authority_period_values(
    session: Session, indicator_id: str, period_start: object, threshold: int
) -> pd.Series:
    """Every authority's value (NaN where suppressed) in the period starting on
    ``period_start``, indexed by area code (the map view of that period)."""
    request = MapRequest.of(
        session, indicator_id, threshold=threshold, period_start=str(period_start)[:10]
    )
    frame = build_map_view(session, request)
    if frame.empty:
        return pd.Series(dtype=float)
    return pd.to_numeric(frame.set_index("area_code")["value"], errors="coerce")


def _summary_breakdown(breakdown: str, breakdowns: list[str]) -> str:
    """The breakdown summarised under the chart: the one drawn, or for the whole
    population the first preferred (else any) breakdown the area has."""
    if breakdown != "total":
        return breakdown
    preferred = next((b for b in PREFERRED_BREAKDOWNS if b in breakdowns), None)
    return preferred or next((b for b in breakdowns if b != "total"), "total")


def comparator_options(
    session: Session, area_code: str, chosen: Sequence[str]
) -> list[dict[str, str]]:
    """Checklist options: the fixed benchmarks and any named authority already chosen."""
    keys = [*iq.FIXED_COMPARATORS, *[c for c in chosen if c not in iq.FIXED_COMPARATORS]]
    names = iq.comparator_names(session, area_code, keys)
    return [{"label": names[k], "value": k} for k in keys]


def _encode_panel_view(view: PanelView) -> bytes:
    summary = view.breakdown_summary
    document = {
        "indicator": view.indicator.as_dict(),
        "area": vars(view.area),
        "series": frame_to_document(view.series),
        "breakdown": view.breakdown,
        "comparisons": view.comparisons,
        "counted_point": view.counted_point,
        "trend": view.trend,
        "breakdown_summary": None
        if summary is None
        else {
            **vars(summary),
            "groups": None if summary.groups is None else frame_to_document(summary.groups),
        },
        "breakdown_options": view.breakdown_options,
        "comparator_options": view.comparator_options,
        "period_options": [vars(p) for p in view.period_options],
        "verdict": None if view.verdict is None else view.verdict.as_dict(),
        "neighbour_options": view.neighbour_options,
    }
    return orjson.dumps(
        document, option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS, default=str
    )


def _decode_panel_view(payload: bytes) -> PanelView:
    document: dict[str, Any] = orjson.loads(payload)
    summary = document["breakdown_summary"]
    if summary is not None:
        groups = summary["groups"]
        summary = BreakdownSummary(
            **{**summary, "groups": None if groups is None else frame_from_document(groups)}
        )
    return PanelView(
        indicator=IndicatorRecord.from_row(document["indicator"]),
        area=AreaRecord(**document["area"]),
        series=frame_from_document(document["series"]),
        breakdown=document["breakdown"],
        comparisons=document["comparisons"],
        counted_point=document["counted_point"],
        trend=document["trend"],
        breakdown_summary=summary,
        breakdown_options=document["breakdown_options"],
        comparator_options=document["comparator_options"],
        period_options=[PeriodOption(**p) for p in document["period_options"]],
        verdict=None if document.get("verdict") is None else Verdict.from_dict(document["verdict"]),
        neighbour_options=document.get("neighbour_options") or [],
    )


def _copy_panel_view(view: PanelView) -> PanelView:
    """A copy whose frames and lists the caller may change (the cache keeps its own)."""
    summary = view.breakdown_summary
    if summary is not None and summary.groups is not None:
        summary = replace(summary, groups=summary.groups.copy())
    return replace(
        view,
        series=view.series.copy(),
        comparisons=[dict(c) for c in view.comparisons],
        counted_point=None if view.counted_point is None else dict(view.counted_point),
        breakdown_summary=summary,
        breakdown_options=list(view.breakdown_options),
        comparator_options=[dict(o) for o in view.comparator_options],
        period_options=list(view.period_options),
        neighbour_options=[dict(o) for o in view.neighbour_options],
    )


# --- maps ------------------------------------------------------------------------------------


def build_map_view(session: Session, request: MapRequest) -> pd.DataFrame:
    """Every current authority's figure for the request's period, suppressed over every
    breakdown and ranked: columns area_code, area_name, period_label, period_start, value,
    status, rank, ranked, band (``iq.authority_values``). Memoised under the request; an
    unknown indicator gives no rows."""
    frame: pd.DataFrame = cached_value(
        VIEW_NAMESPACE,
        ("map", *request.key_parts()),
        lambda: _build_map_view(session, request),
        lambda value: orjson.dumps(
            frame_to_document(value), option=orjson.OPT_SERIALIZE_NUMPY, default=str
        ),
        lambda payload: frame_from_document(orjson.loads(payload)),
        lambda value: value.copy(),
        session=session,
        version=request.data_version,
    )
    return frame


def _build_map_view(session: Session, request: MapRequest) -> pd.DataFrame:
    indicator = iq.indicator_record(session, request.indicator_id)
    if indicator is None:
        return pd.DataFrame(columns=iq.AUTHORITY_VALUE_COLUMNS)
    return iq.authority_values(
        session, indicator, request.period_start, request.threshold, request.period_to
    ).reset_index(drop=True)


# --- costs ---------------------------------------------------------------------------------


def spend_frame(session: Session, indicator: str) -> pd.DataFrame:
    """Spend per child of every authority and England for one spending line: the columns
    of ``analysis.costs.spend_per_child`` plus area_name."""
    spend = iq.with_period_text(observations_frame(session, indicator, None, "total"))
    table = spend_per_child(spend, child_population())
    names = spend.drop_duplicates("area_code").set_index("area_code")["area_name"]
    table["area_name"] = table["area_code"].map(names)
    return table


def spend_years(session: Session, indicator: str) -> list[str]:
    """Financial years (labels like "2024/25") with England's spend on a line, newest first."""
    spend = iq.with_period_text(observations_frame(session, indicator, [iq.ENGLAND], "total"))
    return sorted(spend["period_label"].unique(), reverse=True)


def outcome_values(
    session: Session, outcome: str, year_start: date, threshold: int
) -> pd.DataFrame:
    """Every authority's figure for ``outcome`` in the periods starting inside the financial
    year from ``year_start``, suppressed as on each authority's own panel and the Explore
    map (``build_map_view``). Columns as ``iq.AUTHORITY_VALUE_COLUMNS``."""
    year_end = financial_year_end(year_start)
    starts = observations_frame(session, outcome, None, "total")["period_start"]
    starts = sorted({start for start in starts if year_start <= start <= year_end})
    if iq.indicator_record(session, outcome) is None or not starts:
        return pd.DataFrame(columns=["area_code", "area_name", "period_start", "value"])
    frames = [
        build_map_view(
            session, MapRequest.of(session, outcome, threshold=threshold, period_start=start)
        )
        for start in starts
    ]
    return pd.concat(frames, ignore_index=True)


def scatter_data(
    session: Session, spend_line: str, outcome: str, year: str, threshold: int
) -> pd.DataFrame:
    """Rows area_code, area_name, x (spend per child), y (outcome value) for one financial
    year of comparable authorities; the outcome is the one whose period starts inside that
    financial year."""
    spend = spend_frame(session, spend_line)
    year = period_text(year)
    spend = spend[(spend["period_label"] == year) & spend["area_code"].map(is_comparable_authority)]
    result = outcome_values(session, outcome, financial_year_start(year), threshold)
    merged = spend.merge(result[["area_code", "value"]], on="area_code", how="inner")
    return pd.DataFrame(
        {
            "area_code": merged["area_code"],
            "area_name": merged["area_name"],
            "x": merged["spend_per_child"],
            "y": merged["value"],
        }
    ).dropna(subset=["x", "y"])


# --- warming ---------------------------------------------------------------------------------


def areas_in_use(session: Session) -> list[str]:
    """Area codes of organisations with an active user (the authorities people look at)."""
    return areas_with_active_users(session)


def warm_views(session: Session, area_codes: Sequence[str], threshold: int) -> tuple[int, int]:
    """Build into the cache the default panel view of every indicator for each area, and
    every indicator's default map, so the first visit after an import is as fast as the
    next. Returns (panel views, maps)."""
    indicators = [option["value"] for option in iq.indicator_options(session)]
    panels = 0
    for area_code in area_codes:
        for indicator_id in indicators:
            request = ViewRequest.of(session, indicator_id, area_code, threshold=threshold)
            try:
                build_panel_view(session, request)
            except UnknownView:
                continue
            panels += 1
    for indicator_id in indicators:
        build_map_view(session, MapRequest.of(session, indicator_id, threshold=threshold))
    return panels, len(indicators)


def warm_areas_in_use(session: Session, threshold: int) -> tuple[int, int, int] | None:
    """``warm_views`` for every authority in use, after an import: returns (panel views,
    authorities, maps), or None when the cache is off (nothing to warm)."""
    if describe_cache() == "off":
        return None
    areas = areas_in_use(session)
    panels, maps = warm_views(session, areas, threshold)
    return panels, len(areas), maps
