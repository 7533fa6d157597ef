"""Statistics read off an indicator's series: verdicts, trend, gaps, changes, rounding.

Pure functions on the suppressed frames the data layer returns; nothing here reads a
database. A series frame has one row per (series, breakdown value, period) with columns
series_key ("area", "england", "region", "neighbours", "ln", "gm" or an authority's code),
series_name, area_code, period_label, period_start, period_end, breakdown,
breakdown_value, numerator, denominator, value, lower_ci, upper_ci, status, england_value
and comparison.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from analysis.comparison import compare_to_benchmark
from analysis.gaps import newcombe_difference
from analysis.trend import recent_trend

# Groups that record "not known" in a breakdown: their share is "who is missing".
UNKNOWN_VALUES = ("unknown", "unclassified", "not known", "not recorded")
# Pairs for the headline gap of a breakdown (first minus second).
GAP_PAIRS = {
    "fsm": ("eligible", "not_eligible"),
    "sex": ("male", "female"),
    "sen": ("sen_support", "no_sen"),
    "eal": ("other_than_english", "english"),
    "disability": ("disabled", "not disabled"),
    "uasc": ("uasc", "not uasc"),
    "imd_quintile": ("1 (most deprived)", "5 (least deprived)"),
}
# The columns of a breakdown's groups, as a panel's breakdown tab shows them.
GROUP_COLUMNS = [
    "breakdown_value",
    "numerator",
    "denominator",
    "value",
    "lower_ci",
    "upper_ci",
    "status",
]
DISPLAY_COLUMNS = ("value", "lower_ci", "upper_ci", "england_value")


def latest_comparisons(series: pd.DataFrame, polarity: str) -> list[dict[str, Any]]:
    """For the area's latest period with a value: a verdict against each comparator.

    Returns ``[{"key", "name", "period_label", "value", "benchmark", "verdict", "reason"}]``;
    ``reason`` says why a figure was not compared (no counts, or no benchmark figure).
    Only for the whole population (one row per period for the area).
    """
    area = series[(series["series_key"] == "area") & series["value"].notna()]
    if area.empty or area["breakdown"].iloc[0] != "total":
        return []
    latest = area.sort_values("period_start").iloc[-1]
    results = []
    for key, rows in series[series["series_key"] != "area"].groupby("series_key", sort=False):
        same = rows[rows["period_start"] == latest["period_start"]]
        benchmark = same["value"].iloc[0] if len(same) else math.nan
        verdict = compare_to_benchmark(
            latest["value"], latest["lower_ci"], latest["upper_ci"], benchmark, polarity
        )
        reason = None
        if verdict == "not compared":
            if pd.isna(benchmark):
                reason = "no figure for the same period"
            else:
                reason = "the publisher gives no counts"
        results.append(
            {
                "key": key,
                "name": rows["series_name"].iloc[0],
                "period_label": latest["period_label"],
                "value": float(latest["value"]),
                "benchmark": None if pd.isna(benchmark) else float(benchmark),
                "verdict": verdict,
                "reason": reason,
            }
        )
    return results


def latest_counted_point(series: pd.DataFrame) -> dict[str, Any] | None:
    """The area's latest period that has an interval, with its England verdict, or None."""
    area = series[(series["series_key"] == "area") & series["lower_ci"].notna()]
    if area.empty:
        return None
    row = area.sort_values("period_start").iloc[-1]
    return {
        "period_label": row["period_label"],
        "value": float(row["value"]),
        "lower_ci": float(row["lower_ci"]),
        "upper_ci": float(row["upper_ci"]),
        "england_value": None if pd.isna(row["england_value"]) else float(row["england_value"]),
        "comparison": row["comparison"],
    }


def area_trend(series: pd.DataFrame, polarity: str) -> str:
    """Recent trend of the area's whole-population series (``analysis.recent_trend``)."""
    area = series[(series["series_key"] == "area") & (series["breakdown"] == "total")]
    if area.empty:
        return "cannot be calculated"
    return recent_trend(area, polarity)


def summarise_breakdown(rows: pd.DataFrame, breakdown: str, unit: str | None) -> dict[str, Any]:
    """The groups of one breakdown for the latest period that has them, with the gap.

    ``rows`` are one area's suppressed rows (canonical columns). Returns ``{"breakdown",
    "period_label", "groups": DataFrame, "gap": dict | None, "counted_gap": dict | None,
    "unknown_share": float | None}``; ``counted_gap`` is the gap in the latest period with
    counts when the latest period has none. ``groups`` has the ``GROUP_COLUMNS``
    (suppressed cells as "c"). The gap is the first minus the second group of
    ``GAP_PAIRS`` in percentage points with Newcombe's interval (counts needed);
    ``unknown_share`` is the percentage of the denominator recorded as unknown.
    """
    rows = rows[rows["breakdown"] == breakdown]
    if rows.empty or breakdown == "total":
        return {
            "breakdown": breakdown,
            "period_label": None,
            "groups": rows.iloc[0:0],
            "gap": None,
            "counted_gap": None,
            "unknown_share": None,
        }
    with_value = rows[rows["value"].notna() | rows["status"].notna()]
    latest_start = (with_value if len(with_value) else rows)["period_start"].max()
    groups = rows[rows["period_start"] == latest_start]
    gap = group_gap(groups, breakdown, unit)
    counted_gap = None
    if gap is None or gap["lower_ci"] is None:
        # Published percentages carry no interval: also give the latest counted year's gap.
        counted = rows[rows["numerator"].notna() & rows["denominator"].notna()]
        if len(counted):
            start = counted["period_start"].max()
            earlier = rows[rows["period_start"] == start]
            counted_gap = group_gap(earlier, breakdown, unit)
            if counted_gap is not None:
                counted_gap["period_label"] = earlier["period_label"].iloc[0]
    return {
        "breakdown": breakdown,
        "period_label": groups["period_label"].iloc[0],
        "groups": groups[GROUP_COLUMNS].reset_index(drop=True),
        "gap": gap,
        "counted_gap": counted_gap,
        "unknown_share": unknown_share(groups),
    }


def group_gap(groups: pd.DataFrame, breakdown: str, unit: str | None) -> dict[str, Any] | None:
    """The headline gap of one period's groups (``GAP_PAIRS``: first minus second), in
    percentage points, with Newcombe's interval when both groups have counts; None for a
    breakdown without a pair, a unit other than percent, or a missing group."""
    pair = GAP_PAIRS.get(breakdown)
    if pair is None or unit != "percent":
        return None
    by_value = groups.set_index("breakdown_value")
    if pair[0] not in by_value.index or pair[1] not in by_value.index:
        return None
    a, b = by_value.loc[pair[0]], by_value.loc[pair[1]]
    difference, lower, upper = newcombe_difference(
        a["numerator"], a["denominator"], b["numerator"], b["denominator"]
    )
    if math.isnan(difference) and pd.notna(a["value"]) and pd.notna(b["value"]):
        difference = float(a["value"] - b["value"])  # published percentages: no interval
    if math.isnan(difference):
        return None
    return {
        "group_a": pair[0],
        "group_b": pair[1],
        "gap": float(difference),
        "lower_ci": None if math.isnan(lower) else float(lower),
        "upper_ci": None if math.isnan(upper) else float(upper),
        "significant": bool(not math.isnan(lower) and (lower > 0 or upper < 0)),
    }


def unknown_share(groups: pd.DataFrame) -> float | None:
    """Percentage of the groups' denominator recorded as unknown (``UNKNOWN_VALUES``); None
    when no group has a denominator or one is suppressed or missing."""
    denominators = pd.to_numeric(groups["denominator"], errors="coerce")
    if denominators.isna().all():
        return None
    unknown = groups["breakdown_value"].str.lower().isin(UNKNOWN_VALUES)
    if not unknown.any():
        return 0.0
    if denominators[unknown].isna().any() or denominators.isna().any():
        return None  # a suppressed or missing group: the share cannot be stated safely
    return float(100 * denominators[unknown].sum() / denominators.sum())


def round_for_display(frame: pd.DataFrame) -> pd.DataFrame:
    """Values, intervals and England's value to one decimal place (as shown on screen)."""
    out = frame.copy()
    for column in DISPLAY_COLUMNS:
        if column in out:
            out[column] = pd.to_numeric(out[column], errors="coerce").round(1)
    return out


def period_changes(series: pd.DataFrame, frequency: str, unit: str) -> list[dict[str, Any]]:
    """Change of the area's latest whole-population value since earlier periods.

    Returns up to two dicts, ``{"against": "previous period" | "same period last year",
    "period_label", "latest_label", "earlier_value", "change", "lower_ci", "upper_ci",
    "significant"}``. The interval is Newcombe's for the difference of two proportions
    when both periods have counts (percentages only); otherwise None and ``significant``
    False. For annual indicators the previous period is last year, so only one entry is
    returned.
    """
    area = series[(series["series_key"] == "area") & series["value"].notna()]
    area = area.sort_values("period_start")
    if len(area) < 2:
        return []
    latest = area.iloc[-1]
    targets = [("previous period", area.iloc[-2])]
    if frequency in ("monthly", "quarterly"):
        year_ago = pd.Timestamp(latest["period_start"]) - pd.DateOffset(years=1)
        match = area[pd.to_datetime(area["period_start"]) == year_ago]
        if len(match):
            targets.append(("same period last year", match.iloc[0]))
    changes = []
    for against, earlier in targets:
        change = float(latest["value"] - earlier["value"])
        lower = upper = math.nan
        if unit == "percent":
            _, lower, upper = newcombe_difference(
                latest["numerator"],
                latest["denominator"],
                earlier["numerator"],
                earlier["denominator"],
            )
        changes.append(
            {
                "against": against,
                "period_label": earlier["period_label"],
                "latest_label": latest["period_label"],
                "earlier_value": float(earlier["value"]),
                "change": change,
                "lower_ci": None if math.isnan(lower) else float(lower),
                "upper_ci": None if math.isnan(upper) else float(upper),
                "significant": bool(not math.isnan(lower) and (lower > 0 or upper < 0)),
            }
        )
    return changes
