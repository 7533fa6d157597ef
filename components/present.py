"""Present mode: large-type renderers for one step of a Learning Network session.

Readable from the back of a room and over a video call at 1920x1080: body text 28 px
(at least 24), chart text 24 to 26 px (at least 24), near-black on white. Every line has
its own marker shape and dash (no two share either), so the lines can be told apart in
greyscale and by people who do not see the colours. The caption shows its first two
sentences; the rest is one key ("d") or one button away. Components take
plain data (a step "payload" dict built by the page, already anonymised when asked); they
never query the database. Every user text is a plain string child (React escapes it).

Payload keys: ``kind`` (indicator, quotes, question, text), ``title``, ``position``,
``total``; indicator: ``figure`` (plotly Figure or dict), ``caption``, ``series`` and
``unit`` (for the table), ``table_caption``, ``illustrative``; quotes: ``quotes``
(``[{"text", "attribution", "illustrative"}]``); question and text: ``text``.
Contributions: ``[{"said_by", "body", "kind", "status"}]``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go
from dash import dcc, html

from components.aria import aria
from components.charts import GRAPH_CONFIG
from components.controls import select
from components.tables import series_table

# Chart text sizes in present mode (px). The smallest, the tick labels, is 24.
CHART_FONT = 26
TICK_FONT = 24
LEGEND_FONT = 26
CHART_HEIGHT = 640
# Marker shapes and dashes for present mode, one of each per line: a line is told from
# another by shape and by dash, without colour.
PRESENT_SYMBOLS = (
    "circle",
    "square",
    "diamond",
    "triangle-up",
    "x",
    "star",
    "hexagon",
    "cross",
    "pentagon",
    "triangle-down",
    "hourglass",
    "star-square",
)
PRESENT_DASHES = (
    "solid",
    "dash",
    "dot",
    "dashdot",
    "longdash",
    "longdashdot",
    "20px,6px,4px,6px,4px,6px",
    "2px,10px",
    "30px,10px",
    "10px,4px,10px,14px",
    "4px,4px,20px,4px",
    "14px,4px,2px,4px,2px,4px,2px,4px",
)
CAPTION_SENTENCES = 2
DETAILS_KEY = "D"
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
        # At the figure's foot, with the margins grown to fit the ticks (as on the panels).
        legend={
            "font": {"size": LEGEND_FONT},
            "orientation": "h",
            "yref": "container",
            "yanchor": "bottom",
            "y": 0,
            "x": 0,
        },
        hoverlabel={"font": {"size": CHART_FONT}},
        margin={"l": 110, "r": 30, "t": 20, "b": 40},
        meta=None,  # a shared screen is never narrow: no small-screen settings
    )
    fig.update_xaxes(tickfont={"size": TICK_FONT}, title_font={"size": CHART_FONT}, automargin=True)
    fig.update_yaxes(tickfont={"size": TICK_FONT}, title_font={"size": CHART_FONT}, automargin=True)
    fig.update_traces(selector={"type": "scatter"}, line_width=4, marker_size=16)
    _distinct_line_styles(fig)
    return fig


def _distinct_line_styles(fig: go.Figure) -> None:
    """Give each line of ``fig`` a marker shape and a dash that no other line has.

    The panels' styles can share a dash (a breakdown's comparator groups are all dotted)
    or a shape; on a shared screen, in greyscale or without red-green vision, shape and
    dash must tell the lines apart alone. A line keeps its own style where it is unique.
    """
    lines = [t for t in fig.data if t.type == "scatter" and "lines" in (t.mode or "lines")]
    used_symbols: set[str] = set()
    used_dashes: set[str] = set()
    for trace in lines:
        symbol = trace.marker.symbol if isinstance(trace.marker.symbol, str) else None
        dash = trace.line.dash
        if symbol is None or symbol in used_symbols:
            symbol = next(s for s in PRESENT_SYMBOLS if s not in used_symbols)
        if dash is None or dash in used_dashes:
            dash = next(d for d in PRESENT_DASHES if d not in used_dashes)
        used_symbols.add(symbol)
        used_dashes.add(dash)
        trace.marker.symbol = symbol
        trace.line.dash = dash


def short_caption(caption: str, sentences: int = CAPTION_SENTENCES) -> tuple[str, str]:
    """The first ``sentences`` sentences of a caption, and the rest ("" when none).

    A sentence ends at ".", "!" or "?" followed by a space and a capital letter or digit,
    so figures like "63.1%" do not end one.
    """
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", caption.strip())
    return " ".join(parts[:sentences]), " ".join(parts[sentences:])


def caption_block(caption: str) -> list:
    """The caption as shown in present mode: two sentences, then a button (or the "d" key,
    assets/present.js) that shows and hides the rest and announces that it did."""
    short, rest = short_caption(caption)
    if not rest:
        return [html.P(short, className="present-caption-text")]
    return [
        html.P(short, className="present-caption-text"),
        html.Button(
            "Show full description",
            id="present-details-toggle",
            type="button",
            className="present-button present-details-toggle",
            **aria(
                expanded="false",
                controls="present-caption-more",
                keyshortcuts=DETAILS_KEY,
            ),
        ),
        html.P(rest, id="present-caption-more", className="present-caption-more", hidden=True),
        html.P(
            "",
            id="present-details-status",
            className="visually-hidden",
            role="status",
        ),
    ]


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
            [
                shown,
                html.Figcaption(
                    caption_block(payload.get("caption") or ""), className="present-caption"
                ),
            ],
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


def step_view(
    payload: dict[str, Any] | None,
    show_table: bool = False,
    title_id: str = "present-step-title",
) -> html.Section:
    """One step, full width: its kind, its title (h2, id ``title_id``) and its content."""
    if payload is None:
        return html.Section(
            [html.H2("This session has no steps yet", className="present-step-title", id=title_id)],
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
            html.H2(payload.get("title") or "", className="present-step-title", id=title_id),
            *body,
        ],
        className=f"present-step present-step-{kind}",
        **{"aria-labelledby": title_id},
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


def capture_section(
    options: list[dict[str, str]],
    can_capture: bool,
    contributions: Sequence[dict[str, Any]],
    anonymous: str,
) -> html.Div:
    """The note-taker's box under the step: what was said, who said it (``options``, the
    first being ``anonymous``), and what was said on this step so far."""
    return html.Div(
        className="present-capture",
        children=[
            html.H2("Capture what is said", className="present-capture-heading"),
            html.Div(
                className="present-capture-form",
                children=[
                    html.Div(
                        [
                            html.Label(
                                "Contribution on this step",
                                htmlFor="present-text",
                                className="present-label",
                            ),
                            dcc.Textarea(
                                id="present-text",
                                value="",
                                rows=2,
                                maxLength=4000,
                                disabled=not can_capture,
                                className="present-textarea",
                            ),
                        ],
                        className="present-field",
                    ),
                    html.Div(
                        [
                            html.Label(
                                "Said by",
                                htmlFor="present-said-by",
                                className="present-label",
                            ),
                            select(
                                id="present-said-by",
                                options=options,
                                value=anonymous,
                                clearable=False,
                                className="present-dropdown",
                            ),
                        ],
                        className="present-field",
                    ),
                    html.Button(
                        "Save contribution",
                        id="present-save",
                        n_clicks=0,
                        disabled=not can_capture,
                        className="present-button present-button-primary",
                    ),
                ],
            ),
            html.P(id="present-message", className="present-message", **{"aria-live": "polite"}),
            html.Div(
                id="present-contributions",
                children=contributions_list(contributions, "Said on this step"),
            ),
        ],
    )
