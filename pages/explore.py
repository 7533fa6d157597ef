"""Explore: any indicator, any authority, chosen comparators and breakdown; a map of all.

The whole view lives in the URL query string (``?indicator=gld&area=E08000004&compare=
england,region,neighbours&breakdown=fsm&from=2018-09-01&to=2025-08-31``), so a view can be
bookmarked or shared and the browser's back button returns to the previous view. Named
authorities and individual statistical neighbours are area codes in ``compare`` (as a
panel's comparators hold them): codes among the area's neighbours show in the "Individual
neighbours" menu, the rest under "Named authorities". One
callback keeps the URL and the controls in step (both directions), which Dash allows
because the circular link is inside a single callback.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlencode

import dash
import pandas as pd
from dash import Input, Output, callback, ctx, dcc, html, no_update

from analysis.panel_view import IndicatorRecord
from auth.current import current_record
from auth.permissions import allowed, guarded
from components.authority_table import TABLE_SECTION_ID, authority_table
from components.charts import GRAPH_CONFIG, choropleth_figure
from components.controls import checkbox_menu, checkboxes, lazy_select, select
from data_access import indicators_query as iq
from data_access import views
from data_access.db import Session, get_database
from pages._panel_support import as_json_tree, disclosure_threshold, render_panel
from rules.labels import breakdown_name

dash.register_page(
    __name__,
    path="/explore",
    name="Explore",
    title="Explore - Chorus",
    order=4,
    nav_group="Indicators",
)

BOUNDARIES_URL = "/api/v1/boundaries/utla.geojson"
DEFAULT_INDICATOR = "gld"
FIXED_OPTIONS = [
    ("england", "England"),
    ("region", "Region"),
    ("neighbours", "Statistical neighbours (mean)"),
    ("ln", "Learning Network"),
    ("gm", "Greater Manchester"),
]
VIEW_KEYS = ("indicator", "area", "compare", "breakdown", "from", "to")


def parse_view(params: dict[str, Any], default_area: str) -> dict[str, Any]:
    """A view from query parameters (strings or lists), with defaults filled in."""

    def first(name: str) -> str | None:
        value = params.get(name)
        if isinstance(value, list):
            value = value[0] if value else None
        return value or None

    compare = first("compare")
    comparators = (
        [c for c in compare.split(",") if c] if compare is not None else iq.DEFAULT_COMPARATORS
    )
    return {
        "indicator": first("indicator") or DEFAULT_INDICATOR,
        "area": first("area") or default_area,
        "compare": list(comparators),
        "breakdown": first("breakdown") or "total",
        "from": first("from"),
        "to": first("to"),
    }


def view_query(view: dict[str, Any]) -> str:
    """The query string (with "?") holding a view; empty values are left out."""
    params = {
        "indicator": view["indicator"],
        "area": view["area"],
        "compare": ",".join(view["compare"]) if view["compare"] else "none",
        "breakdown": view["breakdown"],
        "from": view.get("from") or "",
        "to": view.get("to") or "",
    }
    return "?" + urlencode({k: v for k, v in params.items() if v})


def _view_from_search(search: str | None, default_area: str) -> dict[str, Any]:
    params = parse_qs((search or "").lstrip("?"))
    view = parse_view(params, default_area)
    if view["compare"] == ["none"]:
        view["compare"] = []
    return view


def _default_area() -> str:
    user = current_record()
    return user.organisation_code if user and user.organisation_code.startswith("E") else iq.ENGLAND


def _area_options(las: pd.DataFrame) -> list[dict[str, str]]:
    """England, the regions, then ``las`` (columns code, name from iq.local_authorities)."""
    options = [{"label": "England", "value": iq.ENGLAND}]
    options += [{"label": f"{name} (region)", "value": code} for code, name in iq_regions().items()]
    options += [{"label": r.name, "value": r.code} for r in las.itertuples(index=False)]
    return options


def iq_regions() -> dict[str, str]:
    from data_access.reference import REGIONS

    return REGIONS


def _map_and_rank(
    session: Session,
    indicator: IndicatorRecord,
    area: str,
    period_to: str | None,
    las: pd.DataFrame,
) -> tuple[Any, str, Any]:
    """The map (every authority in ``las`` beneath), the rank sentence and the same
    figures as a sortable table (the map's keyboard and screen-reader equivalent)."""
    request = views.MapRequest.of(
        session, indicator.id, threshold=disclosure_threshold(), period_to=period_to
    )
    values = views.build_map_view(session, request)
    table = authority_table(values, indicator.unit, _own_authority())
    if values.empty:
        figure = choropleth_figure(values, BOUNDARIES_URL, indicator.unit, every_area=las)
        return figure, "No figures to map.", table
    period = values["period_label"].iloc[0]
    own = values[values["area_code"] == area]
    if own.empty or own["rank"].isna().all():
        rank_text = f"Map of {period}. The chosen area is not ranked among authorities."
    else:
        row = own.iloc[0]
        rank_text = (
            f"Map of {period}. {row['area_name']} ranks {int(row['rank'])} of {row['ranked']} "
            f"authorities (quartile band {row['band']})."
        )
    figure = choropleth_figure(values, BOUNDARIES_URL, indicator.unit, every_area=las)
    return figure, rank_text, table


def _own_authority() -> str | None:
    """The signed-in user's authority code (marked in the table), if they belong to one."""
    user = current_record()
    return user.organisation_code if user else None


def _neighbour_codes(options: dict[str, Any]) -> set[str]:
    return {o["value"] for o in options["neighbours"]}


def _controls(view: dict[str, Any], options: dict[str, Any]) -> html.Div:
    neighbours = _neighbour_codes(options)
    fixed = [c for c in view["compare"] if c in dict(FIXED_OPTIONS)]
    chosen = [c for c in view["compare"] if c in neighbours]
    named = [c for c in view["compare"] if c not in dict(FIXED_OPTIONS) and c not in neighbours]
    return html.Div(
        className="explore-controls",
        children=[
            _labelled("Indicator", "explore-indicator", options["indicators"], view["indicator"]),
            _labelled("Area", "explore-area", options["areas"], view["area"], searchable=True),
            html.Fieldset(
                className="panel-control panel-comparators",
                children=[
                    html.Legend("Compare with"),
                    checkboxes(
                        "explore-compare",
                        [{"label": label, "value": key} for key, label in FIXED_OPTIONS],
                        fixed,
                        legend="",
                        inline=True,
                        bare=True,
                    ),
                ],
            ),
            _neighbour_picker(options["neighbours"], chosen),
            _labelled(
                "Named authorities",
                "explore-named",
                options["las"],
                named,
                multi=True,
                searchable=True,
            ),
            _labelled("Breakdown", "explore-breakdown", options["breakdowns"], view["breakdown"]),
            _labelled("From", "explore-from", options["from"], view["from"], clearable=True),
            _labelled("To", "explore-to", options["to"], view["to"], clearable=True),
        ],
    )


def _neighbour_picker(options: list[dict[str, str]], chosen: list[str]) -> Any:
    """The area's statistical neighbours, each named, to draw beside their mean (folded
    away, as on a panel); a hidden empty control where the area has no neighbours."""
    if not options:
        return dcc.Input(id="explore-neighbours", type="hidden", value="")
    return checkbox_menu(
        "explore-neighbours",
        options,
        chosen,
        legend="Individual neighbours",
        className="panel-control panel-neighbours",
    )


def _area_neighbours(area: str) -> list[dict[str, str]]:
    """The area's statistical neighbours by name (the view service's options)."""
    with get_database().read() as session:
        return views.neighbour_options(session, area)


def _labelled(
    label: str,
    id_: str,
    options: list,
    value: object,
    *,
    multi: bool = False,
    searchable: bool = False,
    clearable: bool = False,
) -> html.Label | html.Div:
    if multi:
        return html.Div(
            className="panel-control",
            children=checkbox_menu(id_, options, value, legend=label),
        )
    control, lazy = (lazy_select if searchable or clearable else _eager)(  # long lists wait
        id_,
        options,
        value,
        clearable=clearable,
        placeholder="All" if label in ("From", "To") else "Choose",
        className="panel-dropdown",
    )
    title = html.Span(label, className="panel-control-label")
    return html.Label(className="panel-control", children=[title, control], **lazy)


def _eager(*args: Any, **kwargs: Any) -> tuple[Any, dict[str, str]]:
    return select(*args, **kwargs), {}


def _options(session: Session, view: dict[str, Any], las: pd.DataFrame) -> dict[str, Any]:
    periods = iq.indicator_periods(session, view["indicator"], view["area"])
    breakdowns = iq.available_breakdowns(session, view["indicator"], view["area"])
    return {
        "indicators": iq.indicator_options(session),
        "areas": _area_options(las),
        "las": [{"label": r.name, "value": r.code} for r in las.itertuples(index=False)],
        "neighbours": views.neighbour_options(session, view["area"]),
        "breakdowns": [{"label": breakdown_name(b), "value": b} for b in breakdowns],
        "from": [
            {"label": r.period_label, "value": str(r.period_start)}
            for r in periods.itertuples(index=False)
        ],
        "to": [
            {"label": r.period_label, "value": str(r.period_end)}
            for r in periods.itertuples(index=False)
        ],
    }


def _render(view: dict[str, Any]) -> tuple[Any, Any, str, Any, dict[str, Any]]:
    """Panel, map, rank sentence, table of every authority and control options for
    ``view`` (normalised in place: an unknown indicator or area falls back to the defaults,
    an unknown breakdown to the total). The panel and the map come from the view service,
    which caches them."""
    with get_database().read() as session:
        indicator = views.indicator_record(session, view["indicator"])
        if indicator is None or views.area_record(session, view["area"]) is None:
            view.update(indicator=DEFAULT_INDICATOR, area=_default_area())
            indicator = views.indicator_record(session, DEFAULT_INDICATOR)
        assert indicator is not None  # the catalogue always holds the default indicator
        # One read of the authorities for the area list, the comparator list and the map.
        las = iq.local_authorities(session)
        options = _options(session, view, las)
        figure, rank_text, table = _map_and_rank(
            session, indicator, view["area"], view.get("to"), las
        )
    if view["breakdown"] not in [o["value"] for o in options["breakdowns"]]:
        view["breakdown"] = "total"
    panel = render_panel(
        "explore",
        view["indicator"],
        view["area"],
        breakdown=view["breakdown"],
        comparators=view["compare"],
        period_from=view.get("from"),
        period_to=view.get("to"),
        show_controls=False,
    )
    return panel, as_json_tree(figure), rank_text, table, options


def layout(**kwargs: Any) -> html.Div:
    view = parse_view(kwargs, _default_area())
    if view["compare"] == ["none"]:
        view["compare"] = []
    panel, figure, rank_text, table, options = _render(view)
    return html.Div(
        className="explore-page",
        children=[
            dcc.Location(id="explore-url", refresh=False),
            html.H1("Explore indicators"),
            html.P(
                "Choose any indicator, authority, comparators and breakdown. The address bar "
                "holds the whole view: bookmark or share it, and use the back button to "
                "return to the previous view.",
                className="lead-text",
            ),
            html.Div(id="explore-controls", children=_controls(view, options)),
            *_session_link(view),
            html.Div(id="explore-panel", children=panel),
            html.Section(
                className="explore-map",
                children=[
                    html.H2("All authorities"),
                    html.P(rank_text, id="explore-rank"),
                    # Before the map, so keyboard and screen-reader users can skip it.
                    html.A(
                        "Show as a table",
                        href=f"#{TABLE_SECTION_ID}-heading",
                        id="explore-table-link",
                        className="explore-table-link",
                    ),
                    html.Div(
                        tabIndex="0",
                        role="group",
                        className="panel-graph-wrap",
                        **{"aria-label": "Map of all local authorities"},
                        children=dcc.Graph(
                            id="explore-map",
                            figure=figure,
                            config={
                                **GRAPH_CONFIG,
                                "scrollZoom": False,
                                # No CDN: an empty local base map; the boundaries are ours.
                                "topojsonURL": "/assets/maps/",
                            },
                        ),
                    ),
                    html.Div(table, id="explore-table"),
                ],
            ),
        ],
    )


def session_capture_href(search: str | None) -> str:
    """The session builder with this view captured (Learning Network sessions)."""
    return "/sessions?" + urlencode({"capture": search or ""})


def _session_link(view: dict[str, Any]) -> list:
    # Only facilitators build sessions; the link follows the view (callback below).
    if not allowed(current_record(), "session.facilitate"):
        return []
    return [
        dcc.Link(
            "Use in a Learning Network session",
            id="explore-ln-link",
            href=session_capture_href(view_query(view)),
            className="explore-ln-link",
        )
    ]


@callback(
    Output("explore-ln-link", "href"),
    Input("explore-url", "search"),
    prevent_initial_call=True,
)
@guarded(None, reason="turns the address already in the browser into a link; reads no data")
def update_session_link(search: str | None) -> str:
    """Keep the session link holding the view shown."""
    return session_capture_href(search)


def _view_from_controls(
    indicator: str | None,
    area: str | None,
    fixed: list[str] | None,
    named: list[str] | None,
    neighbours: list[str] | None,
    breakdown: str | None,
    period_from: str | None,
    period_to: str | None,
) -> dict[str, Any]:
    """The view the controls show; ``neighbours`` must already be the area's own."""
    compare = [*(fixed or []), *(named or []), *(neighbours or [])]
    return {
        "indicator": indicator or DEFAULT_INDICATOR,
        "area": area or _default_area(),
        "compare": list(dict.fromkeys(compare)),
        "breakdown": breakdown or "total",
        "from": period_from or None,
        "to": period_to or None,
    }


@callback(
    Output("explore-url", "search"),
    Output("explore-controls", "children"),
    Output("explore-panel", "children"),
    Output("explore-map", "figure"),
    Output("explore-rank", "children"),
    Output("explore-table", "children"),
    Input("explore-url", "search"),
    Input("explore-indicator", "value"),
    Input("explore-area", "value"),
    Input("explore-compare", "value"),
    Input("explore-named", "value"),
    Input("explore-neighbours", "value"),
    Input("explore-breakdown", "value"),
    Input("explore-from", "value"),
    Input("explore-to", "value"),
    prevent_initial_call=True,
)
@guarded("read")
def sync_explore(
    search: str | None,
    indicator: str | None,
    area: str | None,
    fixed: list[str] | None,
    named: list[str] | None,
    neighbours: list[str] | str | None,
    breakdown: str | None,
    period_from: str | None,
    period_to: str | None,
) -> tuple[Any, ...]:
    """Keep URL and controls in step and redraw the panel and the map.

    A change of control writes the URL (a new history entry); a change of URL (back
    button, pasted link) rebuilds the controls from it.
    """
    if ctx.triggered_id == "explore-url":
        view = _view_from_search(search, _default_area())
        new_search = no_update
        rebuild_controls = True
    else:
        # Only the area's own neighbours are drawn as individual neighbours (the hidden
        # control of an area without neighbours holds ""; another area's are dropped).
        own = {o["value"] for o in _area_neighbours(area or _default_area())}
        chosen = [c for c in neighbours or [] if c in own] if isinstance(neighbours, list) else []
        view = _view_from_controls(
            indicator, area, fixed, named, chosen, breakdown, period_from, period_to
        )
        if ctx.triggered_id in ("explore-indicator", "explore-area"):
            # Periods and breakdowns differ between indicators and areas: start afresh.
            view.update({"from": None, "to": None, "breakdown": "total"})
        new_search = view_query(view)
        rebuild_controls = ctx.triggered_id in ("explore-indicator", "explore-area")
        if new_search == search:
            raise dash.exceptions.PreventUpdate
    panel, figure, rank_text, table, options = _render(view)
    controls = _controls(view, options) if rebuild_controls else no_update
    return new_search, controls, panel, figure, rank_text, table
