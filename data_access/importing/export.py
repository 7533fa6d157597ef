"""Export observations to the Chorus template (CSV or XLSX), formula injection neutralised.

The export is the template's columns plus the interval columns, so re-importing an export
changes nothing. Every CSV and XLSX is written by ``rules.files``.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from sqlalchemy.orm import Session

from data_access.importing.safety import neutralise_formula, neutralise_frame
from data_access.importing.template import EXPORT_COLUMNS
from data_access.observations import observations_frame
from rules.files import csv_text, xlsx_bytes

__all__ = ["export_frame", "export_csv", "export_xlsx", "neutralise_formula", "neutralise_frame"]


def export_frame(
    session: Session, indicator: str, area_codes: Sequence[str] | None = None
) -> pd.DataFrame:
    """Every breakdown of ``indicator`` (for ``area_codes``, or all areas) in template columns.

    Columns: indicator, area_code, period, breakdown, breakdown_value, numerator,
    denominator, value, status, lower_ci, upper_ci. Sorted by area, breakdown, period.
    """
    rows = observations_frame(session, indicator, area_codes, breakdown=None)
    out = rows.rename(columns={"period_label": "period"})
    out["status"] = out["status"].map(lambda s: s if isinstance(s, str) and s else None)
    return out[EXPORT_COLUMNS].reset_index(drop=True)


def export_csv(frame: pd.DataFrame) -> str:
    """CSV text with formula-like cells neutralised and floats written exactly."""
    return csv_text(frame)


def export_xlsx(frame: pd.DataFrame) -> bytes:
    return xlsx_bytes({"data": frame})
