"""Accessible HTML tables of observation rows (real <table> markup with a caption)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from dash import html

from components.charts import group_label
from components.formatting import clean_status, short_value

# The class of a numeric cell (td and its column's th): right-aligned with tabular
# figures by one rule in assets/chorus.css.
NUMERIC_CELL = "num"

VERDICT_WORDS = {
    "better": "better (significant)",
    "worse": "worse (significant)",
    "higher": "higher (significant)",
    "lower": "lower (significant)",
    "similar": "similar",
    "not compared": "not compared",
}


def _interval_text(row: Any) -> str:
    lower, upper = row.lower_ci, row.upper_ci
    if pd.isna(lower) or pd.isna(upper):
        return "–"
    return f"{lower:.1f} to {upper:.1f}"


def _count_text(row: Any) -> str:
    numerator, denominator = row.numerator, row.denominator
    if pd.isna(numerator) and pd.isna(denominator):
        return "–"
    top = "c" if pd.isna(numerator) else f"{numerator:,.0f}"
    bottom = "c" if pd.isna(denominator) else f"{denominator:,.0f}"
    return f"{top} of {bottom}"


def _header(text: str) -> html.Th:
    numeric = text in {"Value", "95% interval", "Count"}
    return html.Th(text, scope="col", className=NUMERIC_CELL if numeric else None)


def series_table(series: pd.DataFrame, unit: str, caption: str) -> html.Table:
    """The numbers of a trend chart, one row per series, group and period.

    Takes ``SERIES_COLUMNS`` rows (series_name, breakdown_value, period_label, value,
    lower_ci, upper_ci, numerator, denominator, status, comparison).
    """
    grouped = series["breakdown_value"].nunique() > 1
    headers = ["Area", *(["Group"] if grouped else []), "Period", "Value", "95% interval"]
    headers += ["Count", "Compared with England"]
    body = []
    for row in series.itertuples(index=False):
        comparison = row.comparison if isinstance(row.comparison, str) else ""
        cells = [row.series_name, *([group_label(row.breakdown_value)] if grouped else [])]
        cells += [
            row.period_label,
            short_value(row.value, unit, clean_status(row.status)),
            _interval_text(row),
            _count_text(row),
            VERDICT_WORDS.get(comparison, comparison),
        ]
        numeric = {"Value", "95% interval", "Count"}
        body.append(
            html.Tr(
                [
                    html.Th(cells[0], scope="row"),
                    *[
                        html.Td(c, className=NUMERIC_CELL if h in numeric else None)
                        for h, c in zip(headers[1:], cells[1:], strict=True)
                    ],
                ]
            )
        )
    return html.Table(
        className="table table-sm panel-table",
        children=[
            html.Caption(caption),
            html.Thead(html.Tr([_header(h) for h in headers])),
            html.Tbody(body),
        ],
    )


def groups_table(groups: pd.DataFrame, unit: str, caption: str) -> html.Table:
    """Values of the groups of one breakdown (breakdown_value, value, intervals, counts)."""
    headers = ["Group", "Value", "95% interval", "Count"]
    body = [
        html.Tr(
            [
                html.Th(group_label(row.breakdown_value), scope="row"),
                html.Td(
                    short_value(row.value, unit, clean_status(row.status)),
                    className=NUMERIC_CELL,
                ),
                html.Td(_interval_text(row), className=NUMERIC_CELL),
                html.Td(_count_text(row), className=NUMERIC_CELL),
            ]
        )
        for row in groups.itertuples(index=False)
    ]
    return html.Table(
        className="table table-sm panel-table",
        children=[
            html.Caption(caption),
            html.Thead(html.Tr([_header(h) for h in headers])),
            html.Tbody(body),
        ],
    )
