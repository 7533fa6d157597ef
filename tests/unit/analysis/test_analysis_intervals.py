"""Confidence intervals: Wilson score for proportions, Byar for rates."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2

from analysis.intervals import (
    add_byar_columns,
    add_wilson_columns,
    byar_rate_interval,
    wilson_interval,
    z_for_confidence,
)


@pytest.mark.parametrize(
    ("numerator", "denominator", "lower", "upper"),
    [
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_ci001_wilson_matches_newcombe_examples(numerator, denominator, lower, upper):
    """Newcombe (1998) Statistics in Medicine 17:857-872, Table I, method 3 (score, no
    continuity correction): 81/263, 15/148, 0/20 and 1/29 at 95%, as proportions to 4 dp."""
    got_lower, got_upper = wilson_interval(numerator, denominator)
    assert round(got_lower / 100, 4) == lower
    assert round(got_upper / 100, 4) == upper


def test_ci002_wilson_bounds_are_exact_at_zero_and_all():
    assert wilson_interval(0, 50)[0] == 0.0
    assert wilson_interval(50, 50)[1] == 100.0
    lower, upper = wilson_interval(50, 50)
    assert 0 < lower < 100


def test_ci003_wilson_is_symmetric_in_events_and_non_events():
    lower, upper = wilson_interval(7, 40)
    mirror_lower, mirror_upper = wilson_interval(33, 40)
    assert lower == pytest.approx(100 - mirror_upper)
    assert upper == pytest.approx(100 - mirror_lower)


@pytest.mark.parametrize(
    ("numerator", "denominator"),
    [(5, 0), (float("nan"), 10), (5, float("nan")), (None, 10), (pd.NA, 10), (11, 10), (-1, 10)],
)
def test_ci004_wilson_without_usable_counts_is_nan(numerator, denominator):
    lower, upper = wilson_interval(numerator, denominator)
    assert math.isnan(lower) and math.isnan(upper)


def test_ci005_wilson_998_is_wider_than_95():
    lower95, upper95 = wilson_interval(30, 120)
    lower998, upper998 = wilson_interval(30, 120, confidence=0.998)
    assert lower998 < lower95 and upper998 > upper95


def test_ci006_z_values_are_the_design_constants():
    assert z_for_confidence(0.95) == 1.959964
    assert z_for_confidence(0.998) == 3.090232
    assert z_for_confidence(0.90) == pytest.approx(1.644854, abs=1e-6)
    with pytest.raises(ValueError):
        z_for_confidence(95)


def test_ci007_add_wilson_columns_matches_scalar_and_leaves_gaps_nan():
    df = pd.DataFrame(
        {
            "numerator": [81, 0, np.nan, 3, 4],
            "denominator": [263, 20, 50, 0, np.nan],
            "keep": list("abcde"),
        }
    )
    out = add_wilson_columns(df)
    assert list(out["keep"]) == list("abcde")
    assert out.loc[0, "lower_ci"] == pytest.approx(wilson_interval(81, 263)[0])
    assert out.loc[0, "upper_ci"] == pytest.approx(wilson_interval(81, 263)[1])
    assert out.loc[1, "lower_ci"] == 0.0
    assert out.loc[[2, 3, 4], ["lower_ci", "upper_ci"]].isna().all().all()
    assert "lower_ci" not in df.columns  # the input is not modified


def test_ci008_byar_hand_worked_example_ten_events():
    """O = 10 at 95%: lower = 10(1 - 1/90 - 1.959964/(3 sqrt 10))^3 = 4.7875,
    upper = 11(1 - 1/99 + 1.959964/(3 sqrt 11))^3 = 18.3916 (PHE Technical Guide:
    Confidence Intervals, 2018, Appendix 1 formulae). Per 10,000 of a population of 20,000."""
    lower, upper = byar_rate_interval(10, 20_000)
    assert lower == pytest.approx(4.7875 / 2, abs=1e-4)
    assert upper == pytest.approx(18.3916 / 2, abs=1e-4)


@pytest.mark.parametrize("count", [10, 25, 100, 388, 1000])
def test_ci009_byar_within_point_two_percent_of_exact_poisson(count):
    """PHE Technical Guide (2018): at 95% Byar's method is within 0.2% of the exact
    (chi-squared) Poisson limits for counts of 10 or more."""
    lower, upper = byar_rate_interval(count, 1, per=1)
    exact_lower = chi2.ppf(0.025, 2 * count) / 2
    exact_upper = chi2.ppf(0.975, 2 * count + 2) / 2
    assert abs(lower / exact_lower - 1) < 0.002
    assert abs(upper / exact_upper - 1) < 0.002


def test_ci010_byar_zero_count_has_lower_zero_and_positive_upper():
    lower, upper = byar_rate_interval(0, 5_000)
    assert lower == 0.0
    # Upper uses O + 1 = 1: (1 - 1/9 + 1.959964/3)^3 = 3.6680 events, per 10,000 of 5,000.
    assert upper == pytest.approx(3.6680 * 2, abs=1e-3)


@pytest.mark.parametrize(
    ("count", "population"), [(5, 0), (float("nan"), 100), (3, None), (-1, 100)]
)
def test_ci011_byar_without_usable_counts_is_nan(count, population):
    lower, upper = byar_rate_interval(count, population)
    assert math.isnan(lower) and math.isnan(upper)


def test_ci012_add_byar_columns_matches_scalar():
    df = pd.DataFrame({"numerator": [10, 0, np.nan], "denominator": [20_000, 5_000, 100]})
    out = add_byar_columns(df)
    assert out.loc[0, "lower_ci"] == pytest.approx(byar_rate_interval(10, 20_000)[0])
    assert out.loc[1, "lower_ci"] == 0.0
    assert out.loc[1, "upper_ci"] == pytest.approx(byar_rate_interval(0, 5_000)[1])
    assert out.loc[2, ["lower_ci", "upper_ci"]].isna().all()


def test_ci013_byar_interval_contains_the_rate():
    lower, upper = byar_rate_interval(37, 12_345)
    rate = 37 / 12_345 * 10_000
    assert lower < rate < upper
