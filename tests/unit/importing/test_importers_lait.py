"""LAIT long file -> canonical rows: area mapping, periods, "-" as status x."""

from __future__ import annotations

import pandas as pd
import pytest

from data_access.importing import lait
from data_access.importing.canonical import validate_canonical
from data_access.reference import DEFAULT_DATA_DIR, code_aliases, la_number_to_code

LAIT_FILE = DEFAULT_DATA_DIR / "public" / "lait" / "lait_bds_long_childrens_services_subset.csv"
ENGLAND, OLDHAM, ROCHDALE, HAMPSHIRE, NORTH_YORKSHIRE = (
    "E92000001",
    "E08000004",
    "E08000005",
    "E10000014",
    "E06000065",
)


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    return lait.read_lait_long(LAIT_FILE)


@pytest.fixture(scope="module")
def mapped(raw: pd.DataFrame) -> pd.DataFrame:
    frame = lait.lait_to_canonical(raw, lait.DEMO_LAIT_MAPPING, code_aliases(), la_number_to_code())
    return validate_canonical(frame)


def _value(frame: pd.DataFrame, indicator: str, area: str, label: str, **cell: str) -> object:
    rows = frame[
        (frame["indicator"] == indicator)
        & (frame["area_code"] == area)
        & (frame["period_label"] == label)
        & (frame["breakdown"] == cell.get("breakdown", "total"))
        & (frame["breakdown_value"] == cell.get("value", "total"))
    ]
    assert len(rows) == 1, (indicator, area, label, len(rows))
    row = rows.iloc[0]
    return row["status"] if row["status"] is not None else row["value"]


def test_lait001_raw_read_keeps_every_row(raw: pd.DataFrame) -> None:
    assert len(raw) == 78_880
    assert raw["short_desc"].nunique() == 50
    assert raw["area_name"].nunique() == 170
    assert raw["la_number"].dtype == "Int64"
    assert (raw["value_text"] == "-").sum() == 11_482


def test_lait002_years_become_end_years() -> None:
    years = pd.Series(["2025", "2024-25 (OT)", "1999-00 (OT)", "unknown"])
    assert lait.lait_end_year(years).tolist()[:3] == [2025, 2025, 2000]
    assert pd.isna(lait.lait_end_year(years).iloc[3])


GLD_ENGLAND = {
    2016: 69.3,
    2017: 70.7,
    2018: 71.5,
    2019: 71.8,
    2020: "x",
    2021: "x",
    2022: 65.2,
    2023: 67.2,
    2024: 67.7,
    2025: 68.3,
}


@pytest.mark.parametrize(("year", "expected"), sorted(GLD_ENGLAND.items()))
def test_lait003_england_gld_series(mapped: pd.DataFrame, year: int, expected: object) -> None:
    label = f"{year - 1}/{year % 100:02d}"
    assert _value(mapped, "gld", ENGLAND, label) == expected


def test_lait004_site_gld_2025(mapped: pd.DataFrame) -> None:
    got = [
        _value(mapped, "gld", code, "2024/25")
        for code in (OLDHAM, ROCHDALE, HAMPSHIRE, NORTH_YORKSHIRE)
    ]
    assert got == [63.1, 61.0, 71.9, 70.6]


def test_lait005_care_leaver_context_2025(mapped: pd.DataFrame) -> None:
    staying = [
        _value(mapped, "staying_put", code, "2024-25")
        for code in (ENGLAND, OLDHAM, ROCHDALE, HAMPSHIRE, NORTH_YORKSHIRE)
    ]
    assert staying == [33, 36, 55, 27, 41]
    assert _value(mapped, "care_leavers_not_in_touch", ENGLAND, "2024-25") == 4
    assert _value(mapped, "care_leavers_not_in_touch", HAMPSHIRE, "2024-25") == 47


def test_lait006_dash_becomes_status_x_and_no_counts(mapped: pd.DataFrame) -> None:
    x_rows = mapped[mapped["status"] == "x"]
    assert len(x_rows) > 1_000
    assert x_rows["value"].isna().all()
    assert set(mapped["status"].dropna()) == {"x"}
    assert mapped["numerator"].isna().all() and mapped["denominator"].isna().all()
    assert _value(mapped, "cin_rereferral", HAMPSHIRE, "2023-24") == "x"


def test_lait007_areas_are_england_regions_and_las(mapped: pd.DataFrame) -> None:
    codes = set(mapped["area_code"])
    assert ENGLAND in codes
    assert {
        f"E1200000{i}" for i in range(1, 10)
    } <= codes  # by name, incl. "Yorkshire and the Humber"
    assert not any(code.startswith("E13") for code in codes)  # Inner/Outer London left out
    assert "E10000023" not in codes
    assert len(codes) == 1 + 9 + 158


def test_lait008_periods_follow_frequency(mapped: pd.DataFrame) -> None:
    labels = mapped.groupby("indicator")["period_label"].agg(set)
    assert "2024/25" in labels["gld"]
    assert "2024-25" in labels["care_leavers_eet_19_21"]
    assert "Jan 2025" in labels["two_year_takeup"]
    assert "2024-25" in labels["family_support_spend"]  # from "2024-25 (OT)"
    assert min(labels["family_support_spend"]) == "2016-17"


def test_lait009_north_yorkshire_eet_every_year(mapped: pd.DataFrame) -> None:
    ny = mapped[
        (mapped["indicator"] == "care_leavers_eet_19_21") & (mapped["area_code"] == NORTH_YORKSHIRE)
    ]
    assert sorted(ny["period_label"]) == [f"{y - 1}-{y % 100:02d}" for y in range(2016, 2026)]
    assert ny["value"].notna().all()


def test_lait010_custom_mapping_and_frequencies_are_honoured() -> None:
    frame = pd.DataFrame(
        {
            "short_desc": ["A", "A", "A", "B"],
            "data_item": ["a", "a", "a", "b"],
            "years": ["2024", "2024", "2024", "2024"],
            "area_name": ["England", "Oldham", "London (Inner)", "Oldham"],
            "value_text": ["10.5", "-", "3", "7"],
            "la_number": pd.array([970, 353, 987, 353], dtype="Int64"),
            "region": [None, "North West", None, "North West"],
        }
    )
    out = lait.lait_to_canonical(
        frame,
        {"A": ("my_indicator", "sex", "female")},
        {},
        {353: OLDHAM},
        {"my_indicator": "annual_academic"},
    )
    validate_canonical(out)
    rows = out.sort_values("area_code")[["area_code", "period_label", "value"]]
    assert rows.fillna(-1).values.tolist() == [
        [OLDHAM, "2023/24", -1],  # "-" -> NaN with status x
        [ENGLAND, "2023/24", 10.5],
    ]  # Inner London and the unmapped short_desc "B" are dropped
    assert set(out["breakdown_value"]) == {"female"}
    assert out.loc[out["area_code"] == OLDHAM, "status"].tolist() == ["x"]
    with pytest.raises(ValueError, match="no frequency"):
        lait.lait_to_canonical(frame, {"A": ("other", "total", "total")}, {}, {353: OLDHAM}, {})
