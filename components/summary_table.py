"""The one-screen summary: a row per key indicator with its verdict, read like LAIT's
benchmarking table or a Fingertips spine chart.

Each verdict is shown by colour, a symbol and a word together, never by colour alone; the
trend arrow carries its meaning in words. The table scrolls inside a focusable region on a
narrow screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dash import dcc, html

from analysis import describe_trend
from analysis.panel_view import PanelView
from analysis.periods import period_text
from analysis.series import period_changes
from analysis.verdicts import TONE_SYMBOLS, Verdict, attention_order, rank_text, verdict_sentence
from components.aria import aria
from components.controls import scroll_region
from components.formatting import format_value

GOOD_DIRECTION = {
    "high_is_good": "Higher is better",
    "low_is_good": "Lower is better",
    "no_judgement": "Neither",
}
THEME_NAMES = {
    "early_years": "Early years",
    "early_help": "Early Help",
    "care_leavers": "Care leavers",
}
THEME_ORDER = list(THEME_NAMES)
SORTS = [
    {"label": "Needs attention first", "value": "attention"},
    {"label": "By service", "value": "theme"},
]


@dataclass(frozen=True)
class SummaryRow:
    """One key indicator's row: texts ready to show, and the verdict that orders it."""

    indicator_id: str
    title: str
    theme: str
    href: str
    value: str
    period: str
    england: str
    region: str
    neighbours: str
    verdict: Verdict | None
    trend_arrow: str
    trend_text: str
    polarity: str
    position: int = 0  # the catalogue order, for a stable sort


def view_figures(view: PanelView) -> dict[str, Any]:
    """What a summary row or a tile reads off a panel view: the series, the area's rows,
    its latest figure (None without one), comparisons, changes, trend and verdict."""
    series = view.series
    area = series[(series["series_key"] == "area")].sort_values("period_start")
    latest = area[area["value"].notna() | area["status"].notna()].tail(1)
    indicator = view.indicator.as_dict()
    return {
        "view": view,
        "series": series,
        "area": area,
        "latest": None if latest.empty else latest.iloc[0],
        "comparisons": view.comparisons,
        "changes": period_changes(series, indicator.get("frequency") or "", indicator["unit"]),
        "trend": view.trend,
        "verdict": view.verdict,
    }


def same_period(data: dict[str, Any], key: str, unit: str) -> str:
    """The comparator's figure for the area's latest period, formatted, or "no figure"."""
    latest = data["latest"]
    if latest is None:
        return "no figure"
    series = data["series"]
    same = series[
        (series["series_key"] == key) & (series["period_start"] == latest["period_start"])
    ]
    if same.empty:
        return "no figure"
    return format_value(same.iloc[0]["value"], unit, same.iloc[0]["status"])


def trend_arrow(data: dict[str, Any], polarity: str, unit: str) -> tuple[str, str]:
    """(arrow, words): the tested recent trend when there is one, else the change since
    the previous period (said to be untested)."""
    trend = data["trend"]
    if trend in ("increasing", "decreasing"):
        return ("↑" if trend == "increasing" else "↓", describe_trend(trend, polarity).capitalize())
    if trend == "no significant change":
        return ("→", "No significant change")
    if not data["changes"]:
        return ("–", "Trend cannot be calculated")
    change = data["changes"][0]
    since = period_text(change["period_label"])
    if round(change["change"], 1) == 0:
        return ("→", f"No change since {since}")
    points = " points" if unit == "percent" else ""
    word = "Up" if change["change"] > 0 else "Down"
    text = f"{word} {abs(change['change']):.1f}{points} since {since}"
    if polarity != "no_judgement":
        good = (change["change"] > 0) == (polarity == "high_is_good")
        text += ", better" if good else ", worse"
    return ("↑" if change["change"] > 0 else "↓", text)


def summary_row(
    indicator: dict[str, Any], data: dict[str, Any], href: str, position: int
) -> SummaryRow:
    """The summary row of one indicator (``indicator`` its catalogue row, ``data`` from
    ``view_figures``)."""
    unit, latest = indicator["unit"], data["latest"]
    arrow, trend_text = trend_arrow(data, indicator["polarity"], unit)
    return SummaryRow(
        indicator_id=indicator["id"],
        title=indicator["short_title"] or indicator["title"],
        theme=indicator["theme"],
        href=href,
        value="no figure"
        if latest is None
        else format_value(latest["value"], unit, latest["status"]),
        period="" if latest is None else period_text(latest["period_label"]),
        england=same_period(data, "england", unit),
        region=same_period(data, "region", unit),
        neighbours=same_period(data, "neighbours", unit),
        verdict=data["verdict"],
        trend_arrow=arrow,
        trend_text=trend_text,
        polarity=indicator["polarity"],
        position=position,
    )


def sort_rows(rows: list[SummaryRow], how: str) -> list[SummaryRow]:
    """``attention``: attention first (``analysis.verdicts.TONES``), then by service;
    ``theme``: by service in the order early years, Early Help, care leavers."""
    theme_key = {t: i for i, t in enumerate(THEME_ORDER)}

    def by_theme(row: SummaryRow) -> tuple[int, int]:
        return (theme_key.get(row.theme, len(THEME_ORDER)), row.position)

    if how == "theme":
        return sorted(rows, key=by_theme)
    return sorted(rows, key=lambda row: (attention_order(row.verdict), *by_theme(row)))


def verdict_badge(verdict: Verdict | None) -> html.Span:
    """The verdict's colour, symbol and word together (the symbol is hidden from screen
    readers: the word says it)."""
    tone = "none" if verdict is None else verdict.tone
    word = "Not compared" if verdict is None else verdict.word
    return html.Span(
        [
            html.Span(TONE_SYMBOLS[tone], className="verdict-symbol", **aria(hidden="true")),
            " ",
            word,
        ],  # fmt: skip
        className=f"verdict-badge verdict-{tone}",
    )


def verdict_line(verdict: Verdict | None) -> html.P:
    """The verdict sentence under a tile's value or a panel's heading."""
    text = "Not compared: no figure to rank" if verdict is None else verdict_sentence(verdict)
    return html.P([verdict_badge(verdict), " ", text], className="verdict-line")


def panel_headline(view: PanelView) -> list[Any]:
    """A panel's verdict headline: the whole-population verdict, a note that a breakdown
    has none of its own, or nothing for an area that is not ranked among authorities
    (England, for the research team)."""
    if view.verdict is not None:
        return [verdict_line(view.verdict)]
    if view.breakdown != "total":
        return [
            html.P(
                "Verdicts compare the whole population: choose Whole population to see it.",
                className="verdict-line",
            )
        ]
    return []


def _row(row: SummaryRow) -> html.Tr:
    rank = None if row.verdict is None else rank_text(row.verdict)
    return html.Tr(
        [
            html.Th(dcc.Link(row.title, href=row.href), scope="row"),
            html.Td(THEME_NAMES.get(row.theme, row.theme)),
            html.Td(row.value, className="num"),
            html.Td(row.period, className="nowrap"),
            html.Td(row.england, className="num"),
            html.Td(row.region, className="num"),
            html.Td(row.neighbours, className="num"),
            html.Td(rank or "Not ranked", className="rank"),
            html.Td(verdict_badge(row.verdict)),
            html.Td(
                [
                    html.Span(row.trend_arrow, className="trend-arrow", **aria(hidden="true")),
                    " ",
                    row.trend_text,
                ]
            ),
            html.Td(GOOD_DIRECTION.get(row.polarity, "")),
        ],
        className=f"summary-row summary-{'none' if row.verdict is None else row.verdict.tone}",
    )


HEADINGS = [
    "Indicator",
    "Service",
    "Value",
    "Period",
    "England",
    "Region",
    "Neighbour mean",
    "Rank and quartile",
    "Verdict",
    "Trend",
    "Good is",
]
NUMERIC = {"Value", "Latest", "England", "Region", "Neighbour mean"}


def summary_table(rows: list[SummaryRow], area_name: str) -> html.Div:
    """The summary table in its focusable scrolling region (rows already sorted)."""
    table = html.Table(
        [
            html.Caption(
                f"Key indicators for {area_name}: the latest figure, how it compares and "
                "how it is changing. Ranks are among English authorities with a figure; "
                "rank 1 is best."
            ),
            html.Thead(
                html.Tr(
                    [
                        html.Th(h, scope="col", className="num" if h in NUMERIC else None)
                        for h in HEADINGS
                    ]
                )
            ),
            html.Tbody([_row(r) for r in rows]),
        ],
        className="summary-table",
        id="overview-summary-table",
    )
    return scroll_region(table, "Key indicators summary", className="summary-table-wrap")


def page_summary(rows: list[SummaryRow], area_name: str, label: str) -> html.Div:
    """The compact summary at the top of a topic page: one row per panel, in the page's
    order, each linking to its panel (``SummaryRow.href`` an in-page anchor), with the
    latest figure, England's, the rank and quartile and the verdict (symbol and word)."""
    body = []
    for row in rows:
        rank = None if row.verdict is None else rank_text(row.verdict)
        latest = row.value if not row.period else f"{row.value} in {row.period}"
        body.append(
            html.Tr(
                [
                    html.Th(html.A(row.title, href=row.href), scope="row"),
                    html.Td(latest, className="num"),
                    html.Td(row.england, className="num"),
                    html.Td(rank or "Not ranked"),
                    html.Td(verdict_badge(row.verdict)),
                ],
                className="summary-row",
            )
        )
    headings = ["Indicator", "Latest", "England", "Rank (1 is best) and quartile", "Verdict"]
    table = html.Table(
        [
            # Read by screen readers; the page's introduction says it on screen.
            html.Caption(
                f"{label} in {area_name} at a glance: the latest figure of each indicator "
                "below and its verdict. Ranks are among English authorities with a figure; "
                "rank 1 is best.",
                className="visually-hidden",
            ),
            html.Thead(
                html.Tr(
                    [
                        html.Th(h, scope="col", className="num" if h in NUMERIC else None)
                        for h in headings
                    ]
                )
            ),
            html.Tbody(body),
        ],
        className="summary-table page-summary-table",
        id="page-summary-table",
    )
    return scroll_region(table, f"{label} summary", className="summary-table-wrap page-summary")


def verdict_key() -> html.P:
    """What the symbols and colours mean, in words."""
    return html.P(
        [
            "Key: ",
            verdict_badge_text("attention", "needs attention (worse, or bottom quartile)"),
            "; ",
            verdict_badge_text("watch", "third quartile"),
            "; ",
            verdict_badge_text("neutral", "similar or middle"),
            "; ",
            verdict_badge_text("good", "better, or top quartile"),
            "; ",
            verdict_badge_text("none", "not compared"),
            ".",
        ],
        className="verdict-key",
    )


def verdict_badge_text(tone: str, words: str) -> html.Span:
    return html.Span(
        [
            html.Span(TONE_SYMBOLS[tone], className="verdict-symbol", **aria(hidden="true")),
            " ",
            words,
        ],  # fmt: skip
        className=f"verdict-badge verdict-{tone}",
    )


__all__ = [
    "SORTS",
    "SummaryRow",
    "page_summary",
    "panel_headline",
    "same_period",
    "sort_rows",
    "summary_row",
    "summary_table",
    "trend_arrow",
    "verdict_badge",
    "verdict_line",
    "view_figures",
]
