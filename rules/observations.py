"""The observation schema: the columns of one published (or locally recorded) figure.

Every importer returns exactly these columns and the database writer consumes them; see
``data_access.importing.canonical`` for what each column holds.
"""

from __future__ import annotations

OBSERVATION_COLUMNS: list[str] = [
    "indicator",
    "area_code",
    "period_label",
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
]

# The figures of a row (NaN when not published).
NUMERIC_COLUMNS: list[str] = ["numerator", "denominator", "value", "lower_ci", "upper_ci"]
