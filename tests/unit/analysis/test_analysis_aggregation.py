"""Group figures from member areas: sum counts, never average percentages."""

import numpy as np
import pandas as pd
import pytest

from analysis.aggregation import OUTPUT_COLUMNS, aggregate_group
from analysis.intervals import byar_rate_interval, wilson_interval


def _rows(records):
    base = {
        "indicator": "gld",
        "period_end": "2023-08-31",
        "period_label": "2022/23",
        "breakdown": "total",
        "breakdown_value": "total",
        "value": np.nan,
        "status": None,
    }
    return pd.DataFrame([{**base, **r} for r in records])


def test_agg001_sums_counts_not_percentages():
    # 9/10 and 50/100: mean of percentages is 70%, the group's figure is 59/110 = 53.6%.
    rows = _rows(
        [
            {
                "area_code": "A",
                "period_start": "2022-09-01",
                "numerator": 9,
                "denominator": 10,
                "value": 90.0,
            },
            {
                "area_code": "B",
                "period_start": "2022-09-01",
                "numerator": 50,
                "denominator": 100,
                "value": 50.0,
            },
        ]
    )
    out = aggregate_group(rows, "E47000001", "Greater Manchester")
    assert list(out.columns) == OUTPUT_COLUMNS
    row = out.iloc[0]
    assert (row["numerator"], row["denominator"]) == (59, 110)
    assert row["value"] == pytest.approx(100 * 59 / 110)
    assert (row["lower_ci"], row["upper_ci"]) == pytest.approx(wilson_interval(59, 110))
    assert row["area_code"] == "E47000001" and row["area_name"] == "Greater Manchester"
    assert row["members_present"] == 2
    assert row["status"] is None


def test_agg002_period_with_a_member_lacking_counts_is_x():
    rows = _rows(
        [
            {"area_code": "A", "period_start": "2022-09-01", "numerator": 9, "denominator": 10},
            {
                "area_code": "B",
                "period_start": "2022-09-01",
                "numerator": np.nan,
                "denominator": 100,
                "status": "c",
            },
            {"area_code": "A", "period_start": "2023-09-01", "numerator": 8, "denominator": 10},
            {"area_code": "B", "period_start": "2023-09-01", "numerator": 40, "denominator": 100},
        ]
    )
    out = aggregate_group(rows, "G", "Group").set_index("period_start")
    incomplete = out.loc["2022-09-01"]
    assert incomplete["status"] == "x"
    assert incomplete[["numerator", "denominator", "value", "lower_ci", "upper_ci"]].isna().all()
    assert incomplete["members_present"] == 2
    complete = out.loc["2023-09-01"]
    assert complete["value"] == pytest.approx(100 * 48 / 110)
    assert complete["status"] is None


def test_agg003_expected_members_marks_missing_members_as_x():
    rows = _rows(
        [{"area_code": "A", "period_start": "2022-09-01", "numerator": 9, "denominator": 10}]
    )
    out = aggregate_group(rows, "G", "Group", expected_members=2)
    assert out.loc[0, "status"] == "x"
    assert np.isnan(out.loc[0, "value"])
    assert out.loc[0, "members_present"] == 1


def test_agg004_rate_per_10k_uses_byar():
    rows = _rows(
        [
            {
                "area_code": "A",
                "period_start": "2024-04-01",
                "numerator": 30,
                "denominator": 20_000,
            },
            {
                "area_code": "B",
                "period_start": "2024-04-01",
                "numerator": 10,
                "denominator": 10_000,
            },
        ]
    )
    out = aggregate_group(rows, "G", "Group", unit="rate_per_10k")
    assert out.loc[0, "value"] == pytest.approx(10_000 * 40 / 30_000)
    assert (out.loc[0, "lower_ci"], out.loc[0, "upper_ci"]) == pytest.approx(
        byar_rate_interval(40, 30_000)
    )


def test_agg005_count_sums_numerator_or_value():
    rows = _rows(
        [
            {
                "area_code": "A",
                "period_start": "2024-04-01",
                "numerator": 12,
                "denominator": np.nan,
            },
            {
                "area_code": "B",
                "period_start": "2024-04-01",
                "numerator": np.nan,
                "denominator": np.nan,
                "value": 30,
            },
        ]
    )
    out = aggregate_group(rows, "G", "Group", unit="count")
    assert out.loc[0, "value"] == 42
    assert out.loc[0, "status"] is None
    assert np.isnan(out.loc[0, "lower_ci"])


def test_agg006_breakdowns_are_kept_apart_and_zero_events_allowed():
    rows = _rows(
        [
            {
                "area_code": "A",
                "period_start": "2022-09-01",
                "breakdown": "sex",
                "breakdown_value": "girls",
                "numerator": 0,
                "denominator": 10,
            },
            {
                "area_code": "B",
                "period_start": "2022-09-01",
                "breakdown": "sex",
                "breakdown_value": "girls",
                "numerator": 0,
                "denominator": 20,
            },
            {
                "area_code": "A",
                "period_start": "2022-09-01",
                "breakdown": "sex",
                "breakdown_value": "boys",
                "numerator": 5,
                "denominator": 10,
            },
        ]
    )
    out = aggregate_group(rows, "G", "Group").set_index("breakdown_value")
    assert out.loc["girls", "value"] == 0
    assert out.loc["girls", "lower_ci"] == 0
    assert out.loc["boys", "members_present"] == 1
    assert out.loc["boys", "value"] == 50


def test_agg007_zero_denominator_gives_nan_value_and_bad_unit_is_rejected():
    rows = _rows(
        [{"area_code": "A", "period_start": "2022-09-01", "numerator": 0, "denominator": 0}]
    )
    out = aggregate_group(rows, "G", "Group")
    assert np.isnan(out.loc[0, "value"])
    with pytest.raises(ValueError):
        aggregate_group(rows, "G", "Group", unit="days")


def test_agg008_empty_input_gives_empty_frame_with_columns():
    out = aggregate_group(pd.DataFrame(columns=OUTPUT_COLUMNS), "G", "Group")
    assert out.empty and list(out.columns) == OUTPUT_COLUMNS
