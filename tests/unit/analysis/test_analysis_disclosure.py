"""Disclosure control: primary and secondary suppression of small counts."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.disclosure import SYMBOL_MEANINGS, apply_disclosure_control


def _breakdown(numerators, denominators=None, total=True, area="E08000001", statuses=None):
    """Canonical rows for one breakdown (cells g0, g1, ...) and, optionally, its total row."""
    denominators = denominators if denominators is not None else [100 + n for n in numerators]
    statuses = statuses or [None] * len(numerators)
    rows = [
        {
            "breakdown": "ethnicity",
            "breakdown_value": f"g{i}",
            "numerator": n,
            "denominator": d,
            "status": s,
        }
        for i, (n, d, s) in enumerate(zip(numerators, denominators, statuses, strict=True))
    ]
    if total:
        rows.insert(
            0,
            {
                "breakdown": "total",
                "breakdown_value": "total",
                "numerator": np.nansum(numerators),
                "denominator": np.nansum(denominators),
                "status": None,
            },
        )
    df = pd.DataFrame(rows)
    df.insert(0, "indicator", "gld")
    df.insert(1, "area_code", area)
    df.insert(2, "period_start", "2022-09-01")
    df["value"] = 100 * df["numerator"] / df["denominator"]
    df["lower_ci"] = df["value"] - 1
    df["upper_ci"] = df["value"] + 1
    return df


def _cells(out):
    return out[out["breakdown"] != "total"].set_index("breakdown_value")


def test_sdc001_small_counts_become_c_and_zero_stays_zero():
    out = apply_disclosure_control(_breakdown([0, 3, 6, 40], total=False))
    cells = _cells(out)
    assert cells.loc["g0", "numerator"] == 0 and cells.loc["g0", "status"] is None
    assert cells.loc["g1", "status"] == "c"
    assert cells.loc["g1", ["numerator", "value", "lower_ci", "upper_ci"]].isna().all()
    assert cells.loc["g1", "denominator"] == 103  # a large denominator stays visible
    assert cells.loc["g3", "numerator"] == 40


def test_sdc002_single_suppressed_cell_gets_a_secondary_partner():
    out = apply_disclosure_control(_breakdown([3, 10, 20, 7]))
    cells = _cells(out)
    assert list(cells["status"]) == ["c", None, None, "c"]  # 7 is the next-smallest
    assert out.loc[0, "numerator"] == 40  # the total stays


def test_sdc003_secondary_skips_zero_cells():
    out = apply_disclosure_control(_breakdown([3, 0, 20]))
    cells = _cells(out)
    assert cells.loc["g1", "numerator"] == 0
    assert list(cells["status"]) == ["c", None, "c"]


def test_sdc004_two_suppressed_cells_need_no_more():
    out = apply_disclosure_control(_breakdown([3, 4, 20, 30]))
    assert list(_cells(out)["status"]) == ["c", "c", None, None]


def test_sdc005_secondary_applies_without_a_total_row():
    out = apply_disclosure_control(_breakdown([2, 50, 9], total=False))
    assert list(_cells(out)["status"]) == ["c", None, "c"]


def test_sdc006_published_symbols_are_kept_and_not_turned_into_numbers():
    df = _breakdown([np.nan, 12, np.nan, 30], statuses=["x", "u", "z", None], total=False)
    df.loc[df["breakdown_value"] == "g2", "status"] = "k"
    out = apply_disclosure_control(df)
    cells = _cells(out)
    assert list(cells["status"]) == ["x", "u", "k", None]
    assert np.isnan(cells.loc["g0", "numerator"]) and np.isnan(cells.loc["g2", "numerator"])
    assert cells.loc["g1", "numerator"] == 12


def test_sdc007_unknown_cells_do_not_count_as_protection():
    # One "c" from primary suppression beside an "x": conservative, suppress another cell.
    df = _breakdown([np.nan, 4, 15, 30], statuses=["x", None, None, None])
    out = apply_disclosure_control(df)
    assert list(_cells(out)["status"]) == ["x", "c", "c", None]


def test_sdc008_lone_suppressed_cell_beside_zeros_hides_the_total():
    # The publisher already suppressed g0; the other cells are 0, so total - 0 - 0 = g0.
    df = _breakdown([np.nan, 0, 0], statuses=["c", None, None], total=False)
    df.loc[0, "denominator"] = 100  # its denominator is published, so only the total can help
    total = df.iloc[[0]].assign(
        breakdown="total", breakdown_value="total", numerator=12, status=None
    )
    out = apply_disclosure_control(pd.concat([total, df], ignore_index=True))
    assert out.loc[0, "status"] == "c" and np.isnan(out.loc[0, "numerator"])


def test_sdc009_small_denominator_suppresses_the_row_and_its_partner():
    out = apply_disclosure_control(_breakdown([0, 10, 20], denominators=[4, 40, 30]))
    cells = _cells(out)
    assert cells.loc["g0", "status"] == "c"
    assert np.isnan(cells.loc["g0", "denominator"])
    # Denominator 4 = 74 - 40 - 30 unless another denominator goes too: the smallest, 30.
    assert cells.loc["g2", "status"] == "c" and np.isnan(cells.loc["g2", "denominator"])
    assert cells.loc["g1", "numerator"] == 10


def test_sdc010_population_denominators_can_be_exempt():
    df = _breakdown([0, 10], denominators=[4, 40], total=False)
    out = apply_disclosure_control(df, denominator_is_people=False)
    assert list(_cells(out)["status"]) == [None, None]
    assert _cells(out).loc["g0", "denominator"] == 4


def test_sdc011_threshold_is_a_setting_and_groups_do_not_interact():
    first = _breakdown([8, 30, 40], area="A")
    second = _breakdown([8, 30, 40], area="B")
    out = apply_disclosure_control(pd.concat([first, second], ignore_index=True), threshold=10)
    assert (out.groupby("area_code")["status"].apply(lambda s: (s == "c").sum()) == 2).all()
    out5 = apply_disclosure_control(first, threshold=5)
    assert (out5["status"] == "c").sum() == 0


def test_sdc012_input_is_not_modified_and_index_is_kept():
    df = _breakdown([3, 10, 20]).set_index(pd.Index([10, 20, 30, 40]))
    before = df.copy()
    out = apply_disclosure_control(df)
    pd.testing.assert_frame_equal(df, before)
    assert list(out.index) == [10, 20, 30, 40]


def test_sdc013_symbol_meanings_cover_published_symbols():
    assert set(SYMBOL_MEANINGS) == {"c", "k", "low", "u", "x", "z"}
    assert SYMBOL_MEANINGS["c"].startswith("confidential")


THRESHOLD = 5


def _is_small(x):
    return not np.isnan(x) and 1 <= x <= THRESHOLD


def _assert_cannot_be_recovered(out, column):
    total = out[out["breakdown"] == "total"][column].iloc[0]
    cells = out[out["breakdown"] != "total"][column]
    hidden = int(cells.isna().sum())
    if not np.isnan(total):
        assert hidden != 1, f"one hidden {column} equals total minus the visible cells"
    else:
        assert hidden >= 1, f"hidden total {column} equals the sum of the visible cells"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells=st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50)), min_size=2, max_size=8))
def test_sdc014_property_no_suppressed_count_can_be_recovered(cells):
    numerators = [n for n, _ in cells]
    denominators = [n + extra for n, extra in cells]  # a denominator is at least its numerator
    out = apply_disclosure_control(_breakdown(numerators, denominators), threshold=THRESHOLD)

    assert not any(_is_small(x) for x in out["numerator"]), "a small numerator is shown"
    assert not any(_is_small(x) for x in out["denominator"]), "a small denominator is shown"
    _assert_cannot_be_recovered(out, "numerator")
    _assert_cannot_be_recovered(out, "denominator")
    suppressed = out["status"] == "c"
    assert out.loc[suppressed, ["numerator", "value", "lower_ci", "upper_ci"]].isna().all().all()
    # Nothing is invented: every shown count is the true one.
    original = _breakdown(numerators, denominators)
    shown = out["numerator"].notna()
    assert (out.loc[shown, "numerator"] == original.loc[shown, "numerator"]).all()


@settings(max_examples=100, deadline=None)
@given(numerators=st.lists(st.integers(0, 50), min_size=2, max_size=8))
def test_sdc015_property_numerators_alone_with_large_denominators(numerators):
    out = apply_disclosure_control(_breakdown(numerators), threshold=THRESHOLD)
    cells = out[out["breakdown"] != "total"]
    hidden = int(cells["numerator"].isna().sum())
    assert hidden == 0 or hidden >= 2 or np.isnan(out.loc[0, "numerator"])
    assert not any(_is_small(x) for x in out["numerator"])
    if 1 <= sum(numerators) <= THRESHOLD:
        assert out.loc[0, "status"] == "c"
    assert (cells["numerator"].fillna(-1) == 0).sum() == numerators.count(0)


@pytest.mark.parametrize("status", ["c", "k", "low", "x", "z"])
def test_sdc016_rows_with_symbols_are_left_exactly_as_they_were(status):
    df = _breakdown([np.nan, 40, 50], statuses=[status, None, None], total=False)
    out = apply_disclosure_control(df)
    assert out.loc[0, "status"] == status
    assert np.isnan(out.loc[0, "numerator"])


def test_sdc017_small_counts_on_symbol_rows_are_blanked_and_u_becomes_c():
    df = _breakdown([3, 4, 40, 50], statuses=["x", "u", None, None], total=False)
    out = apply_disclosure_control(df)
    cells = _cells(out)
    assert cells.loc["g0", "status"] == "x" and np.isnan(cells.loc["g0", "numerator"])
    assert np.isnan(cells.loc["g0", "value"])
    assert cells.loc["g1", "status"] == "c"


def test_sdc018_missing_status_column_and_empty_frame():
    df = _breakdown([3, 40, 50], total=False).drop(columns="status")
    assert list(apply_disclosure_control(df)["status"]) == ["c", "c", None]
    empty = apply_disclosure_control(_breakdown([1, 2]).iloc[0:0])
    assert empty.empty


def _same_partition(left: np.ndarray, right: np.ndarray) -> bool:
    """True when two labellings put exactly the same rows together."""
    pairs = set(zip(left.tolist(), right.tolist(), strict=True))
    return len(pairs) == len(set(left.tolist())) == len(set(right.tolist()))


_KEY_VALUES = st.sampled_from(["total", "sex", "E08000004", "E92000001", None, np.nan, 2021, ""])


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(st.tuples(_KEY_VALUES, _KEY_VALUES, _KEY_VALUES), min_size=1, max_size=40))
def test_sdc019_breakdown_grouping_matches_pandas_groupby(rows):
    from analysis.disclosure import _combination_ids

    frame = pd.DataFrame(rows, columns=["a", "b", "c"], dtype=object)
    ours = _combination_ids(frame, ["a", "b", "c"])
    pandas = frame.groupby(["a", "b", "c"], dropna=False, sort=False).ngroup().to_numpy()
    assert _same_partition(ours, pandas)
    assert sorted(set(ours.tolist())) == list(range(len(set(ours.tolist()))))


def test_sdc020_symbols_are_read_with_spaces_and_missing_statuses():
    from analysis.disclosure import _has_no_number_symbol

    status = pd.Series([" x", "u", None, np.nan, "low", "c", "", "z "], dtype=object)
    assert _has_no_number_symbol(status).tolist() == [
        True, False, False, False, True, True, False, True
    ]  # fmt: skip
    assert _has_no_number_symbol(pd.Series([None, None], dtype=object)).tolist() == [False, False]


def test_sdc021_many_areas_and_periods_at_once_equal_each_breakdown_alone():
    """Suppressing a national extract in one call gives what each table gives alone."""
    rng = np.random.default_rng(7)
    tables = []
    for area in ["E08000004", "E08000005", "E06000065"]:
        for period in [pd.Timestamp("2023-01-01").date(), pd.Timestamp("2024-01-01").date()]:
            for breakdown, values in [("sex", ["f", "m"]), ("ethnicity", ["a", "b", "c", "d"])]:
                numerators = rng.integers(0, 12, len(values)).astype(float)
                frame = _breakdown(list(numerators), total=True)
                frame["area_code"] = area
                frame["period_start"] = period
                cells = frame["breakdown"] != "total"
                frame.loc[cells, "breakdown"] = breakdown
                frame.loc[cells, "breakdown_value"] = values
                tables.append(frame)
    # A total row per (area, period) serves both breakdowns; drop the duplicate totals.
    whole = pd.concat(tables, ignore_index=True)
    whole = whole[
        ~(
            whole["breakdown"].eq("total")
            & whole.duplicated(["area_code", "period_start", "breakdown"])
        )
    ]
    together = apply_disclosure_control(whole.reset_index(drop=True))
    for _, part in whole.reset_index(drop=True).groupby(["area_code", "period_start"]):
        alone = apply_disclosure_control(part)
        pd.testing.assert_frame_equal(together.loc[part.index], alone)


def test_sdc022_a_small_complement_is_protected_like_a_small_count():
    # 6 of 9: three children did not. 40 of 45: five did not. 40 of 46: six did not.
    out = apply_disclosure_control(
        _breakdown([6, 40, 40, 60], denominators=[9, 45, 46, 300], total=False)
    )
    cells = _cells(out)
    assert cells.loc["g0", "status"] == "c" and cells.loc["g1", "status"] == "c"
    assert cells.loc["g0", ["numerator", "value", "lower_ci", "upper_ci"]].isna().all()
    assert cells.loc["g0", "denominator"] == 9  # the denominator alone discloses nothing
    assert cells.loc["g2", "status"] is None and cells.loc["g2", "numerator"] == 40
    assert cells.loc["g3", "numerator"] == 60


def test_sdc023_complements_are_not_protected_when_the_denominator_is_a_population():
    out = apply_disclosure_control(
        _breakdown([6, 60], denominators=[9, 300], total=False), denominator_is_people=False
    )
    assert _cells(out)["status"].isna().all()


def test_sdc024_zero_complement_everyone_is_not_protected_and_one_cell_gets_a_partner():
    # 30 of 30 (nobody left out) discloses nothing about a person; 8 of 10 is protected,
    # and, alone in its breakdown, it takes the smallest other cell with it.
    out = apply_disclosure_control(_breakdown([30, 8, 20, 70], denominators=[30, 10, 200, 300]))
    cells = _cells(out)
    assert cells.loc["g0", "status"] is None
    assert cells.loc["g1", "status"] == "c"
    assert (cells["status"] == "c").sum() == 2 and cells.loc["g2", "status"] == "c"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(st.integers(0, 60), st.integers(0, 12)), min_size=1, max_size=6),
    st.integers(1, 10),
)
def test_sdc025_no_shown_row_has_a_complement_from_one_to_the_threshold(cells, threshold):
    numerators = [n for n, _ in cells]
    denominators = [n + extra for n, extra in cells]
    out = apply_disclosure_control(
        _breakdown(numerators, denominators=denominators), threshold=threshold
    )
    shown = out[out["status"].isna()]
    complement = shown["denominator"] - shown["numerator"]
    assert not ((complement > 0) & (complement <= threshold)).any()
