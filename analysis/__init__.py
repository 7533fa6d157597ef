"""Pure statistics for Chorus: intervals, comparisons, trends, benchmarks, aggregation,
gaps, disclosure control and voice coverage.

Imports only the standard library, pandas, numpy and scipy (enforced by
tests/unit/test_layering.py), so every figure people rely on can be tested on its own.
"""

from analysis.aggregation import aggregate_group
from analysis.benchmarks import neighbour_mean, rank_and_quartile, ranks_and_quartiles
from analysis.comparison import (
    COMPARISON_TEXT,
    add_comparison_column,
    compare_to_benchmark,
    describe_comparison,
)
from analysis.coverage import voice_coverage
from analysis.disclosure import SYMBOL_MEANINGS, apply_disclosure_control
from analysis.gaps import add_gap_columns, newcombe_difference
from analysis.intervals import (
    add_byar_columns,
    add_wilson_columns,
    byar_rate_interval,
    wilson_interval,
    z_for_confidence,
)
from analysis.periods import parse_period, period_sort_key
from analysis.trend import TREND_WORDS, chi_squared_for_trend, describe_trend, recent_trend

__all__ = [
    "COMPARISON_TEXT",
    "SYMBOL_MEANINGS",
    "TREND_WORDS",
    "add_byar_columns",
    "add_comparison_column",
    "add_gap_columns",
    "add_wilson_columns",
    "aggregate_group",
    "apply_disclosure_control",
    "byar_rate_interval",
    "chi_squared_for_trend",
    "compare_to_benchmark",
    "describe_comparison",
    "describe_trend",
    "neighbour_mean",
    "newcombe_difference",
    "parse_period",
    "period_sort_key",
    "rank_and_quartile",
    "ranks_and_quartiles",
    "recent_trend",
    "voice_coverage",
    "wilson_interval",
    "z_for_confidence",
]
