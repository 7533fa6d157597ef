"""Voice UI: quote cards, theme tags, provenance, highlighted personal details, coverage.

Quote texts are user text: they are always passed to Dash as plain strings (which React
escapes) and flagged segments as ``html.Mark`` children; never as HTML or Markdown.
Components receive plain data (dicts and DataFrames); they never query the database.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

from components.figure_text import plot_text, plot_texts
from rules.consent import RESTRICTED_SCOPE
from rules.labels import CONSENT_SCOPE_LABELS

SCOPE_TEXT = CONSENT_SCOPE_LABELS
METHOD_TEXT = {
    "survey": "survey",
    "focus_group": "focus group",
    "interview": "interview",
    "participation_group": "participation group",
    "feedback_form": "feedback form",
    "app_statement": "app statement",
    "complaint_compliment": "complaint or compliment",
}
STATUS_TEXT = {"pending": "Pending approval", "approved": "Approved", "withdrawn": "Withdrawn"}
# Colour never carries meaning alone: each series also has its own marker symbol.
PALETTE = ["#12436D", "#28A197", "#801650", "#F46A25", "#3D3D3D", "#A285D1"]
SYMBOLS = ["circle", "square", "diamond", "triangle-up", "x", "star"]


def _day(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return "not recorded"
    if isinstance(value, datetime | date | pd.Timestamp):
        return value.strftime("%d %b %Y").lstrip("0")
    return str(value)


def highlighted_text(segments: Sequence[tuple[str, bool]]) -> list:
    """Children for a text with flagged segments marked (from highlight_spans)."""
    return [
        html.Mark(text, className="voice-flag", title="Possible personal detail")
        if flagged
        else text
        for text, flagged in segments
    ]


def theme_tags(labels: Sequence[str]) -> html.Ul:
    """Theme labels as a list of tags."""
    return html.Ul(
        [html.Li(label, className="voice-tag") for label in labels],
        className="voice-tags",
        **{"aria-label": "Themes"},
    )


def provenance_details(item: dict, indicator_titles: dict[str, str] | None = None) -> html.Details:
    """Where a quote came from and what its consent allows, in a collapsible block."""
    titles = indicator_titles or {}
    linked = [titles.get(i, i) for i in item.get("indicators") or []]
    rows = [
        ("Area", item.get("area_name") or item.get("area_code")),
        ("Service", str(item.get("service", "")).replace("_", " ")),
        ("Method", METHOD_TEXT.get(item.get("method"), item.get("method"))),
        ("Collected", _day(item.get("collected_on"))),
        ("Consent", SCOPE_TEXT.get(item.get("consent_scope"), item.get("consent_scope"))),
        ("Consent given", _day(item.get("consent_date"))),
        ("Review by", _day(item.get("review_date"))),
        ("Status", STATUS_TEXT.get(item.get("moderation_status"), "")),
        ("Linked indicators", ", ".join(linked) or "none"),
        (
            "Entered by",
            item.get("entered_by_name")
            or ("demo data" if item.get("illustrative") else "an import"),
        ),
        ("Reference", f"voice item {item.get('id')}"),
    ]
    children: list = []
    for label, value in rows:
        children += [html.Dt(label), html.Dd(str(value))]
    return html.Details(
        [html.Summary("Provenance and consent"), html.Dl(children, className="voice-prov")],
        className="voice-details",
    )


def quote_card(
    item: dict,
    *,
    segments: Sequence[tuple[str, bool]] | None = None,
    indicator_titles: dict[str, str] | None = None,
    actions: list | None = None,
    show_provenance: bool = True,
) -> html.Article:
    """One quote: its text, coarse attribution, badges, theme tags and provenance.

    Takes a voice row as a dict (VOICE_COLUMNS). ``segments`` (from highlight_spans) marks
    suspected personal details; ``actions`` adds buttons (moderation).
    """
    text_children = highlighted_text(segments) if segments else [item.get("text") or ""]
    badges = []
    if item.get("illustrative"):
        badges.append(html.Span("illustrative", className="badge-illustrative"))
    if item.get("past_review"):
        badges.append(html.Span("past its review date", className="voice-badge voice-review"))
    if item.get("moderation_status") == "pending":
        badges.append(html.Span("pending approval", className="voice-badge voice-pending"))
    if item.get("consent_scope") == RESTRICTED_SCOPE:
        badges.append(
            html.Span(CONSENT_SCOPE_LABELS[RESTRICTED_SCOPE].lower(), className="voice-badge")
        )
    children: list = [
        html.Blockquote(html.P(text_children), className="voice-quote"),
        html.P(
            [html.Span(item.get("attribution") or "", className="voice-attribution"), *badges],
            className="voice-meta",
        ),
        theme_tags(item.get("theme_labels") or []),
    ]
    if show_provenance:
        children.append(provenance_details(item, indicator_titles))
    if actions:
        children.append(html.Div(actions, className="voice-actions"))
    return html.Article(children, className="voice-card", id=f"voice-item-{item.get('id')}")


def library_href(indicator: str | None = None, area: str | None = None) -> str:
    """The Voice library's address filtered to an indicator (and area)."""
    query = {k: v for k, v in (("indicator", indicator), ("area", area)) if v}
    return "/voice" + (f"?{urlencode(query)}" if query else "")


def voice_beside_indicator(
    items: Sequence[dict],
    *,
    indicator_title: str,
    library_href: str,
    total: int | None = None,
    limit: int = 3,
    heading: str | None = None,
) -> html.Section:
    """The "What people say" block for an indicator panel: newest quotes and a library link.

    The panel supplies its own "What people say" heading; pass ``heading`` to add one.
    """
    shown = list(items)[:limit]
    if not shown:
        body: list = [
            html.P(
                f"No quotes you can see are linked to {indicator_title} yet.",
                className="voice-empty",
            )
        ]
    else:
        body = [quote_card(item, show_provenance=False) for item in shown]
    count = len(items) if total is None else total
    link_text = (
        f"See all {count} quotes in the Voice library" if count else "Open the Voice library"
    )
    return html.Section(
        [
            *([html.H3(heading, className="voice-slot-title")] if heading else []),
            *body,
            dcc.Link(link_text, href=library_href, className="voice-more"),
        ],
        className="voice-beside",
        **{"aria-label": f"What people say about {indicator_title}"},
    )


def findings_panel(segments: Sequence[tuple[str, bool]], summary: str) -> html.Div:
    """The checked text with suspected personal details marked, and a summary line."""
    flagged = any(flag for _, flag in segments)
    return html.Div(
        [
            html.P(
                (
                    f"Possible personal details: {summary}. They are marked below."
                    if flagged
                    else "No personal details found."
                ),
                className="voice-check-summary " + ("voice-check-bad" if flagged else ""),
                role="status",
            ),
            html.P(highlighted_text(segments), className="voice-check-text") if flagged else None,
        ],
        className="voice-check",
    )


def theme_counts_figure(counts: pd.DataFrame, top: int = 6) -> go.Figure:
    """Quotes per theme per year as lines with markers.

    Takes columns year, theme_label, items; shows the ``top`` most frequent themes.
    """
    figure = go.Figure()
    if counts.empty:
        figure.add_annotation(text="No quotes match", showarrow=False, x=0.5, y=0.5)
        figure.update_xaxes(visible=False)
        figure.update_yaxes(visible=False)
    else:
        order = counts.groupby("theme_label")["items"].sum().sort_values(ascending=False)
        for index, label in enumerate(order.index[:top]):
            rows = counts[counts["theme_label"] == label].sort_values("year")
            figure.add_trace(
                go.Scatter(
                    x=rows["year"].astype(str),
                    y=rows["items"],
                    name=plot_text(label),
                    mode="lines+markers",
                    line={"color": PALETTE[index % len(PALETTE)], "width": 2},
                    marker={"symbol": SYMBOLS[index % len(SYMBOLS)], "size": 9},
                    hovertemplate="%{x}: %{y} quotes<extra>" + plot_text(label) + "</extra>",
                )
            )
        figure.update_xaxes(title_text="Year collected", type="category")
        figure.update_yaxes(title_text="Quotes", rangemode="tozero")
    figure.update_layout(
        margin={"l": 50, "r": 10, "t": 10, "b": 40},
        height=320,
        legend={"orientation": "h", "y": -0.25},
        font={"color": "#0b0c0c"},
        plot_bgcolor="#fff",
        paper_bgcolor="#fff",
    )
    return figure


def _pct(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.0f}%"


def coverage_table(coverage: pd.DataFrame, dimension_label: str) -> html.Table:
    """Voice coverage as a table with a plain-words verdict per group.

    Takes analysis.voice_coverage output (group, voice_count, voice_share, population_share,
    representation_ratio, under_represented, suppressed).
    """
    header = html.Thead(
        html.Tr(
            [
                html.Th(dimension_label, scope="col"),
                html.Th("Quotes", scope="col"),
                html.Th("Share of quotes", scope="col"),
                html.Th("Share of people served", scope="col"),
                html.Th("Heard", scope="col"),
            ]
        )
    )
    body = []
    has_population = coverage["population_share"].notna().any() if len(coverage) else False
    for row in coverage.itertuples():
        if row.suppressed:
            count = "c"
        elif isinstance(row.voice_count, float) and math.isnan(row.voice_count):
            count = "–"
        else:
            count = f"{int(row.voice_count)}"
        if not has_population:
            verdict = "no service figure to compare"
        elif bool(row.under_represented):
            verdict = "under-represented"
        elif isinstance(row.population_share, float) and math.isnan(row.population_share):
            verdict = "not in the service figures"
        elif row.suppressed:
            verdict = "not under-represented (count suppressed)"
        else:
            verdict = "in proportion or more"
        body.append(
            html.Tr(
                [
                    html.Th(str(row.group), scope="row"),
                    html.Td(count),
                    html.Td(_pct(row.voice_share)),
                    html.Td(_pct(row.population_share)),
                    html.Td(
                        ["▼ " if verdict == "under-represented" else "", verdict],
                        className="voice-under" if verdict == "under-represented" else "",
                    ),
                ]
            )
        )
    return html.Table(
        [
            html.Caption(f"Who is speaking compared with who is served, by {dimension_label}"),
            header,
            html.Tbody(body),
        ],
        className="table voice-coverage-table",
    )


def coverage_figure(coverage: pd.DataFrame, dimension_label: str) -> go.Figure:
    """Share of quotes beside share of people served, per group (suppressed groups blank)."""
    groups = plot_texts(coverage["group"].astype(str))
    figure = go.Figure(
        [
            go.Bar(
                y=groups,
                x=coverage["voice_share"],
                name="Share of quotes",
                orientation="h",
                marker={"color": "#12436D"},
                hovertemplate="%{y}: %{x:.0f}% of quotes<extra></extra>",
            ),
            go.Bar(
                y=groups,
                x=coverage["population_share"],
                name="Share of people served",
                orientation="h",
                marker={"color": "#28A197", "pattern": {"shape": "/"}},
                hovertemplate="%{y}: %{x:.0f}% of people served<extra></extra>",
            ),
        ]
    )
    figure.update_layout(
        barmode="group",
        height=max(220, 60 * len(coverage) + 80),
        margin={"l": 120, "r": 10, "t": 10, "b": 40},
        legend={"orientation": "h", "y": -0.2},
        xaxis={"title": {"text": f"Per cent (by {dimension_label})"}, "rangemode": "tozero"},
        yaxis={"autorange": "reversed"},
        font={"color": "#0b0c0c"},
        plot_bgcolor="#fff",
        paper_bgcolor="#fff",
    )
    return figure


def you_said_we_did_list(entries: Sequence[dict], indicator_titles: dict[str, str]) -> html.Div:
    """ "You said, we did": each action with the quotes it answers."""
    if not entries:
        return html.P(
            "No actions have been linked to quotes you can see yet.", className="voice-empty"
        )
    items = []
    for entry in entries:
        quotes = [
            html.Blockquote(
                [html.P(q.get("text") or ""), html.Footer(q.get("attribution") or "")],
                className="voice-quote voice-quote-small",
            )
            for q in entry["quotes"]
        ]
        items.append(
            html.Li(
                [
                    html.H3("You said", className="ysw-heading"),
                    *quotes,
                    html.H3("We did", className="ysw-heading"),
                    html.P(entry.get("body") or ""),
                    html.P(
                        f"{indicator_titles.get(entry['indicator'], entry['indicator'])} · "
                        f"{_day(entry.get('created_at'))} · "
                        f"{'done' if entry.get('status') == 'resolved' else 'in progress'}",
                        className="voice-meta",
                    ),
                ],
                className="ysw-item",
            )
        )
    return html.Ol(items, className="ysw-list")
