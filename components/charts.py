"""Figure builders: DataFrame in, plotly Figure out. No database, no callbacks.

Colours come from the Analysis Function's accessible palette and every series also has
its own marker shape and line dash, so no meaning rests on colour alone.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from components.figure_text import plot_text, plot_texts
from components.formatting import clean_status, format_value, short_value

NAVY, TEAL, PLUM, ORANGE, GREY = "#12436D", "#28A197", "#801650", "#F46A25", "#3D3D3D"
TEXT = "#0b0c0c"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"

# (colour, dash, marker) per comparator key; named authorities cycle through EXTRA_STYLES.
SERIES_STYLES: dict[str, tuple[str, str, str]] = {
    "area": (NAVY, "solid", "circle"),
    "england": (TEAL, "dash", "square"),
    "region": (PLUM, "dot", "diamond"),
    "neighbours": (ORANGE, "dashdot", "triangle-up"),
    "ln": (GREY, "longdash", "x"),
    "gm": (PLUM, "longdashdot", "star"),
}
EXTRA_STYLES: list[tuple[str, str, str]] = [
    (GREY, "dot", "hexagon"),
    (TEAL, "longdash", "cross"),
    (ORANGE, "dot", "pentagon"),
    (PLUM, "dash", "triangle-down"),
]
GROUP_STYLES: list[tuple[str, str, str]] = [
    (NAVY, "solid", "circle"),
    (TEAL, "dash", "square"),
    (PLUM, "dot", "diamond"),
    (ORANGE, "dashdot", "triangle-up"),
    (GREY, "longdash", "x"),
    (NAVY, "dot", "star"),
    (TEAL, "longdashdot", "hexagon"),
    (PLUM, "solid", "cross"),
]

# The one plotly configuration for every chart on screen: no mode bar anywhere (its
# icons are unlabelled for screen readers and each chart has its table and download), no
# logo. Pages pass ``config=GRAPH_CONFIG`` (or ``{**GRAPH_CONFIG, ...}`` for more).
GRAPH_CONFIG: dict[str, object] = {"displayModeBar": False, "displaylogo": False}

UNIT_AXIS_TITLES = {
    "percent": "Per cent",
    "rate_per_10k": "Per 10,000 children",
    "count": "Number",
    "days": "Days",
    "gbp": "£",
    "gbp_per_child": "£ per child",
}


def group_label(value: object) -> str:
    """A breakdown value as people read it ("not_eligible" -> "not eligible")."""
    return str(value).replace("_", " ")


def style_for(key: str, position: int) -> tuple[str, str, str]:
    """Colour, dash and marker of a series (``position`` picks a style for named areas)."""
    return SERIES_STYLES.get(key) or EXTRA_STYLES[position % len(EXTRA_STYLES)]


def _base_layout(unit: str, height: int) -> dict:
    """Layout shared by the charts, as a plain dict (plotly objects are slow to build)."""
    return {
        "height": height,
        "margin": {"l": 60, "r": 20, "t": 20, "b": 80},
        "font": {"family": FONT, "size": 14, "color": TEXT},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.14, "x": 0},
        "hovermode": "closest",
        "dragmode": False,  # the period dropdowns change the range: no drag needed
        "yaxis": {
            "title": {"text": UNIT_AXIS_TITLES.get(unit, "")},
            "gridcolor": "#d9d9d9",
            "zerolinecolor": "#b1b4b6",
            "rangemode": "tozero" if unit in ("count", "gbp", "gbp_per_child") else "normal",
        },
        "xaxis": {"showgrid": False, "linecolor": "#505a5f"},
    }


def _numbers(values: object) -> list[float | None]:
    """Floats for JSON, None for missing (plotly leaves a gap)."""
    return [None if pd.isna(v) else float(v) for v in pd.Series(values, dtype=object)]


def _dates(values: object) -> list[str]:
    return [str(v)[:10] for v in values]  # type: ignore[attr-defined]


def _error_bars(rows: pd.DataFrame) -> dict | None:
    if rows["lower_ci"].isna().all():
        return None
    return {
        "type": "data",
        "symmetric": False,
        "array": _numbers(rows["upper_ci"] - rows["value"]),
        "arrayminus": _numbers(rows["value"] - rows["lower_ci"]),
        "thickness": 1.5,
        "width": 4,
    }


def _hover_text(rows: pd.DataFrame, name: str, unit: str) -> list[str]:
    texts = []
    for row in rows.itertuples(index=False):
        text = f"{name}, {plot_text(row.period_label)}: {short_value(row.value, unit, row.status)}"
        if pd.notna(row.lower_ci):
            text += f" (95% CI {row.lower_ci:.1f} to {row.upper_ci:.1f})"
        texts.append(text)
    return texts


# Series longer than this draw at most MARKERS_ON_LONG_SERIES markers each.
LONG_SERIES = 24
MARKERS_ON_LONG_SERIES = 12


def trend_figure(series: pd.DataFrame, unit: str, height: int = 350) -> dict:
    """Trend chart of the area and its comparators, with 95% intervals as error bars.

    Takes ``SERIES_COLUMNS`` rows (series_key, series_name, breakdown_value, period_label,
    period_start, value, lower_ci, upper_ci, status). The x axis is a date axis of
    period_start, labelled with the period labels. With several breakdown values each
    group of the area is its own line (comparator groups are drawn lighter). Returns a
    plotly figure as a dict.
    """
    layout = _base_layout(unit, height)
    if series.empty:
        return {"data": [], "layout": layout}
    traces = []
    breakdown_view = series["breakdown_value"].nunique() > 1
    named = 0
    groups = list(series["breakdown_value"].drop_duplicates())
    all_periods = series[["period_start", "period_label"]].drop_duplicates("period_start")
    for (key, value), rows in series.groupby(["series_key", "breakdown_value"], sort=False):
        rows = _with_every_period(rows, all_periods)
        if breakdown_view:
            colour, dash, marker = GROUP_STYLES[groups.index(value) % len(GROUP_STYLES)]
            name = plot_text(f"{rows['series_name'].dropna().iloc[0]}: {group_label(value)}")
            if key != "area":
                dash = "dot"
        else:
            colour, dash, marker = style_for(key, named)
            if key not in SERIES_STYLES:
                named += 1
            name = plot_text(rows["series_name"].dropna().iloc[0])
        is_area = key == "area"
        markers: dict[str, object] = {
            "symbol": marker,
            "size": 9 if is_area else 7,
            "color": colour,
        }
        if len(rows) > LONG_SERIES:
            # A long monthly line: a marker on every point would be hundreds of shapes
            # for the browser to draw; the line, its dash and a marker every few points
            # still tell the series apart, and hovering still reads every point.
            markers["maxdisplayed"] = MARKERS_ON_LONG_SERIES
        trace = {
            "type": "scatter",
            "x": _dates(rows["period_start"]),
            "y": _numbers(rows["value"]),
            "name": name,
            "mode": "lines+markers",
            "connectgaps": False,
            "line": {"color": colour, "dash": dash, "width": 3 if is_area else 2},
            "marker": markers,
            "opacity": 1 if is_area or not breakdown_view else 0.6,
            "hovertext": _hover_text(rows, name, unit),
            "hoverinfo": "text",
        }
        if is_area and (bars := _error_bars(rows)):
            trace["error_y"] = bars
        traces.append(trace)
    periods = series.drop_duplicates("period_start").sort_values("period_start")
    ticks = _thin_ticks(periods)
    layout["xaxis"].update(
        {
            "type": "date",
            "tickmode": "array",
            "tickvals": _dates(ticks["period_start"]),
            "ticktext": plot_texts(ticks["period_label"]),
        }
    )
    return {"data": traces, "layout": responsive_layout(layout, periods)}


# Charts narrower than this (a phone, or 400% zoom) get the narrow settings below.
NARROW_CHART_PX = 480
NARROW_TICKS = 4
NARROW_FONT = 12


def responsive_layout(layout: dict, periods: pd.DataFrame | None = None) -> dict:
    """``layout`` made to reflow (WCAG 1.4.10): the legend below the plot at the foot of the
    figure and the margins grown to fit the tick labels (so the two never overlap, however
    the labels wrap or turn), and settings for narrow charts kept in ``layout.meta``.

    ``meta.narrow`` (fewer tick labels, from ``periods``' columns period_start and
    period_label; smaller text so the legend's names fit; slimmer margins) is applied by
    assets/responsive_charts.js when the chart is drawn narrower than ``meta.narrow_px``,
    and ``meta.wide`` puts the same settings back when it widens again. Returns ``layout``.
    """
    # "container": measured from the foot of the whole figure, not as a fraction of the
    # plot's height, which is what let the tick labels run under the legend.
    layout["legend"] = {
        "orientation": "h",
        "yref": "container",
        "y": 0,
        "yanchor": "bottom",
        "x": 0,
        "xanchor": "left",
    }
    layout["xaxis"]["automargin"] = True
    layout["yaxis"]["automargin"] = True
    margin = layout["margin"]
    font_size = layout["font"]["size"]
    narrow: dict[str, object] = {
        "font.size": NARROW_FONT,
        "legend.font.size": NARROW_FONT,
        "margin.l": 44,
        "margin.r": 8,
    }
    wide: dict[str, object] = {
        "font.size": font_size,
        "legend.font.size": font_size,
        "margin.l": margin["l"],
        "margin.r": margin["r"],
    }
    xaxis = layout["xaxis"]
    if periods is not None and not periods.empty and "tickvals" in xaxis:
        few = _thin_ticks(periods, most=NARROW_TICKS)
        narrow["xaxis.tickvals"] = _dates(few["period_start"])
        narrow["xaxis.ticktext"] = plot_texts(few["period_label"])
        wide["xaxis.tickvals"] = xaxis["tickvals"]
        wide["xaxis.ticktext"] = xaxis["ticktext"]
    layout["meta"] = {"narrow_px": NARROW_CHART_PX, "narrow": narrow, "wide": wide}
    return layout


def _with_every_period(rows: pd.DataFrame, periods: pd.DataFrame) -> pd.DataFrame:
    """Rows for every period drawn, NaN where the series has none: a gap, not a bridge."""
    missing = periods[~periods["period_start"].isin(rows["period_start"])]
    if missing.empty:
        return rows.sort_values("period_start")
    filler = missing.assign(
        value=float("nan"), lower_ci=float("nan"), upper_ci=float("nan"), status=None
    )
    return pd.concat([rows, filler], ignore_index=True).sort_values("period_start")


def _thin_ticks(periods: pd.DataFrame, most: int = 12) -> pd.DataFrame:
    """At most ``most`` tick labels, always including the latest period."""
    if len(periods) <= most:
        return periods
    step = -(-len(periods) // most)
    picked = periods.iloc[::-1].iloc[::step].iloc[::-1]
    return picked


def breakdown_figure(groups: pd.DataFrame, unit: str, height: int = 320) -> dict:
    """Horizontal dot chart of the groups of one breakdown with 95% intervals.

    Takes columns breakdown_value, value, lower_ci, upper_ci, status. Suppressed groups
    get no dot; their label says "c" so the gap in the chart is explained.
    """
    labels = [
        plot_text(
            f"{group_label(row.breakdown_value)} ({clean_status(row.status)})"
            if clean_status(row.status)
            else group_label(row.breakdown_value)
        )
        for row in groups.itertuples(index=False)
    ]
    trace = {
        "type": "scatter",
        "x": _numbers(groups["value"]),
        "y": labels,
        "mode": "markers",
        "marker": {"symbol": "diamond", "size": 12, "color": NAVY},
        "hovertext": [
            f"{label}: {short_value(row.value, unit, row.status)}"
            for label, row in zip(labels, groups.itertuples(index=False), strict=True)
        ],
        "hoverinfo": "text",
        "name": "Groups",
        "showlegend": False,
    }
    if bars := _error_bars(groups):
        trace["error_x"] = bars
    layout = _base_layout(unit, height)
    layout["xaxis"] = {
        "title": {"text": UNIT_AXIS_TITLES.get(unit, "")},
        "showgrid": True,
        "gridcolor": "#d9d9d9",
    }
    layout["yaxis"] = {"title": {"text": ""}, "autorange": "reversed", "type": "category"}
    layout["margin"] = {"l": 160, "r": 20, "t": 10, "b": 50}
    return {"data": [trace], "layout": layout}


def sparkline_figure(rows: pd.DataFrame, height: int = 60) -> dict:
    """A tiny line of values over time for a tile (takes period_start, value)."""
    rows = rows.sort_values("period_start")
    return {
        "data": [
            {
                "type": "scatter",
                "x": _dates(rows["period_start"]),
                "y": _numbers(rows["value"]),
                "mode": "lines+markers",
                "line": {"color": NAVY, "width": 2},
                "marker": {"size": 4, "color": NAVY},
                "hoverinfo": "skip",
            }
        ],
        "layout": {
            "height": height,
            "margin": {"l": 2, "r": 2, "t": 4, "b": 4},
            "xaxis": {"visible": False},
            "yaxis": {"visible": False},
            "paper_bgcolor": "rgba(0,0,0,0)",
            "plot_bgcolor": "rgba(0,0,0,0)",
            "showlegend": False,
        },
    }


BAND_COLOURS = {"A": "#12436D", "B": "#4A7BA6", "C": "#A9C4DB", "D": "#E8EEF4"}


NO_FIGURE_GREY = "#F3F2F1"


def choropleth_figure(
    values: pd.DataFrame,
    geojson: str | dict,
    unit: str,
    feature_key: str = "properties.code",
    height: int = 520,
    every_area: pd.DataFrame | None = None,
) -> dict:
    """Map of authorities coloured by value on a sequential navy scale.

    Takes columns area_code, area_name, value, status, band. ``geojson`` may be a URL
    (the browser fetches it once, keeping callback responses small) or a dict. Hover text
    carries the value and quartile band in words. ``every_area`` (columns code, name) adds
    a pale layer beneath of every authority, so a map of a few authorities keeps England
    around them and a hidden or missing figure reads "no figure" instead of a gap.
    """
    shown = values[values["value"].notna()]
    trace = {
        "type": "choropleth",
        "geojson": geojson,
        "featureidkey": feature_key,
        "locations": list(shown["area_code"]),
        "z": _numbers(shown["value"]),
        "colorscale": [[0, "#E8EEF4"], [0.5, "#6A93B8"], [1, NAVY]],
        "marker": {"line": {"color": "#505a5f", "width": 0.4}},
        "colorbar": {"title": {"text": UNIT_AXIS_TITLES.get(unit, "")}, "thickness": 14},
        "hovertext": [
            f"{plot_text(row.area_name)}: {short_value(row.value, unit, row.status)}, "
            f"band {row.band}"
            for row in shown.itertuples(index=False)
        ],
        "hoverinfo": "text",
    }
    layout = {
        "height": height,
        "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
        "font": {"family": FONT, "size": 14, "color": TEXT},
        "dragmode": False,
        "geo": {"fitbounds": "locations", "visible": False},
    }
    data = [trace]
    if every_area is not None:
        data.insert(0, _no_figure_layer(values, every_area, geojson, feature_key))
    return {"data": data, "layout": layout}


def _no_figure_layer(
    values: pd.DataFrame, every_area: pd.DataFrame, geojson: str | dict, feature_key: str
) -> dict:
    """Every authority in pale grey, beneath the coloured ones; hover says why a figure is
    missing (a publisher's or Chorus's symbol, or no figure at all)."""
    status = dict(zip(values["area_code"], values["status"], strict=True))
    return {
        "type": "choropleth",
        "geojson": geojson,
        "featureidkey": feature_key,
        "locations": list(every_area["code"]),
        "z": [0] * len(every_area),
        "colorscale": [[0, NO_FIGURE_GREY], [1, NO_FIGURE_GREY]],
        "showscale": False,
        "marker": {"line": {"color": "#b1b4b6", "width": 0.4}},
        "hovertext": [
            f"{plot_text(name)}: {format_value(None, '', status.get(code))}"
            for code, name in zip(every_area["code"], every_area["name"], strict=True)
        ],
        "hoverinfo": "text",
    }


def series_names(series: pd.DataFrame) -> Sequence[str]:
    """Names of the series in drawing order (for legends read out in captions)."""
    return list(series["series_name"].drop_duplicates())
