"""The Chorus template: one row per indicator, area, period and breakdown cell (CSV or XLSX).

Columns (the first nine are required, in any order):

    indicator        indicator id from the catalogue, e.g. eh_requests
    area_code        ONS code (E08000004); old codes such as E10000023 are mapped
    period           label in the indicator's form: "Mar 2026", "Q1 2026", "2024/25", "2024-25"
    breakdown        total, sex, ethnicity, fsm, sen, eal, age_band, imd_quintile, uasc, disability
    breakdown_value  total for the whole population, else e.g. female
    numerator        count meeting the measure (blank if not known)
    denominator      population the measure is over (blank if not known)
    value            the figure; may be blank when numerator and denominator are given
    status           blank, or a published symbol: c, k, low, u, x, z (then value is blank)
    lower_ci, upper_ci  optional published interval
"""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd

from data_access.importing.base import StagedChunk, formula_problems, require_columns
from data_access.importing.safety import FileFacts, RawChunk, read_chunks
from data_access.importing.validation import Reference
from rules.files import csv_text, xlsx_bytes

TEMPLATE_COLUMNS = [
    "indicator",
    "area_code",
    "period",
    "breakdown",
    "breakdown_value",
    "numerator",
    "denominator",
    "value",
    "status",
]
OPTIONAL_COLUMNS = ["lower_ci", "upper_ci"]
EXPORT_COLUMNS = TEMPLATE_COLUMNS + OPTIONAL_COLUMNS

EXAMPLE_ROWS = [
    ["eh_requests", "E08000004", "Mar 2026", "total", "total", "", "", "412", ""],
    ["eh_assessments_timely", "E08000004", "Mar 2026", "total", "total", "301", "342", "", ""],
    ["eh_assessments_timely", "E08000004", "Mar 2026", "sex", "female", "150", "170", "", ""],
    ["eh_assessments_timely", "E08000004", "Mar 2026", "sex", "male", "149", "170", "", ""],
    ["eh_assessments_timely", "E08000004", "Mar 2026", "sex", "unknown", "", "", "", "c"],
    ["eh_closed_needs_met", "E08000004", "Feb 2026", "total", "total", "", "", "78.4", ""],
]


def check_columns(facts: FileFacts) -> None:
    require_columns(facts.columns, TEMPLATE_COLUMNS, "the Chorus template")


def stage(
    facts: FileFacts,
    mapping: dict | None,
    reference: Reference,
    chunk_rows: int = 50_000,
) -> Iterator[StagedChunk]:
    """Staged rows straight from the template's columns (no mapping needed)."""
    check_columns(facts)
    for chunk in read_chunks(facts, chunk_rows):
        yield stage_chunk(chunk)


def stage_chunk(chunk: RawChunk) -> StagedChunk:
    frame = chunk.frame
    staged = pd.DataFrame(index=frame.index)
    for field in ("indicator", "area_code", "breakdown", "breakdown_value", "status"):
        staged[field] = frame[field]
    staged["period_text"] = frame["period"]
    for field in ("numerator", "denominator", "value", *OPTIONAL_COLUMNS):
        staged[field] = frame[field] if field in frame.columns else None
    if "area_name" in frame.columns:
        staged["area_name"] = frame["area_name"]
    lines, problems = formula_problems(chunk)
    return StagedChunk(staged, {"period": "period"}, len(frame), lines, problems)


def template_frame(example: bool = False) -> pd.DataFrame:
    """The template as a DataFrame of text: empty, or with the filled example rows."""
    rows = EXAMPLE_ROWS if example else []
    frame = pd.DataFrame(rows, columns=TEMPLATE_COLUMNS, dtype=object)
    for column in OPTIONAL_COLUMNS:
        frame[column] = ""
    return frame


def template_csv(example: bool = False) -> str:
    """The blank template (header only) or the filled example, as CSV text."""
    return csv_text(template_frame(example))


def template_xlsx(example: bool = False) -> bytes:
    """The template as an .xlsx workbook (one sheet 'data', plus a 'read me' sheet)."""
    rows: list[list[object]] = [list(EXPORT_COLUMNS)]
    rows += [[_typed(v) for v in row] for row in template_frame(example).itertuples(index=False)]
    notes = [[line] for line in (__doc__ or "").strip().splitlines()]
    return xlsx_bytes({"data": rows, "read me": notes})


def _typed(value: object) -> object:
    """Numbers as numbers in the workbook, so Excel does not flag 'number stored as text'."""
    if isinstance(value, str) and value:
        try:
            number = float(value)
        except ValueError:
            return value
        return int(number) if number.is_integer() else number
    return value or None
