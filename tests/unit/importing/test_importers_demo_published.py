"""The combined published observations the demo loads, and the indicator catalogue."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from data_access.demo.published import (
    KEY,
    combine_with_precedence,
    load_published_observations,
    published_ees,
    published_lait,
)
from data_access.importing.lait import DEMO_LAIT_MAPPING
from data_access.reference import DEFAULT_DATA_DIR, build_areas, load_indicator_catalogue

ENGLAND, OLDHAM, HAMPSHIRE, NORTH_YORKSHIRE = "E92000001", "E08000004", "E10000014", "E06000065"


@pytest.fixture(scope="module")
def observations() -> pd.DataFrame:
    return load_published_observations()


@pytest.fixture(scope="module")
def catalogue() -> pd.DataFrame:
    return load_indicator_catalogue()


def _cell(
    frame: pd.DataFrame, indicator: str, area: str, label: str, value: str = "total"
) -> pd.Series:
    rows = frame[
        (frame["indicator"] == indicator)
        & (frame["area_code"] == area)
        & (frame["period_label"] == label)
        & (frame["breakdown_value"] == value)
    ]
    assert len(rows) == 1, (indicator, area, label, value, len(rows))
    return rows.iloc[0]


def test_pub001_observations_are_canonical_and_known(
    observations: pd.DataFrame, catalogue: pd.DataFrame
) -> None:
    assert len(observations) > 40_000
    assert not observations.duplicated(KEY).any()
    assert set(observations["indicator"]) <= set(catalogue["id"])
    assert set(observations["area_code"]) <= set(build_areas()["code"])


def test_pub002_north_yorkshire_is_one_continuous_series(observations: pd.DataFrame) -> None:
    assert "E10000023" not in set(observations["area_code"])
    eet = observations[
        (observations["indicator"] == "care_leavers_eet_19_21")
        & (observations["area_code"] == NORTH_YORKSHIRE)
    ]
    assert sorted(eet["period_label"]) == [f"{y - 1}-{y % 100:02d}" for y in range(2016, 2026)]
    assert eet["value"].notna().all()
    gld_2022 = _cell(observations, "gld", NORTH_YORKSHIRE, "2021/22")
    assert gld_2022["value"] == 68.3
    assert gld_2022["numerator"] == 4_007  # from the EES file, where it is E10000023


def test_pub003_ees_wins_over_lait(observations: pd.DataFrame) -> None:
    hampshire = _cell(observations, "cin_rereferral", HAMPSHIRE, "2023-24")
    assert hampshire["status"] == "u"  # EES symbol, where LAIT has only "-"
    england_eet = _cell(observations, "care_leavers_eet_19_21", ENGLAND, "2024-25")
    assert (england_eet["numerator"], england_eet["denominator"]) == (20_760, 38_440)
    fsm = _cell(observations, "gld", ENGLAND, "2021/22", "eligible")
    assert (fsm["value"], fsm["numerator"]) == (49.1, 55_944)


def test_pub004_lait_fills_the_gaps(observations: pd.DataFrame) -> None:
    early_eet = _cell(observations, "care_leavers_eet_19_21", ENGLAND, "2018-19")
    assert early_eet["value"] == 52 and pd.isna(early_eet["numerator"])
    assert _cell(observations, "gld", ENGLAND, "2024/25")["value"] == 68.3
    assert _cell(observations, "gld", OLDHAM, "2024/25")["value"] == 63.1
    assert _cell(observations, "two_year_takeup", ENGLAND, "Jan 2025")["value"] == 65.2
    assert _cell(observations, "gld", ENGLAND, "2024/25", "eligible")["value"] == 51.3


def test_pub005_three_four_takeup_is_lait_only(observations: pd.DataFrame) -> None:
    three_four = observations[observations["indicator"] == "three_four_takeup"]
    assert three_four["numerator"].isna().all()
    assert _cell(observations, "three_four_takeup", ENGLAND, "Jan 2023")["value"] == 94.6


def test_pub006_sources_agree_where_they_overlap() -> None:
    both = published_ees().merge(published_lait(), on=KEY, suffixes=("_ees", "_lait"))
    both = both.dropna(subset=["value_ees", "value_lait"])
    gap = (both["value_ees"] - both["value_lait"]).abs()
    not_eligible = both["breakdown_value"] == "not_eligible"
    assert len(both) > 8_000
    assert (gap[~not_eligible] < 1e-9).all()
    # Known definitional difference: LAIT's "all other pupils" vs EES "not known to be eligible".
    assert (
        0.5
        < (both.loc[not_eligible, "value_lait"] - both.loc[not_eligible, "value_ees"]).mean()
        < 1.2
    )


def test_pub007_precedence_keeps_one_row_per_cell() -> None:
    cell = {
        "indicator": "gld",
        "area_code": ENGLAND,
        "period_label": "2021/22",
        "period_start": pd.Timestamp("2021-09-01").date(),
        "period_end": pd.Timestamp("2022-08-31").date(),
        "breakdown": "total",
        "breakdown_value": "total",
        "lower_ci": float("nan"),
        "upper_ci": float("nan"),
        "status": None,
    }
    ees_rows = pd.DataFrame([{**cell, "numerator": 1.0, "denominator": 2.0, "value": 50.0}])
    lait_rows = pd.DataFrame(
        [
            {**cell, "numerator": float("nan"), "denominator": float("nan"), "value": 51.0},
            {
                **cell,
                "period_label": "2022/23",
                "numerator": float("nan"),
                "denominator": float("nan"),
                "value": 52.0,
            },
        ]
    )
    combined = combine_with_precedence(ees_rows, lait_rows)
    assert combined["value"].tolist() == [50.0, 52.0]


def test_pub008_period_labels_match_catalogue_frequency(
    observations: pd.DataFrame, catalogue: pd.DataFrame
) -> None:
    patterns = {
        "annual_academic": r"\d{4}/\d{2}",
        "annual_reporting": r"\d{4}-\d{2}",
        "annual_financial": r"\d{4}-\d{2}",
        "annual_census": r"Jan \d{4}",
    }
    frequency = dict(zip(catalogue["id"], catalogue["frequency"], strict=True))
    for indicator, labels in observations.groupby("indicator")["period_label"]:
        pattern = re.compile(patterns[frequency[indicator]])
        assert labels.map(lambda label, p=pattern: bool(p.fullmatch(label))).all(), indicator


# --- the catalogue -----------------------------------------------------------------------

ENUMS = {
    "theme": {"early_years", "early_help", "care_leavers", "spend"},
    "unit": {"percent", "rate_per_10k", "count", "days", "gbp", "gbp_per_child"},
    "polarity": {"high_is_good", "low_is_good", "no_judgement"},
    "frequency": {
        "annual_academic",
        "annual_financial",
        "annual_reporting",
        "annual_census",
        "monthly",
        "quarterly",
    },
    "ci_method": {"wilson", "byar", "none"},
    "disclosure_rule": {"standard", "publisher", "none"},
}

REQUIRED_IDS = {
    "gld",
    "comm_lang",
    "two_year_takeup",
    "three_four_takeup",
    "cin_referral_rate",
    "cin_rereferral",
    "cin_nfa",
    "care_leavers_eet_19_21",
    "care_leavers_eet_17_18",
    "care_leavers_accommodation_19_21",
    "care_leavers_not_in_touch",
    "staying_put",
    "family_support_spend",
    "sure_start_spend",
}
ILLUSTRATIVE_IDS = {
    "eh_requests",
    "eh_assessments_timely",
    "eh_closed_needs_met",
    "eh_stepup_csc",
    "family_hub_reach_0_4",
    "slc_waiting_18wk",
    "pathway_plan_timely",
}


def test_cat001_catalogue_columns_ids_and_enums(catalogue: pd.DataFrame) -> None:
    assert list(catalogue.columns) == (
        "id,title,short_title,theme,unit,polarity,frequency,source,publisher_url,definition,"
        "caveats,who_is_missing,ci_method,disclosure_rule,last_update,next_update,illustrative"
    ).split(",")
    assert catalogue["id"].is_unique
    assert catalogue["id"].str.fullmatch(r"[a-z][a-z0-9_]*").all()
    assert REQUIRED_IDS | ILLUSTRATIVE_IDS <= set(catalogue["id"])
    for column, allowed in ENUMS.items():
        assert set(catalogue[column]) <= allowed, column
    assert catalogue[["title", "short_title", "definition", "source"]].notna().all().all()


def test_cat002_illustrative_rows_are_the_monthly_local_ones(catalogue: pd.DataFrame) -> None:
    illustrative = catalogue[catalogue["illustrative"]]
    assert set(illustrative["id"]) == ILLUSTRATIVE_IDS
    assert set(illustrative["frequency"]) == {"monthly"}
    by_id = catalogue.set_index("id")
    assert by_id.loc["eh_stepup_csc", "polarity"] == "low_is_good"
    assert by_id.loc["slc_waiting_18wk", "polarity"] == "low_is_good"
    assert by_id.loc["eh_requests", "unit"] == "count"


def test_cat003_dates_and_links_are_well_formed(catalogue: pd.DataFrame) -> None:
    for column in ("last_update", "next_update"):
        dates = catalogue[column].dropna()
        assert dates.str.fullmatch(r"\d{4}-\d{2}-\d{2}").all(), column
    published = catalogue[~catalogue["illustrative"]]
    assert published["publisher_url"].str.startswith("https://").all()


def test_cat004_polarity_agrees_with_lait_dictionary(catalogue: pd.DataFrame) -> None:
    dictionary = pd.read_csv(
        DEFAULT_DATA_DIR / "public" / "lait" / "lait_data_dictionary.csv", dtype=str
    )
    lait_polarity = dict(zip(dictionary["Measure_short"], dictionary["Polarity"], strict=True))
    meaning = {"High": "high_is_good", "Low": "low_is_good"}
    ours = catalogue.set_index("id")["polarity"]
    checked = 0
    for short_desc, (indicator, breakdown, _) in DEMO_LAIT_MAPPING.items():
        if breakdown != "total":
            continue
        expected = meaning.get(str(lait_polarity[short_desc]).strip(), "no_judgement")
        assert ours[indicator] == expected, (short_desc, indicator)
        checked += 1
    assert checked >= 15


def test_pub009_the_demo_lait_rows_come_through_the_import_pipeline(monkeypatch) -> None:
    # published_lait reads and validates through prepare_import (the LAIT format with its
    # built-in mapping); every column equals the whole-file reader's output.
    from data_access.demo import published
    from data_access.importing import lait
    from data_access.reference import code_aliases, la_number_to_code

    formats = []

    def spy(path, fmt, mapping, *args, **kwargs):  # type: ignore[no-untyped-def]
        formats.append((fmt, mapping))
        return prepare(path, fmt, mapping, *args, **kwargs)

    prepare = published.prepare_import
    monkeypatch.setattr(published, "prepare_import", spy)

    path = DEFAULT_DATA_DIR / "public" / "lait" / "lait_bds_long_childrens_services_subset.csv"
    whole_file = lait.lait_to_canonical(
        lait.read_lait_long(path), DEMO_LAIT_MAPPING, code_aliases(), la_number_to_code()
    )
    through_pipeline = published_lait()
    assert formats == [("lait", None)]  # None: the format's built-in mapping
    pd.testing.assert_frame_equal(
        through_pipeline.sort_values(KEY).reset_index(drop=True),
        whole_file.sort_values(KEY).reset_index(drop=True),
    )
