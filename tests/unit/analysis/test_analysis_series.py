"""Statistics read off a panel's series (analysis.series): no database needed."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from analysis.series import (
    area_trend,
    group_gap,
    latest_comparisons,
    latest_counted_point,
    period_changes,
    round_for_display,
    summarise_breakdown,
    unknown_share,
)

NAN = np.nan


def _series(rows: list[dict]) -> pd.DataFrame:
    """A series frame with the columns the functions read; unspecified figures missing."""
    defaults = {
        "series_name": "Area",
        "breakdown": "total",
        "breakdown_value": "total",
        "numerator": NAN,
        "denominator": NAN,
        "lower_ci": NAN,
        "upper_ci": NAN,
        "england_value": NAN,
        "comparison": None,
        "status": None,
    }
    return pd.DataFrame([{**defaults, **row} for row in rows])


def _point(key: str, year: int, value: float, **extra: object) -> dict:
    return {
        "series_key": key,
        "series_name": key.title(),
        "period_label": str(year),
        "period_start": date(year, 1, 1),
        "value": value,
        **extra,
    }


def test_ser001_latest_comparisons_compare_the_newest_area_value_with_each_benchmark():
    series = _series(
        [
            _point("area", 2022, 40.0, lower_ci=35.0, upper_ci=45.0),
            _point("area", 2023, 50.0, lower_ci=45.0, upper_ci=55.0),
            _point("england", 2023, 30.0),
            _point("region", 2022, 50.0),
        ]
    )
    found = {c["key"]: c for c in latest_comparisons(series, "high_is_good")}
    assert found["england"]["period_label"] == "2023"
    assert found["england"]["verdict"] == "better"
    assert found["england"]["benchmark"] == 30.0
    # The region has no figure for 2023: not compared, and the reason says so.
    assert found["region"]["verdict"] == "not compared"
    assert found["region"]["reason"] == "no figure for the same period"


def test_ser002_latest_comparisons_are_empty_for_a_breakdown_or_no_values():
    by_sex = _series([_point("area", 2023, 50.0, breakdown="sex", breakdown_value="male")])
    assert latest_comparisons(by_sex, "high_is_good") == []
    assert latest_comparisons(_series([_point("england", 2023, 3.0)]), "high_is_good") == []


def test_ser003_latest_counted_point_skips_periods_without_an_interval():
    series = _series(
        [
            _point("area", 2022, 40.0, lower_ci=35.0, upper_ci=45.0, england_value=30.0),
            _point("area", 2023, 50.0),
        ]
    )
    point = latest_counted_point(series)
    assert point is not None
    assert point["period_label"] == "2022"
    assert point["england_value"] == 30.0
    assert latest_counted_point(_series([_point("area", 2023, 50.0)])) is None


def test_ser004_area_trend_cannot_be_calculated_without_the_area():
    assert area_trend(_series([_point("england", 2023, 3.0)]), "high_is_good") == (
        "cannot be calculated"
    )


def _groups(values: dict[str, tuple[float, float, float]], year: int = 2023) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "breakdown": "fsm",
                "breakdown_value": name,
                "period_label": str(year),
                "period_start": date(year, 1, 1),
                "numerator": numerator,
                "denominator": denominator,
                "value": value,
                "lower_ci": NAN,
                "upper_ci": NAN,
                "status": None,
            }
            for name, (numerator, denominator, value) in values.items()
        ]
    )


def test_ser005_group_gap_is_newcombe_first_minus_second_in_points():
    groups = _groups({"eligible": (56, 70, 80.0), "not_eligible": (48, 80, 60.0)})
    gap = group_gap(groups, "fsm", "percent")
    assert gap is not None
    assert gap["gap"] == pytest.approx(20.0)
    assert gap["lower_ci"] == pytest.approx(5.24, abs=0.01)
    assert gap["upper_ci"] == pytest.approx(33.39, abs=0.01)
    assert gap["significant"] is True


def test_ser006_group_gap_without_counts_uses_published_values_and_no_interval():
    groups = _groups({"eligible": (NAN, NAN, 70.0), "not_eligible": (NAN, NAN, 65.0)})
    gap = group_gap(groups, "fsm", "percent")
    assert gap is not None
    assert gap["gap"] == pytest.approx(5.0)
    assert gap["lower_ci"] is None
    assert gap["significant"] is False


def test_ser007_group_gap_is_none_for_rates_and_unpaired_breakdowns():
    groups = _groups({"eligible": (56, 70, 80.0), "not_eligible": (48, 80, 60.0)})
    assert group_gap(groups, "fsm", "rate_per_10k") is None
    assert group_gap(groups, "ethnicity", "percent") is None


def test_ser008_unknown_share_is_the_unknown_groups_share_of_the_denominator():
    groups = pd.DataFrame(
        {"breakdown_value": ["A", "B", "Not known"], "denominator": [60.0, 30.0, 10.0]}
    )
    assert unknown_share(groups) == pytest.approx(10.0)
    suppressed = groups.assign(denominator=[60.0, NAN, 10.0])
    assert unknown_share(suppressed) is None
    assert unknown_share(groups.iloc[:2]) == 0.0


def test_ser009_summarise_breakdown_falls_back_to_the_latest_counted_gap():
    rows = pd.concat(
        [
            _groups({"eligible": (56, 70, 80.0), "not_eligible": (48, 80, 60.0)}, 2022),
            _groups({"eligible": (NAN, NAN, 70.0), "not_eligible": (NAN, NAN, 65.0)}, 2023),
        ],
        ignore_index=True,
    )
    summary = summarise_breakdown(rows, "fsm", "percent")
    assert summary["period_label"] == "2023"
    assert summary["gap"]["gap"] == pytest.approx(5.0)
    assert summary["counted_gap"]["period_label"] == "2022"
    assert list(summary["groups"]["breakdown_value"]) == ["eligible", "not_eligible"]
    empty = summarise_breakdown(rows, "total", "percent")
    assert empty["groups"].empty and empty["gap"] is None


def test_ser010_round_for_display_rounds_only_the_shown_figures():
    frame = pd.DataFrame({"value": [12.345], "lower_ci": ["1.26"], "numerator": [7.777]})
    out = round_for_display(frame)
    assert out["value"].iloc[0] == 12.3
    assert out["lower_ci"].iloc[0] == 1.3
    assert out["numerator"].iloc[0] == 7.777
    assert frame["value"].iloc[0] == 12.345  # the input is not changed


def test_ser011_period_changes_give_previous_period_and_same_period_last_year():
    series = _series(
        [
            {**_point("area", 2023, 50.0, numerator=50, denominator=100), "period_label": "Q1"},
            _point("area", 2023, 55.0, numerator=55, denominator=100)
            | {"period_label": "Q2", "period_start": date(2023, 4, 1)},
            _point("area", 2024, 70.0, numerator=70, denominator=100) | {"period_label": "Q1 next"},
        ]
    )
    changes = period_changes(series, "quarterly", "percent")
    assert [c["against"] for c in changes] == ["previous period", "same period last year"]
    assert changes[0]["change"] == pytest.approx(15.0)
    assert changes[1]["period_label"] == "Q1"
    assert changes[1]["change"] == pytest.approx(20.0)
    assert changes[1]["significant"] is True
    assert period_changes(series, "annual", "rate_per_10k")[0]["lower_ci"] is None
    assert period_changes(series.iloc[:1], "annual", "percent") == []
