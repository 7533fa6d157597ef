"""Compare an area's value with a benchmark (England, region, neighbour mean).

The rule is the one Fingertips uses: the benchmark value is tested against the area's
confidence interval. If the benchmark lies outside the interval the difference is
significant; polarity then says whether that is better or worse. Indicators without a
judgement say only higher or lower. Without an interval (or without a benchmark) we say
"not compared" rather than guess.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

POLARITIES = ("high_is_good", "low_is_good", "no_judgement")
VERDICTS = ("better", "similar", "worse", "higher", "lower", "not compared")

# Short phrases for legends and table cells; the verdict word alone is ambiguous on screen.
COMPARISON_TEXT: dict[str, str] = {
    "better": "significantly better than",
    "worse": "significantly worse than",
    "higher": "significantly higher than",
    "lower": "significantly lower than",
    "similar": "not significantly different from",
    "not compared": "not compared with",
}


def _check_polarity(polarity: str) -> None:
    if polarity not in POLARITIES:
        raise ValueError(f"polarity must be one of {POLARITIES}, got {polarity!r}")


def _missing(x: object) -> bool:
    if x is None or x is pd.NA:
        return True
    try:
        return math.isnan(float(x))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True


def compare_to_benchmark(
    value: float, lower: float, upper: float, benchmark: float, polarity: str
) -> str:
    """Verdict for one value against a benchmark: one of ``VERDICTS``.

    ``lower``/``upper`` are the area's confidence interval in the same units as the value.
    The benchmark on the interval's edge counts as inside (similar), as in Fingertips.
    """
    _check_polarity(polarity)
    if any(_missing(x) for x in (value, lower, upper, benchmark)):
        return "not compared"
    if benchmark < lower:
        direction = "higher"
    elif benchmark > upper:
        direction = "lower"
    else:
        return "similar"
    return _judge(direction, polarity)


def _judge(direction: str, polarity: str) -> str:
    if polarity == "no_judgement":
        return direction
    good_direction = "higher" if polarity == "high_is_good" else "lower"
    return "better" if direction == good_direction else "worse"


def add_comparison_column(
    df: pd.DataFrame, benchmark_col: str, polarity: str, out_col: str = "comparison"
) -> pd.DataFrame:
    """Return a copy of ``df`` with a verdict column ``out_col``.

    Takes columns ``value``, ``lower_ci``, ``upper_ci`` and ``benchmark_col`` (the benchmark
    value on each row, for example England's figure for the same period).
    """
    _check_polarity(polarity)
    out = df.copy()
    value = pd.to_numeric(out["value"], errors="coerce").to_numpy(dtype=float)
    lower = pd.to_numeric(out["lower_ci"], errors="coerce").to_numpy(dtype=float)
    upper = pd.to_numeric(out["upper_ci"], errors="coerce").to_numpy(dtype=float)
    benchmark = pd.to_numeric(out[benchmark_col], errors="coerce").to_numpy(dtype=float)
    comparable = ~(np.isnan(value) | np.isnan(lower) | np.isnan(upper) | np.isnan(benchmark))
    higher_verdict = _judge("higher", polarity)
    lower_verdict = _judge("lower", polarity)
    with np.errstate(invalid="ignore"):
        verdict = np.select(
            [~comparable, benchmark < lower, benchmark > upper],
            ["not compared", higher_verdict, lower_verdict],
            default="similar",
        )
    out[out_col] = verdict
    return out


def describe_comparison(
    verdict: str,
    value: float,
    benchmark: float,
    benchmark_name: str,
    number_format: str = "{:.1f}",
) -> str:
    """A plain-English sentence for a verdict, for example
    "Significantly below England (61.2 against 65.2), which is worse".

    The sentence names the direction (above/below) as well as the judgement so that it
    stands on its own without colour.
    """
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {VERDICTS}, got {verdict!r}")
    if verdict == "not compared" or _missing(value) or _missing(benchmark):
        return f"Not compared with {benchmark_name}: no confidence interval or no benchmark"
    figures = f"{number_format.format(value)} against {number_format.format(benchmark)}"
    if verdict == "similar":
        return f"Not significantly different from {benchmark_name} ({figures})"
    side = "above" if value > benchmark else "below"
    sentence = f"Significantly {side} {benchmark_name} ({figures})"
    if verdict in ("better", "worse"):
        sentence += f", which is {verdict}"
    return sentence
