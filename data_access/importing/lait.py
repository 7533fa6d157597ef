"""DfE LAIT long format (Short Desc, Years, LA and Regions, Values, LA Number, ...).

The mapping says which ``Short Desc`` becomes which Chorus indicator and breakdown cell:
``{"indicators": {"FSP_NEW_GOODDEV": ["gld", "total", "total"], ...}}``; the demo's
``DEMO_LAIT_MAPPING`` is the default. LAIT's "-" (missing or suppressed) is stored as "x".
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import pandas as pd

from data_access.importers.lait import DEMO_LAIT_MAPPING, LAIT_COLUMNS, lait_end_year
from data_access.importing.base import (
    SkipCounter,
    StagedChunk,
    end_of_file,
    formula_problems,
    require_columns,
)
from data_access.importing.distinct import map_distinct
from data_access.importing.safety import FileFacts, read_chunks
from data_access.importing.validation import Reference
from data_access.reference import REGIONS
from rules.areas import ENGLAND

REQUIRED = ["Short Desc", "Years", "LA and Regions", "Values", "LA Number"]
# Areas LAIT publishes that Chorus does not store: skipped quietly, counted.
NOT_STORED = {"inner london", "outer london", "london (inner)", "london (outer)"}
_REGION_CODES = {name.lower(): code for code, name in REGIONS.items()} | {"england": ENGLAND}


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
    by_name = map_distinct(rows["area_name"], lambda v: _REGION_CODES.get(v.lower()))
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
