"""Comparison of a value with a benchmark, respecting polarity."""

import math

import numpy as np
import pandas as pd
import pytest

from analysis.comparison import (
    COMPARISON_TEXT,
    VERDICTS,
    add_comparison_column,
    compare_to_benchmark,
    describe_comparison,
)


@pytest.mark.parametrize(
    ("benchmark", "polarity", "verdict"),
    [
        (50, "high_is_good", "better"),  # benchmark below the interval: the area is higher
        (50, "low_is_good", "worse"),
        (50, "no_judgement", "higher"),
        (70, "high_is_good", "worse"),
        (70, "low_is_good", "better"),
        (70, "no_judgement", "lower"),
        (60, "high_is_good", "similar"),
        (60, "no_judgement", "similar"),
        (55, "low_is_good", "similar"),  # on the edge counts as inside
        (65, "high_is_good", "similar"),
    ],
)
def test_cmp001_verdicts_respect_polarity(benchmark, polarity, verdict):
    assert compare_to_benchmark(60, 55, 65, benchmark, polarity) == verdict


@pytest.mark.parametrize(
    ("value", "lower", "upper", "benchmark"),
    [
        (60, math.nan, 65, 50),
        (60, 55, math.nan, 50),
        (60, 55, 65, math.nan),
        (math.nan, 55, 65, 50),
        (60, None, None, 50),
        (60, pd.NA, 65, 50),
    ],
)
def test_cmp002_missing_interval_or_benchmark_is_not_compared(value, lower, upper, benchmark):
    assert compare_to_benchmark(value, lower, upper, benchmark, "high_is_good") == "not compared"


def test_cmp003_unknown_polarity_is_rejected():
    with pytest.raises(ValueError):
        compare_to_benchmark(60, 55, 65, 50, "up")


def test_cmp004_vectorised_column_matches_scalar_rule():
    df = pd.DataFrame(
        {
            "value": [60, 60, 60, 60, np.nan],
            "lower_ci": [55, 55, 55, np.nan, 55],
            "upper_ci": [65, 65, 65, np.nan, 65],
            "england": [50, 70, 60, 50, 50],
        }
    )
    out = add_comparison_column(df, "england", "low_is_good", out_col="vs_england")
    assert list(out["vs_england"]) == ["worse", "better", "similar", "not compared", "not compared"]
    for row in out.itertuples():
        expected = compare_to_benchmark(
            row.value, row.lower_ci, row.upper_ci, row.england, "low_is_good"
        )
        assert row.vs_england == expected


def test_cmp005_every_verdict_has_a_phrase():
    assert set(COMPARISON_TEXT) == set(VERDICTS)


def test_cmp006_description_names_side_and_judgement():
    text = describe_comparison("worse", 61.24, 65.2, "England")
    assert text == "Significantly below England (61.2 against 65.2), which is worse"
    assert describe_comparison("higher", 70, 65.2, "the region") == (
        "Significantly above the region (70.0 against 65.2)"
    )
    assert "Not significantly different from statistical neighbours" in describe_comparison(
        "similar", 64, 65, "statistical neighbours"
    )


def test_cmp007_description_without_figures_says_not_compared():
    assert describe_comparison("better", math.nan, 65, "England").startswith("Not compared")
    assert describe_comparison("not compared", 60, 65, "England").startswith("Not compared")
    with pytest.raises(ValueError):
        describe_comparison("great", 60, 65, "England")
