"""Figures for a group of areas (a combined authority, a Learning Network) from its members.

Rule: sum the members' numerators and denominators, then compute the value from the sums.
Never average the members' percentages: an average gives a small authority the same weight
as a large one and is not the group's figure.

Completeness rule: a group figure is only published for a period when every member present
has both counts (a numerator, and a denominator for percentages and rates). If any member
lacks them (not published, suppressed as "c", or any other symbol) the group's numerator,
denominator, value and interval for that period are NaN with status "x" (not available):
a partial sum would silently describe fewer children than the label says. When
``expected_members`` is given, a period with fewer members present is treated the same way.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.intervals import add_byar_columns, add_wilson_columns

GROUP_KEYS = [
    "indicator",
    "period_start",
    "period_end",
    "period_label",
    "breakdown",
    "breakdown_value",
]
OUTPUT_COLUMNS = [
    "indicator",
    "area_code",
    "area_name",
    "period_start",
    "period_end",
    "period_label",
    "breakdown",
    "breakdown_value",
    "numerator",
    "denominator",
    "value",
    "lower_ci",
    "upper_ci",
    "status",
    "members_present",
]
SUMMABLE_UNITS = ("percent", "rate_per_10k", "count")


def aggregate_group(
    df: pd.DataFrame,
    group_code: str,
    group_name: str,
    unit: str = "percent",
    expected_members: int | None = None,
) -> pd.DataFrame:
    """Aggregate member areas' canonical rows into the group's rows.

    Takes columns ``indicator``, ``area_code``, ``period_start``, ``period_end``,
    ``period_label``, ``breakdown``, ``breakdown_value``, ``numerator``, ``denominator``,
    ``value``, ``status`` for the member areas only. Returns one row per (indicator, period,
    breakdown, breakdown_value) with ``OUTPUT_COLUMNS``: ``area_code``/``area_name`` are the
    group's, ``members_present`` counts the member areas with a row for that period.

    ``unit``: "percent" (value = 100 n/d, Wilson interval), "rate_per_10k" (10,000 n/d, Byar
    interval) or "count" (value = the summed numerator, no interval). For "count" a row
    whose numerator is missing but whose value is present and status empty uses the value,
    because count indicators are often stored in the value column alone.
    """
    if unit not in SUMMABLE_UNITS:
        raise ValueError(f"cannot aggregate unit {unit!r}; summable units are {SUMMABLE_UNITS}")
    if df.empty:
        return pd.DataFrame(columns=OUTPUT_COLUMNS)
    rows = _with_usable_counts(df, unit)
    grouped = rows.groupby(GROUP_KEYS, dropna=False, sort=True)
    out = grouped.agg(
        numerator=("numerator", "sum"),
        denominator=("denominator", "sum"),
        members_present=("area_code", "nunique"),
        complete=("has_counts", "all"),
    ).reset_index()
    if expected_members is not None:
        out["complete"] &= out["members_present"] >= expected_members
    out.loc[~out["complete"], ["numerator", "denominator"]] = np.nan
    out = _add_value_and_interval(out, unit)
    # Object dtype keeps None (no symbol) as None rather than a missing-string marker.
    out["status"] = pd.Series(
        [None if complete else "x" for complete in out["complete"]], index=out.index, dtype=object
    )
    out["area_code"] = group_code
    out["area_name"] = group_name
    return out[OUTPUT_COLUMNS]


def _with_usable_counts(df: pd.DataFrame, unit: str) -> pd.DataFrame:
    rows = df.copy()
    rows["numerator"] = pd.to_numeric(rows["numerator"], errors="coerce")
    rows["denominator"] = pd.to_numeric(rows["denominator"], errors="coerce")
    status = rows["status"] if "status" in rows else pd.Series(None, index=rows.index)
    has_symbol = status.notna() & status.astype(str).str.strip().isin(["c", "k", "low", "x", "z"])
    if unit == "count":
        value = pd.to_numeric(rows["value"], errors="coerce")
        use_value = rows["numerator"].isna() & value.notna() & ~has_symbol
        rows.loc[use_value, "numerator"] = value[use_value]
        rows["has_counts"] = rows["numerator"].notna() & ~has_symbol
    else:
        rows["has_counts"] = rows["numerator"].notna() & rows["denominator"].notna() & ~has_symbol
    return rows


def _add_value_and_interval(out: pd.DataFrame, unit: str) -> pd.DataFrame:
    if unit == "count":
        out["value"] = out["numerator"]
        out["denominator"] = np.nan
        out["lower_ci"] = np.nan
        out["upper_ci"] = np.nan
        return out
    scale = 100.0 if unit == "percent" else 10_000.0
    denominator = out["denominator"].where(out["denominator"] > 0)
    out["value"] = scale * out["numerator"] / denominator
    if unit == "percent":
        return add_wilson_columns(out)
    return add_byar_columns(out, per=10_000)
