"""Gaps between two groups: the difference of two proportions with Newcombe's interval.

Newcombe's method 10 (the "hybrid score" interval, Newcombe 1998, Statistics in Medicine
17:873-890) combines the Wilson intervals of the two proportions. It behaves well for small
groups and for proportions near 0 or 100%, where the simple Wald interval fails; that is
exactly where equality breakdowns (FSM, SEN, ethnicity) live.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analysis.intervals import wilson_interval


def newcombe_difference(
    x1: float, n1: float, x2: float, n2: float, confidence: float = 0.95
) -> tuple[float, float, float]:
    """Difference ``x1/n1 - x2/n2`` in percentage points with Newcombe's method 10 interval.

    Returns (difference, lower, upper); all NaN when either group lacks usable counts.
    """
    lower1, upper1 = wilson_interval(x1, n1, confidence)
    lower2, upper2 = wilson_interval(x2, n2, confidence)
    if any(math.isnan(bound) for bound in (lower1, upper1, lower2, upper2)):
        return (math.nan, math.nan, math.nan)
    p1 = 100 * x1 / n1
    p2 = 100 * x2 / n2
    difference = p1 - p2
    lower = difference - math.sqrt((p1 - lower1) ** 2 + (upper2 - p2) ** 2)
    upper = difference + math.sqrt((upper1 - p1) ** 2 + (p2 - lower2) ** 2)
    return (difference, lower, upper)


def add_gap_columns(
    df: pd.DataFrame,
    group_a: str,
    group_b: str,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Gap between two breakdown values for every indicator, area and period.

    Takes canonical rows with columns ``indicator``, ``area_code``, ``period_start``,
    ``breakdown``, ``breakdown_value``, ``numerator``, ``denominator``. Returns one row per
    (indicator, area_code, period_start, breakdown) that has both ``group_a`` and ``group_b``
    with columns ``indicator``, ``area_code``, ``period_start``, ``breakdown``, ``group_a``,
    ``group_b``, ``gap``, ``gap_lower_ci``, ``gap_upper_ci`` (percentage points, a minus b)
    and ``significant`` (the interval excludes 0; False when there is no interval).
    """
    keys = ["indicator", "area_code", "period_start", "breakdown"]
    columns = [*keys, "group_a", "group_b", "gap", "gap_lower_ci", "gap_upper_ci", "significant"]
    first = df[df["breakdown_value"] == group_a]
    second = df[df["breakdown_value"] == group_b]
    paired = first.merge(second, on=keys, suffixes=("_a", "_b"))
    if paired.empty:
        return pd.DataFrame(columns=columns)
    results = [
        newcombe_difference(
            _as_float(row.numerator_a),
            _as_float(row.denominator_a),
            _as_float(row.numerator_b),
            _as_float(row.denominator_b),
            confidence,
        )
        for row in paired.itertuples(index=False)
    ]
    out = paired[keys].copy()
    out["group_a"] = group_a
    out["group_b"] = group_b
    out["gap"] = [r[0] for r in results]
    out["gap_lower_ci"] = [r[1] for r in results]
    out["gap_upper_ci"] = [r[2] for r in results]
    lower = out["gap_lower_ci"].to_numpy(dtype=float)
    upper = out["gap_upper_ci"].to_numpy(dtype=float)
    out["significant"] = (lower > 0) | (upper < 0)
    return out[columns].reset_index(drop=True)


def _as_float(x: object) -> float:
    try:
        value = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
    return value if np.isfinite(value) else math.nan
