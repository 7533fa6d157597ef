"""Data for indicator panels and the panels' callbacks, shared by every page that shows one.

Pages call :func:`render_panel` in their layout; the callbacks below keep each panel's
chart, caption, breakdown, table and state in step with its controls (pattern-matching
ids, so one set of callbacks serves every panel on every page).
"""

from __future__ import annotations

from typing import Any

import dash
from dash import MATCH, Input, Output, State, callback, html
from flask import current_app

from auth.permissions import guarded
from components.downloads import csv_download, download_filename, series_csv_frame
from components.panel import (
    TABLE_PLACEHOLDER,
    TABS,
    about_children,
    breakdown_children,
    figure_for,
    indicator_panel,
    panel_caption,
    panel_state,
    symbol_notes,
    table_children,
)
from data_access import indicators_query as iq
from data_access.db import get_database

PREFERRED_BREAKDOWNS = ("fsm", "ethnicity", "sex", "sen", "imd_quintile", "age_band")


def disclosure_threshold() -> int:
    """The disclosure threshold setting of the running app."""
    return int(current_app.extensions["chorus_settings"].disclosure_threshold)


def comparator_options(session, area_code: str, chosen: list[str]) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    """Checklist options: the fixed benchmarks and any named authority already chosen."""
    keys = [*iq.FIXED_COMPARATORS, *[c for c in chosen if c not in iq.FIXED_COMPARATORS]]
    names = iq.comparator_names(session, area_code, keys)
    return [{"label": names[k], "value": k} for k in keys]


def build_view(
    session,  # type: ignore[no-untyped-def]
    indicator: dict[str, Any],
    area_code: str,
    breakdown: str,
    comparators: list[str],
    period_from: str | None,
    period_to: str | None,
    threshold: int,
) -> dict[str, Any]:
    """Everything a panel shows, suppressed (see ``components.panel`` for the keys)."""
    breakdowns = iq.available_breakdowns(session, indicator["id"], area_code)
    if breakdown not in breakdowns:
        breakdown = "total"
    series = iq.series_frame(
        session, indicator, area_code, breakdown, comparators, period_from, period_to, threshold
    )
    detail = breakdown
    if detail == "total":
        detail = next((b for b in PREFERRED_BREAKDOWNS if b in breakdowns), None) or next(
            (b for b in breakdowns if b != "total"), "total"
        )
    periods = iq.indicator_periods(session, indicator["id"], area_code)
    return {
        "series": series,
        "breakdown": breakdown,
        "comparisons": iq.latest_comparisons(series, indicator["polarity"]),
        "counted_point": iq.latest_counted_point(series),
        "trend": iq.area_trend(series, indicator["polarity"]),
        "breakdown_summary": iq.breakdown_summary(
            session, indicator, area_code, detail, threshold, period_from, period_to
        ),
        "breakdown_options": breakdowns,
        "comparator_options": comparator_options(session, area_code, comparators),
        "period_options": [
            {"label": r.period_label, "start": str(r.period_start), "end": str(r.period_end)}
            for r in periods.itertuples(index=False)
        ],
    }


def render_panel(
    panel_id: str,
    indicator_id: str,
    area_code: str,
    *,
    breakdown: str = "total",
    comparators: list[str] | None = None,
    period_from: str | None = None,
    period_to: str | None = None,
    description: str | None = None,
    show_controls: bool = True,
) -> html.Section:
    """Read the data for one panel and build it (a notice if the indicator is unknown)."""
    comparators = list(iq.DEFAULT_COMPARATORS if comparators is None else comparators)
    with get_database().read() as session:
        indicator = iq.indicator_record(session, indicator_id)
        area = iq.area_record(session, area_code)
        if indicator is None or area is None:
            return html.Section(html.P(f"Unknown indicator or area: {indicator_id}, {area_code}"))
        view = build_view(
            session,
            indicator,
            area_code,
            breakdown,
            comparators,
            period_from,
            period_to,
            disclosure_threshold(),
        )
    return indicator_panel(
        panel_id,
        indicator,
        area_code,
        area["name"],
        view["breakdown"],
        comparators,
        period_from,
        period_to,
        view=view,
        description=description,
        show_controls=show_controls,
    )


def _view_from_state(state: dict[str, Any]) -> tuple[dict, str, dict] | None:
    with get_database().read() as session:
        indicator = iq.indicator_record(session, state["indicator"])
        area = iq.area_record(session, state["area_code"])
        if indicator is None or area is None:
            return None
        view = build_view(
            session,
            indicator,
            state["area_code"],
            state.get("breakdown") or "total",
            list(state.get("comparators") or []),
            state.get("period_from"),
            state.get("period_to"),
            disclosure_threshold(),
        )
    return indicator, area["name"], view


@callback(
    Output({"type": "panel-graph", "index": MATCH}, "figure"),
    Output({"type": "panel-caption", "index": MATCH}, "children"),
    Output({"type": "panel-breakdown", "index": MATCH}, "children"),
    Output({"type": "panel-table", "index": MATCH}, "children"),
    Output({"type": "panel-state", "index": MATCH}, "data"),
    Input({"type": "panel-comparators", "index": MATCH}, "value"),
    Input({"type": "panel-breakdown-choice", "index": MATCH}, "value"),
    Input({"type": "panel-from", "index": MATCH}, "value"),
    Input({"type": "panel-to", "index": MATCH}, "value"),
    State({"type": "panel-state", "index": MATCH}, "data"),
    State({"type": "panel-tabs", "index": MATCH}, "value"),
    prevent_initial_call=True,
)
@guarded("read")
def update_panel(comparators, breakdown, period_from, period_to, state, tab):  # type: ignore[no-untyped-def]
    """Redraw a panel when its comparators, breakdown or period range change."""
    if not state:
        raise dash.exceptions.PreventUpdate
    new_state = {
        **state,
        "comparators": list(comparators or []),
        "breakdown": breakdown or "total",
        "period_from": period_from or None,
        "period_to": period_to or None,
    }
    built = _view_from_state(new_state)
    if built is None:
        raise dash.exceptions.PreventUpdate
    indicator, area_name, view = built
    caption = panel_caption(indicator, area_name, view) + symbol_notes(view["series"])
    data = panel_state(
        indicator["id"],
        new_state["area_code"],
        view["breakdown"],
        new_state["comparators"],
        new_state["period_from"],
        new_state["period_to"],
        view["series"],
    )
    return (
        figure_for(indicator, view),
        caption,
        breakdown_children(indicator, view, with_chart=tab == "breakdown"),
        table_children(indicator, area_name, view) if tab == "table" else TABLE_PLACEHOLDER,
        data,
    )


@callback(
    Output({"type": "panel-breakdown", "index": MATCH}, "children", allow_duplicate=True),
    Output({"type": "panel-table", "index": MATCH}, "children", allow_duplicate=True),
    Input({"type": "panel-tabs", "index": MATCH}, "value"),
    State({"type": "panel-state", "index": MATCH}, "data"),
    prevent_initial_call=True,
)
@guarded("read")
def draw_opened_tab(tab, state):  # type: ignore[no-untyped-def]
    """Draw the breakdown chart or the table when its tab is opened (not before)."""
    if tab not in ("breakdown", "table") or not state:
        raise dash.exceptions.PreventUpdate
    built = _view_from_state(state)
    if built is None:
        raise dash.exceptions.PreventUpdate
    indicator, area_name, view = built
    if tab == "breakdown":
        return breakdown_children(indicator, view, with_chart=True), dash.no_update
    return dash.no_update, table_children(indicator, area_name, view)


@callback(
    Output({"type": "panel-tab-chart", "index": MATCH}, "hidden"),
    Output({"type": "panel-tab-breakdown", "index": MATCH}, "hidden"),
    Output({"type": "panel-tab-table", "index": MATCH}, "hidden"),
    Output({"type": "panel-tab-about", "index": MATCH}, "hidden"),
    Input({"type": "panel-tabs", "index": MATCH}, "value"),
    prevent_initial_call=True,
)
@guarded(None, reason="shows one tab of a panel; reads and writes no data")
def switch_panel_tab(tab):  # type: ignore[no-untyped-def]
    """Show the chosen tab's content and hide the others (all stay in the page)."""
    return tuple(tab != value for value, _label in TABS)


@callback(
    Output({"type": "panel-download", "index": MATCH}, "data"),
    Input({"type": "panel-download-button", "index": MATCH}, "n_clicks"),
    State({"type": "panel-state", "index": MATCH}, "data"),
    prevent_initial_call=True,
)
@guarded("data.export")
def download_panel_csv(n_clicks, state):  # type: ignore[no-untyped-def]
    """CSV of exactly the rows in the panel's table (suppression applied, symbols kept)."""
    if not n_clicks or not state:
        raise dash.exceptions.PreventUpdate
    built = _view_from_state(state)
    if built is None:
        raise dash.exceptions.PreventUpdate
    indicator, area_name, view = built
    frame = series_csv_frame(view["series"], indicator["id"])
    return csv_download(frame, download_filename(indicator["id"], area_name, view["breakdown"]))


__all__ = ["about_children", "build_view", "disclosure_threshold", "render_panel"]


def page_area(query_area: object = None) -> tuple[str, str]:
    """The area a service page shows: ``?area=`` if valid, else the user's authority,
    else England (the research team has no area of its own). Returns (code, name)."""
    from auth.current import current_record

    user = current_record()
    candidates = [query_area, user.organisation_code if user else None, iq.ENGLAND]
    with get_database().read() as session:
        for code in candidates:
            if isinstance(code, str) and code:
                area = iq.area_record(session, code)
                if area is not None:
                    return area["code"], area["name"]
    return iq.ENGLAND, "England"


def service_page(
    heading: str, intro: str, panels: list[tuple[str, str]], query_area: object = None
) -> html.Div:
    """A service page: an h1, a short introduction and one panel per (indicator, why)."""
    area_code, area_name = page_area(query_area)
    return html.Div(
        className="service-page",
        children=[
            html.H1(f"{heading}: {area_name}"),
            html.P(intro, className="lead-text"),
            *[
                render_panel(indicator_id, indicator_id, area_code, description=why)
                for indicator_id, why in panels
            ],
        ],
    )
