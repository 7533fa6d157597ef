"""Indicator tiles for the Overview page, and the plain-English "what changed" list."""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from components.charts import sparkline_figure

CHIP_WORDS = {
    "better": "better than",
    "worse": "worse than",
    "higher": "higher than",
    "lower": "lower than",
    "similar": "similar to",
    "not compared": "not compared with",
}


def comparison_chip(verdict: str, benchmark_name: str) -> html.Li:
    """A chip whose words carry the verdict (the border style repeats it, never colour alone)."""
    css = "chip chip-" + verdict.replace(" ", "-")
    return html.Li(f"{CHIP_WORDS.get(verdict, verdict)} {benchmark_name}", className=css)


def indicator_tile(
    *,
    title: str,
    value_text: str,
    period_label: str,
    england_text: str,
    illustrative: bool = False,
    extra: list | None = None,
) -> html.Section:
    """One tile: the area's latest value, its period and England's value for that period."""
    heading_children: list = [title]
    if illustrative:
        heading_children.append(html.Span("illustrative", className="badge-illustrative"))
    return html.Section(
        className="indicator-tile",
        children=[
            html.H2(heading_children, className="tile-title"),
            html.P(value_text, className="tile-value"),
            html.P(period_label, className="tile-period"),
            html.P(f"England: {england_text}", className="tile-england"),
            *(extra or []),
        ],
    )


def tile_details(
    *,
    change_texts: list[str],
    chips: list[tuple[str, str]],
    trend_text: str,
    sparkline: Any | None,
    href: str | None,
    link_text: str,
) -> list:
    """The extra rows of an Overview tile: changes, comparison chips, trend, sparkline, link.

    ``chips`` are (verdict, benchmark name); ``sparkline`` is a DataFrame with
    period_start and value, or None.
    """
    children: list = [html.P(text, className="tile-change") for text in change_texts]
    if chips:
        children.append(
            html.Ul([comparison_chip(v, name) for v, name in chips], className="tile-chips")
        )
    children.append(html.P(f"Recent trend: {trend_text}", className="tile-trend"))
    if sparkline is not None and len(sparkline) > 1:
        children.append(
            html.Div(
                dcc.Graph(
                    figure=sparkline_figure(sparkline),
                    config={"staticPlot": True, "displayModeBar": False},
                    style={"height": "60px"},
                ),
                className="tile-sparkline",
                **{"aria-hidden": "true"},
            )
        )
    if href:
        children.append(dcc.Link(link_text, href=href, className="tile-link"))
    return children


def what_changed_list(items: list[dict[str, Any]]) -> html.Section:
    """The "what changed" list: items with ``text``, already ordered by significance."""
    return html.Section(
        className="what-changed",
        children=[
            html.H2("What changed"),
            html.Ol([html.Li(item["text"]) for item in items])
            if items
            else html.P("No changes to report."),
        ],
    )
