"""Areas, area groups and code maps built from the vendored public lookups."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from data_access.reference import (
    GREATER_MANCHESTER,
    LEARNING_NETWORK_SITES,
    build_area_groups,
    build_areas,
    code_aliases,
    la_number_to_code,
)


@pytest.fixture(scope="module")
def areas() -> pd.DataFrame:
    return build_areas()


@pytest.fixture(scope="module")
def groups() -> pd.DataFrame:
    return build_area_groups()


def _area(areas: pd.DataFrame, code: str) -> dict[str, object]:
    return areas.set_index("code").loc[code].to_dict()


def test_ref001_areas_cover_england_regions_current_and_retired_las(areas: pd.DataFrame) -> None:
    assert areas["code"].is_unique
    assert areas["area_type"].value_counts().to_dict() == {"la": 161, "region": 9, "country": 1}
    current = areas[(areas["area_type"] == "la") & areas["valid_to"].isna()]
    assert len(current) == 153
    assert {"E92000001", "E12000001", "E12000009", "E08000004", "E06000065"} <= set(areas["code"])


def test_ref002_north_yorkshire_old_code_retires_into_new(areas: pd.DataFrame) -> None:
    old = _area(areas, "E10000023")
    new = _area(areas, "E06000065")
    assert old["valid_to"] == date(2023, 3, 31)
    assert old["successor_code"] == "E06000065"
    assert new["valid_from"] == date(2023, 4, 1)
    assert new["valid_to"] is None
    assert old["la_number"] == new["la_number"] == 815
    assert new["la_type"] == "UA" and old["la_type"] == "SC"


@pytest.mark.parametrize(
    ("code", "valid_to", "successor"),
    [
        ("E10000027", date(2023, 3, 31), "E06000066"),  # Somerset recoded
        ("E10000006", date(2023, 3, 31), None),  # Cumbria split in two
        ("E10000021", date(2021, 3, 31), None),  # Northamptonshire split in two
        ("E06000028", date(2019, 3, 31), "E06000058"),  # Bournemouth into BCP
    ],
)
def test_ref003_other_reorganisations_are_recorded(
    areas: pd.DataFrame, code: str, valid_to: date, successor: str | None
) -> None:
    area = _area(areas, code)
    assert area["valid_to"] == valid_to
    assert area["successor_code"] == successor


def test_ref004_every_la_sits_in_a_region_with_a_type(areas: pd.DataFrame) -> None:
    las = areas[areas["area_type"] == "la"]
    regions = set(areas.loc[areas["area_type"] == "region", "code"])
    assert set(las["parent_code"]) == regions
    assert set(las["la_type"]) == {"MD", "UA", "SC", "OLB", "ILB"}
    assert _area(areas, "E08000004")["la_type"] == "MD"  # Oldham
    assert _area(areas, "E10000014")["la_type"] == "SC"  # Hampshire
    assert _area(areas, "E09000012")["la_type"] == "ILB"  # Hackney
    assert _area(areas, "E09000002")["la_type"] == "OLB"  # Barking and Dagenham
    assert _area(areas, "E08000004")["parent_code"] == "E12000002"
    regions_rows = areas[areas["area_type"] == "region"]
    assert (regions_rows["parent_code"] == "E92000001").all()


def test_ref005_aliases_map_recodes_but_not_merges() -> None:
    aliases = code_aliases()
    assert aliases == {
        "E10000023": "E06000065",
        "E10000027": "E06000066",
        "E10000002": "E06000060",
    }


def test_ref006_la_numbers_map_to_current_codes() -> None:
    numbers = la_number_to_code()
    assert numbers[815] == "E06000065"
    assert numbers[933] == "E06000066"
    assert numbers[353] == "E08000004"
    assert numbers[354] == "E08000005"
    assert numbers[850] == "E10000014"
    assert numbers[909] == "E10000006"  # retired Cumbria still resolves for old data


def test_ref007_every_la_has_ten_distinct_neighbours(
    groups: pd.DataFrame, areas: pd.DataFrame
) -> None:
    neighbours = groups[groups["kind"] == "statistical_neighbours"]
    per_owner = neighbours.groupby("owner_code")
    assert per_owner.ngroups == 153
    assert (per_owner["member_code"].nunique() == 10).all()
    assert (per_owner["position"].apply(sorted).map(tuple) == tuple(range(1, 11))).all()
    assert not (neighbours["owner_code"] == neighbours["member_code"]).any()
    retired = set(areas.loc[areas["valid_to"].notna(), "code"])
    assert not set(neighbours["member_code"]) & retired


def test_ref008_north_yorkshire_neighbours_resolved(groups: pd.DataFrame) -> None:
    ny = groups[groups["group_code"] == "SN_E06000065"].sort_values("position")
    assert ny["owner_code"].unique().tolist() == ["E06000065"]
    # DfE's model lists Shropshire (893) first and Somerset (933) tenth.
    assert ny["member_code"].iloc[0] == "E06000051"
    assert ny["member_code"].iloc[-1] == "E06000066"
    assert "E10000023" not in set(groups["member_code"]) | set(groups["owner_code"].dropna())
    # North Yorkshire appears as a neighbour of others under its current code.
    assert (groups["member_code"] == "E06000065").sum() >= 1


def test_ref009_greater_manchester_has_its_ten_boroughs(groups: pd.DataFrame) -> None:
    gm = groups[groups["group_code"] == "GM"]
    assert len(gm) == 10
    assert set(gm["member_code"]) == set(GREATER_MANCHESTER)
    assert gm["kind"].unique().tolist() == ["combined_authority"]
    assert gm["owner_code"].isna().all()


def test_ref010_learning_network_has_twenty_members_across_regions(
    groups: pd.DataFrame, areas: pd.DataFrame
) -> None:
    ln = groups[groups["group_code"] == "LN"].sort_values("position")
    assert len(ln) == 20 and ln["member_code"].is_unique
    assert ln["member_code"].iloc[:4].tolist() == LEARNING_NETWORK_SITES
    parents = areas.set_index("code").loc[ln["member_code"], "parent_code"]
    assert parents.nunique() == 9


def test_ref011_all_group_members_are_known_areas(
    groups: pd.DataFrame, areas: pd.DataFrame
) -> None:
    assert set(groups["member_code"]) <= set(areas["code"])
    assert set(groups["owner_code"].dropna()) <= set(areas["code"])
    assert list(groups.columns) == [
        "group_code",
        "group_name",
        "kind",
        "owner_code",
        "member_code",
        "position",
    ]
