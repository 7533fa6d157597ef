"""Statistical-neighbour mean, rank and quartile band (LAIT's rules)."""

import math

import numpy as np
import pandas as pd
import pytest

from analysis.benchmarks import neighbour_mean, rank_and_quartile, ranks_and_quartiles

VALUES = pd.Series(
    {"E1": 10.0, "E2": 20.0, "E3": 30.0, "E4": 40.0, "E5": 50.0, "E6": 60.0, "E7": 70.0, "E8": 80.0}
)


def test_bm001_neighbour_mean_is_simple_mean_of_present_neighbours():
    values = VALUES.copy()
    values["E3"] = np.nan
    assert neighbour_mean(values, ["E2", "E3", "E4", "E99"]) == 30.0  # (20 + 40) / 2


def test_bm002_neighbour_mean_without_any_neighbour_is_nan():
    assert math.isnan(neighbour_mean(VALUES, ["E98", "E99"]))
    assert math.isnan(neighbour_mean(VALUES, []))


@pytest.mark.parametrize(
    ("area", "polarity", "rank", "band"),
    [
        ("E8", "high_is_good", 1, "A"),
        ("E7", "high_is_good", 2, "A"),
        ("E6", "high_is_good", 3, "B"),
        ("E1", "high_is_good", 8, "D"),
        ("E1", "low_is_good", 1, "A"),
        ("E8", "low_is_good", 8, "D"),
        ("E5", "low_is_good", 5, "C"),
        ("E8", "no_judgement", 1, "A (highest)"),
        ("E1", "no_judgement", 8, "D (lowest)"),
        ("E4", "no_judgement", 5, "C"),
    ],
)
def test_bm003_rank_and_band_respect_polarity(area, polarity, rank, band):
    assert rank_and_quartile(VALUES, area, polarity) == (rank, 8, band)


def test_bm004_ties_share_the_best_rank():
    values = pd.Series({"A": 5.0, "B": 7.0, "C": 7.0, "D": 1.0})
    assert rank_and_quartile(values, "B", "high_is_good")[0] == 1
    assert rank_and_quartile(values, "C", "high_is_good")[0] == 1
    assert rank_and_quartile(values, "A", "high_is_good")[0] == 3


def test_bm005_area_without_value_is_not_ranked_and_not_counted():
    values = VALUES.copy()
    values["E2"] = np.nan
    assert rank_and_quartile(values, "E2", "high_is_good") == (None, 7, "not ranked")
    assert rank_and_quartile(values, "E99", "high_is_good") == (None, 7, "not ranked")


def test_bm006_bands_over_152_authorities_hold_quarters():
    values = pd.Series(np.arange(152, dtype=float), index=[f"LA{i}" for i in range(152)])
    bands = [rank_and_quartile(values, code, "high_is_good")[2] for code in values.index]
    assert [bands.count(b) for b in "ABCD"] == [38, 38, 38, 38]


def test_bm007_single_area_is_band_a_and_bad_input_is_rejected():
    assert rank_and_quartile(pd.Series({"X": 3.0}), "X", "low_is_good") == (1, 1, "A")
    with pytest.raises(ValueError):
        rank_and_quartile(VALUES, "E1", "sideways")
    with pytest.raises(ValueError):
        rank_and_quartile(pd.Series([1.0, 2.0], index=["A", "A"]), "A", "high_is_good")


@pytest.mark.parametrize("polarity", ["high_is_good", "low_is_good", "no_judgement"])
@pytest.mark.parametrize("seed", range(5))
def test_bm008_all_areas_at_once_equal_one_at_a_time(polarity, seed):
    rng = np.random.default_rng(seed)
    size = int(rng.integers(1, 160))
    # Whole numbers from a small range give ties; some areas have no value.
    numbers = rng.integers(0, 40, size).astype(float)
    numbers[rng.random(size) < 0.15] = np.nan
    values = pd.Series(numbers, index=[f"LA{i}" for i in range(size)])
    together = ranks_and_quartiles(values, polarity)
    for code in values.index:
        rank, ranked, band = rank_and_quartile(values, code, polarity)
        row = together.loc[code]
        assert (None if pd.isna(row["rank"]) else int(row["rank"])) == rank
        assert (int(row["ranked"]), row["band"]) == (ranked, band)
    with pytest.raises(ValueError):
        ranks_and_quartiles(values, "sideways")
