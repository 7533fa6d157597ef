"""Every CSV and XLSX file Chorus writes, written here, with formula-like cells neutralised.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or
carriage return hiding one) as a formula, so a quote or a note typed as
``=HYPERLINK("http://evil", "click")`` would be live when a download is opened. Every
writer of a file that leaves Chorus (pages, the API, the command line) calls
:func:`csv_text` or :func:`xlsx_bytes`; a test scans the code for any other CSV or XLSX
writer.

A plain number written as text ("-5.2", "+3") and LAIT's bare "-" for "not available" are
left alone: a spreadsheet reads them as the number or the symbol they are.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# = or @ (or a tab or carriage return that hides one), or + / - followed by anything that
# is not a plain number.
FORMULA_PATTERN = re.compile(
    r"^(?:[=@\t\r]|[+-](?!\s*$)(?!\s*\d[\d,]*(?:\.\d+)?(?:[eE][+-]?\d+)?\s*$))"
)


def is_formula(value: object) -> bool:
    """True for text a spreadsheet would treat as a formula (``=HYPERLINK(...)``, ``@SUM``)."""
    return isinstance(value, str) and bool(FORMULA_PATTERN.match(value))


def neutralise_cell(value: Any) -> Any:
    """Formula-like text gets a leading single quote; anything else passes through."""
    return "'" + value if is_formula(value) else value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell (and column name) neutralised."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(neutralise_cell)
    out.columns = [neutralise_cell(c) for c in out.columns]
    return out


def csv_text(
    rows: pd.DataFrame | Iterable[Mapping[str, Any]],
    columns: Sequence[str] | None = None,
    *,
    lineterminator: str = "\n",
) -> str:
    """CSV text of a DataFrame or of dict rows (``columns`` in order), neutralised.

    Missing values are empty cells; dict rows may lack columns (empty) but not add any.
    """
    if isinstance(rows, pd.DataFrame):
        frame = rows if columns is None else rows.reindex(columns=list(columns))
        text: str = neutralise_frame(frame).to_csv(index=False, lineterminator=lineterminator)
        return text
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns or []), lineterminator=lineterminator)
    writer.writeheader()
    for row in rows:
        writer.writerow({k: neutralise_cell(v) for k, v in row.items()})
    return buffer.getvalue()


def xlsx_bytes(sheets: Mapping[str, pd.DataFrame | Sequence[Sequence[Any]]]) -> bytes:
    """An .xlsx workbook with one sheet per entry (a DataFrame, or rows of cells).

    A DataFrame's column names become the header row. Text cells are neutralised.
    """
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, content in sheets.items():
        sheet = workbook.create_sheet(name)
        if isinstance(content, pd.DataFrame):
            sheet.append([neutralise_cell(str(c)) for c in content.columns])
            rows: Iterable[Sequence[Any]] = content.itertuples(index=False)
        else:
            rows = content
        for row in rows:
            sheet.append([_excel_value(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _excel_value(value: Any) -> Any:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        return value.item()
    return neutralise_cell(value)
