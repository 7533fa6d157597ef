"""Overview: this month's key figures for the user's organisation, and what changed."""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, callback, html

from analysis.panel_view import PanelView
from auth.current import current_record
from auth.permissions import guarded
from components.controls import select
from components.formatting import format_value, short_value
from components.summary_table import (
    SORTS,
    SummaryRow,
    same_period,
    sort_rows,
    summary_row,
    summary_table,
    trend_arrow,
    verdict_key,
    verdict_line,
    view_figures,
)
from components.tiles import indicator_tile, tile_details, what_changed_list
from data_access import views
from data_access.db import get_database
from pages._ln_action_callbacks import overview_actions_section
from pages._panel_support import disclosure_threshold
from rules.areas import ENGLAND

dash.register_page(__name__, path="/", name="Overview", title="Overview - Chorus", order=0)

# Key indicators of the three services, with the page that shows each in full.
KEY_INDICATORS: list[tuple[str, str]] = [
    ("gld", "/early-years"),
    ("two_year_takeup", "/early-years"),
    ("family_hub_reach_0_4", "/early-years"),
    ("slc_waiting_18wk", "/early-years"),
    ("eh_closed_needs_met", "/early-help"),
    ("eh_assessments_timely", "/early-help"),
    ("cin_rereferral", "/early-help"),
    ("care_leavers_eet_19_21", "/care-leavers"),
    ("care_leavers_accommodation_19_21", "/care-leavers"),
    ("pathway_plan_timely", "/care-leavers"),
]
TILE_COMPARATORS = ["england", "region", "neighbours"]


def _change_text(change: dict[str, Any], unit: str) -> str:
    points = "points" if unit == "percent" else ""
    text = (
        f"{change['change']:+.1f} {points} since {change['period_label']} "
        f"({change['against']})".replace("  ", " ")
    )
    if change["lower_ci"] is None:
        return text + ", no interval"
    return text + (", significant" if change["significant"] else ", not significant")


def _tile_data(session, indicator_id: str, area_code: str, threshold: int) -> dict[str, Any] | None:  # type: ignore[no-untyped-def]
    """The view service's panel view of one key indicator, with what the tile and the
    summary row read off it (``components.summary_table.view_figures``)."""
    request = views.ViewRequest.of(
        session, indicator_id, area_code, threshold=threshold, comparators=TILE_COMPARATORS
    )
    try:
        view: PanelView = views.build_panel_view(session, request)
    except views.UnknownView:
        return None
    return view_figures(view)


def _tile(indicator: dict, data: dict[str, Any], href: str) -> html.Section:
    unit = indicator["unit"]
    latest = data["latest"]
    if latest is None:
        value_text, period = "no figure", ""
    else:
        value_text = format_value(latest["value"], unit, latest["status"])
        period = latest["period_label"]
    # Chips only for tested comparisons: an untested one has the rank verdict instead.
    chips = [
        (c["verdict"], c["name"]) for c in data["comparisons"] if c["verdict"] != "not compared"
    ]
    arrow, trend_text = trend_arrow(data, indicator["polarity"], unit)
    return indicator_tile(
        title=indicator["short_title"],
        value_text=value_text,
        period_label=period,
        england_text=same_period(data, "england", unit),
        illustrative=bool(indicator.get("illustrative")),
        extra=[
            verdict_line(data["verdict"]),
            *tile_details(
                change_texts=[_change_text(c, unit) for c in data["changes"]],
                chips=chips,
                trend_text=f"{arrow} {trend_text}",
                sparkline=data["area"][["period_start", "value"]].dropna().tail(24),
                href=href,
                link_text=f"More on {indicator['short_title']}",
            ),
        ],
    )


def what_changed(tiles: list[tuple[dict, dict[str, Any]]]) -> list[dict[str, Any]]:
    """Changes since the previous period in words, most significant first.

    Order: significant changes (interval excludes 0) first, then changes without an
    interval, then changes that are not significant; within each, the larger relative
    change first.
    """
    items = []
    for indicator, data in tiles:
        for change in data["changes"][:1]:
            unit = indicator["unit"]
            direction = "rose" if change["change"] > 0 else "fell"
            if change["change"] == 0:
                direction = "did not change"
            latest = data["latest"]
            text = (
                f"{indicator['short_title']} {direction} from "
                f"{short_value(change['earlier_value'], unit)} in {change['period_label']} to "
                f"{short_value(latest['value'], unit)} in {latest['period_label']}"
            )
            if change["lower_ci"] is None:
                text += " (no interval: not tested)."
                rank = 1
            elif change["significant"]:
                text += (
                    f", a significant change (95% interval {change['lower_ci']:+.1f} to "
                    f"{change['upper_ci']:+.1f} points)."
                )
                rank = 0
            else:
                text += ", which is within the range of chance (not significant)."
                rank = 2
            size = abs(change["change"]) / max(abs(change["earlier_value"]), 1e-9)
            items.append({"text": text, "rank": rank, "size": size})
    items.sort(key=lambda item: (item["rank"], -item["size"]))
    return items


def _overview_data(user) -> tuple[str, list[tuple[dict, dict[str, Any]]]]:  # type: ignore[no-untyped-def]
    """The area's name and each key indicator's (catalogue row, tile data)."""
    area_code = user.organisation_code
    threshold = disclosure_threshold()
    tiles: list[tuple[dict, dict[str, Any]]] = []
    with get_database().read() as session:
        area = views.area_record(session, area_code)
        if area is None:  # the research team: show England
            area_code, area = ENGLAND, views.area_record(session, ENGLAND)
        for indicator_id, _href in KEY_INDICATORS:
            data = _tile_data(session, indicator_id, area_code, threshold)
            if data is not None:
                tiles.append((data["view"].indicator.as_dict(), data))
    return (area.name if area else ""), tiles


def _summary_rows(tiles: list[tuple[dict, dict[str, Any]]]) -> list[SummaryRow]:
    hrefs = dict(KEY_INDICATORS)
    return [summary_row(ind, data, hrefs[ind["id"]], i) for i, (ind, data) in enumerate(tiles)]


def layout(**_kwargs: object) -> html.Div:
    user = current_record()
    if user is None:
        return html.Div(html.H1("Overview"))
    area_name, tiles = _overview_data(user)
    hrefs = dict(KEY_INDICATORS)
    cards = [_tile(ind, data, hrefs[ind["id"]]) for ind, data in tiles]
    return html.Div(
        [
            html.H1(f"Overview: {user.organisation_name}"),
            html.P(
                f"The latest figure for each key indicator in {area_name}, how it compares "
                "with England, the region and statistical neighbours, and how it is "
                "changing. Figures with counts are tested for significance; figures "
                "published as percentages only are ranked among authorities instead.",
                className="lead-text",
            ),
            html.Div(
                [
                    html.Label("Order the table", htmlFor="overview-sort"),
                    select("overview-sort", SORTS, "attention"),
                ],
                className="overview-sort",
            ),
            verdict_key(),
            html.Div(
                summary_table(sort_rows(_summary_rows(tiles), "attention"), area_name),
                id="overview-summary",
            ),
            overview_actions_section(),
            what_changed_list(what_changed(tiles)),
            html.Div(cards, className="tile-grid"),
        ]
    )


@callback(Output("overview-summary", "children"), Input("overview-sort", "value"))
@guarded("read")
def sort_summary(how: str | None) -> Any:
    """Re-order the summary table (the views are cached, so this is a cheap re-read)."""
    user = current_record()
    if user is None:
        return dash.no_update
    area_name, tiles = _overview_data(user)
    return summary_table(sort_rows(_summary_rows(tiles), how or "attention"), area_name)


__all__ = ["layout", "sort_summary", "summary_row", "trend_arrow", "what_changed"]
