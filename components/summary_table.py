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

from analysis.panel_view import PanelView
from analysis.verdicts import TONE_SYMBOLS, Verdict, attention_order, rank_text, verdict_sentence
from components.aria import aria
from components.controls import scroll_region

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
NUMERIC = {"Value", "England", "Region", "Neighbour mean"}


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
    "panel_headline",
    "sort_rows",
    "summary_table",
    "verdict_badge",
    "verdict_line",
]
