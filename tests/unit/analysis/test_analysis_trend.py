"""Recent trend: chi-squared test for linear trend in proportions at 99.8%."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency

from analysis.trend import TREND_WORDS, chi_squared_for_trend, describe_trend, recent_trend


def _series(numerators, denominators, first_year=2019):
    return pd.DataFrame(
        {
            "period_start": pd.to_datetime(
                [f"{first_year + i}-09-01" for i in range(len(numerators))]
            ),
            "numerator": numerators,
            "denominator": denominators,
        }
    )


def test_trd001_hand_checked_chi_squared_value():
    """r = 10..50 of n = 100 each, scores 1..5: R = 150, N = 500, p = 0.3,
    T = 550 - 150 * 1500 / 500 = 100, V = 0.21 * (5500 - 1500^2 / 500) = 210,
    chi-squared = 100^2 / 210 = 47.619 (Altman 1991, section 10.7.4)."""
    assert chi_squared_for_trend([10, 20, 30, 40, 50], [100] * 5) == pytest.approx(47.619, abs=1e-3)
    assert chi_squared_for_trend([50, 40, 30, 20, 10], [100] * 5) == pytest.approx(
        -47.619, abs=1e-3
    )


def test_trd002_trend_statistic_is_at_most_the_overall_chi_squared():
    """The linear-trend component cannot exceed the k-1 df chi-squared of the whole table."""
    events = np.array([12, 30, 18, 25, 40])
    totals = np.array([100, 110, 95, 105, 120])
    overall = chi2_contingency(np.vstack([events, totals - events]), correction=False)[0]
    assert 0 < abs(chi_squared_for_trend(events, totals)) <= overall


def test_trd003_clear_increase_and_decrease():
    rising = _series([100, 150, 200, 250, 300], [1000] * 5)
    assert recent_trend(rising, "high_is_good") == "increasing"
    falling = _series([300, 250, 200, 150, 100], [1000] * 5)
    assert recent_trend(falling, "low_is_good") == "decreasing"


def test_trd004_flat_series_has_no_significant_change():
    flat = _series([200, 205, 198, 202, 199], [1000] * 5)
    assert recent_trend(flat) == "no significant change"


def test_trd005_modest_change_significant_at_95_but_not_998():
    # chi-squared about 6 (p about 0.015): significant at 95%, not at 99.8%.
    series = _series([50, 55, 60, 65, 70], [200] * 5)  # chi-squared 5.95
    statistic = chi_squared_for_trend(series["numerator"], series["denominator"])
    assert 3.84 < statistic < 9.55
    assert recent_trend(series) == "no significant change"


def test_trd006_fewer_than_five_points_with_counts_cannot_be_calculated():
    assert recent_trend(_series([1, 2, 3, 4], [10] * 4)) == "cannot be calculated"
    gappy = _series([100, np.nan, 200, 250, 300], [1000, 1000, 1000, np.nan, 1000])
    assert recent_trend(gappy) == "cannot be calculated"


def test_trd007_all_zero_or_all_events_cannot_be_calculated():
    assert recent_trend(_series([0] * 5, [100] * 5)) == "cannot be calculated"
    assert recent_trend(_series([100] * 5, [100] * 5)) == "cannot be calculated"
    assert math.isnan(chi_squared_for_trend([0, 0], [10, 10]))


def test_trd008_uses_only_the_last_five_points_in_time_order():
    # An old fall followed by five flat points: the recent trend is flat.
    series = _series([900, 700, 500, 200, 201, 199, 200, 202], [1000] * 8)
    shuffled = series.sample(frac=1, random_state=3)
    assert recent_trend(shuffled) == "no significant change"


def test_trd009_unknown_polarity_is_rejected():
    with pytest.raises(ValueError):
        recent_trend(_series([1, 2, 3, 4, 5], [10] * 5), "upwards")


def test_trd010_trend_words_follow_polarity():
    assert describe_trend("increasing", "high_is_good") == "increasing and getting better"
    assert describe_trend("increasing", "low_is_good") == "increasing and getting worse"
    assert describe_trend("decreasing", "low_is_good") == "decreasing and getting better"
    assert describe_trend("decreasing", "no_judgement") == "decreasing"
    assert len(TREND_WORDS) == 12
