"""Range and consistency checks by unit (rules.ranges)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rules.ranges import range_breaks, unit_base

NAN = np.nan


def _breaks(unit, numerator, denominator, value, exempt=None):  # type: ignore[no-untyped-def]
    found = range_breaks(
        pd.Series(unit, dtype=object),
        pd.Series(numerator, dtype=float),
        pd.Series(denominator, dtype=float),
        pd.Series(value, dtype=float),
        may_exceed_100=None if exempt is None else pd.Series(exempt),
    )
    return {(b.code, b.column): b for b in found}


def test_rng001_a_count_in_a_rate_column_is_refused_naming_the_bound():
    # England's children-in-need rate fed the number of children in need.
    found = _breaks(["rate_per_10k", "rate_per_10k"], [NAN, NAN], [NAN, NAN], [402_400, 333.3])
    broken = found[("rate_looks_like_count", "value")]
    assert broken.mask.tolist() == [True, False]
    assert broken.bound[0] == (
        "is above 10,000, the most a rate per 10,000 can be: it looks like a count, not a rate"
    )
    assert len(found) == 1


@pytest.mark.parametrize(
    ("unit", "base", "bad"),
    [("rate_per_1k", 1_000, 1_200), ("rate_per_10000", 10_000, 12_000),
     ("rate_per_100k", 100_000, 100_001)],
)  # fmt: skip
def test_rng002_each_rate_has_its_own_bound(unit, base, bad):
    assert unit_base(unit) == base
    found = _breaks([unit, unit, unit], [NAN] * 3, [NAN] * 3, [bad, base, -1])
    assert found[("rate_looks_like_count", "value")].mask.tolist() == [True, False, False]
    assert found[("rate_out_of_range", "value")].mask.tolist() == [False, False, True]


def test_rng003_percentages_lie_between_0_and_100_unless_exempt():
    found = _breaks(["percent"] * 4, [NAN] * 4, [NAN] * 4, [100.0, 100.5, -0.1, 104.0],
                    exempt=[False, False, False, True])  # fmt: skip
    broken = found[("percent_out_of_range", "value")]
    assert broken.mask.tolist() == [False, True, True, False]
    assert broken.bound[1] == "is not a percentage between 0 and 100"


def test_rng004_value_must_agree_with_its_counts_within_rounding():
    found = _breaks(
        ["percent", "percent", "percent", "rate_per_10k", "rate_per_10k", "percent"],
        [887, 887, 887, 120, 120, 45],
        [4196, 4196, 4196, 10_000, 10_000, 70],
        # 21.1 rounds 21.139; 0.21 is a fraction, not a percentage; 2113 is x 10,000;
        # 120 per 10,000 right, 12 per 10,000 (per 1,000 by mistake) wrong; 65 vs 64.3
        # (a publisher rounding its counts) passes.
        [21.1, 0.21, 2113.9, 120, 12, 65],
    )
    broken = found[("counts_disagree", "value")]
    assert broken.mask.tolist() == [False, True, False, False, True, False]
    assert broken.bound[1] == "is not numerator / denominator x 100 = 21.139 (within rounding)"
    assert found[("percent_out_of_range", "value")].mask.tolist()[2]


def test_rng005_counts_are_whole_and_other_units_are_not_bounded():
    found = _breaks(["count", "count", "gbp", None], [NAN] * 4, [NAN] * 4,
                    [12.5, 12, 1_000_000.5, 5e9])  # fmt: skip
    assert list(found) == [("not_whole", "value")]
    assert found[("not_whole", "value")].mask.tolist() == [True, False, False, False]
