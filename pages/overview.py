"""Overview: this month's key figures for the user's organisation, and what changed."""

from __future__ import annotations

from typing import Any

import dash
from dash import html

from analysis import describe_trend
from analysis.series import area_trend, latest_comparisons, period_changes
from auth.current import current_record
from components.formatting import format_value, short_value
from components.tiles import indicator_tile, tile_details, what_changed_list
from data_access import indicators_query as iq
from data_access.db import get_database
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
TILE_COMPARATORS = ["england", "neighbours"]


def _change_text(change: dict[str, Any], unit: str) -> str:
    points = "points" if unit == "percent" else ""
    text = (
        f"{change['change']:+.1f} {points} since {change['period_label']} "
        f"({change['against']})".replace("  ", " ")
    )
    if change["lower_ci"] is None:
        return text + ", no interval"
    return text + (", significant" if change["significant"] else ", not significant")


def _tile_data(session, indicator: dict, area_code: str, threshold: int) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    series = iq.series_frame(
        session, indicator, area_code, "total", TILE_COMPARATORS, threshold=threshold
    )
    area = series[(series["series_key"] == "area")].sort_values("period_start")
    latest = area[area["value"].notna() | area["status"].notna()].tail(1)
    england = series[series["series_key"] == "england"]
    return {
        "series": series,
        "area": area,
        "latest": None if latest.empty else latest.iloc[0],
        "england": england,
        "comparisons": latest_comparisons(series, indicator["polarity"]),
        "changes": period_changes(series, indicator.get("frequency") or "", indicator["unit"]),
        "trend": area_trend(series, indicator["polarity"]),
    }


def _tile(indicator: dict, data: dict[str, Any], href: str) -> html.Section:
    unit = indicator["unit"]
    latest = data["latest"]
    if latest is None:
        value_text, period, england_text = "no figure", "", "no figure"
    else:
        value_text = format_value(latest["value"], unit, latest["status"])
        period = latest["period_label"]
        same = data["england"][data["england"]["period_start"] == latest["period_start"]]
        england_text = (
            format_value(same.iloc[0]["value"], unit, same.iloc[0]["status"])
            if len(same)
            else "no figure"
        )
    chips = [(c["verdict"], c["name"]) for c in data["comparisons"]]
    return indicator_tile(
        title=indicator["short_title"],
        value_text=value_text,
        period_label=period,
        england_text=england_text,
        illustrative=bool(indicator.get("illustrative")),
        extra=tile_details(
            change_texts=[_change_text(c, unit) for c in data["changes"]],
            chips=chips,
            trend_text=describe_trend(data["trend"], indicator["polarity"]),
            sparkline=data["area"][["period_start", "value"]].dropna().tail(24),
            href=href,
            link_text=f"More on {indicator['short_title']}",
        ),
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


def layout(**_kwargs: object) -> html.Div:
    user = current_record()
    if user is None:
        return html.Div(html.H1("Overview"))
    area_code = user.organisation_code
    threshold = disclosure_threshold()
    tiles: list[tuple[dict, dict[str, Any]]] = []
    with get_database().read() as session:
        area = iq.area_record(session, area_code)
        if area is None:  # the research team: show England
            area_code, area = ENGLAND, iq.area_record(session, ENGLAND)
        for indicator_id, _href in KEY_INDICATORS:
            indicator = iq.indicator_record(session, indicator_id)
            if indicator is not None:
                tiles.append((indicator, _tile_data(session, indicator, area_code, threshold)))
    hrefs = dict(KEY_INDICATORS)
    cards = [_tile(ind, data, hrefs[ind["id"]]) for ind, data in tiles]
    return html.Div(
        [
            html.H1(f"Overview: {user.organisation_name}"),
            html.P(
                f"The latest figure for each key indicator in {area['name'] if area else ''}, "
                "the change since the previous period, and how it compares with England and "
                "statistical neighbours. Verdicts need counts: figures published as "
                "percentages only are not compared.",
                className="lead-text",
            ),
            what_changed_list(what_changed(tiles)),
            html.Div(cards, className="tile-grid"),
        ]
    )


__all__ = ["layout", "what_changed"]
