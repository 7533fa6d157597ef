"""Data quality for one indicator and authority: completeness, who is missing, suppression,
late or missing periods, recent revisions.

The pure functions take observation frames (canonical columns from ``observations_frame``)
and return small DataFrames for tables; ``quality_report`` reads the database once.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access.importing.periods import parse_period_label
from data_access.models import ImportBatch, Observation, ObservationHistory
from data_access.observations import CANONICAL_COLUMNS
from rules.areas import ENGLAND
from rules.disclosure import (
    DEFAULT_THRESHOLD,
    complement_is_small,
    denominator_counts_people,
    is_small,
    value_counts_people,
)

# What the Data quality page shows of each revision (recent_revisions adds the counts
# that shown_revisions needs to decide what may be shown).
REVISION_COLUMNS = [
    "replaced_at", "period_label", "breakdown", "breakdown_value", "old_value", "new_value",
    "old_status", "new_status", "batch", "file",
]  # fmt: skip
REVISION_COUNTS = ["old_numerator", "old_denominator", "new_numerator", "new_denominator"]
# Breakdown values that record "we do not know" rather than a group.
UNKNOWN_VALUES = frozenset(
    {"unknown", "unclassified", "not_known", "not_recorded", "missing", "refused", "not_obtained"}
)
# How long after a period ends its figures are normally available.
PUBLICATION_LAG = {"monthly": 60, "quarterly": 120}
ANNUAL_LAG_DAYS = 400


def completeness(area_rows: pd.DataFrame, england_rows: pd.DataFrame) -> pd.DataFrame:
    """Per period England has: whether the area has a whole-population figure, and how many
    of England's breakdown cells the area has.

    Columns: period_label, period_start, total (figure, symbol or missing), cells_present,
    cells_expected, share_present (0-1).
    """
    columns = [
        "period_label",
        "period_start",
        "total",
        "cells_present",
        "cells_expected",
        "share_present",
    ]
    if england_rows.empty and area_rows.empty:
        return pd.DataFrame(columns=columns)
    reference = england_rows if not england_rows.empty else area_rows
    periods = (
        reference[["period_label", "period_start"]].drop_duplicates().sort_values("period_start")
    )
    rows = []
    for label, start in periods.itertuples(index=False):
        expected = reference[reference["period_label"] == label]
        have = area_rows[area_rows["period_label"] == label]
        total = have[have["breakdown"] == "total"]
        if total.empty:
            state = "missing"
        elif total["value"].notna().any():
            state = "figure"
        else:
            state = (
                f"symbol {total['status'].dropna().iloc[0]}"
                if total["status"].notna().any()
                else "missing"
            )
        cells = len(expected[["breakdown", "breakdown_value"]].drop_duplicates())
        present = len(
            have[have["value"].notna()][["breakdown", "breakdown_value"]].drop_duplicates()
        )
        rows.append([label, start, state, present, cells, present / cells if cells else 0.0])
    return pd.DataFrame(rows, columns=columns)


def unknown_shares(area_rows: pd.DataFrame) -> pd.DataFrame:
    """For each breakdown and period: the share of the counted population recorded as unknown.

    Columns: breakdown, period_label, unknown, counted, share_unknown (NaN without counts).
    Shares use denominators (people in each group) where given, else numerators.
    """
    columns = ["breakdown", "period_label", "unknown", "counted", "share_unknown"]
    cells = area_rows[area_rows["breakdown"] != "total"]
    if cells.empty:
        return pd.DataFrame(columns=columns)
    count = cells["denominator"].where(cells["denominator"].notna(), cells["numerator"])
    frame = cells.assign(count=count, is_unknown=cells["breakdown_value"].isin(UNKNOWN_VALUES))
    rows = []
    for (breakdown, label, start), group in frame.groupby(
        ["breakdown", "period_label", "period_start"]
    ):
        counted = group["count"].sum(min_count=1)
        unknown = group.loc[group["is_unknown"], "count"].sum(min_count=1)
        unknown = 0.0 if pd.isna(unknown) and group["is_unknown"].sum() == 0 else unknown
        share = (
            unknown / counted
            if counted and not pd.isna(counted) and not pd.isna(unknown)
            else float("nan")
        )
        rows.append([breakdown, label, start, unknown, counted, share])
    out = pd.DataFrame(
        rows,
        columns=[
            "breakdown",
            "period_label",
            "period_start",
            "unknown",
            "counted",
            "share_unknown",
        ],
    )
    return out.sort_values(["breakdown", "period_start"]).drop(columns="period_start")[columns]


def suppressed_cells(area_rows: pd.DataFrame) -> pd.DataFrame:
    """Cells published as a symbol instead of a figure, per period and breakdown.

    Columns: period_label, breakdown, cells, suppressed, symbols (e.g. "c x").
    """
    columns = ["period_label", "breakdown", "cells", "suppressed", "symbols"]
    if area_rows.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    grouped = area_rows.groupby(["period_start", "period_label", "breakdown"], sort=True)
    for (_start, label, breakdown), group in grouped:
        symbols = group["status"].dropna()
        symbols = symbols[symbols.astype(str) != ""]
        if len(symbols):
            rows.append(
                [label, breakdown, len(group), len(symbols), " ".join(sorted(set(symbols)))]
            )
    return pd.DataFrame(rows, columns=columns)


def expected_periods(frequency: str, first: date, today: date) -> list[tuple[str, date, date]]:
    """Every period from the one starting at ``first`` whose figures should exist by ``today``."""
    lag = timedelta(days=PUBLICATION_LAG.get(frequency, ANNUAL_LAG_DAYS))
    out = []
    cursor = first
    while True:
        period = _period_starting(frequency, cursor)
        if period is None or period[2] + lag > today:
            break
        out.append(period)
        cursor = period[2] + timedelta(days=1)
    return out


def _period_starting(frequency: str, start: date) -> tuple[str, date, date] | None:
    if frequency == "monthly":
        return parse_period_label(f"{start:%b} {start.year}", frequency)
    if frequency == "quarterly":
        return parse_period_label(f"Q{(start.month - 1) // 3 + 1} {start.year}", frequency)
    if frequency == "annual_census":
        return parse_period_label(
            str(start.year if start.month == 1 else start.year + 1), frequency
        )
    if frequency == "annual_calendar":
        return parse_period_label(str(start.year), frequency)
    if frequency in ("annual_academic", "annual_financial", "annual_reporting"):
        return parse_period_label(f"{start.year}/{(start.year + 1) % 100:02d}", frequency)
    return None


def missing_periods(
    area_rows: pd.DataFrame, frequency: str, today: date | None = None
) -> pd.DataFrame:
    """Periods expected by the indicator's frequency that the area has no total figure for.

    Columns: period_label, period_end, state ("missing" inside the series, "late" for the
    newest expected period).
    """
    columns = ["period_label", "period_end", "state"]
    totals = area_rows[area_rows["breakdown"] == "total"]
    if totals.empty:
        return pd.DataFrame(columns=columns)
    today = today or date.today()
    have = set(totals["period_label"])
    expected = expected_periods(frequency, min(totals["period_start"]), today)
    rows = [[label, end, "missing"] for label, _start, end in expected if label not in have]
    if expected and expected[-1][0] not in have:
        rows[-1][2] = "late"
    return pd.DataFrame(rows, columns=columns)


def recent_revisions(
    session: Session, indicator: str, area_code: str, limit: int = 20
) -> pd.DataFrame:
    """Latest figures replaced by a later import for this indicator and area.

    Columns: ``REVISION_COLUMNS`` (replaced_at, period_label, breakdown, breakdown_value,
    old_value, new_value, old_status, new_status, batch: the import that revised it, file),
    then ``REVISION_COUNTS``. Figures as stored: see ``shown_revisions`` before showing
    them.
    """
    query = (
        select(
            ObservationHistory.replaced_at,
            Observation.period_label,
            Observation.breakdown,
            Observation.breakdown_value,
            ObservationHistory.value,
            Observation.value,
            ObservationHistory.status,
            Observation.status,
            ObservationHistory.replaced_by_batch_id,
            ImportBatch.filename,
            ObservationHistory.numerator,
            ObservationHistory.denominator,
            Observation.numerator,
            Observation.denominator,
        )
        .join(Observation, Observation.id == ObservationHistory.observation_id)
        .join(ImportBatch, ImportBatch.id == ObservationHistory.replaced_by_batch_id, isouter=True)
        .where(Observation.indicator_id == indicator, Observation.area_code == area_code)
        .order_by(ObservationHistory.replaced_at.desc())
        .limit(limit)
    )
    columns = [*REVISION_COLUMNS, *REVISION_COUNTS]
    return pd.DataFrame(session.execute(query).all(), columns=columns)


def quality_report(
    session: Session,
    indicator: str,
    area_code: str,
    today: date | None = None,
    threshold: int = DEFAULT_THRESHOLD,
) -> dict:
    """Everything the Data quality page shows for one indicator and area, as DataFrames.

    Read after disclosure control at ``threshold``, like every other view of the figures:
    a small count of children recorded as unknown is shown as missing, and the suppressed
    cells table counts what Chorus suppresses as well as what the publisher did.
    """
    from data_access.indicators_query import indicator_record, suppressed_rows

    record = indicator_record(session, indicator)
    if record is None:  # not in the catalogue, so no figures either
        area_rows = england_rows = pd.DataFrame(columns=[*CANONICAL_COLUMNS, "area_name"])
    else:
        area_rows = suppressed_rows(session, record, [area_code], threshold)
        england_rows = suppressed_rows(session, record, [ENGLAND], threshold)
    frequency = record["frequency"] if record else "annual_academic"
    return {
        "frequency": frequency,
        "completeness": completeness(area_rows, england_rows),
        "unknown": unknown_shares(area_rows),
        "suppressed": suppressed_cells(area_rows),
        "missing": missing_periods(area_rows, frequency, today),
        "revisions": shown_revisions(
            recent_revisions(session, indicator, area_code), area_rows, record, threshold
        ),
    }


def shown_revisions(
    revisions: pd.DataFrame,
    area_rows: pd.DataFrame,
    indicator: dict | None,
    threshold: int,
) -> pd.DataFrame:
    """``recent_revisions`` with figures that would disclose a small count blanked and their
    status set to "c": both figures where the cell is suppressed now (the old figure is
    usually close to the new), and either figure whose own counts were small.

    Takes the revisions (with old_numerator, old_denominator, new_numerator and
    new_denominator) and the area's suppressed rows; returns the revisions' display columns.
    """
    if revisions.empty:
        return revisions.reindex(columns=REVISION_COLUMNS)
    out = revisions.copy()
    keys = ["period_label", "breakdown", "breakdown_value"]
    now = area_rows.drop_duplicates(keys).set_index(keys)["status"]
    suppressed_now = [now.get(tuple(key)) == "c" for key in out[keys].itertuples(index=False)]
    unit = (indicator or {}).get("unit")
    for side in ("old", "new"):
        hide = pd.Series(suppressed_now, index=out.index)
        hide |= out[f"{side}_numerator"].map(lambda n: is_small(n, threshold))
        if denominator_counts_people(unit):
            hide |= out[f"{side}_denominator"].map(lambda d: is_small(d, threshold))
            hide |= pd.Series(
                [
                    complement_is_small(n, d, threshold)
                    for n, d in zip(
                        out[f"{side}_numerator"], out[f"{side}_denominator"], strict=True
                    )
                ],
                index=out.index,
            )
        if value_counts_people(unit):
            hide |= out[f"{side}_value"].map(lambda v: is_small(v, threshold))
        out[f"{side}_value"] = out[f"{side}_value"].where(~hide, None)
        out[f"{side}_status"] = out[f"{side}_status"].where(~hide, "c")
    return out[REVISION_COLUMNS]
