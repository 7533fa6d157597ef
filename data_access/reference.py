"""Reference data built from the vendored public files: areas, area groups, code maps.

Pure pandas: every function reads files under ``data_dir`` (the repository's data/ folder)
and returns DataFrames or dicts. Nothing here touches the database.

Why the code maps matter: DfE LA numbers are stable, ONS GSS codes are not. North Yorkshire
is E10000023 before April 2023 and E06000065 after, Somerset E10000027 then E06000066,
Buckinghamshire E10000002 then E06000060, each keeping its DfE number (815, 933, 825). We
store every series under the current code so it reads as one line over time.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from rules.areas import ENGLAND

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[1] / "data"


REGIONS = {
    "E12000001": "North East",
    "E12000002": "North West",
    "E12000003": "Yorkshire and The Humber",
    "E12000004": "East Midlands",
    "E12000005": "West Midlands",
    "E12000006": "East of England",
    "E12000007": "London",
    "E12000008": "South East",
    "E12000009": "South West",
}

# Codes that stopped being used, with the last day they were valid and the code that took
# over the same people. None where an authority was split in two (no single successor).
RETIRED_CODES: dict[str, tuple[date, str | None]] = {
    "E10000023": (date(2023, 3, 31), "E06000065"),  # North Yorkshire county -> unitary
    "E10000027": (date(2023, 3, 31), "E06000066"),  # Somerset county -> unitary
    "E10000006": (date(2023, 3, 31), None),  # Cumbria -> Cumberland + Westmorland and Furness
    "E10000021": (date(2021, 3, 31), None),  # Northamptonshire -> North + West
    "E10000002": (date(2020, 3, 31), "E06000060"),  # Buckinghamshire county -> unitary
    "E06000028": (date(2019, 3, 31), "E06000058"),  # Bournemouth -> BCP (merged)
    "E06000029": (date(2019, 3, 31), "E06000058"),  # Poole -> BCP (merged)
    "E10000009": (date(2019, 3, 31), "E06000059"),  # Dorset county -> Dorset unitary
}

# First day of codes created by those reorganisations.
NEW_CODES_VALID_FROM = {
    "E06000065": date(2023, 4, 1),
    "E06000066": date(2023, 4, 1),
    "E06000063": date(2023, 4, 1),
    "E06000064": date(2023, 4, 1),
    "E06000061": date(2021, 4, 1),
    "E06000062": date(2021, 4, 1),
    "E06000060": date(2020, 4, 1),
    "E06000058": date(2019, 4, 1),
    "E06000059": date(2019, 4, 1),
}

GREATER_MANCHESTER = {
    "E08000001": "Bolton",
    "E08000002": "Bury",
    "E08000003": "Manchester",
    "E08000004": "Oldham",
    "E08000005": "Rochdale",
    "E08000006": "Salford",
    "E08000007": "Stockport",
    "E08000008": "Tameside",
    "E08000009": "Trafford",
    "E08000010": "Wigan",
}

LEARNING_NETWORK_SITES = ["E08000004", "E08000005", "E10000014", "E06000065"]

# Illustrative members: the real network's membership is not published, so these 16 were
# chosen to give the demo a spread of regions and authority types (county, unitary,
# metropolitan, London borough). They say nothing about any authority's actual involvement.
LEARNING_NETWORK_ILLUSTRATIVE = [
    "E08000037",  # Gateshead (North East, metropolitan)
    "E08000024",  # Sunderland (North East, metropolitan)
    "E06000009",  # Blackpool (North West, unitary)
    "E06000063",  # Cumberland (North West, unitary)
    "E08000035",  # Leeds (Yorkshire and The Humber, metropolitan)
    "E10000007",  # Derbyshire (East Midlands, county)
    "E06000018",  # Nottingham (East Midlands, unitary)
    "E08000025",  # Birmingham (West Midlands, metropolitan)
    "E06000020",  # Telford and Wrekin (West Midlands, unitary)
    "E10000020",  # Norfolk (East of England, county)
    "E06000032",  # Luton (East of England, unitary)
    "E09000012",  # Hackney (London, inner borough)
    "E09000002",  # Barking and Dagenham (London, outer borough)
    "E10000016",  # Kent (South East, county)
    "E06000043",  # Brighton and Hove (South East, unitary)
    "E06000052",  # Cornwall (South West, unitary)
]

_LA_TYPE_BY_PREFIX = {"E06": "UA", "E08": "MD", "E10": "SC"}

AREA_COLUMNS = [
    "code",
    "la_number",
    "name",
    "area_type",
    "la_type",
    "parent_code",
    "valid_from",
    "valid_to",
    "successor_code",
]
GROUP_COLUMNS = ["group_code", "group_name", "kind", "owner_code", "member_code", "position"]


def _public(data_dir: Path) -> Path:
    return Path(data_dir) / "public"


def _read_dfe_codes(data_dir: Path) -> pd.DataFrame:
    """dfeR's lookup, English rows only: columns la_name, la_number (int), code."""
    raw = pd.read_csv(_public(data_dir) / "lookups" / "dfeR_old_la_codes.csv", dtype=str)
    has_number = raw["old_la_code"].str.fullmatch(r"\d{3}")
    english = raw[has_number & raw["new_la_code"].str.startswith("E")]
    return pd.DataFrame(
        {
            "la_name": english["la_name"].str.strip(),
            "la_number": english["old_la_code"].astype(int),
            "code": english["new_la_code"].str.strip(),
        }
    ).reset_index(drop=True)


def _read_neighbour_model(data_dir: Path) -> pd.DataFrame:
    """The DfE 2025 statistical neighbour model (one row per current LA, DfE numbers)."""
    path = _public(data_dir) / "lookups" / "sn_model_2025_wide.csv"
    return pd.read_csv(path, dtype=str, encoding="utf-8-sig")


def current_la_numbers(data_dir: Path = DEFAULT_DATA_DIR) -> set[int]:
    """DfE numbers of the 153 local authorities in the 2025 neighbour model (today's LAs)."""
    return set(_read_neighbour_model(data_dir)["old_la_code"].astype(int))


def la_number_to_code(data_dir: Path = DEFAULT_DATA_DIR) -> dict[int, str]:
    """DfE LA number -> current GSS code (815 -> E06000065), retired LAs included.

    Where dfeR lists two codes for one number (a recode), the code that is not retired wins.
    """
    codes = _read_dfe_codes(data_dir)
    codes = codes.assign(retired=codes["code"].isin(RETIRED_CODES))
    first = codes.sort_values(["la_number", "retired"]).drop_duplicates("la_number")
    pairs = zip(first["la_number"], first["code"], strict=True)
    return {int(number): code for number, code in pairs}


def code_aliases(data_dir: Path = DEFAULT_DATA_DIR) -> dict[str, str]:
    """Old GSS code -> current code for authorities recoded without changing their area.

    Derived from dfeR: a DfE number with two codes is one authority under two codes
    (E10000023 -> E06000065, E10000027 -> E06000066, E10000002 -> E06000060). Merges and
    splits (Bournemouth, Poole, Cumbria, Northamptonshire) are not aliases: they are
    different populations and keep their own codes.
    """
    current = la_number_to_code(data_dir)
    codes = _read_dfe_codes(data_dir)
    return {
        code: current[number]
        for number, code in codes[["la_number", "code"]].itertuples(index=False)
        if current[number] != code
    }


def _population_geography(data_dir: Path) -> pd.DataFrame:
    """Names and regions of every LA code in the ONS population file, latest year first."""
    path = _public(data_dir) / "lookups" / "ons_mid-year_population_estimates_2012_to_2024.csv"
    raw = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
    las = raw[raw["geographic_level"] == "Local authority"]
    las = las.sort_values("time_period", ascending=False).drop_duplicates("new_la_code")
    return las[["new_la_code", "la_name", "region_code", "old_la_code"]].rename(
        columns={"new_la_code": "code", "la_name": "name", "old_la_code": "la_number"}
    )


def _london_borough_types(data_dir: Path) -> dict[int, str]:
    """DfE number -> ILB / OLB from LAIT's LA list (only London needs it)."""
    listing = pd.read_excel(_public(data_dir) / "lait" / "la_code_list.xlsx")
    london = listing[listing["Type"].isin(["ILB", "OLB"])]
    return dict(zip(london["LA Number"].astype(int), london["Type"], strict=True))


def build_areas(data_dir: Path = DEFAULT_DATA_DIR) -> pd.DataFrame:
    """Every area Chorus knows: England, the 9 regions, current LAs and retired LA codes.

    Returns columns code, la_number (Int64, None for England and regions), name,
    area_type ('country', 'region', 'la'), la_type (MD, UA, SC, OLB, ILB or None),
    parent_code (England for regions, the region for LAs), valid_from and valid_to
    (datetime.date or None) and successor_code (the code that took over, or None).
    A retired code and its successor share a DfE number (815 for both North Yorkshires).
    """
    current_numbers = current_la_numbers(data_dir)
    number_to_code = la_number_to_code(data_dir)
    current_codes = {number_to_code[n] for n in current_numbers}
    wanted = current_codes | set(RETIRED_CODES)

    geography = _population_geography(data_dir)
    missing = wanted - set(geography["code"])
    if missing:
        raise ValueError(f"population file lacks names for {sorted(missing)}")
    las = geography[geography["code"].isin(wanted)].copy()
    london_types = _london_borough_types(data_dir)
    las["la_number"] = las["la_number"].astype(int)
    las["la_type"] = [
        london_types.get(number) if code.startswith("E09") else _LA_TYPE_BY_PREFIX.get(code[:3])
        for code, number in zip(las["code"], las["la_number"], strict=True)
    ]
    las["area_type"] = "la"
    # The ONS file puts London boroughs in Inner/Outer London (E13...); their region is London.
    las["parent_code"] = las["region_code"].where(
        ~las["region_code"].str.startswith("E13"), "E12000007"
    )
    las["valid_from"] = las["code"].map(NEW_CODES_VALID_FROM)
    las["valid_to"] = las["code"].map(lambda c: RETIRED_CODES.get(c, (None, None))[0])
    las["successor_code"] = las["code"].map(lambda c: RETIRED_CODES.get(c, (None, None))[1])

    top = pd.DataFrame(
        [{"code": ENGLAND, "name": "England", "area_type": "country", "parent_code": None}]
        + [
            {"code": code, "name": name, "area_type": "region", "parent_code": ENGLAND}
            for code, name in REGIONS.items()
        ]
    )
    areas = pd.concat([top, las.sort_values("code")], ignore_index=True)
    areas["la_number"] = areas["la_number"].astype("Int64")
    areas = areas.reindex(columns=AREA_COLUMNS).astype(object)
    areas["la_number"] = areas["la_number"].astype("Int64")
    return areas.where(areas.notna(), None).astype({"la_number": "Int64"})


def _neighbour_groups(data_dir: Path, names: dict[str, str]) -> pd.DataFrame:
    model = _read_neighbour_model(data_dir)
    number_to_code = la_number_to_code(data_dir)
    rows = []
    for record in model.to_dict("records"):
        owner = number_to_code[int(record["old_la_code"])]
        for position in range(1, 11):
            rows.append(
                {
                    "group_code": f"SN_{owner}",
                    "group_name": f"Statistical neighbours of {names.get(owner, owner)}",
                    "kind": "statistical_neighbours",
                    "owner_code": owner,
                    "member_code": number_to_code[int(record[f"SN_{position}"])],
                    "position": position,
                }
            )
    return pd.DataFrame(rows, columns=GROUP_COLUMNS)


def _fixed_group(code: str, name: str, kind: str, members: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "group_code": code,
                "group_name": name,
                "kind": kind,
                "owner_code": None,
                "member_code": member,
                "position": position,
            }
            for position, member in enumerate(members, start=1)
        ],
        columns=GROUP_COLUMNS,
    )


def build_area_groups(data_dir: Path = DEFAULT_DATA_DIR) -> pd.DataFrame:
    """Statistical-neighbour sets, Greater Manchester and the Learning Network.

    Returns columns group_code, group_name, kind ('statistical_neighbours',
    'combined_authority', 'learning_network'), owner_code (the LA whose neighbours they
    are, else None), member_code (current GSS code) and position (1-based order; for
    neighbours, DfE's closeness order). Group codes: "SN_<owner code>", "GM", "LN".
    The Learning Network's four sites are real; its other 16 members are illustrative.
    """
    areas = build_areas(data_dir)
    names = dict(zip(areas["code"], areas["name"], strict=True))
    groups = pd.concat(
        [
            _neighbour_groups(data_dir, names),
            _fixed_group(
                "GM",
                "Greater Manchester",
                "combined_authority",
                sorted(GREATER_MANCHESTER, key=GREATER_MANCHESTER.get),
            ),
            _fixed_group(
                "LN",
                "Learning Network",
                "learning_network",
                LEARNING_NETWORK_SITES + LEARNING_NETWORK_ILLUSTRATIVE,
            ),
        ],
        ignore_index=True,
    )
    unknown = set(groups["member_code"]) - set(areas["code"])
    if unknown:
        raise ValueError(f"group members not in areas: {sorted(unknown)}")
    groups["position"] = groups["position"].astype(int)
    return groups.astype({"owner_code": object}).where(groups.notna(), None)


def load_indicator_catalogue(data_dir: Path = DEFAULT_DATA_DIR) -> pd.DataFrame:
    """data/indicators.csv as a DataFrame (all text; ``illustrative`` as bool)."""
    catalogue = pd.read_csv(
        Path(data_dir) / "indicators.csv", dtype=str, keep_default_na=False, na_values=[""]
    )
    catalogue["illustrative"] = catalogue["illustrative"].astype(int).astype(bool)
    return catalogue
