"""DfE Local Authority Interactive Tool (LAIT) long file -> canonical observations.

LAIT's long file has one row per indicator (``Short Desc``), year, and area (``LA and
Regions`` with ``LA Number``). It publishes values only: no numerators or denominators, and
"-" for anything missing or suppressed (stored as status "x").

One module, two ways in, one mapping. The whole-file reader (``read_lait_long`` and
``lait_to_canonical``) loads the demo's vendored file; ``stage`` is the chunked format of
the import page and CLI. The mapping says which ``Short Desc`` becomes which Chorus
indicator and breakdown cell: ``{"indicators": {"FSP_NEW_GOODDEV": ["gld", "total",
"total"], ...}}``; the demo's ``DEMO_LAIT_MAPPING`` is the default.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from data_access.importing.base import (
    SkipCounter,
    StagedChunk,
    end_of_file,
    formula_problems,
    require_columns,
)
from data_access.importing.canonical import (
    TOTAL,
    annual_period,
    empty_observations,
    finalise,
    split_value_and_status,
)
from data_access.importing.distinct import map_distinct
from data_access.importing.safety import FileFacts, read_chunks
from data_access.importing.validation import Reference
from data_access.reference import REGIONS
from rules.areas import ENGLAND

LAIT_COLUMNS = {
    "Short Desc": "short_desc",
    "Data item": "data_item",
    "Years": "years",
    "LA and Regions": "area_name",
    "Values": "value_text",
    "LA Number": "la_number",
    "Region": "region",
}

# short_desc -> (indicator id, breakdown, breakdown value) for the demo.
DEMO_LAIT_MAPPING: dict[str, tuple[str, str, str]] = {
    "FSP_NEW_GOODDEV": ("gld", TOTAL, TOTAL),
    "FSP_Gooddev_FSM": ("gld", "fsm", "eligible"),
    "FSP_Gooddev_FSM_Other": ("gld", "fsm", "not_eligible"),
    "FSP_Gooddev_White": ("gld", "ethnicity", "white"),
    "FSP_Gooddev_Mixed": ("gld", "ethnicity", "mixed"),
    "FSP_Gooddev_Asian": ("gld", "ethnicity", "asian"),
    "FSP_Gooddev_Black": ("gld", "ethnicity", "black"),
    "FSP_Gooddev_Chinese": ("gld", "ethnicity", "chinese"),
    "FSP_Gooddev_Other": ("gld", "ethnicity", "other"),
    # LAIT's old names: "with statement" is now an EHC plan, "without" is SEN support.
    "FSP_Gooddev_With_SENSTATE": ("gld", "sen", "ehc_plan"),
    "FSP_Gooddev_Without_SENSTATE": ("gld", "sen", "sen_support"),
    "FSP_NEW_COMMS": ("comm_lang", TOTAL, TOTAL),
    "%_2yr_olds": ("two_year_takeup", TOTAL, TOTAL),
    "%_3&4yr_olds": ("three_four_takeup", TOTAL, TOTAL),
    "6wksBreast": ("breastfeeding_6_8wk", TOTAL, TOTAL),
    "CareLeaverEET": ("care_leavers_eet_19_21", TOTAL, TOTAL),
    "CareLeaverAcc": ("care_leavers_accommodation_19_21", TOTAL, TOTAL),
    "CareLeavers_LA_NotInTouch": ("care_leavers_not_in_touch", TOTAL, TOTAL),
    "StayingPut": ("staying_put", TOTAL, TOTAL),
    # The dictionary: "Rates per 10,000 of referrals to Children's Social Services".
    "CPP_Total_Rateper10,000": ("cin_referral_rate", TOTAL, TOTAL),
    "ReReferral": ("cin_rereferral", TOTAL, TOTAL),
    "CIN_Refferals_NFA": ("cin_nfa", TOTAL, TOTAL),
    "CIN": ("cin_rate", TOTAL, TOTAL),
    "CPP_rate": ("cpp_rate", TOTAL, TOTAL),
    "LAC": ("cla_rate", TOTAL, TOTAL),
    "Continue_Assess_Comp": ("assessments_45_days", TOTAL, TOTAL),
    "FamilySupportFinance": ("family_support_spend", TOTAL, TOTAL),
    "SureStartFinance": ("sure_start_spend", TOTAL, TOTAL),
}

# LAIT areas that are not England or an LA: regions by name. Inner and Outer London have no
# place in Chorus's area table, so they are left out.
_REGION_BY_NAME = {name.lower(): code for code, name in REGIONS.items()}
_REGION_BY_NAME["england"] = ENGLAND


def read_lait_long(path: Path | str) -> pd.DataFrame:
    """Read the LAIT long CSV as text.

    Returns columns short_desc, data_item, years ("2025" or "2024-25 (OT)"), area_name,
    value_text (as published, "-" kept), la_number (Int64) and region.
    """
    raw = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False, na_values=[""])
    frame = raw.rename(columns=LAIT_COLUMNS)[list(LAIT_COLUMNS.values())]
    for column in ("short_desc", "years", "area_name", "value_text"):
        frame[column] = frame[column].str.strip()
    frame["la_number"] = pd.to_numeric(frame["la_number"], errors="coerce").astype("Int64")
    return frame


def lait_end_year(years: pd.Series) -> pd.Series:
    """LAIT Years -> end year: "2025" -> 2025, "2024-25 (OT)" -> 2025 (Int64, NA if neither)."""
    from data_access.importing.distinct import apply_distinct

    def parse(distinct: pd.Series) -> pd.DataFrame:  # a handful of labels; each parsed once
        text = distinct.astype(str).str.strip()
        financial_start = pd.to_numeric(text.str.extract(r"^(\d{4})-\d{2}")[0], errors="coerce")
        plain = pd.to_numeric(text.str.extract(r"^(\d{4})$")[0], errors="coerce")
        return pd.DataFrame({"end_year": (financial_start + 1).fillna(plain)})

    return apply_distinct(years, parse)["end_year"].astype("Int64")


def lait_area_codes(
    frame: pd.DataFrame, aliases: Mapping[str, str], la_number_to_code: Mapping[int, str]
) -> pd.Series:
    """Current GSS code for each LAIT row: England and regions by name, LAs by LA Number.

    Rows that map to nothing (Inner/Outer London, unknown numbers) get None.
    """
    areas = frame[["area_name", "la_number"]].drop_duplicates()
    codes = {}
    for name, number in areas.itertuples(index=False):
        code = _REGION_BY_NAME.get(str(name).lower())
        if code is None and not pd.isna(number):
            code = la_number_to_code.get(int(number))
        codes[(name, number)] = aliases.get(code, code) if code else None
    keys = pd.MultiIndex.from_frame(frame[["area_name", "la_number"]])
    return pd.Series([codes[key] for key in keys], index=frame.index, dtype=object)


def lait_to_canonical(
    df: pd.DataFrame,
    mapping: Mapping[str, tuple[str, str, str]],
    aliases: Mapping[str, str],
    la_number_to_code: Mapping[int, str],
    frequencies: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Turn ``read_lait_long`` rows into canonical observations for the mapped indicators.

    ``mapping``: short_desc -> (indicator id, breakdown, breakdown value); other rows are
    dropped. ``frequencies``: indicator id -> annual frequency from data/indicators.csv
    (read from the catalogue when None); it decides the period ("2025" is "2024/25" for
    annual_academic, "2024-25" for annual_reporting, "Jan 2025" for annual_census).
    value = the published figure, status "x" for "-"; numerator and denominator are NaN
    because LAIT publishes no counts alongside its percentages.
    """
    if frequencies is None:
        frequencies = _catalogue_frequencies()
    rows = df[df["short_desc"].isin(mapping)].copy()
    if rows.empty:
        return empty_observations()
    targets = pd.DataFrame(
        [(key, *value) for key, value in mapping.items()],
        columns=["short_desc", "indicator", "breakdown", "breakdown_value"],
    )
    rows = rows.merge(targets, on="short_desc", how="left")
    rows["area_code"] = lait_area_codes(rows, aliases, la_number_to_code)
    rows["end_year"] = lait_end_year(rows["years"])
    rows = rows[rows["area_code"].notna() & rows["end_year"].notna()]
    missing = set(rows["indicator"]) - set(frequencies)
    if missing:
        raise ValueError(f"no frequency for indicators {sorted(missing)}")

    value, status = split_value_and_status(rows["value_text"])
    pairs = rows[["indicator", "end_year"]].drop_duplicates()
    periods = pd.DataFrame(
        [
            (indicator, year, *annual_period(frequencies[indicator], int(year)))
            for indicator, year in pairs.itertuples(index=False)
        ],
        columns=["indicator", "end_year", "period_label", "period_start", "period_end"],
    )
    out = rows.assign(numerator=np.nan, denominator=np.nan, value=value, status=status)
    out = out.merge(periods, on=["indicator", "end_year"], how="left")
    # A retired code and its successor could both appear for one year; keep the row that
    # has a number.
    key = ["indicator", "area_code", "period_label", "breakdown", "breakdown_value"]
    out = out.sort_values(key + ["value"], na_position="last").drop_duplicates(key)
    return finalise(out)


def _catalogue_frequencies() -> dict[str, str]:
    from data_access.reference import load_indicator_catalogue

    catalogue = load_indicator_catalogue()
    return dict(zip(catalogue["id"], catalogue["frequency"], strict=True))


# --- the import page's chunked format --------------------------------------------------

REQUIRED = ["Short Desc", "Years", "LA and Regions", "Values", "LA Number"]
# Areas LAIT publishes that Chorus does not store: skipped quietly, counted.
NOT_STORED = {"inner london", "outer london", "london (inner)", "london (outer)"}


def default_mapping() -> dict:
    return {"format": "lait", "indicators": {k: list(v) for k, v in DEMO_LAIT_MAPPING.items()}}


def stage(
    facts: FileFacts, mapping: dict | None, reference: Reference, chunk_rows: int = 50_000
) -> Iterator[StagedChunk]:
    """Staged rows for the mapped Short Descs; unmapped ones are counted as skipped."""
    require_columns(facts.columns, REQUIRED, "a LAIT long file")
    targets = (mapping or default_mapping())["indicators"]
    lookup = pd.DataFrame(
        [(k, *v) for k, v in targets.items()],
        columns=["short_desc", "indicator", "breakdown", "breakdown_value"],
    ).set_index("short_desc")
    skips = SkipCounter()
    for chunk in read_chunks(facts, chunk_rows):
        frame = chunk.frame.rename(columns=LAIT_COLUMNS)
        mapped = frame["short_desc"].isin(lookup.index)
        not_stored = map_distinct(frame["area_name"], lambda v: v.lower() in NOT_STORED, False)
        not_stored = not_stored.astype(bool)
        # Reasons are text per skipped row: build them for the skipped rows only.
        unmapped = frame.loc[~mapped, "short_desc"].fillna("")
        skips.add("Short Desc '" + unmapped + "' is not in the mapping")
        unstored = frame.loc[mapped & not_stored, "area_name"].fillna("")
        skips.add("Area '" + unstored + "' is not stored")
        rows = frame[mapped & ~not_stored]
        cells = lookup.loc[rows["short_desc"]]
        staged = pd.DataFrame(
            {
                "indicator": cells["indicator"].to_numpy(),
                "breakdown": cells["breakdown"].to_numpy(),
                "breakdown_value": cells["breakdown_value"].to_numpy(),
                "area_code": _area_codes(rows, reference),
                "area_name": rows["area_name"],
                "end_year": lait_end_year(rows["years"]).astype(object),
                "value": rows["value_text"].replace({"-": "x"}),
            },
            index=rows.index,
        )
        lines, problems = formula_problems(chunk)
        yield StagedChunk(
            staged,
            {
                "indicator": "Short Desc",
                "area_code": "LA Number",
                "period": "Years",
                "value": "Values",
            },
            len(frame),
            lines,
            problems,
            skipped=int((~(mapped & ~not_stored)).sum()),
        )
    yield end_of_file(skips)


def _area_codes(rows: pd.DataFrame, reference: Reference) -> pd.Series:
    """England and regions by name, LAs by number (old numbers kept for the validator)."""
    by_name = map_distinct(rows["area_name"], lambda v: _REGION_BY_NAME.get(v.lower()))
    by_number = map_distinct(rows["la_number"], lambda v: _la_number_code(v, reference))
    return by_name.where(by_name.notna(), by_number).astype(object)


def _la_number_code(cell: object, reference: Reference) -> str | None:
    """The current code for a LAIT LA number; anything that is not a whole number is passed
    on as written, so the validator reports it as an unknown area on its line."""
    text = str(cell).strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        return text
    if not math.isfinite(number) or not number.is_integer():
        return text
    return reference.la_numbers.get(int(number), f"LA{int(number):03d}")
