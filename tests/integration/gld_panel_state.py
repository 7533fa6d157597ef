"""The state Store of Oldham's GLD panel, as the browser sends it to the note callbacks.

A module with a unique name, so the callback tests can share it.
"""

from __future__ import annotations

PERIODS = [
    {"label": "2022/23", "start": "2022-09-01", "end": "2023-08-31"},
    {"label": "2023/24", "start": "2023-09-01", "end": "2024-08-31"},
    {"label": "2024/25", "start": "2024-09-01", "end": "2025-08-31"},
]
STATE = {
    "indicator": "gld",
    "area_code": "E08000004",
    "breakdown": "total",
    "comparators": ["E92000001"],
    "period_from": None,
    "period_to": None,
    "periods": PERIODS,
    "x_axis": "date",
}
PANEL = "gld"
