"""Indicator panels for every page that shows one, and the panels' callbacks.

Pages call :func:`render_panel` in their layout; the callbacks below keep each panel's
chart, caption, breakdown, table and state in step with its controls (pattern-matching
ids, so one set of callbacks serves every panel on every page).

A panel's figures come from the view service (``data_access.views.build_panel_view``),
which caches the built view under its ``ViewRequest`` (indicator, area, breakdown,
comparators, period range, disclosure threshold and data version). Drawing the view is
done here on each request: it depends only on the view, never on who asks.
"""

from __future__ import annotations

from typing import Any

import dash
import orjson
from dash import MATCH, Input, Output, State, html
from flask import current_app
from plotly.io.json import to_json_plotly

from analysis.panel_view import PanelView
from auth.permissions import guarded
from components.callbacks import CallbackSet
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
from components.summary_table import page_summary, panel_headline, summary_row, view_figures
from components.tabs import register_tabs
from data_access import views
from data_access.db import get_database
from data_access.indicators_query import DEFAULT_COMPARATORS, ENGLAND

# The panel's callbacks, registered on the app by the app factory.
panel_callbacks = CallbackSet("panel")


def disclosure_threshold() -> int:
    """The disclosure threshold setting of the running app."""
    return int(current_app.extensions["chorus_settings"].disclosure_threshold)


def panel_view(
    indicator_id: str,
    area_code: str,
    *,
    breakdown: str | None = "total",
    comparators: list[str] | None = None,
    period_from: object | None = None,
    period_to: object | None = None,
) -> PanelView | None:
    """The view service's ``PanelView`` at this app's disclosure threshold, or None when
    the indicator or the area is unknown."""
    with get_database().read() as session:
        request = views.ViewRequest.of(
            session,
            indicator_id,
            area_code,
            threshold=disclosure_threshold(),
            breakdown=breakdown,
            comparators=comparators,
            period_from=period_from,
            period_to=period_to,
        )
        try:
            return views.build_panel_view(session, request)
        except views.UnknownView:
            return None


def as_json_tree(value: Any) -> Any:
    """Dash components, figures and plain values as the JSON tree Dash would send."""
    return orjson.loads(to_json_plotly(value))


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
    view: PanelView | None = None,
) -> Any:
    """The panel as a JSON component tree (a notice if the indicator or area is unknown).

    ``view`` is the panel's view when the caller has built it already (a topic page
    summarises its panels' views first); else it is built here."""
    comparators = list(DEFAULT_COMPARATORS if comparators is None else comparators)
    view = view or panel_view(
        indicator_id,
        area_code,
        breakdown=breakdown,
        comparators=comparators,
        period_from=period_from,
        period_to=period_to,
    )
    if view is None:
        return as_json_tree(
            html.Section(html.P(f"Unknown indicator or area: {indicator_id}, {area_code}"))
        )
    return as_json_tree(
        indicator_panel(
            panel_id,
            view.indicator,
            area_code,
            view.area.name,
            view.breakdown,
            comparators,
            period_from,
            period_to,
            view=view,
            description=description,
            show_controls=show_controls,
        )
    )


def _view_from_state(state: dict[str, Any]) -> PanelView | None:
    return panel_view(
        state["indicator"],
        state["area_code"],
        breakdown=state.get("breakdown") or "total",
        comparators=list(state.get("comparators") or []),
        period_from=state.get("period_from"),
        period_to=state.get("period_to"),
    )


@panel_callbacks.callback(
    Output({"type": "panel-graph", "index": MATCH}, "figure"),
    Output({"type": "panel-caption", "index": MATCH}, "children"),
    Output({"type": "panel-breakdown", "index": MATCH}, "children"),
    Output({"type": "panel-table", "index": MATCH}, "children"),
    Output({"type": "panel-state", "index": MATCH}, "data"),
    Output({"type": "panel-verdict", "index": MATCH}, "children"),
    Input({"type": "panel-comparators", "index": MATCH}, "value"),
    Input({"type": "panel-breakdown-choice", "index": MATCH}, "value"),
    Input({"type": "panel-from", "index": MATCH}, "value"),
    Input({"type": "panel-to", "index": MATCH}, "value"),
    Input({"type": "panel-neighbour-choice", "index": MATCH}, "value"),
    State({"type": "panel-state", "index": MATCH}, "data"),
    State({"type": "panel-tabs", "index": MATCH}, "data"),
    prevent_initial_call=True,
)
@guarded("read")
def update_panel(
    comparators: list[str] | None,
    breakdown: str | None,
    period_from: str | None,
    period_to: str | None,
    neighbours: list[str] | None,
    state: dict[str, Any] | None,
    tab: str | None,
) -> tuple[Any, ...]:
    """Redraw a panel when its comparators, individual neighbours, breakdown or period
    range change."""
    if not state:
        raise dash.exceptions.PreventUpdate
    chosen = [*(comparators or []), *[n for n in neighbours or [] if n not in (comparators or [])]]
    new_state = {
        **state,
        "comparators": chosen,
        "breakdown": breakdown or "total",
        "period_from": period_from or None,
        "period_to": period_to or None,
    }
    view = _view_from_state(new_state)
    if view is None:
        raise dash.exceptions.PreventUpdate
    return tuple(_panel_update_outputs(view, new_state, tab))


def _panel_update_outputs(view: PanelView, new_state: dict[str, Any], tab: str | None) -> list[Any]:
    indicator, area_name = view.indicator, view.area.name
    caption = panel_caption(indicator, area_name, view) + symbol_notes(view.series)
    data = panel_state(
        indicator.id,
        new_state["area_code"],
        view.breakdown,
        new_state["comparators"],
        new_state["period_from"],
        new_state["period_to"],
        view.series,
    )
    return [
        figure_for(indicator, view),
        caption,
        breakdown_children(indicator, view, with_chart=tab == "breakdown"),
        table_children(indicator, area_name, view) if tab == "table" else TABLE_PLACEHOLDER,
        data,
        panel_headline(view),
    ]


@panel_callbacks.callback(
    Output({"type": "panel-breakdown", "index": MATCH}, "children", allow_duplicate=True),
    Output({"type": "panel-table", "index": MATCH}, "children", allow_duplicate=True),
    Output({"type": "panel-about", "index": MATCH}, "children"),
    Input({"type": "panel-tabs", "index": MATCH}, "data"),
    State({"type": "panel-state", "index": MATCH}, "data"),
    prevent_initial_call=True,
)
@guarded("read")
def draw_opened_tab(tab: str | None, state: dict[str, Any] | None) -> tuple[Any, ...]:
    """Draw the breakdown chart, the table or the notes on the indicator when its tab is
    opened (not before: a page of panels stays light for the browser)."""
    if tab not in ("breakdown", "table", "about") or not state:
        raise dash.exceptions.PreventUpdate
    view = _view_from_state(state)
    if view is None:
        raise dash.exceptions.PreventUpdate
    content = _opened_tab_content(view, tab)
    outputs = {"breakdown": 0, "table": 1, "about": 2}
    return tuple(content if n == outputs[tab] else dash.no_update for n in range(3))


def _opened_tab_content(view: PanelView, tab: str | None) -> Any:
    if tab == "breakdown":
        return breakdown_children(view.indicator, view, with_chart=True)
    if tab == "about":
        return about_children(view.indicator)
    return table_children(view.indicator, view.area.name, view)


# Choosing a tab is done in the browser (assets/tabs.js): no request, reads no data.
register_tabs(
    "panel",
    "panel-tabs",
    [f"panel-tab-{value}" for value, _label in TABS],
    callbacks=panel_callbacks,
)


@panel_callbacks.callback(
    Output({"type": "panel-download", "index": MATCH}, "data"),
    Input({"type": "panel-download-button", "index": MATCH}, "n_clicks"),
    State({"type": "panel-state", "index": MATCH}, "data"),
    prevent_initial_call=True,
)
@guarded("data.export")
def download_panel_csv(n_clicks: int | None, state: dict[str, Any] | None) -> dict[str, Any]:
    """CSV of exactly the rows in the panel's table (suppression applied, symbols kept)."""
    if not n_clicks or not state:
        raise dash.exceptions.PreventUpdate
    view = _view_from_state(state)
    if view is None:
        raise dash.exceptions.PreventUpdate
    frame = series_csv_frame(view.series, view.indicator.id)
    return csv_download(frame, download_filename(view.indicator.id, view.area.name, view.breakdown))


__all__ = ["about_children", "disclosure_threshold", "panel_view", "render_panel"]


def page_area(query_area: object = None) -> tuple[str, str]:
    """The area a service page shows: ``?area=`` if valid, else the user's authority,
    else England (the research team has no area of its own). Returns (code, name)."""
    from auth.current import current_record

    user = current_record()
    candidates = [query_area, user.organisation_code if user else None, ENGLAND]
    with get_database().read() as session:
        for code in candidates:
            if isinstance(code, str) and code:
                area = views.area_record(session, code)
                if area is not None:
                    return area.code, area.name
    return ENGLAND, "England"


def service_page(
    heading: str, intro: str, panels: list[tuple[str, str]], query_area: object = None
) -> html.Div:
    """A service page: an h1, a short introduction, a summary of its indicators with their
    verdicts (each row a link to its panel), then one panel per (indicator, why)."""
    area_code, area_name = page_area(query_area)
    built = [
        (indicator_id, why, panel_view(indicator_id, area_code)) for indicator_id, why in panels
    ]
    rows = [
        summary_row(view.indicator.as_dict(), view_figures(view), f"#panel-{indicator_id}", n)
        for n, (indicator_id, _why, view) in enumerate(built)
        if view is not None
    ]
    return html.Div(
        className="service-page",
        children=[
            html.H1(f"{heading}: {area_name}"),
            html.P(intro, className="lead-text"),
            page_summary(rows, area_name, heading),
            *[
                render_panel(indicator_id, indicator_id, area_code, description=why, view=view)
                for indicator_id, why, view in built
            ],
        ],
    )


def warm_areas_in_use() -> tuple[int, int, int] | None:
    """The view service's ``warm_areas_in_use`` at this app's disclosure threshold."""
    with get_database().read() as session:
        return views.warm_areas_in_use(session, disclosure_threshold())
