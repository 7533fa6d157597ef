"""Export observations to the Chorus template (CSV or XLSX), formula injection neutralised.

The export is the template's columns plus the interval columns, so re-importing an export
changes nothing. Other modules that write CSV should pass every frame through
``safety.neutralise_frame`` (or single cells through ``neutralise_formula``).
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import pandas as pd
from sqlalchemy.orm import Session

from data_access.importing.safety import neutralise_formula, neutralise_frame
from data_access.importing.template import EXPORT_COLUMNS
from data_access.observations import observations_frame

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
    return neutralise_frame(frame).to_csv(index=False, float_format=None)


def export_xlsx(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    neutralise_frame(frame).to_excel(buffer, index=False, sheet_name="data")
    return buffer.getvalue()
