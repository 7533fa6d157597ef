"""Present mode: large-type renderers for one step of a Learning Network session.

Readable from the back of a room and over a video call at 1920x1080: body text 28 px
(at least 24), chart text 20 to 24 px (at least 18), near-black on white. Components take
plain data (a step "payload" dict built by the page, already anonymised when asked); they
never query the database. Every user text is a plain string child (React escapes it).

Payload keys: ``kind`` (indicator, quotes, question, text), ``title``, ``position``,
``total``; indicator: ``figure`` (plotly Figure or dict), ``caption``, ``series`` and
``unit`` (for the table), ``table_caption``, ``illustrative``; quotes: ``quotes``
(``[{"text", "attribution", "illustrative"}]``); question and text: ``text``.
Contributions: ``[{"said_by", "body", "kind", "status"}]``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go
from dash import dcc, html

from components.charts import GRAPH_CONFIG
from components.tables import series_table

# Chart text sizes in present mode (px). The smallest, the tick labels, is 20.
CHART_FONT = 22
TICK_FONT = 20
LEGEND_FONT = 22
CHART_HEIGHT = 600
STEP_KIND_WORDS = {
    "indicator": "Figures",
    "quotes": "What people say",
    "question": "Question for discussion",
    "text": "",
}


def present_figure(figure: go.Figure | dict, height: int = CHART_HEIGHT) -> go.Figure:
    """A copy of a panel chart restyled for a shared screen: larger text, lines, markers."""
    fig = go.Figure(figure)
    fig.update_layout(
        height=height,
        font={"size": CHART_FONT, "color": "#0b0c0c"},
        legend={
            "font": {"size": LEGEND_FONT},
            "orientation": "h",
            "yanchor": "top",
            "y": -0.16,
            "x": 0,
        },
        hoverlabel={"font": {"size": CHART_FONT}},
        margin={"l": 110, "r": 30, "t": 20, "b": 150},
    )
    fig.update_xaxes(tickfont={"size": TICK_FONT}, title_font={"size": CHART_FONT})
    fig.update_yaxes(tickfont={"size": TICK_FONT}, title_font={"size": CHART_FONT})
    fig.update_traces(selector={"type": "scatter"}, line_width=4, marker_size=14)
    return fig


def step_counter_text(position: int, total: int) -> str:
    """ "Step 3 of 10" (or "No steps yet")."""
    return f"Step {position} of {total}" if total else "No steps yet"


def _illustrative_badge(flag: bool) -> list:
    return [html.Span("illustrative", className="badge-illustrative")] if flag else []


def indicator_step(payload: dict[str, Any], show_table: bool = False) -> list:
    """The chart (or its table) with the caption in words under it."""
    if payload.get("missing"):
        return [html.P(payload["missing"], className="present-body")]
    if show_table:
        # Focusable and named: the keyboard can scroll a wide table.
        shown: Any = html.Div(
            series_table(payload["series"], payload["unit"], payload["table_caption"]),
            className="present-table-wrap",
            tabIndex=0,
            role="region",
            **{"aria-label": payload["table_caption"]},
        )
    else:
        shown = html.Div(
            dcc.Graph(
                id="present-graph",
                figure=present_figure(payload["figure"]),
                config={**GRAPH_CONFIG, "scrollZoom": False, "doubleClick": False},
                className="present-graph",
            ),
            tabIndex="0",
            role="group",
            className="present-graph-wrap",
            **{"aria-label": f"Chart: {payload['title']}. The caption below describes it."},
        )
    return [
        html.Figure(
            [shown, html.Figcaption(payload.get("caption") or "", className="present-caption")],
            className="present-figure",
        ),
        *(
            [
                html.P(
                    "Figures marked illustrative are made up for the demo.",
                    className="present-note",
                )
            ]
            if payload.get("illustrative")
            else []
        ),
    ]


def quotes_step(payload: dict[str, Any]) -> list:
    """The chosen quotes, large, each with its coarse attribution."""
    quotes = payload.get("quotes") or []
    if not quotes:
        return [
            html.P(
                "None of this step's quotes can be shown: they are no longer consented for "
                "the Learning Network or have been withdrawn.",
                className="present-body",
            )
        ]
    return [
        html.Ul(
            [
                html.Li(
                    html.Figure(
                        [
                            html.Blockquote(html.P(q.get("text") or ""), className="present-quote"),
                            html.Figcaption(
                                [
                                    q.get("attribution") or "",
                                    *_illustrative_badge(q.get("illustrative")),
                                ],
                                className="present-attribution",
                            ),
                        ]
                    ),
                    className="present-quote-item",
                )
                for q in quotes
            ],
            className="present-quotes",
        )
    ]


def text_step(payload: dict[str, Any]) -> list:
    """A question for discussion or a short text, in very large type."""
    css = "present-question" if payload["kind"] == "question" else "present-text"
    return [html.P(payload.get("text") or "", className=css)]


def step_view(payload: dict[str, Any] | None, show_table: bool = False) -> html.Section:
    """One step, full width: its kind, its title (h2) and its content."""
    if payload is None:
        return html.Section(
            [html.H2("This session has no steps yet", className="present-step-title")],
            className="present-step",
        )
    kind = payload["kind"]
    if kind == "indicator":
        body = indicator_step(payload, show_table)
    elif kind == "quotes":
        body = quotes_step(payload)
    else:
        body = text_step(payload)
    eyebrow = STEP_KIND_WORDS.get(kind, "")
    return html.Section(
        [
            *([html.P(eyebrow, className="present-kind")] if eyebrow else []),
            html.H2(
                payload.get("title") or "", className="present-step-title", id="present-step-title"
            ),
            *body,
        ],
        className=f"present-step present-step-{kind}",
        **{"aria-labelledby": "present-step-title"},
    )


def contributions_list(contributions: Sequence[dict[str, Any]], heading: str) -> html.Section:
    """What was said against the current step, newest last."""
    if not contributions:
        items: Any = html.P("Nothing captured for this step yet.", className="present-empty")
    else:
        items = html.Ol(
            [
                html.Li(
                    [
                        html.Span(
                            f"{c.get('said_by') or 'Anonymous'}: ", className="present-said-by"
                        ),
                        html.Span(c.get("body") or ""),
                        *(
                            [html.Span(" (question)", className="present-kind-note")]
                            if c.get("kind") == "question"
                            else []
                        ),
                    ]
                )
                for c in contributions
            ],
            className="present-contributions",
        )
    return html.Section(
        [html.H2(heading, className="present-capture-heading"), items],
        className="present-contributions-wrap",
        **{"aria-label": heading},
    )


def summary_step(
    payload: dict[str, Any],
    contributions: Sequence[dict[str, Any]],
    graph_id: str,
) -> html.Section:
    """A step on the summary page: normal type, the chart static, then what was said."""
    kind = payload["kind"]
    children: list = [
        html.H2(
            f"{payload['position']}. {payload.get('title') or ''}", className="summary-step-title"
        )
    ]
    if kind == "indicator" and not payload.get("missing"):
        children.append(
            html.Figure(
                [
                    html.Div(
                        dcc.Graph(
                            id=graph_id,
                            figure=go.Figure(payload["figure"]),
                            config={**GRAPH_CONFIG, "staticPlot": True},
                        ),
                        role="img",
                        **{"aria-label": f"Chart: {payload['title']} (described in the caption)"},
                    ),
                    html.Figcaption(payload.get("caption") or "", className="summary-caption"),
                ]
            )
        )
    elif kind == "indicator":
        children.append(html.P(payload["missing"]))
    elif kind == "quotes":
        children.append(
            html.Ul(
                [
                    html.Li(
                        [
                            html.Q(q.get("text") or ""),
                            html.Span(
                                f" ({q.get('attribution') or ''})", className="summary-attribution"
                            ),
                        ]
                    )
                    for q in payload.get("quotes") or []
                ]
                or [html.Li("No quote in this step can be shown.")],
                className="summary-quotes",
            )
        )
    else:
        children.append(html.P(payload.get("text") or "", className="summary-text"))
    heading = f"Contributions ({len(contributions)})"
    children.append(html.H3(heading, className="summary-contrib-heading"))
    if contributions:
        children.append(
            html.Ul(
                [
                    html.Li(
                        [
                            html.Strong(f"{c.get('said_by') or 'Anonymous'}: "),
                            c.get("body") or "",
                            *(
                                [html.Span(f" ({c['kind_label']}, {c['status_label']})")]
                                if c.get("kind") == "question"
                                else []
                            ),
                        ]
                    )
                    for c in contributions
                ],
                className="summary-contributions",
            )
        )
    else:
        children.append(html.P("None captured."))
    return html.Section(children, className="summary-step")
