"""The Import page's mapping logic: the first mapping suggested for a newly uploaded file,
the rows of its breakdown table, and the mapping the page's two tables describe.

``sample`` is the first rows of the upload as read (its own columns, as text).
"""

from __future__ import annotations

import pandas as pd

from data_access.importing import ees_generic, lait
from data_access.importing.canonical import BREAKDOWNS

MAX_BREAKDOWN_COMBINATIONS = 200
SKIP = "(skip these rows)"
# What a breakdown table row may be matched to: skipped, or one of Chorus's breakdowns.
BREAKDOWN_CHOICES = [SKIP, *sorted(BREAKDOWNS)]


def default_mapping(fmt: str, sample: pd.DataFrame) -> dict | None:
    """A first mapping for a newly uploaded file (EES: suggested from its columns)."""
    if fmt == "ees":
        return ees_generic.suggest_mapping(sample)
    if fmt == "lait":
        return lait.default_mapping()
    if fmt == "fingertips" and "Indicator ID" in sample.columns:
        ids = sorted(sample["Indicator ID"].dropna().astype(str).unique())
        return {"format": "fingertips", "indicators": {i: "" for i in ids}}
    return None


def breakdown_rows(sample: pd.DataFrame, suggestion: dict) -> list[dict]:
    columns = suggestion.get("breakdown_columns") or []
    if not columns:
        return []
    combos = (
        sample[columns].fillna("").astype(str).drop_duplicates().head(MAX_BREAKDOWN_COMBINATIONS)
    )
    values = suggestion.get("breakdown_values", {})
    rows = []
    for combo in combos.itertuples(index=False):
        key = ees_generic.SEPARATOR.join(combo)
        cell = values.get(key)
        rows.append(
            {
                "combination": key,
                "breakdown": cell[0] if cell else SKIP,
                "value": cell[1] if cell else "",
            }
        )
    return rows


def mapping_from_tables(
    current: dict, indicator_rows: list[dict], breakdown_rows: list[dict]
) -> dict:
    """The EES mapping the tables describe (filters and other keys kept from ``current``)."""
    indicators = []
    for row in indicator_rows or []:
        spec = {
            k: row.get(k) for k in ("indicator", "value", "numerator", "denominator") if row.get(k)
        }
        if spec.get("indicator"):
            indicators.append(spec)
    values = {
        row["combination"]: [row["breakdown"], (row.get("value") or "").strip() or "total"]
        for row in breakdown_rows or []
        if row.get("breakdown") and row["breakdown"] != SKIP
    }
    mapping = {k: v for k, v in current.items() if k not in ("measure_columns", "filter_columns")}
    mapping.update({"format": "ees", "indicators": indicators, "breakdown_values": values})
    mapping.setdefault("filters", {})
    return mapping
