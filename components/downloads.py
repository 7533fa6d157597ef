"""CSV of exactly what a panel shows: same rows, same rounding, symbols kept."""

from __future__ import annotations

import re

import pandas as pd

from components.formatting import clean_status
from rules.files import csv_text as rules_csv_text

# The table/CSV columns; the same names as /api/v1/observations, plus ``series``.
CSV_COLUMNS = [
    "series",
    "indicator",
    "area_code",
    "period",
    "period_start",
    "period_end",
    "breakdown",
    "breakdown_value",
    "numerator",
    "denominator",
    "value",
    "lower_ci",
    "upper_ci",
    "status",
    "england_value",
    "comparison_england",
]


def series_csv_frame(series: pd.DataFrame, indicator_id: str) -> pd.DataFrame:
    """``SERIES_COLUMNS`` rows as the CSV columns (values rounded to 1 decimal place)."""
    out = pd.DataFrame(
        {
            "series": series["series_name"],
            "indicator": indicator_id,
            "area_code": series["area_code"],
            "period": series["period_label"],
            "period_start": series["period_start"].astype(str),
            "period_end": series["period_end"].astype(str),
            "breakdown": series["breakdown"],
            "breakdown_value": series["breakdown_value"],
            "numerator": pd.to_numeric(series["numerator"], errors="coerce").astype("Int64"),
            "denominator": pd.to_numeric(series["denominator"], errors="coerce").astype("Int64"),
            "value": pd.to_numeric(series["value"], errors="coerce").round(1),
            "lower_ci": pd.to_numeric(series["lower_ci"], errors="coerce").round(1),
            "upper_ci": pd.to_numeric(series["upper_ci"], errors="coerce").round(1),
            "status": [clean_status(v) for v in series["status"]],
            "england_value": pd.to_numeric(series["england_value"], errors="coerce").round(1),
            "comparison_england": series["comparison"].where(series["comparison"].notna(), None),
        }
    )
    return out[CSV_COLUMNS].reset_index(drop=True)


def csv_text(frame: pd.DataFrame) -> str:
    """CSV text with empty cells for missing values and Unix line ends."""
    return rules_csv_text(frame)


def download_filename(indicator_id: str, area_name: str, breakdown: str) -> str:
    """A safe file name such as ``gld_oldham_total.csv``."""
    slug = re.sub(r"[^a-z0-9]+", "_", area_name.lower()).strip("_")
    return f"{indicator_id}_{slug}_{breakdown}.csv"


def csv_download(frame: pd.DataFrame, filename: str) -> dict[str, object]:
    """The ``data`` of a dcc.Download for a CSV."""
    return {"content": csv_text(frame), "filename": filename, "type": "text/csv", "base64": False}
