"""Gaps between groups: Newcombe's method 10 for the difference of two proportions."""

import math

import pandas as pd
import pytest

from analysis.gaps import add_gap_columns, newcombe_difference


@pytest.mark.parametrize(
    ("x1", "n1", "x2", "n2", "diff", "lower", "upper"),
    [
        (56, 70, 48, 80, 0.2000, 0.0524, 0.3339),
        (9, 10, 3, 10, 0.6000, 0.1705, 0.8090),
        (5, 56, 0, 29, 0.0893, -0.0381, 0.1926),
    ],
)
def test_gap001_newcombe_method_10_matches_table_ii(x1, n1, x2, n2, diff, lower, upper):
    """Newcombe (1998) Statistics in Medicine 17:873-890, Table II, method 10 (score,
    no continuity correction), examples (a), (b) and (d), as proportions to 4 dp."""
    got = newcombe_difference(x1, n1, x2, n2)
    assert [round(v / 100, 4) for v in got] == [diff, lower, upper]


def test_gap002_swapping_groups_mirrors_the_interval():
    diff, lower, upper = newcombe_difference(56, 70, 48, 80)
    back_diff, back_lower, back_upper = newcombe_difference(48, 80, 56, 70)
    assert back_diff == pytest.approx(-diff)
    assert back_lower == pytest.approx(-upper)
    assert back_upper == pytest.approx(-lower)


def test_gap003_identical_groups_have_zero_gap_inside_the_interval():
    diff, lower, upper = newcombe_difference(20, 100, 20, 100)
    assert diff == 0
    assert lower < 0 < upper


@pytest.mark.parametrize(
    "args",
    [(1, 0, 3, 10), (float("nan"), 10, 3, 10), (3, 10, None, 10), (0, 0, 0, 0)],
)
def test_gap004_missing_counts_give_nan(args):
    assert all(math.isnan(v) for v in newcombe_difference(*args))


def test_gap005_extremes_zero_and_all_events_stay_within_bounds():
    diff, lower, upper = newcombe_difference(30, 30, 0, 30)
    assert diff == 100
    assert 0 < lower < 100
    assert upper == pytest.approx(100)


def test_gap006_add_gap_columns_pairs_groups_per_period():
    rows = pd.DataFrame(
        {
            "indicator": ["gld"] * 3,
            "area_code": ["E08000001"] * 3,
            "period_start": ["2022-09-01", "2022-09-01", "2023-09-01"],
            "breakdown": ["fsm"] * 3,
            "breakdown_value": ["fsm", "non_fsm", "fsm"],
            "numerator": [48, 56, 10],
            "denominator": [80, 70, 20],
        }
    )
    out = add_gap_columns(rows, "non_fsm", "fsm")
    assert len(out) == 1  # 2023 has no non_fsm row, so no gap
    row = out.iloc[0]
    assert round(row["gap"], 2) == 20.0
    assert round(row["gap_lower_ci"] / 100, 4) == 0.0524
    assert bool(row["significant"]) is True


def test_gap007_add_gap_columns_without_pairs_is_empty_with_columns():
    rows = pd.DataFrame(
        {
            "indicator": ["gld"],
            "area_code": ["E08000001"],
            "period_start": ["2022-09-01"],
            "breakdown": ["fsm"],
            "breakdown_value": ["fsm"],
            "numerator": [1],
            "denominator": [2],
        }
    )
    out = add_gap_columns(rows, "non_fsm", "fsm")
    assert out.empty
    assert "gap_upper_ci" in out.columns


def test_gap008_suppressed_group_gives_no_significance():
    rows = pd.DataFrame(
        {
            "indicator": ["gld", "gld"],
            "area_code": ["E08000001"] * 2,
            "period_start": ["2022-09-01"] * 2,
            "breakdown": ["fsm"] * 2,
            "breakdown_value": ["fsm", "non_fsm"],
            "numerator": [None, 56],
            "denominator": [80, 70],
        }
    )
    out = add_gap_columns(rows, "non_fsm", "fsm")
    assert math.isnan(out.loc[0, "gap"])
    assert bool(out.loc[0, "significant"]) is False
