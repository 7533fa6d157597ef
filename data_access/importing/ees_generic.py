"""Any Explore Education Statistics tidy CSV, through a saved, editable mapping.

EES files share the geography and time columns (time_period, time_identifier,
geographic_level, country_code, region_code, new_la_code, ...), then *filters* (text
columns such as characteristic or breakdown) and *indicators* (number columns). The
mapping says which rows to keep, which filter values are which Chorus breakdown cell and
which indicator columns are which Chorus indicator:

    {
      "format": "ees",
      "filters": {"care_leaver_age": ["19 to 21 years"]},
      "breakdown_columns": ["characteristic", "characteristic_type"],
      "breakdown_values": {"Total | Total": ["total", "total"],
                           "Free school meal eligibility | Known to be ...": ["fsm", "eligible"]},
      "indicators": [
        {"indicator": "gld", "value": "gld_percentage",
         "numerator": "gld_number", "denominator": "children_number"},
        {"indicator": "care_leavers_eet_19_21", "value": "care_leaver_percent",
         "numerator": "care_leaver_count", "rows": {"breakdown": "Total in education, ..."},
         "denominator": "care_leaver_count", "denominator_rows": {"breakdown": "Total"}}
      ]
    }

Wide files list many indicator columns; long files put the measure's category in a
column (``rows`` picks the rows of one indicator, ``denominator_rows`` the rows holding
its denominator, matched on geography, time and the other filters). Rows whose breakdown
combination is not in ``breakdown_values`` are skipped and reported as one warning each.
Only the rows the filters keep, and only the columns the mapping names, are held in
memory, so large publications stay within bounded memory.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator

import numpy as np
import pandas as pd

from data_access.importing.base import SkipCounter, StagedChunk, formula_problems, require_columns
from data_access.importing.canonical import BREAKDOWNS, TOTAL
from data_access.importing.ees_publications import AREA_LEVELS, GEOGRAPHY_COLUMNS, geography_codes
from data_access.importing.safety import FileFacts, RawChunk, read_chunks
from data_access.importing.validation import Problem, Reference

SEPARATOR = " | "
REQUIRED = ["time_period", "geographic_level"]
MEASURE_FIELDS = ("value", "numerator", "denominator", "lower_ci", "upper_ci")
JOIN_GEOGRAPHY = ["time_period", "time_identifier", "geographic_level", "country_code",
                  "region_code", "old_la_code", "new_la_code"]  # fmt: skip
_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MEASURE_SUFFIX = re.compile(
    r"(_percent|_percentage|_pct|_number|_count|_rate|_total|_value|_estimate|_num|_denom"
    r"|_population|_rate_per_\d+k?)$|^(pt|t)_|(^|_)rate_per_\d+k?"
)
# EES naming conventions: a share (percentage or rate with its base) and a count.
_SHARE_NAME = re.compile(r"(_percent|_percentage|_pct|_rate)$|^pt_|(^|_)rate_per_\d+k?")
_COUNT_NAME = re.compile(r"(_number|_count|_num|_population)$|^t_")

# Published filter values -> Chorus breakdown cells, used to suggest a first mapping.
KNOWN_VALUES: dict[str, tuple[str, str]] = {
    "total": (TOTAL, TOTAL),
    "all": (TOTAL, TOTAL),
    "boys": ("sex", "male"),
    "male": ("sex", "male"),
    "girls": ("sex", "female"),
    "female": ("sex", "female"),
    "known to be eligible for free school meals": ("fsm", "eligible"),
    "fsm eligible": ("fsm", "eligible"),
    "not known to be eligible for free school meals": ("fsm", "not_eligible"),
    "fsm not eligible": ("fsm", "not_eligible"),
    "white": ("ethnicity", "white"),
    "mixed/multiple ethnic groups": ("ethnicity", "mixed"),
    "mixed": ("ethnicity", "mixed"),
    "asian/asian british": ("ethnicity", "asian"),
    "asian": ("ethnicity", "asian"),
    "black/african/caribbean/black british": ("ethnicity", "black"),
    "black": ("ethnicity", "black"),
    "other ethnic group": ("ethnicity", "other"),
    "no identified sen": ("sen", "no_sen"),
    "sen support": ("sen", "sen_support"),
    "ehc plan": ("sen", "ehc_plan"),
    "known or believed to be english": ("eal", "english"),
    "known or believed to be other than english": ("eal", "other_than_english"),
}
BREAKDOWN_COLUMN_HINTS = ("characteristic", "breakdown", "gender", "sex", "ethnicity", "fsm")


def _selectors(mapping: dict) -> set[str]:
    columns: set[str] = set()
    for spec in mapping.get("indicators", []):
        columns.update((spec.get("rows") or {}).keys())
        columns.update((spec.get("denominator_rows") or {}).keys())
    return columns


def mapping_problems(mapping: dict, columns: list[str], reference: Reference) -> list[str]:
    """Plain-language reasons a mapping cannot be used with a file's columns (empty if fine)."""
    found = []
    present = set(columns)
    specs = mapping.get("indicators") or []
    if not specs:
        found.append("The mapping names no indicator columns.")
    for column in mapping.get("filters", {}):
        if column not in present:
            found.append(f"Filter column '{column}' is not in the file.")
    for column in mapping.get("breakdown_columns", []):
        if column not in present:
            found.append(f"Breakdown column '{column}' is not in the file.")
    for key, cell in mapping.get("breakdown_values", {}).items():
        if not isinstance(cell, list | tuple) or len(cell) != 2 or cell[0] not in BREAKDOWNS:
            found.append(
                f"Breakdown values for '{key}' must be [breakdown, value] with a known breakdown."
            )
    for spec in specs:
        indicator = spec.get("indicator")
        if indicator not in reference.indicators:
            found.append(f"'{indicator}' is not in the indicator catalogue.")
        if not spec.get("value") and not (spec.get("numerator") and spec.get("denominator")):
            found.append(f"{indicator}: give a value column, or a numerator and a denominator.")
        for field in MEASURE_FIELDS:
            column = spec.get(field)
            if column and column not in present:
                found.append(f"{indicator}: column '{column}' ({field}) is not in the file.")
        for selector in ("rows", "denominator_rows"):
            for column in spec.get(selector) or {}:
                if column not in present:
                    found.append(
                        f"{indicator}: column '{column}' in {selector} is not in the file."
                    )
    return found


def _needed_columns(mapping: dict, columns: list[str]) -> list[str]:
    wanted = set(GEOGRAPHY_COLUMNS)
    wanted |= set(mapping.get("filters", {})) | set(mapping.get("breakdown_columns", []))
    wanted |= _selectors(mapping)
    for spec in mapping.get("indicators", []):
        wanted |= {spec.get(f) for f in MEASURE_FIELDS if spec.get(f)}
    geography = list(GEOGRAPHY_COLUMNS)
    return geography + [c for c in columns if c in wanted and c not in geography]


def _keep_rows(frame: pd.DataFrame, mapping: dict) -> pd.Series:
    keep = frame["geographic_level"].isin(AREA_LEVELS)
    for column, values in mapping.get("filters", {}).items():
        allowed = [values] if isinstance(values, str) else list(values)
        keep &= frame[column].isin(allowed)
    return keep


def stage(
    facts: FileFacts, mapping: dict, reference: Reference, chunk_rows: int = 50_000
) -> Iterator[StagedChunk]:
    """Stream, filter and keep the needed columns, then stage every mapped indicator."""
    require_columns(facts.columns, REQUIRED, "an Explore Education Statistics file")
    problems_text = mapping_problems(mapping, facts.columns, reference)
    if problems_text:
        from data_access.importing.safety import FileRejected

        raise FileRejected(
            "mapping", "The mapping does not fit this file: " + " ".join(problems_text)
        )
    needed = _needed_columns(mapping, facts.columns)
    kept_parts: list[pd.DataFrame] = []
    rows_read = 0
    formula_lines: set[int] = set()
    formula_found: list[Problem] = []
    skips = SkipCounter()
    for chunk in read_chunks(facts, chunk_rows):
        rows_read += len(chunk.frame)
        lines, found = formula_problems(chunk)
        formula_lines |= lines
        formula_found += found
        frame = _with_geography(chunk)[needed]
        keep = _keep_rows(frame, mapping)
        other_level = ~frame["geographic_level"].isin(AREA_LEVELS)
        skips.add(
            ("Geographic level '" + frame["geographic_level"].fillna("?") + "' is not stored")[
                other_level
            ]
        )
        kept_parts.append(frame[keep])
    kept = pd.concat(kept_parts) if kept_parts else pd.DataFrame(columns=needed)
    staged, not_mapped = stage_frame(kept, mapping)
    skips.add(not_mapped)
    yield StagedChunk(
        staged,
        {"area_code": "new_la_code", "period": "time_period", "breakdown": "breakdown_columns"},
        rows_read,
        formula_lines,
        formula_found + skips.problems(),
        skipped=rows_read - len(kept),
    )


def _with_geography(chunk: RawChunk) -> pd.DataFrame:
    frame = chunk.frame
    for column in GEOGRAPHY_COLUMNS:
        if column not in frame.columns:
            frame[column] = None
    return frame


def _breakdown_cells(frame: pd.DataFrame, mapping: dict) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(breakdown, value, combination text) per row; NaN breakdown where not mapped."""
    columns = mapping.get("breakdown_columns") or []
    if not columns:
        total = pd.Series(TOTAL, index=frame.index, dtype=object)
        return total, total, pd.Series("", index=frame.index, dtype=object)
    combination = frame[columns].fillna("").astype(str).agg(SEPARATOR.join, axis=1)
    values = mapping.get("breakdown_values", {})
    breakdown = combination.map(lambda c: values.get(c, [None, None])[0])
    value = combination.map(lambda c: values.get(c, [None, None])[1])
    return breakdown, value, combination


def _select(frame: pd.DataFrame, selector: dict | None) -> pd.DataFrame:
    if not selector:
        return frame
    keep = pd.Series(True, index=frame.index)
    for column, wanted in selector.items():
        allowed = [wanted] if isinstance(wanted, str) else list(wanted)
        keep &= frame[column].isin(allowed)
    return frame[keep]


def stage_frame(kept: pd.DataFrame, mapping: dict) -> tuple[pd.DataFrame, pd.Series]:
    """Staged rows for every indicator spec from the filtered raw rows.

    Returns (staged rows indexed by line, reasons for rows with no mapped breakdown).
    """
    breakdown, value_cell, combination = _breakdown_cells(kept, mapping)
    mapped = breakdown.notna()
    not_mapped = ("Breakdown '" + combination + "' is not in the mapping")[~mapped]
    rows = kept[mapped].assign(_breakdown=breakdown[mapped], _value=value_cell[mapped])
    area = geography_codes(rows, {}) if not rows.empty else pd.Series(dtype=object)
    # Inner and Outer London (E13, regional level) are not stored: skipped, not errors.
    place = rows["region_name"].where(rows["region_name"].notna(), rows["region_code"])
    not_stored = ("Area '" + place.fillna("?").astype(str) + "' is not stored")[area.isna()]
    not_mapped = pd.concat([not_mapped, not_stored])
    rows = rows.assign(_area=area)[area.notna()]
    period_text, end_year = _time(rows)
    rows = rows.assign(_period_text=period_text, _end_year=end_year)
    parts = []
    selector_columns = _selectors(mapping)
    for spec in mapping.get("indicators", []):
        picked = _select(rows, spec.get("rows"))
        staged = pd.DataFrame(
            {
                "indicator": spec["indicator"],
                "area_code": picked["_area"],
                "area_name": picked["la_name"].where(
                    picked["la_name"].notna(), picked["region_name"]
                ),
                "period_text": picked["_period_text"],
                "end_year": picked["_end_year"],
                "breakdown": picked["_breakdown"],
                "breakdown_value": picked["_value"],
            },
            index=picked.index,
        )
        for field in MEASURE_FIELDS:
            column = spec.get(field)
            staged[field] = picked[column] if column else None
        if spec.get("denominator_rows"):
            staged["denominator"] = _joined_denominator(
                rows, picked, spec, mapping, selector_columns
            )
        if spec.get("fixed_breakdown"):
            staged["breakdown"], staged["breakdown_value"] = spec["fixed_breakdown"]
        parts.append(staged)
    if not parts:
        return pd.DataFrame(), not_mapped
    return pd.concat(parts), not_mapped


def _joined_denominator(
    rows: pd.DataFrame, picked: pd.DataFrame, spec: dict, mapping: dict, selectors: set[str]
) -> pd.Series:
    keys = [c for c in JOIN_GEOGRAPHY if c in rows.columns]
    keys += [
        c
        for c in list(mapping.get("filters", {})) + list(mapping.get("breakdown_columns", []))
        if c not in selectors and c not in keys
    ]
    source = _select(rows, spec["denominator_rows"])[keys + [spec["denominator"]]]
    source = source.drop_duplicates(keys).rename(columns={spec["denominator"]: "_denominator"})
    joined = (
        picked[keys]
        .reset_index()
        .merge(source, on=keys, how="left")
        .set_index(picked.index.name or "index")
    )
    return pd.Series(joined["_denominator"].to_numpy(), index=picked.index, dtype=object)


def _time(rows: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """(period text for months and quarters, end year for annual periods)."""
    period = rows["time_period"].fillna("").astype(str).str.strip()
    identifier = rows["time_identifier"].fillna("").astype(str).str.strip().str.lower()
    year4 = period.str[:4]
    end_year = pd.Series(
        np.where(period.str.fullmatch(r"\d{6}"), "20" + period.str[-2:], period),
        index=rows.index,
        dtype=object,
    )
    month = identifier.map(_MONTHS)
    quarter = identifier.str.extract(r"^q([1-4])$")[0]
    text = pd.Series(None, index=rows.index, dtype=object)
    is_month = month.notna()
    text[is_month] = identifier[is_month].str.title().str[:3] + " " + year4[is_month]
    text[quarter.notna()] = "Q" + quarter[quarter.notna()] + " " + year4[quarter.notna()]
    return text, end_year


def suggest_mapping(sample: pd.DataFrame) -> dict:
    """A first mapping for an EES file never seen before, from its first rows.

    Indicator columns: names following the EES conventions (``*_rate*``, ``rate_per_*``,
    ``*_percent``, ``pt_``/``t_``, ``*_count``, ``*_number``, ``*_population``), or mostly
    numbers. (``ees_meta.propose`` does more, from the file's .meta.csv when there is one.) Each
    percentage gets the count column with the same stem as its numerator. Breakdown
    columns: filters named like characteristic/breakdown/gender; their values are
    suggested from ``KNOWN_VALUES`` (others are left for the analyst). Indicator ids are
    left blank for the analyst to choose.
    """
    columns = [c for c in sample.columns if c not in GEOGRAPHY_COLUMNS]
    measures = [c for c in columns if _looks_like_measure(c, sample[c])]
    filters = [c for c in columns if c not in measures]
    breakdown_columns = [c for c in filters if any(h in c.lower() for h in BREAKDOWN_COLUMN_HINTS)]
    indicators = []
    counts = [c for c in measures if _COUNT_NAME.search(c)]
    for column in measures:
        if _SHARE_NAME.search(column):
            stem = _MEASURE_SUFFIX.sub("", column)
            numerator = next((c for c in counts if _MEASURE_SUFFIX.sub("", c) == stem), None)
            indicators.append(
                {"indicator": "", "value": column, "numerator": numerator, "denominator": None}
            )
    values = {}
    if breakdown_columns:
        combos = sample[breakdown_columns].fillna("").astype(str).drop_duplicates()
        for combo in combos.itertuples(index=False):
            key = SEPARATOR.join(combo)
            cells = [KNOWN_VALUES.get(v.strip().lower()) for v in combo]
            non_total = [c for c in cells if c and c[0] != TOTAL]
            if all(c is not None for c in cells) and len(non_total) <= 1:
                values[key] = list(non_total[0] if non_total else (TOTAL, TOTAL))
    return {
        "format": "ees",
        "filters": {},
        "breakdown_columns": breakdown_columns,
        "breakdown_values": values,
        "indicators": indicators,
        "measure_columns": measures,
        "filter_columns": filters,
    }


def _looks_like_measure(name: str, values: pd.Series) -> bool:
    if _MEASURE_SUFFIX.search(name):
        return True
    present = values.dropna().astype(str).str.strip()
    if present.empty:
        return False
    numeric = present.str.match(r"^-?\d+(\.\d+)?$") | present.str.lower().isin(
        ["c", "k", "low", "u", "x", "z"]
    )
    return bool(numeric.mean() > 0.9)


# Mappings for the demo's EES files: they reproduce the specific extractors in
# data_access/importing/ees_publications.py and show the mapping language on real publications.
BUILT_IN_MAPPINGS: dict[str, dict] = {
    "EES children in need C1 (re-referrals, no further action)": {
        "format": "ees",
        "filters": {},
        "indicators": [
            {"indicator": "cin_rereferral", "value": "rereferral_percent",
             "numerator": "rereferral_count", "denominator": "referral_count"},
            {"indicator": "cin_nfa", "value": "no_further_action_percent",
             "numerator": "no_further_action_count", "denominator": "referral_count"},
        ],
    },
    "EES care leavers activity (EET)": {
        "format": "ees",
        "filters": {},
        "indicators": [
            {"indicator": "care_leavers_eet_19_21", "value": "care_leaver_percent",
             "numerator": "care_leaver_count", "denominator": "care_leaver_count",
             "rows": {"care_leaver_age": "19 to 21 years",
                      "breakdown": "Total in education, employment or training"},
             "denominator_rows": {"care_leaver_age": "19 to 21 years", "breakdown": "Total"}},
            {"indicator": "care_leavers_eet_17_18", "value": "care_leaver_percent",
             "numerator": "care_leaver_count", "denominator": "care_leaver_count",
             "rows": {"care_leaver_age": "17 to 18 years",
                      "breakdown": "Total in education, employment or training"},
             "denominator_rows": {"care_leaver_age": "17 to 18 years", "breakdown": "Total"}},
        ],
    },
    "EES EYFSP headline measures by characteristic": {
        "format": "ees",
        "filters": {"gender": ["Total", "Boys", "Girls"]},
        "breakdown_columns": ["characteristic", "characteristic_type", "gender"],
        "breakdown_values": {
            "Total | Total | Total": ["total", "total"],
            "Total | Total | Boys": ["sex", "male"],
            "Total | Total | Girls": ["sex", "female"],
            "Free school meal eligibility | Known to be eligible for free school meals | Total":
                ["fsm", "eligible"],
            "Free school meal eligibility | Not known to be eligible for free school meals | Total":
                ["fsm", "not_eligible"],
        },
        "indicators": [
            {"indicator": "gld", "value": "gld_percentage", "numerator": "gld_number",
             "denominator": "children_number"},
            {"indicator": "comm_lang_lit", "value": "comm_lang_lit_percentage",
             "numerator": "comm_lang_lit_number", "denominator": "children_number"},
        ],
    },
}  # fmt: skip
