"""Tests for the illustrative local monthly management information generator."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from data_access.demo.local import (
    ILLUSTRATIVE_INDICATORS,
    SITE_AREAS,
    generate_local_monthly,
)

EXPECTED_COLUMNS = [
    "indicator",
    "area_code",
    "period_label",
    "period_start",
    "period_end",
    "breakdown",
    "breakdown_value",
    "numerator",
    "denominator",
    "value",
    "lower_ci",
    "upper_ci",
    "status",
]
CELL_KEYS = ["indicator", "area_code", "period_start", "breakdown"]


@pytest.fixture(scope="module")
def local() -> pd.DataFrame:
    return generate_local_monthly()


def test_demolocal001_columns_exactly_as_the_contract(local: pd.DataFrame) -> None:
    assert list(local.columns) == EXPECTED_COLUMNS
    assert set(local["indicator"]) == set(ILLUSTRATIVE_INDICATORS)
    assert set(local["area_code"]) == set(SITE_AREAS)
    assert local["lower_ci"].isna().all() and local["upper_ci"].isna().all()
    assert local["status"].isna().all()


def test_demolocal002_same_seed_gives_the_same_frame(local: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(local, generate_local_monthly())


def test_demolocal003_other_seed_gives_other_numbers(local: pd.DataFrame) -> None:
    other = generate_local_monthly(seed=7)
    assert not np.array_equal(local["numerator"].to_numpy(), other["numerator"].to_numpy())


def test_demolocal004_breakdown_cells_sum_to_totals(local: pd.DataFrame) -> None:
    totals = (
        local[local["breakdown"] == "total"]
        .set_index(["indicator", "area_code", "period_start"])[["numerator", "denominator"]]
        .fillna(-1.0)
    )
    cells = local[local["breakdown"] != "total"]
    summed = cells.groupby(CELL_KEYS)[["numerator", "denominator"]].sum(min_count=1).fillna(-1.0)
    expected = totals.reindex(summed.index.droplevel("breakdown")).to_numpy()
    np.testing.assert_array_equal(summed.to_numpy(), expected)
    # Every indicator has equality breakdowns to sum.
    assert cells.groupby("indicator")["breakdown"].nunique().min() >= 5


def test_demolocal005_numerator_within_denominator_and_no_negatives(
    local: pd.DataFrame,
) -> None:
    percents = local[local["indicator"] != "eh_requests"]
    assert (percents["numerator"] <= percents["denominator"]).all()
    numbers = local[["numerator", "denominator", "value"]]
    assert (numbers.fillna(0) >= 0).all().all()
    assert local["numerator"].notna().all()
    assert (local["numerator"] == np.round(local["numerator"])).all()


def test_demolocal006_value_matches_numerator_and_denominator(local: pd.DataFrame) -> None:
    counts = local[local["indicator"] == "eh_requests"]
    assert counts["denominator"].isna().all()
    np.testing.assert_array_equal(counts["value"], counts["numerator"])
    percents = local[(local["indicator"] != "eh_requests") & (local["denominator"] > 0)]
    np.testing.assert_allclose(
        percents["value"], 100 * percents["numerator"] / percents["denominator"]
    )


def test_demolocal007_thirty_six_months_per_area_and_indicator(local: pd.DataFrame) -> None:
    totals = local[local["breakdown"] == "total"]
    months = totals.groupby(["indicator", "area_code"])["period_start"].nunique()
    assert len(months) == len(ILLUSTRATIVE_INDICATORS) * len(SITE_AREAS)
    assert (months == 36).all()
    assert not totals.duplicated(["indicator", "area_code", "period_start"]).any()
    assert totals["period_start"].max() == date(2026, 10, 1)
    assert totals["period_start"].min() == date(2023, 11, 1)


def test_demolocal008_monthly_periods_are_labelled_and_bounded(local: pd.DataFrame) -> None:
    october = local[local["period_start"] == date(2026, 10, 1)]
    assert set(october["period_label"]) == {"Oct 2026"}
    assert set(october["period_end"]) == {date(2026, 10, 31)}
    february = local[local["period_start"] == date(2024, 2, 1)]
    assert set(february["period_end"]) == {date(2024, 2, 29)}
    assert all(isinstance(d, date) for d in local["period_start"].head(50))


def test_demolocal009_oldham_family_hub_lifts_reach(local: pd.DataFrame) -> None:
    reach = local[
        (local["indicator"] == "family_hub_reach_0_4")
        & (local["area_code"] == "E08000004")
        & (local["breakdown"] == "total")
    ]
    before = reach[reach["period_start"] < date(2025, 3, 1)]["value"].mean()
    after = reach[reach["period_start"] > date(2025, 3, 1)]["value"].mean()
    assert after > before + 5


def test_demolocal010_small_cells_occur(local: pd.DataFrame) -> None:
    small = local[(local["numerator"] >= 1) & (local["numerator"] <= 5)]
    assert len(small) > 0
    assert small["breakdown"].ne("total").all()


def test_demolocal011_most_deprived_quintile_fares_worse(local: pd.DataFrame) -> None:
    imd = local[
        (local["breakdown"] == "imd_quintile") & (local["indicator"] == "pathway_plan_timely")
    ]
    sums = imd.groupby("breakdown_value")[["numerator", "denominator"]].sum()
    rates = sums["numerator"] / sums["denominator"]
    assert rates["1 (most deprived)"] < rates["5 (least deprived)"]


def test_demolocal012_rochdale_recording_change_steps_up_timeliness(
    local: pd.DataFrame,
) -> None:
    timely = local[
        (local["indicator"] == "eh_assessments_timely")
        & (local["area_code"] == "E08000005")
        & (local["breakdown"] == "total")
    ]
    before = timely[timely["period_start"] < date(2025, 9, 1)]["value"].mean()
    after = timely[timely["period_start"] >= date(2025, 9, 1)]["value"].mean()
    assert after > before + 10


def test_demolocal013_requests_dip_in_august(local: pd.DataFrame) -> None:
    requests = local[(local["indicator"] == "eh_requests") & (local["breakdown"] == "total")]
    month = pd.to_datetime(requests["period_start"]).dt.month
    assert requests[month == 8]["value"].mean() < requests[month != 8]["value"].mean() * 0.85


def test_demolocal014_breakdown_values_per_indicator(local: pd.DataFrame) -> None:
    def values(indicator: str, breakdown: str) -> set[str]:
        rows = local[(local["indicator"] == indicator) & (local["breakdown"] == breakdown)]
        return set(rows["breakdown_value"])

    assert values("eh_requests", "age_band") == {"0-4", "5-10", "11-15", "16-17"}
    assert values("family_hub_reach_0_4", "age_band") == {"under 2", "2-3", "4"}
    assert values("family_hub_reach_0_4", "sen") == {"sen", "no sen", "unknown"}
    assert values("pathway_plan_timely", "uasc") == {"uasc", "not uasc"}
    assert values("eh_requests", "uasc") == set()
    assert "unknown" in values("eh_requests", "ethnicity")


def test_demolocal015_oldham_has_a_larger_asian_share_than_north_yorkshire(
    local: pd.DataFrame,
) -> None:
    eth = local[(local["indicator"] == "eh_requests") & (local["breakdown"] == "ethnicity")]
    sums = eth.groupby(["area_code", "breakdown_value"])["numerator"].sum().unstack()
    shares = sums.div(sums.sum(axis=1), axis=0)
    assert shares.loc["E08000004", "asian"] > 0.15
    assert shares.loc["E06000065", "asian"] < 0.05
    assert (shares["unknown"] > 0).all()


def test_demolocal016_shorter_window_and_rejects_no_months() -> None:
    short = generate_local_monthly(end_month=date(2025, 6, 15), months=3)
    assert sorted(short["period_label"].unique()) == ["Apr 2025", "Jun 2025", "May 2025"]
    with pytest.raises(ValueError):
        generate_local_monthly(months=0)
