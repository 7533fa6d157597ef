"""Indicator tiles for the Overview page."""

from __future__ import annotations

from dash import html


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
