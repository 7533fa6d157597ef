"""OHID Fingertips CSV export, keeping its published intervals, counts and denominators.

Columns used: Indicator ID, Area Code, Area Name, Sex, Age, Category Type, Category,
Time period, Value, Lower CI 95.0 limit, Upper CI 95.0 limit, Count, Denominator,
Value note. The mapping names the Chorus indicator for each Fingertips indicator id and,
optionally, breakdowns for Fingertips categories:

    {"indicators": {"93532": "breastfeeding_6_8wk"},
     "sexes": {"Persons": ["total", "total"], "Male": ["sex", "male"], "Female": ["sex", "female"]},
     "categories": {"Ethnic groups": "ethnicity"}}

Fingertips writes "2018/19" for financial years too; the indicator's frequency decides
which period it is. Lower-tier districts (E07) are not stored by Chorus and are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pandas as pd

from data_access.importing.base import (
    SkipCounter,
    StagedChunk,
    end_of_file,
    formula_problems,
    require_columns,
)
from data_access.importing.safety import FileFacts, read_chunks
from data_access.importing.validation import Reference

REQUIRED = ["Indicator ID", "Area Code", "Time period", "Value"]
DEFAULT_SEXES = {
    "Persons": ["total", "total"],
    "Male": ["sex", "male"],
    "Female": ["sex", "female"],
}
STORED_PREFIXES = ("E92", "E12", "E06", "E08", "E09", "E10")
SOURCE_COLUMNS = {
    "indicator": "Indicator ID",
    "area_code": "Area Code",
    "period": "Time period",
    "value": "Value",
    "lower_ci": "Lower CI 95.0 limit",
    "upper_ci": "Upper CI 95.0 limit",
    "numerator": "Count",
    "denominator": "Denominator",
}


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(text).lower()).strip("_")


def stage(
    facts: FileFacts, mapping: dict | None, reference: Reference, chunk_rows: int = 50_000
) -> Iterator[StagedChunk]:
    """Staged rows for the mapped Fingertips indicators (others skipped, counted)."""
    require_columns(facts.columns, REQUIRED, "a Fingertips export")
    mapping = mapping or {}
    indicators = {str(k): v for k, v in mapping.get("indicators", {}).items()}
    sexes = mapping.get("sexes", DEFAULT_SEXES)
    categories = mapping.get("categories", {})
    skips = SkipCounter()
    for chunk in read_chunks(facts, chunk_rows):
        frame = chunk.frame

        def get(column: str, frame: pd.DataFrame = frame) -> pd.Series:
            return frame[column] if column in frame.columns else pd.Series(None, index=frame.index)

        fid = frame["Indicator ID"].fillna("").astype(str).str.replace(r"\.0$", "", regex=True)
        area = frame["Area Code"].fillna("").astype(str)
        sex = get("Sex").fillna("Persons")
        category_type = get("Category Type")
        category = get("Category")
        cells = [
            _cell(s, ct, c, sexes, categories)
            for s, ct, c in zip(sex, category_type, category, strict=True)
        ]
        breakdown = pd.Series([c[0] for c in cells], index=frame.index, dtype=object)
        value_cell = pd.Series([c[1] for c in cells], index=frame.index, dtype=object)

        mapped = fid.isin(indicators)
        stored = area.str[:3].isin(STORED_PREFIXES) | ~area.str.match(r"^E\d{8}$")
        has_cell = breakdown.notna()
        skips.add(("Fingertips indicator " + fid + " is not in the mapping")[~mapped])
        skips.add(
            ("Area type '" + get("Area Type").fillna("?") + "' is not stored")[mapped & ~stored]
        )
        skips.add(
            (
                "Sex/category '"
                + sex.astype(str)
                + " "
                + category_type.fillna("").astype(str)
                + "' is not mapped"
            )[mapped & stored & ~has_cell]
        )
        keep = mapped & stored & has_cell
        rows = frame[keep]
        value = get("Value")[keep]
        note = get("Value note")[keep].fillna("").str.lower()
        status = pd.Series(None, index=rows.index, dtype=object)
        status[value.isna() & note.str.contains("suppress")] = "c"
        status[value.isna() & status.isna()] = "x"
        staged = pd.DataFrame(
            {
                "indicator": fid[keep].map(indicators),
                "area_code": area[keep],
                "area_name": get("Area Name")[keep],
                "period_text": rows["Time period"],
                "breakdown": breakdown[keep],
                "breakdown_value": value_cell[keep],
                "numerator": get("Count")[keep],
                "denominator": get("Denominator")[keep],
                "value": value,
                "lower_ci": get("Lower CI 95.0 limit")[keep],
                "upper_ci": get("Upper CI 95.0 limit")[keep],
                "status": status,
            },
            index=rows.index,
        )
        lines, problems = formula_problems(chunk)
        yield StagedChunk(
            staged, SOURCE_COLUMNS, len(frame), lines, problems, skipped=int((~keep).sum())
        )
    yield end_of_file(skips)


def _cell(sex: object, category_type: object, category: object, sexes: dict, categories: dict):  # type: ignore[no-untyped-def]
    """(breakdown, breakdown value) for a Fingertips row, or (None, None) if not mapped."""
    if isinstance(category_type, str) and category_type.strip():
        breakdown = categories.get(category_type.strip())
        if not breakdown or not isinstance(category, str):
            return None, None
        return breakdown, slug(category)
    cell = sexes.get(str(sex).strip())
    return (cell[0], cell[1]) if cell else (None, None)
