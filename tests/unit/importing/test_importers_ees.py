"""EES open-data files -> canonical rows, checked against figures read from the files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from data_access.importing import ees_publications as ees
from data_access.importing.canonical import validate_canonical
from data_access.reference import DEFAULT_DATA_DIR, code_aliases

PUBLIC = DEFAULT_DATA_DIR / "public"
ACTIVITY = PUBLIC / "ees" / "la_care_leavers_activity.csv"
ACCOMMODATION = PUBLIC / "ees" / "la_care_leavers_accommodation_suitability.csv"
CIN = PUBLIC / "ees" / "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"
EYFSP = PUBLIC / "ees" / "1_eyfsp_headline_measures_2022.csv"
TAKEUP = PUBLIC / "ees" / "1_early_years_provision_children_registered_2018_2023.csv"
POPULATION = PUBLIC / "lookups" / "ons_mid-year_population_estimates_2012_to_2024.csv"

ENGLAND, OLDHAM, ROCHDALE, HAMPSHIRE, NORTH_YORKSHIRE = (
    "E92000001",
    "E08000004",
    "E08000005",
    "E10000014",
    "E06000065",
)
SITES = [ENGLAND, OLDHAM, ROCHDALE, HAMPSHIRE, NORTH_YORKSHIRE]


@pytest.fixture(scope="module")
def aliases() -> dict[str, str]:
    return code_aliases()


@pytest.fixture(scope="module")
def activity(aliases: dict[str, str]) -> pd.DataFrame:
    return validate_canonical(ees.care_leavers_activity(ACTIVITY, aliases))


@pytest.fixture(scope="module")
def cin(aliases: dict[str, str]) -> pd.DataFrame:
    population = ees.read_ees_csv(POPULATION)
    return validate_canonical(ees.cin_referrals(CIN, population, aliases))


@pytest.fixture(scope="module")
def eyfsp(aliases: dict[str, str]) -> pd.DataFrame:
    return validate_canonical(ees.eyfsp_2022(EYFSP, aliases))


def _one(frame: pd.DataFrame, **match: str) -> pd.Series:
    rows = frame
    for column, wanted in match.items():
        rows = rows[rows[column] == wanted]
    assert len(rows) == 1, f"expected one row for {match}, got {len(rows)}"
    return rows.iloc[0]


@pytest.mark.parametrize(
    ("path", "rows"),
    [
        (ACTIVITY, 20_040),
        (ACCOMMODATION, 6_680),
        (CIN, 2_132),
        (EYFSP, 12_852),
        (TAKEUP, 4_910),
        (POPULATION, 2_132),
    ],
)
def test_ees001_raw_reads_keep_every_row(path: Path, rows: int) -> None:
    frame = ees.read_ees_csv(path)
    assert len(frame) == rows
    assert list(frame.columns[: len(ees.GEOGRAPHY_COLUMNS)]) == ees.GEOGRAPHY_COLUMNS


def test_ees002_bom_and_column_order_are_handled() -> None:
    # The activity file starts with a BOM and has la_name before new_la_code.
    assert ACTIVITY.read_bytes()[:3] == b"\xef\xbb\xbf"
    frame = ees.read_ees_csv(ACTIVITY)
    assert "time_period" in frame.columns
    oldham = frame[frame["la_name"] == "Oldham"]
    assert set(oldham["new_la_code"]) == {OLDHAM}
    assert set(oldham["old_la_code"]) == {"353"}


def test_ees003_raw_read_keeps_symbols_as_text() -> None:
    frame = ees.read_ees_csv(CIN)
    hampshire_2024 = frame[(frame["new_la_code"] == HAMPSHIRE) & (frame["time_period"] == "2024")]
    assert hampshire_2024["rereferral_percent"].tolist() == ["u"]


def test_ees004_geography_codes_follow_level_and_aliases(aliases: dict[str, str]) -> None:
    assert (
        ees.ees_geography_code({"geographic_level": "National", "country_code": ENGLAND}, aliases)
        == ENGLAND
    )
    region = {"geographic_level": "Regional", "region_code": "E12000002"}
    assert ees.ees_geography_code(region, aliases) == "E12000002"
    inner_london = {"geographic_level": "Regional", "region_code": "E13000001"}
    assert ees.ees_geography_code(inner_london, aliases) is None
    old_ny = {"geographic_level": "Local authority", "new_la_code": "E10000023"}
    assert ees.ees_geography_code(old_ny, aliases) == NORTH_YORKSHIRE
    district = {"geographic_level": "Local authority district", "new_la_code": "E07000163"}
    assert ees.ees_geography_code(district, aliases) is None


EET_19_21 = {
    2021: [52, 52, 45, 53, 58],
    2022: [55, 56, 51, 56, 63],
    2023: [56, 47, 58, 51, 68],
    2024: [54, 41, 52, 22, 62],
    2025: [54, 47, 46, 28, 62],
}


@pytest.mark.parametrize("year", sorted(EET_19_21))
def test_ees005_care_leavers_eet_matches_headline_table(activity: pd.DataFrame, year: int) -> None:
    label = f"{year - 1}-{year % 100:02d}"
    got = [
        _one(activity, indicator="care_leavers_eet_19_21", area_code=code, period_label=label)[
            "value"
        ]
        for code in SITES
    ]
    assert got == EET_19_21[year]


def test_ees006_care_leaver_counts_agree_with_published_percent(activity: pd.DataFrame) -> None:
    counted = activity.dropna(subset=["numerator", "denominator", "value"])
    counted = counted[counted["denominator"] > 0]
    assert len(counted) > 1_500
    implied = 100 * counted["numerator"] / counted["denominator"]
    # Percentages are published as whole numbers and regional counts are rounded.
    assert ((implied - counted["value"]).abs() <= 1.05).all()
    england = _one(
        activity, indicator="care_leavers_eet_19_21", area_code=ENGLAND, period_label="2024-25"
    )
    assert (england["numerator"], england["denominator"]) == (20_760, 38_440)


def test_ees007_care_leaver_symbols_are_kept_as_status(activity: pd.DataFrame) -> None:
    with_status = activity[activity["status"].notna()]
    assert set(with_status["status"]) <= {"c", "z", "x", "k", "u", "low"}
    assert len(with_status) > 0
    assert with_status["value"].isna().all()
    assert set(activity["indicator"]) == {"care_leavers_eet_19_21", "care_leavers_eet_17_18"}


def test_ees008_accommodation_2025_matches_headline(aliases: dict[str, str]) -> None:
    frame = validate_canonical(ees.care_leavers_accommodation(ACCOMMODATION, aliases))
    got = [_one(frame, area_code=code, period_label="2024-25")["value"] for code in SITES]
    assert got == [89, 94, 90, 45, 95]
    england = _one(frame, area_code=ENGLAND, period_label="2024-25")
    assert (england["numerator"], england["denominator"]) == (33_810, 38_190)


def test_ees009_rereferrals_2025_and_hampshire_2024_u(cin: pd.DataFrame) -> None:
    rereferral = cin[cin["indicator"] == "cin_rereferral"]
    got = [_one(rereferral, area_code=code, period_label="2024-25")["value"] for code in SITES]
    assert got == [22.6, 21.1, 17.2, 41.0, 19.8]
    hampshire = _one(rereferral, area_code=HAMPSHIRE, period_label="2023-24")
    assert hampshire["status"] == "u"
    assert pd.isna(hampshire["value"])


def test_ees010_north_yorkshire_cin_is_one_series(cin: pd.DataFrame) -> None:
    ny = cin[(cin["indicator"] == "cin_rereferral") & (cin["area_code"] == NORTH_YORKSHIRE)]
    assert len(ny) == 13  # 2012-13 to 2024-25, from E10000023 then E06000065
    assert "E10000023" not in set(cin["area_code"])


def test_ees011_referral_rate_uses_previous_mid_year_population(cin: pd.DataFrame) -> None:
    rate = cin[cin["indicator"] == "cin_referral_rate"]
    england = _one(rate, area_code=ENGLAND, period_label="2024-25")
    assert england["denominator"] == 12_183_016  # children 0-17, mid-2024
    assert england["numerator"] == 632_830
    assert england["value"] == pytest.approx(519.4)  # LAIT publishes 519.4
    assert _one(rate, area_code=HAMPSHIRE, period_label="2024-25")["value"] == pytest.approx(1424.9)


def test_ees012_nfa_uses_referrals_as_denominator(cin: pd.DataFrame) -> None:
    england = _one(cin, indicator="cin_nfa", area_code=ENGLAND, period_label="2024-25")
    assert (england["numerator"], england["denominator"], england["value"]) == (
        41_340,
        632_830,
        6.5,
    )


def test_ees013_eyfsp_fsm_gld_matches_headline(eyfsp: pd.DataFrame) -> None:
    fsm = eyfsp[(eyfsp["indicator"] == "gld") & (eyfsp["breakdown"] == "fsm")]
    got = [_one(fsm, area_code=code, breakdown_value="eligible")["value"] for code in SITES]
    assert got == [49.1, 47.1, 49.0, 50.1, 46.6]
    assert set(eyfsp["period_label"]) == {"2021/22"}


def test_ees014_eyfsp_breakdown_cells_sum_to_total(eyfsp: pd.DataFrame) -> None:
    gld = eyfsp[(eyfsp["indicator"] == "gld") & (eyfsp["area_code"] == ENGLAND)]
    total = _one(gld, breakdown="total")
    assert (total["numerator"], total["denominator"], total["value"]) == (405_723, 622_583, 65.2)
    for breakdown in ("sex", "fsm", "ethnicity", "sen", "eal"):
        cells = gld[gld["breakdown"] == breakdown]
        assert cells["denominator"].sum() == total["denominator"], breakdown
        assert cells["numerator"].sum() == total["numerator"], breakdown
    assert set(gld.loc[gld["breakdown"] == "sex", "breakdown_value"]) == {"male", "female"}
    assert set(gld.loc[gld["breakdown"] == "sen", "breakdown_value"]) == {
        "no_sen",
        "sen_support",
        "ehc_plan",
        "unclassified",
    }


def test_ees015_eyfsp_north_yorkshire_old_code_is_recoded(eyfsp: pd.DataFrame) -> None:
    assert "E10000023" not in set(eyfsp["area_code"])
    ny = _one(eyfsp, indicator="gld", area_code=NORTH_YORKSHIRE, breakdown="total")
    assert ny["value"] == 68.3
    assert not eyfsp["area_code"].str.startswith("E07").any()  # districts left out


def test_ees016_eyfsp_comm_lang_lit_is_its_own_indicator(eyfsp: pd.DataFrame) -> None:
    assert set(eyfsp["indicator"]) == {"gld", "comm_lang_lit"}
    england = _one(eyfsp, indicator="comm_lang_lit", area_code=ENGLAND, breakdown="total")
    assert (england["numerator"], england["value"]) == (417_453, 67.1)


def test_ees017_two_year_takeup_2023_matches_headline(aliases: dict[str, str]) -> None:
    frame = validate_canonical(ees.early_years_takeup(TAKEUP, aliases))
    two = frame[frame["indicator"] == "two_year_takeup"]
    got = [_one(two, area_code=code, period_label="Jan 2023")["value"] for code in SITES]
    assert got == [73.9, 81.1, 83.1, 80.1, 85.2]
    england = _one(two, area_code=ENGLAND, period_label="Jan 2023")
    assert (england["numerator"], england["denominator"]) == (124_211, 167_976)
    assert set(two["period_label"]) == {f"Jan {year}" for year in range(2018, 2024)}
