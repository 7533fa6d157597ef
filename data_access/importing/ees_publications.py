"""Explore Education Statistics (EES) open-data CSVs -> canonical observations.

EES files share a tidy layout: time_period, time_identifier, geographic_level, country_code,
region_code, old_la_code (DfE number), new_la_code (GSS), la_name, then filters and
indicators. Suppressed cells hold symbols (c, k, low, u, x, z); we keep them as ``status``.
Every extractor returns a DataFrame with ``canonical.OBSERVATION_COLUMNS``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from data_access.importing.canonical import (
    TOTAL,
    Period,
    academic_year,
    empty_observations,
    finalise,
    financial_year,
    january_census,
    split_value_and_status,
)
from rules.areas import ENGLAND

GEOGRAPHY_COLUMNS = [
    "time_period",
    "time_identifier",
    "geographic_level",
    "country_code",
    "country_name",
    "region_code",
    "region_name",
    "old_la_code",
    "new_la_code",
    "la_name",
]

# Levels Chorus stores; EES also has "Local authority district" and others we skip.
AREA_LEVELS = ("National", "Regional", "Local authority")


def read_ees_csv(path: Path | str) -> pd.DataFrame:
    """Read an EES CSV as text, whatever its BOM or geography column order.

    Returns every column as stripped strings (blank cells NaN) so symbols such as "c" or
    "u" survive; the standard geography columns come first in ``GEOGRAPHY_COLUMNS`` order
    (those the file lacks are added empty), then the file's other columns in file order.
    """
    frame = pd.read_csv(
        path, dtype=str, encoding="utf-8-sig", keep_default_na=False, na_values=[""]
    )
    frame.columns = [column.strip() for column in frame.columns]
    for column in frame.columns:
        frame[column] = frame[column].str.strip()
    for column in GEOGRAPHY_COLUMNS:
        if column not in frame.columns:
            frame[column] = np.nan
    others = [column for column in frame.columns if column not in GEOGRAPHY_COLUMNS]
    return frame[GEOGRAPHY_COLUMNS + others]


def ees_geography_code(row: Mapping[str, object], aliases: Mapping[str, str]) -> str | None:
    """The current GSS code for one EES row, or None for levels Chorus does not store.

    National -> country_code (England); Regional -> region_code; Local authority ->
    new_la_code passed through ``aliases`` (old code -> current code). Inner and Outer
    London (E13 codes at regional level) and lower levels give None.
    """
    level = row.get("geographic_level")
    if level == "National":
        return str(row.get("country_code") or ENGLAND)
    if level == "Regional":
        region = _text_or_none(row.get("region_code"))
        return region if region and region.startswith("E12") else None
    if level == "Local authority":
        code = _text_or_none(row.get("new_la_code"))
        return aliases.get(code, code) if code else None
    return None


def _text_or_none(value: object) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def geography_codes(frame: pd.DataFrame, aliases: Mapping[str, str]) -> pd.Series:
    """Vectorised ``ees_geography_code`` over a raw EES frame (None where not stored).

    Regional rows keep only the nine E12 regions: some files also give Inner and Outer
    London (E13000001/2) at regional level, which Chorus does not store.
    """
    level = frame["geographic_level"]
    is_region = (level == "Regional") & frame["region_code"].fillna("").str.startswith("E12")
    la_codes = frame["new_la_code"].map(lambda code: aliases.get(code, code))
    codes = np.select(
        [level == "National", is_region, level == "Local authority"],
        [frame["country_code"].fillna(ENGLAND), frame["region_code"], la_codes],
        default=None,
    )
    return pd.Series(codes, index=frame.index, dtype=object).where(lambda s: s.notna(), None)


def _end_year(time_period: pd.Series) -> pd.Series:
    """EES time_period -> end year: "2025" -> 2025, "202122" -> 2022."""
    text = time_period.astype(str)
    return np.where(text.str.len() == 6, "20" + text.str[-2:], text).astype(int)


def _periods(end_years: pd.Series | np.ndarray, make: Callable[[int], Period]) -> pd.DataFrame:
    """Period label/start/end columns for each end year (computed once per distinct year)."""
    years = pd.Series(end_years)
    lookup = {int(year): make(int(year)) for year in years.unique()}
    return pd.DataFrame(
        [lookup[int(year)] for year in years],
        columns=["period_label", "period_start", "period_end"],
    )


def _observations(
    keys: pd.DataFrame,
    *,
    indicator: str | pd.Series,
    make_period: Callable[[int], Period],
    numerator: pd.Series | None,
    denominator: pd.Series | None,
    published: pd.Series,
    breakdown: str | pd.Series = TOTAL,
    breakdown_value: str | pd.Series = TOTAL,
) -> pd.DataFrame:
    """Assemble canonical rows from aligned Series (all sharing ``keys``' index).

    ``keys`` needs area_code and time_period. ``published`` is the text of the published
    figure: numbers become ``value``, symbols become ``status``. Counts that are symbols
    become NaN numerators or denominators.
    """
    value, status = split_value_and_status(published)
    frame = pd.DataFrame(
        {
            "indicator": indicator,
            "area_code": keys["area_code"],
            "breakdown": breakdown,
            "breakdown_value": breakdown_value,
            "numerator": _count(numerator, keys.index),
            "denominator": _count(denominator, keys.index),
            "value": value,
            "status": status,
        },
        index=keys.index,
    )
    periods = _periods(_end_year(keys["time_period"]), make_period)
    periods.index = keys.index
    return finalise(pd.concat([frame, periods], axis=1))


def _count(counts: pd.Series | None, index: pd.Index) -> pd.Series:
    if counts is None:
        return pd.Series(np.nan, index=index)
    return pd.to_numeric(counts, errors="coerce").astype(float)


def _stored_areas(frame: pd.DataFrame, aliases: Mapping[str, str]) -> pd.DataFrame:
    """Raw rows at national, regional and LA level, with their current ``area_code``."""
    kept = frame[frame["geographic_level"].isin(AREA_LEVELS)].copy()
    kept["area_code"] = geography_codes(kept, aliases)
    return kept[kept["area_code"].notna()]


def _wide_by_breakdown(frame: pd.DataFrame, breakdowns: list[str]) -> pd.DataFrame:
    """Care-leaver files: one row per area/year/age with count and percent per breakdown."""
    keys = ["time_period", "area_code", "care_leaver_age"]
    picked = frame[frame["breakdown"].isin(breakdowns)]
    wide = picked.pivot_table(
        index=keys,
        columns="breakdown",
        values=["care_leaver_count", "care_leaver_percent"],
        aggfunc="first",
    )
    wide.columns = [f"{measure}|{breakdown}" for measure, breakdown in wide.columns]
    return wide.reset_index()


CARE_LEAVER_AGES = {"19 to 21 years": "19_21", "17 to 18 years": "17_18"}


def care_leavers_activity(path: Path | str, aliases: Mapping[str, str]) -> pd.DataFrame:
    """Care leavers in education, employment or training -> care_leavers_eet_19_21/_17_18.

    Takes the EES care leavers' activity file. numerator = 'Total in education, employment
    or training' count, denominator = 'Total' count, value = the published percent (symbols
    kept as status). Period: DfE reporting year to 31 March ("2024-25").
    """
    eet, total = "Total in education, employment or training", "Total"
    raw = _stored_areas(read_ees_csv(path), aliases)
    wide = _wide_by_breakdown(raw, [eet, total])
    wide = wide[wide["care_leaver_age"].isin(CARE_LEAVER_AGES)]
    if wide.empty:
        return empty_observations()
    return _observations(
        wide,
        indicator="care_leavers_eet_" + wide["care_leaver_age"].map(CARE_LEAVER_AGES),
        make_period=financial_year,
        numerator=wide[f"care_leaver_count|{eet}"],
        denominator=wide[f"care_leaver_count|{total}"],
        published=wide[f"care_leaver_percent|{eet}"],
    )


def care_leavers_accommodation(path: Path | str, aliases: Mapping[str, str]) -> pd.DataFrame:
    """Care leavers aged 19-21 in suitable accommodation -> care_leavers_accommodation_19_21.

    numerator = 'Accommodation considered suitable' count, denominator = 'Suitability total'
    count, value = the published percent of the suitable row.
    """
    suitable, total = "Accommodation considered suitable", "Suitability total"
    raw = _stored_areas(read_ees_csv(path), aliases)
    wide = _wide_by_breakdown(raw, [suitable, total])
    wide = wide[wide["care_leaver_age"] == "19 to 21 years"]
    if wide.empty:
        return empty_observations()
    return _observations(
        wide,
        indicator="care_leavers_accommodation_19_21",
        make_period=financial_year,
        numerator=wide[f"care_leaver_count|{suitable}"],
        denominator=wide[f"care_leaver_count|{total}"],
        published=wide[f"care_leaver_percent|{suitable}"],
    )


def child_population(population: pd.DataFrame, aliases: Mapping[str, str]) -> pd.DataFrame:
    """ONS 0-17 population (EES layout, raw from ``read_ees_csv``) -> area_code, year, children.

    ``year`` is the mid-year of the estimate (2024 = mid-2024).
    """
    rows = _stored_areas(population, aliases)
    rows = rows[rows["age_group"].str.contains("0 to 17", na=False)]
    return pd.DataFrame(
        {
            "area_code": rows["area_code"],
            "year": rows["time_period"].astype(int),
            "children": pd.to_numeric(rows["population_estimate"], errors="coerce"),
        }
    ).drop_duplicates(["area_code", "year"])


def cin_referrals(
    path: Path | str, population_df: pd.DataFrame | None, aliases: Mapping[str, str]
) -> pd.DataFrame:
    """Children in need table C1 -> cin_rereferral, cin_nfa and cin_referral_rate.

    cin_rereferral: rereferral_count / referral_count, value rereferral_percent.
    cin_nfa: no_further_action_count / referral_count, value no_further_action_percent.
    cin_referral_rate: referral_count per 10,000 children aged 0-17, using the ONS mid-year
    estimate for the June before the year ends (year to 31 March 2025 -> mid-2024), as DfE
    does; rounded to 1 decimal place like the published rates. Rows without a population
    (or a referral count) are left out so another source can fill them.
    ``population_df`` is the raw ONS file from ``read_ees_csv`` (or None to skip the rate).
    """
    raw = _stored_areas(read_ees_csv(path), aliases)
    raw = raw.drop_duplicates(["time_period", "area_code"])
    parts = [
        _observations(
            raw,
            indicator="cin_rereferral",
            make_period=financial_year,
            numerator=raw["rereferral_count"],
            denominator=raw["referral_count"],
            published=raw["rereferral_percent"],
        ),
        _observations(
            raw,
            indicator="cin_nfa",
            make_period=financial_year,
            numerator=raw["no_further_action_count"],
            denominator=raw["referral_count"],
            published=raw["no_further_action_percent"],
        ),
    ]
    if population_df is not None:
        parts.append(_referral_rate(raw, child_population(population_df, aliases)))
    return finalise(pd.concat(parts, ignore_index=True))


def _referral_rate(raw: pd.DataFrame, children: pd.DataFrame) -> pd.DataFrame:
    with_year = raw.assign(year=raw["time_period"].astype(int) - 1)
    joined = with_year.merge(children, on=["area_code", "year"], how="inner")
    referrals = pd.to_numeric(joined["referral_count"], errors="coerce")
    joined = joined[referrals.notna() & (joined["children"] > 0)]
    referrals = referrals[referrals.notna()].reindex(joined.index)
    rate = (referrals / joined["children"] * 10_000).round(1)
    return _observations(
        joined,
        indicator="cin_referral_rate",
        make_period=financial_year,
        numerator=referrals,
        denominator=joined["children"],
        published=rate.astype(str),
    )


# EYFSP 2021/22 characteristic groups -> (breakdown, {published value: slug}).
# The EES file stores the group in `characteristic` and the value in `characteristic_type`.
EYFSP_BREAKDOWNS: dict[str, tuple[str, dict[str, str]]] = {
    "Free school meal eligibility": (
        "fsm",
        {
            "Known to be eligible for free school meals": "eligible",
            "Not known to be eligible for free school meals": "not_eligible",
        },
    ),
    "Ethnic group: major": (
        "ethnicity",
        {
            "White": "white",
            "Mixed/multiple ethnic groups": "mixed",
            "Asian/Asian British": "asian",
            "Black/African/Caribbean/Black British": "black",
            "Other ethnic group": "other",
            "Unclassified": "unclassified",
        },
    ),
    "SEN provision": (
        "sen",
        {
            "No identified SEN": "no_sen",
            "SEN support": "sen_support",
            "EHC plan": "ehc_plan",
            "Unclassified": "unclassified",
        },
    ),
    "First language": (
        "eal",
        {
            "Known or believed to be English": "english",
            "Known or believed to be other than English": "other_than_english",
            "Unclassified": "unclassified",
        },
    ),
}

SEX_VALUES = {"Boys": "male", "Girls": "female"}

EYFSP_MEASURES = {"gld": "gld", "comm_lang_lit": "comm_lang_lit"}


def _eyfsp_cells(raw: pd.DataFrame) -> pd.DataFrame:
    """EYFSP rows Chorus keeps, with breakdown and breakdown_value columns added."""
    is_total = raw["characteristic"] == "Total"
    total = raw[is_total & (raw["gender"] == "Total")].assign(
        breakdown=TOTAL, breakdown_value=TOTAL
    )
    sex = raw[is_total & raw["gender"].isin(SEX_VALUES)]
    sex = sex.assign(breakdown="sex", breakdown_value=sex["gender"].map(SEX_VALUES))
    groups = [total, sex]
    for characteristic, (breakdown, values) in EYFSP_BREAKDOWNS.items():
        rows = raw[
            (raw["characteristic"] == characteristic)
            & (raw["gender"] == "Total")
            & raw["characteristic_type"].isin(values)
        ]
        groups.append(
            rows.assign(
                breakdown=breakdown, breakdown_value=rows["characteristic_type"].map(values)
            )
        )
    return pd.concat(groups, ignore_index=True)


def eyfsp_2022(path: Path | str, aliases: Mapping[str, str]) -> pd.DataFrame:
    """EYFSP 2021/22 headline measures -> gld and comm_lang_lit with breakdowns.

    Breakdowns: total; sex (Boys -> male, Girls -> female); fsm (eligible, not_eligible);
    ethnicity (major groups: white, mixed, asian, black, other, unclassified); sen
    (no_sen, sen_support, ehc_plan, unclassified); eal (english, other_than_english,
    unclassified). Minor ethnic groups, SEN primary need and term of birth are not kept.
    numerator = <measure>_number, denominator = children_number, value = <measure>_percentage.

    Note: comm_lang_lit (communication and language AND literacy goals) is a different
    measure from LAIT's FSP_NEW_COMMS (communication and language only, indicator comm_lang).
    """
    raw = _stored_areas(read_ees_csv(path), aliases)
    cells = _eyfsp_cells(raw)
    parts = [
        _observations(
            cells,
            indicator=indicator,
            make_period=academic_year,
            numerator=cells[f"{measure}_number"],
            denominator=cells["children_number"],
            published=cells[f"{measure}_percentage"],
            breakdown=cells["breakdown"],
            breakdown_value=cells["breakdown_value"],
        )
        for indicator, measure in EYFSP_MEASURES.items()
    ]
    return finalise(pd.concat(parts, ignore_index=True))


TAKEUP_AGES = {"2-year-olds": "two_year_takeup", "3 and 4-year-olds": "three_four_takeup"}


def early_years_takeup(path: Path | str, aliases: Mapping[str, str]) -> pd.DataFrame:
    """Funded early education registrations -> two_year_takeup and three_four_takeup.

    numerator = number_children, denominator = number_eligible_children, value =
    percentage_eligible_children (can exceed 100 for 3- and 4-year-olds). Period: the
    January census ("Jan 2023").
    """
    raw = _stored_areas(read_ees_csv(path), aliases)
    rows = raw[raw["age"].isin(TAKEUP_AGES)]
    if "entitlement_type" in rows.columns:
        rows = rows[rows["entitlement_type"].fillna("15-hour entitlement") == "15-hour entitlement"]
    if rows.empty:
        return empty_observations()
    return _observations(
        rows,
        indicator=rows["age"].map(TAKEUP_AGES),
        make_period=january_census,
        numerator=rows["number_children"],
        denominator=rows["number_eligible_children"],
        published=rows["percentage_eligible_children"],
    )
