"""Data quality: for an indicator and authority, how complete the series is, who is missing,
what is suppressed, which periods are late or missing, and what was revised recently."""

from __future__ import annotations

from typing import Any

import dash
import pandas as pd
from dash import Input, Output, callback, dash_table, dcc, html

from auth.current import current_record
from auth.permissions import guarded
from data_access.db import get_database
from data_access.importing.quality import quality_report
from data_access.observations import indicator_catalogue

dash.register_page(
    __name__, path="/data-quality", name="Data quality", title="Data quality - Chorus", order=81
)


def _table(frame: pd.DataFrame, table_id: str, percent: tuple[str, ...] = ()) -> Any:
    if frame.empty:
        return html.P("Nothing to show.", className="quality-empty")
    shown = frame.copy()
    for column in percent:
        shown[column] = shown[column].map(lambda v: "" if pd.isna(v) else f"{100 * v:.1f}%")
    shown = shown.astype(object).where(shown.notna(), "")
    return dash_table.DataTable(
        id=table_id,
        columns=[{"name": c.replace("_", " "), "id": c} for c in shown.columns],
        data=shown.astype(str).to_dict("records"),
        page_size=12,
        style_table={"overflowX": "auto"},
        style_cell={"textAlign": "left", "fontFamily": "inherit"},
        style_header={"fontWeight": "700", "backgroundColor": "#f3f2f1"},
    )


def layout(**_kwargs: object) -> html.Div:
    user = current_record()
    if user is None:
        return html.Div(html.H1("Data quality"))
    with get_database().read() as session:
        catalogue = indicator_catalogue(session)
    options = [
        {"label": f"{r.short_title} ({r.id})", "value": r.id} for r in catalogue.itertuples()
    ]
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
            dcc.Dropdown(id="dq-indicator", options=options, value="gld", clearable=False),
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
        report = quality_report(session, indicator, user.organisation_code)
    missing = report["missing"]
    late = missing[missing["state"] == "late"] if not missing.empty else missing
    headline = (
        f"The newest expected period ({late.iloc[0]['period_label']}) has not arrived: late."
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
                    _table(report["completeness"], "dq-completeness", ("share_present",)),
                ],
                className="import-step",
            ),
            html.Section(
                [
                    html.H2("Who is missing: recorded as unknown"),
                    _table(report["unknown"], "dq-unknown", ("share_unknown",)),
                ],
                className="import-step",
            ),
            html.Section(
                [html.H2("Suppressed cells"), _table(report["suppressed"], "dq-suppressed")],
                className="import-step",
            ),
            html.Section(
                [html.H2("Late or missing periods"), _table(missing, "dq-missing")],
                className="import-step",
            ),
            html.Section(
                [html.H2("Recent revisions"), _table(report["revisions"], "dq-revisions")],
                className="import-step",
            ),
        ]
    )
