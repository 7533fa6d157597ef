"""Data for indicator panels and the panels' callbacks, shared by every page that shows one.

Pages call :func:`render_panel` in their layout; the callbacks below keep each panel's
chart, caption, breakdown, table and state in step with its controls (pattern-matching
ids, so one set of callbacks serves every panel on every page).

A panel's rendering depends only on its view (indicator, area, breakdown, comparators,
period range), the disclosure threshold and the data, never on who asks: every logged-in
user may see every published and illustrative observation. So the rendered panel and the
callbacks' outputs are memoised as JSON (``data_access.cache.cached_json``) under the data
version, and a second request for the same view skips the database and pandas entirely.
An import bumps the version, so nothing rendered from old figures is served after it.
"""

from __future__ import annotations

from typing import Any

import dash
import orjson
from dash import MATCH, Input, Output, State, callback, html
from flask import current_app
from plotly.io.json import to_json_plotly

from analysis.series import area_trend, latest_comparisons, latest_counted_point
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
from data_access.cache import cached_json, describe_cache
from data_access.db import get_database
from data_access.users import areas_with_active_users

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
    # One read and one suppression of every area the panel needs, shared by the chart's
    # series and the breakdown summary.
    codes = iq.panel_area_codes(session, area_code, comparators)
    rows = iq.suppressed_rows(session, indicator, codes, threshold, period_from, period_to)
    series = iq.series_frame(
        session,
        indicator,
        area_code,
        breakdown,
        comparators,
        period_from,
        period_to,
        threshold,
        rows=rows,
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
        "comparisons": latest_comparisons(series, indicator["polarity"]),
        "counted_point": latest_counted_point(series),
        "trend": area_trend(series, indicator["polarity"]),
        "breakdown_summary": iq.breakdown_summary(
            session, indicator, area_code, detail, threshold, period_from, period_to, rows=rows
        ),
        "breakdown_options": breakdowns,
        "comparator_options": comparator_options(session, area_code, comparators),
        "period_options": [
            {"label": r.period_label, "start": str(r.period_start), "end": str(r.period_end)}
            for r in periods.itertuples(index=False)
        ],
    }


def as_json_tree(value: Any) -> Any:
    """Dash components, figures and plain values as the JSON tree Dash would send.

    Dash accepts this tree in place of the components (a dict with ``type``, ``namespace``
    and ``props`` is a component to the renderer), so it can be cached and returned.
    """
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
) -> Any:
    """The panel as a JSON component tree (memoised; a notice if the indicator is unknown)."""
    comparators = list(iq.DEFAULT_COMPARATORS if comparators is None else comparators)
    # Everything the rendering depends on, so also the cache key (the data version aside).
    view = (
        panel_id,
        indicator_id,
        area_code,
        breakdown,
        comparators,
        period_from,
        period_to,
        description,
        show_controls,
        disclosure_threshold(),
    )
    with get_database().read() as session:
        return cached_json(
            "panel",
            view,
            lambda: as_json_tree(_render_panel_uncached(session, *view)),
            session=session,
        )


def _render_panel_uncached(
    session,  # type: ignore[no-untyped-def]
    panel_id: str,
    indicator_id: str,
    area_code: str,
    breakdown: str,
    comparators: list[str],
    period_from: str | None,
    period_to: str | None,
    description: str | None,
    show_controls: bool,
    threshold: int,
) -> html.Section:
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
        threshold,
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
    outputs = cached_view_json("panel-update", new_state, tab, _panel_update_outputs)
    if outputs is None:
        raise dash.exceptions.PreventUpdate
    return tuple(outputs)


def cached_view_json(namespace: str, state: dict[str, Any], tab: str | None, build) -> Any:  # type: ignore[no-untyped-def]
    """``build(indicator, area_name, view, state, tab)`` as a JSON tree, memoised under the
    view in ``state``, the tab, the disclosure threshold and the data version (None when
    the indicator or area is unknown)."""
    threshold = disclosure_threshold()
    view_keys = ("indicator", "area_code", "breakdown", "comparators", "period_from", "period_to")
    key = (tab, threshold, *[state.get(k) for k in view_keys])

    def compute() -> Any:
        built = _view_from_state(state)
        if built is None:
            return None
        return as_json_tree(build(*built, state, tab))

    with get_database().read() as session:
        return cached_json(namespace, key, compute, session=session)


def _panel_update_outputs(  # type: ignore[no-untyped-def]
    indicator: dict, area_name: str, view: dict, new_state: dict, tab: str | None
) -> list:
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
    return [
        figure_for(indicator, view),
        caption,
        breakdown_children(indicator, view, with_chart=tab == "breakdown"),
        table_children(indicator, area_name, view) if tab == "table" else TABLE_PLACEHOLDER,
        data,
    ]


@callback(
    Output({"type": "panel-breakdown", "index": MATCH}, "children", allow_duplicate=True),
    Output({"type": "panel-table", "index": MATCH}, "children", allow_duplicate=True),
    Output({"type": "panel-about", "index": MATCH}, "children"),
    Input({"type": "panel-tabs", "index": MATCH}, "value"),
    State({"type": "panel-state", "index": MATCH}, "data"),
    prevent_initial_call=True,
)
@guarded("read")
def draw_opened_tab(tab, state):  # type: ignore[no-untyped-def]
    """Draw the breakdown chart, the table or the notes on the indicator when its tab is
    opened (not before: a page of panels stays light for the browser)."""
    if tab not in ("breakdown", "table", "about") or not state:
        raise dash.exceptions.PreventUpdate
    content = cached_view_json("panel-tab", state, tab, _opened_tab_content)
    if content is None:
        raise dash.exceptions.PreventUpdate
    outputs = {"breakdown": 0, "table": 1, "about": 2}
    return tuple(content if n == outputs[tab] else dash.no_update for n in range(3))


def _opened_tab_content(  # type: ignore[no-untyped-def]
    indicator: dict, area_name: str, view: dict, _state: dict, tab: str | None
) -> Any:
    if tab == "breakdown":
        return breakdown_children(indicator, view, with_chart=True)
    if tab == "about":
        return about_children(indicator)
    return table_children(indicator, area_name, view)


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


def service_page_panels() -> list[tuple[str, str]]:
    """(indicator id, description) of every panel on the registered service pages."""
    panels = []
    for page in dash.page_registry.values():
        module = __import__(page["module"], fromlist=["PANELS"])
        panels.extend(getattr(module, "PANELS", []))
    return panels


def warm_default_views(area_codes: list[str]) -> int:
    """Render the default view of every service-page panel for each area into the cache.

    Run after an import (``flask warm-cache``; ``import-data`` does it itself) so the first
    person to open a page after new figures arrive gets it from the cache too. Needs an
    application context. Returns the number of panels rendered.
    """
    panels = service_page_panels()
    for area_code in area_codes:
        for indicator_id, description in panels:
            render_panel(indicator_id, indicator_id, area_code, description=description)
    return len(area_codes) * len(panels)


def areas_in_use() -> list[str]:
    """Area codes of organisations with an active user (the authorities people look at)."""
    with get_database().read() as session:
        return areas_with_active_users(session)


def warm_maps() -> int:
    """Every indicator's default Explore map (each authority's latest figure, suppressed
    over every breakdown and ranked) into the cache. One map serves every Explore view of
    its indicator, whichever authority is chosen (measured on 2.1 million rows: 60 maps in
    2.7 s, and about 10 ms off each cold view). Needs an application context. Returns the
    number of indicators."""
    threshold = disclosure_threshold()
    with get_database().read() as session:
        options = iq.indicator_options(session)
        for option in options:
            indicator = iq.indicator_record(session, option["value"])
            iq.authority_values(session, indicator, None, threshold)
    return len(options)


def warm_areas_in_use() -> tuple[int, int, int] | None:
    """``warm_default_views`` for every authority in use and ``warm_maps``, after an
    import; returns (panels, authorities, maps), or None when the cache is off (nothing to
    warm)."""
    if describe_cache() == "off":
        return None
    areas = areas_in_use()
    return warm_default_views(areas), len(areas), warm_maps()
