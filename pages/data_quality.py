"""Data quality: for an indicator and authority, how complete the series is, who is missing,
what is suppressed, which periods are late or missing, and what was revised recently."""

from __future__ import annotations

from typing import Any

import dash
import pandas as pd
from dash import Input, Output, callback, html

from analysis.periods import period_text
from auth.current import current_record
from auth.permissions import guarded
from components.controls import scroll_region, select
from data_access.db import get_database
from data_access.importing.quality import quality_report
from data_access.observations import indicator_catalogue
from pages._panel_support import disclosure_threshold
from rules.labels import breakdown_name

dash.register_page(
    __name__,
    path="/data-quality",
    name="Data quality",
    title="Data quality - Chorus",
    order=81,
    nav_group="Data",
)


def html_table(frame: pd.DataFrame, caption: str, max_rows: int = 200) -> html.Table:
    """A plain, accessible table (caption, column headers with scope) of the first rows."""
    shown = frame.head(max_rows).astype(object).where(frame.head(max_rows).notna(), "")
    return html.Table(
        className="table table-sm import-table",
        children=[
            html.Caption(caption),
            html.Thead(
                html.Tr([html.Th(str(c).replace("_", " "), scope="col") for c in shown.columns])
            ),
            html.Tbody(
                [
                    html.Tr([html.Td(_cell(c, v)) for c, v in zip(shown.columns, row, strict=True)])
                    for row in shown.itertuples(index=False)
                ]
            ),
        ],
    )


def _cell(column: str, value: Any) -> str:
    """A table cell in words: breakdowns named, whole numbers as whole numbers with
    thousands separators (a count read back from the database is a float)."""
    if column == "breakdown" and isinstance(value, str) and value:
        return breakdown_name(value)
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _table(frame: pd.DataFrame, caption: str, percent: tuple[str, ...] = ()) -> Any:
    if frame.empty:
        return html.P(f"{caption}: nothing to show.", className="quality-empty")
    shown = frame.copy()
    if "period_label" in shown.columns:
        shown["period_label"] = shown["period_label"].map(period_text)
    for column in percent:
        shown[column] = shown[column].map(lambda v: "" if pd.isna(v) else f"{100 * v:.1f}%")
    return scroll_region(html_table(shown, caption), caption)


def layout(**_kwargs: object) -> html.Div:
    user = current_record()
    if user is None:
        return html.Div(html.H1("Data quality"))
    with get_database().read() as session:
        catalogue = indicator_catalogue(session)
    options = [{"label": r.short_title, "value": r.id} for r in catalogue.itertuples()]
    return html.Div(
        className="quality-page",
        children=[
            html.H1("Data quality"),
            html.P(
                f"How complete and how settled the figures for {user.organisation_name} are: "
                "gaps, groups recorded as unknown, suppressed cells, periods that are late "
                "against the indicator's frequency, and figures revised by later imports.",
                className="lead-text",
            ),
            html.Label("Indicator", htmlFor="dq-indicator"),
            select(id="dq-indicator", options=options, value="gld", clearable=False),
            html.Div(id="dq-body"),
        ],
    )


@callback(Output("dq-body", "children"), Input("dq-indicator", "value"))
@guarded("read")
def show_quality(indicator: str | None) -> Any:
    user = current_record()
    if not indicator or user is None:
        return ""
    with get_database().read() as session:
        report = quality_report(
            session, indicator, user.organisation_code, threshold=disclosure_threshold()
        )
    missing = report["missing"]
    late = missing[missing["state"] == "late"] if not missing.empty else missing
    headline = (
        f"The newest expected period ({period_text(late.iloc[0]['period_label'])}) has not "
        "arrived: late."
        if len(late)
        else "No period is late against the indicator's "
        f"{report['frequency'].replace('_', ' ')} frequency."
    )
    return html.Div(
        [
            html.P(headline, className="quality-flag-late" if len(late) else "", role="status"),
            html.Section(
                [
                    html.H2("Completeness over time"),
                    html.P(
                        "Whole-population figure and the breakdown cells present, against the "
                        "cells England has for the same period."
                    ),
                    _table(report["completeness"], "Completeness by period", ("share_present",)),
                ],
                className="import-step",
            ),
            html.Section(
                [
                    html.H2("Who is missing: recorded as unknown"),
                    _table(report["unknown"], "Share recorded as unknown", ("share_unknown",)),
                ],
                className="import-step",
            ),
            html.Section(
                [html.H2("Suppressed cells"), _table(report["suppressed"], "Suppressed cells")],
                className="import-step",
            ),
            html.Section(
                [html.H2("Late or missing periods"), _table(missing, "Late or missing periods")],
                className="import-step",
            ),
            html.Section(
                [html.H2("Recent revisions"), _table(report["revisions"], "Recent revisions")],
                className="import-step",
            ),
        ]
    )
