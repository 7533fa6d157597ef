"""Voice coverage: voice share against population share, with small counts hidden."""

import numpy as np
import pandas as pd
import pytest

from analysis.coverage import COVERAGE_COLUMNS, voice_coverage


def _coverage(voices, people, **kwargs):
    voice_counts = pd.DataFrame({"group": list(voices), "voice_count": list(voices.values())})
    population = pd.DataFrame({"group": list(people), "population": list(people.values())})
    return voice_coverage(voice_counts, population, **kwargs).set_index("group")


def test_cov001_shares_and_ratio():
    out = _coverage({"0-4": 20, "5-10": 60, "11-17": 20}, {"0-4": 400, "5-10": 300, "11-17": 300})
    assert list(out.reset_index().columns) == COVERAGE_COLUMNS
    assert out.loc["0-4", "voice_share"] == pytest.approx(20)
    assert out.loc["0-4", "population_share"] == pytest.approx(40)
    assert out.loc["0-4", "representation_ratio"] == pytest.approx(0.5)
    assert out.loc["5-10", "representation_ratio"] == pytest.approx(2)
    assert list(out["under_represented"]) == [True, False, True]
    assert not out["suppressed"].any()


def test_cov002_group_with_no_voice_is_under_represented_not_suppressed():
    out = _coverage({"boys": 40}, {"boys": 500, "girls": 500})
    assert out.loc["girls", "voice_count"] == 0
    assert out.loc["girls", "representation_ratio"] == 0
    assert bool(out.loc["girls", "under_represented"]) is True
    assert bool(out.loc["girls", "suppressed"]) is False


def test_cov003_small_counts_suppressed_with_a_partner_but_flag_kept():
    out = _coverage(
        {"White": 80, "Asian": 3, "Black": 12, "Mixed": 30},
        {"White": 600, "Asian": 200, "Black": 100, "Mixed": 100},
    )
    assert bool(out.loc["Asian", "suppressed"]) is True
    assert out.loc["Asian", ["voice_count", "voice_share", "representation_ratio"]].isna().all()
    assert bool(out.loc["Asian", "under_represented"]) is True
    # Only one small group: the next smallest (12) is hidden too, so 3 = total - rest fails.
    assert bool(out.loc["Black", "suppressed"]) is True
    assert out.loc["White", "voice_count"] == 80
    assert out.loc["Asian", "population"] == 200  # population figures are public


def test_cov004_threshold_is_a_setting():
    out = _coverage({"a": 7, "b": 9, "c": 50}, {"a": 10, "b": 10, "c": 10}, threshold=10)
    assert list(out["suppressed"]) == [True, True, False]


def test_cov005_no_voice_at_all_and_missing_population_give_nan_not_errors():
    out = _coverage({}, {"a": 10, "b": 0})
    assert out["voice_share"].isna().all()
    assert np.isnan(out.loc["b", "representation_ratio"])
    assert not out["under_represented"].any()
    out = _coverage({"a": 10, "unknown": 10}, {"a": 100})
    assert np.isnan(out.loc["unknown", "population_share"])
    assert bool(out.loc["unknown", "under_represented"]) is False
