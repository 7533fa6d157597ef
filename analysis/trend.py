"""Recent trend, as Fingertips calculates it for proportions.

Take the five most recent periods that have a numerator and a denominator and apply the
chi-squared test for linear trend in proportions (Cochran-Armitage; Altman, Practical
Statistics for Medical Research, 1991, section 10.7.4), with the periods scored 1..5.
A trend is reported only when significant at the 99.8% level (p < 0.002), the strict level
Fingertips uses so that a handful of noisy points does not read as a change.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.stats import chi2

TREND_POINTS = 5
TREND_CONFIDENCE = 0.998
TREND_RESULTS = ("increasing", "decreasing", "no significant change", "cannot be calculated")

# Sentences that carry the direction and, where the indicator has a polarity, the judgement.
TREND_WORDS: dict[tuple[str, str], str] = {
    ("increasing", "high_is_good"): "increasing and getting better",
    ("increasing", "low_is_good"): "increasing and getting worse",
    ("increasing", "no_judgement"): "increasing",
    ("decreasing", "high_is_good"): "decreasing and getting worse",
    ("decreasing", "low_is_good"): "decreasing and getting better",
    ("decreasing", "no_judgement"): "decreasing",
    ("no significant change", "high_is_good"): "no significant change",
    ("no significant change", "low_is_good"): "no significant change",
    ("no significant change", "no_judgement"): "no significant change",
    ("cannot be calculated", "high_is_good"): "trend cannot be calculated",
    ("cannot be calculated", "low_is_good"): "trend cannot be calculated",
    ("cannot be calculated", "no_judgement"): "trend cannot be calculated",
}


def chi_squared_for_trend(numerators: list[float], denominators: list[float]) -> float:
    """Chi-squared statistic (1 degree of freedom) for a linear trend in proportions.

    Scores are 1..k in the order given. Returns a signed statistic: positive when the
    proportion rises with the score, negative when it falls; NaN when it is undefined
    (no events, all events, or fewer than two groups).
    """
    r = np.asarray(numerators, dtype=float)
    n = np.asarray(denominators, dtype=float)
    if r.size < 2 or r.size != n.size:
        return math.nan
    x = np.arange(1, r.size + 1, dtype=float)
    total_events = r.sum()
    total_n = n.sum()
    p = total_events / total_n
    trend_term = (r * x).sum() - total_events * (n * x).sum() / total_n
    variance = p * (1 - p) * ((n * x**2).sum() - (n * x).sum() ** 2 / total_n)
    if not variance > 0:
        return math.nan
    return math.copysign(trend_term**2 / variance, trend_term)


def recent_trend(df: pd.DataFrame, polarity: str = "no_judgement") -> str:
    """Direction of the recent trend: one of ``TREND_RESULTS``.

    Takes columns ``period_start``, ``numerator``, ``denominator`` (one row per period, for
    one indicator, area and breakdown). Uses the last five periods that have both counts;
    fewer than five, or no events at all, gives "cannot be calculated". The direction is
    that of the value; ``polarity`` is checked here and used by ``describe_trend``.
    """
    if polarity not in ("high_is_good", "low_is_good", "no_judgement"):
        raise ValueError(f"unknown polarity {polarity!r}")
    counted = df.assign(
        numerator=pd.to_numeric(df["numerator"], errors="coerce"),
        denominator=pd.to_numeric(df["denominator"], errors="coerce"),
    )
    counted = counted[
        counted["numerator"].notna()
        & counted["denominator"].gt(0)
        & counted["numerator"].between(0, counted["denominator"])
    ]
    recent = counted.sort_values("period_start").tail(TREND_POINTS)
    if len(recent) < TREND_POINTS or recent["numerator"].sum() == 0:
        return "cannot be calculated"
    statistic = chi_squared_for_trend(recent["numerator"].tolist(), recent["denominator"].tolist())
    if math.isnan(statistic):
        return "cannot be calculated"
    critical = chi2.ppf(TREND_CONFIDENCE, df=1)
    if abs(statistic) <= critical:
        return "no significant change"
    return "increasing" if statistic > 0 else "decreasing"


def describe_trend(direction: str, polarity: str) -> str:
    """Plain-English trend sentence, for example "increasing and getting better"."""
    return TREND_WORDS[(direction, polarity)]
