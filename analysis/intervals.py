"""Confidence intervals for proportions (Wilson score) and rates (Byar's method).

Both methods follow the Public Health England / OHID technical guidance used by Fingertips
("Confidence intervals", Public Health Data Science, 2018) so that our figures agree with the
national tools people already read.

Proportion intervals are returned as percentages (0-100); rate intervals are returned per
``per`` population (10,000 by default), matching the value columns stored for observations.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

# The design fixes these two z values exactly, so published tables and ours agree to the digit.
Z_BY_CONFIDENCE: dict[float, float] = {0.95: 1.959964, 0.998: 3.090232}


def z_for_confidence(confidence: float) -> float:
    """Two-sided standard normal quantile for ``confidence`` (0.95 -> 1.959964).

    The two levels the design names return its exact constants; any other level is computed.
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence!r}")
    for known, z in Z_BY_CONFIDENCE.items():
        if math.isclose(confidence, known):
            return z
    # Imported lazily: scipy is only needed for unusual confidence levels.
    from scipy.stats import norm

    return float(norm.ppf(0.5 + confidence / 2))


def _is_missing(x: object) -> bool:
    return x is None or (isinstance(x, float | np.floating) and math.isnan(x)) or x is pd.NA


def wilson_interval(
    numerator: float, denominator: float, confidence: float = 0.95
) -> tuple[float, float]:
    """Wilson score interval for ``numerator / denominator`` as percentages (0-100).

    Returns (nan, nan) when a count is missing, the denominator is not positive or the
    numerator lies outside 0..denominator: such a percentage carries no interval.
    """
    if _is_missing(numerator) or _is_missing(denominator):
        return (math.nan, math.nan)
    lower, upper = _wilson_arrays(
        np.asarray([numerator], dtype=float), np.asarray([denominator], dtype=float), confidence
    )
    return (float(lower[0]), float(upper[0]))


def _wilson_arrays(
    numerator: np.ndarray, denominator: np.ndarray, confidence: float
) -> tuple[np.ndarray, np.ndarray]:
    z = z_for_confidence(confidence)
    valid = (denominator > 0) & (numerator >= 0) & (numerator <= denominator)
    n = np.where(valid, denominator, 1.0)
    p = np.where(valid, numerator / n, 0.0)
    centre = p + z**2 / (2 * n)
    half_width = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    scale = 1 + z**2 / n
    lower = (centre - half_width) / scale
    upper = (centre + half_width) / scale
    # Exact bounds at 0 and n: floating point otherwise leaves -1e-17 or 1.0000000000000002.
    lower = np.where(numerator == 0, 0.0, lower)
    upper = np.where(numerator == denominator, 1.0, upper)
    lower = np.where(valid, lower * 100, np.nan)
    upper = np.where(valid, upper * 100, np.nan)
    return lower, upper


def add_wilson_columns(df: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Return a copy of ``df`` with Wilson ``lower_ci`` and ``upper_ci`` (percent) added.

    Takes columns ``numerator`` and ``denominator``; other columns pass through unchanged.
    Rows without both counts, or with a denominator of 0, get NaN bounds.
    """
    out = df.copy()
    numerator = pd.to_numeric(out["numerator"], errors="coerce").to_numpy(dtype=float)
    denominator = pd.to_numeric(out["denominator"], errors="coerce").to_numpy(dtype=float)
    lower, upper = _wilson_arrays(numerator, denominator, confidence)
    out["lower_ci"] = lower
    out["upper_ci"] = upper
    return out


def byar_rate_interval(
    count: float, population: float, per: float = 10_000, confidence: float = 0.95
) -> tuple[float, float]:
    """Byar's approximation to the exact Poisson interval for a rate ``count / population * per``.

    For a count of 0 the lower bound is 0 (Byar's lower formula divides by the count) and
    the upper bound uses count + 1 as usual. Returns (nan, nan) without a positive population.
    """
    if _is_missing(count) or _is_missing(population):
        return (math.nan, math.nan)
    lower, upper = _byar_arrays(
        np.asarray([count], dtype=float), np.asarray([population], dtype=float), per, confidence
    )
    return (float(lower[0]), float(upper[0]))


def _byar_arrays(
    count: np.ndarray, population: np.ndarray, per: float, confidence: float
) -> tuple[np.ndarray, np.ndarray]:
    z = z_for_confidence(confidence)
    valid = (population > 0) & (count >= 0)
    observed = np.where(valid & (count > 0), count, 1.0)  # placeholder avoids division by 0
    lower_count = observed * (1 - 1 / (9 * observed) - z / (3 * np.sqrt(observed))) ** 3
    lower_count = np.where(count == 0, 0.0, lower_count)
    upper_observed = np.where(valid, count, 0.0) + 1
    upper_count = (
        upper_observed * (1 - 1 / (9 * upper_observed) + z / (3 * np.sqrt(upper_observed))) ** 3
    )
    safe_population = np.where(valid, population, 1.0)
    lower = np.where(valid, lower_count / safe_population * per, np.nan)
    upper = np.where(valid, upper_count / safe_population * per, np.nan)
    return lower, upper


def add_byar_columns(
    df: pd.DataFrame, per: float = 10_000, confidence: float = 0.95
) -> pd.DataFrame:
    """Return a copy of ``df`` with Byar ``lower_ci`` and ``upper_ci`` rate bounds added.

    Takes columns ``numerator`` (the count of events) and ``denominator`` (the population);
    bounds are per ``per`` population. Rows without both, or with population 0, get NaN.
    """
    out = df.copy()
    count = pd.to_numeric(out["numerator"], errors="coerce").to_numpy(dtype=float)
    population = pd.to_numeric(out["denominator"], errors="coerce").to_numpy(dtype=float)
    lower, upper = _byar_arrays(count, population, per, confidence)
    out["lower_ci"] = lower
    out["upper_ci"] = upper
    return out
