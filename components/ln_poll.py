"""Polls of a Learning Network session: the vote form, the results chart and its table, and
the builder's poll form.

Components take plain data (a results dict from ``PollResults.as_dict()``, already
anonymised when asked) and never query the database. Every user text (question, options)
is a plain string child, which React escapes; in the chart it goes through
``components.figure_text.plot_text``. The chart is a horizontal bar per option with its
count written beside it, one colour for every bar (the count and the label carry the
meaning), a title, and the same figures as a table.

Pattern-matching ids (``{"type": ..., "step": <step id>}``) let several polls share a page:
``ln-poll-step`` (a Store holding the step id the callbacks read), ``ln-poll-choice``,
``ln-poll-vote``, ``ln-poll-status``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go
from dash import dcc, html

from components.aria import aria
from components.charts import GRAPH_CONFIG
from components.controls import checkboxes, radios, select
from components.figure_text import plot_text

KIND_CHOICES = [
    {"label": "One choice each", "value": "single"},
    {"label": "Any number of choices each", "value": "multiple"},
    {"label": "Up to three choices each, to prioritise", "value": "prioritise"},
]
KIND_HINTS = {
    "single": "Choose one option.",
    "multiple": "Choose all the options that apply.",
    "prioritise": "Choose up to three options: your priorities.",
}
BAR_COLOUR = "#12436D"
STATIC_CONFIG: Any = {**GRAPH_CONFIG, "staticPlot": True}


def pid(kind: str, step_id: Any) -> dict[str, Any]:
    """A pattern-matching id of one poll's element."""
    return {"type": kind, "step": step_id}


def vote_status_text(is_open: bool, chosen: Sequence[int], can_vote: bool) -> str:
    """What the status line under the vote form says."""
    if not is_open:
        return "This poll is closed." + (" Your vote was counted." if chosen else "")
    if not can_vote:
        return (
            "Voting is open to practitioners, analysts and admins of the organisations taking part."
        )
    if chosen:
        return "Your vote is saved. You can change it until the poll closes."
    return "Voting is open. You have not voted yet."


def vote_button_text(chosen: Sequence[int]) -> str:
    return "Change vote" if chosen else "Vote"


def poll_vote_form(
    step_id: int,
    results: dict[str, Any],
    chosen: Sequence[int],
    can_vote: bool,
    heading_level: int = 3,
) -> html.Div:
    """The vote form of one poll: radios for one choice, checkboxes otherwise, a Vote or
    Change vote button and a status line (announced when it changes)."""
    options = [{"label": str(o), "value": i} for i, o in enumerate(results["options"])]
    kind = results["kind"]
    hint_id = f"ln-poll-hint-{int(step_id)}"
    disabled = not results["is_open"] or not can_vote
    question = results.get("question") or results.get("title") or "Poll"
    if kind == "single":
        control = radios(
            pid("ln-poll-choice", step_id),
            options,
            chosen[0] if chosen else None,
            legend=question,
            bare=True,
        )
    else:
        control = checkboxes(
            pid("ln-poll-choice", step_id), options, list(chosen), legend=question, bare=True
        )
    heading = getattr(html, f"H{max(2, min(heading_level, 4))}")
    return html.Div(
        className="ln-poll",
        children=[
            dcc.Store(id=pid("ln-poll-step", step_id), data=int(step_id)),
            heading(results.get("title") or "Poll", className="ln-poll-title"),
            html.Fieldset(
                className="chorus-fieldset ln-poll-fieldset",
                disabled=disabled,
                **aria(describedby=hint_id),
                children=[
                    html.Legend(question, className="chorus-legend ln-poll-question"),
                    html.P(KIND_HINTS.get(kind, ""), id=hint_id, className="ln-poll-hint"),
                    control,
                ],
            ),
            html.Button(
                vote_button_text(chosen),
                id=pid("ln-poll-vote", step_id),
                n_clicks=0,
                disabled=disabled,
                className="btn btn-primary ln-poll-vote",
            ),
            html.P(
                vote_status_text(bool(results["is_open"]), chosen, can_vote),
                id=pid("ln-poll-status", step_id),
                className="ln-poll-status",
                role="status",
            ),
        ],
    )


def _chart_title(results: dict[str, Any]) -> str:
    voters = int(results["voters"])
    people = "1 person" if voters == 1 else f"{voters:,} people"
    state = "open" if results["is_open"] else "closed"
    return f"Votes per option: {people} voted (poll {state})"


def results_figure(results: dict[str, Any], large: bool = False) -> go.Figure:
    """Horizontal bars, one per option in the poll's order (first at the top), each with
    its count as a text label; one colour for all bars."""
    options = [plot_text(o, 60) for o in results["options"]]
    counts = [int(c) for c in results["counts"]]
    size = 24 if large else 15
    figure = go.Figure(
        go.Bar(
            x=counts,
            y=options,
            orientation="h",
            text=[str(c) for c in counts],
            textposition="outside",
            cliponaxis=False,
            marker={"color": BAR_COLOUR},
            hovertemplate="%{y}: %{x} votes<extra></extra>",
        )
    )
    figure.update_layout(
        title={"text": plot_text(_chart_title(results)), "x": 0, "font": {"size": size + 2}},
        font={"size": size, "color": "#0b0c0c"},
        xaxis={
            "title": {"text": "Votes"},
            "rangemode": "tozero",
            "range": [0, max([*counts, 1]) * 1.2],
            "dtick": max(1, (max([*counts, 1]) + 4) // 5),
            "gridcolor": "#dddddd",
        },
        yaxis={"autorange": "reversed", "automargin": True},
        margin={"l": 10, "r": 40, "t": 60 if large else 50, "b": 50},
        height=max(220, 80 + len(options) * (70 if large else 44)),
        plot_bgcolor="#fff",
        paper_bgcolor="#fff",
        showlegend=False,
    )
    return figure


def results_table(results: dict[str, Any]) -> html.Table:
    """The results as a table (the chart's text alternative)."""
    rows = [
        html.Tr([html.Th(str(option), scope="row"), html.Td(str(int(count)), className="num")])
        for option, count in zip(results["options"], results["counts"], strict=True)
    ]
    return html.Table(
        className="table table-sm ln-poll-table",
        children=[
            html.Caption(f"Votes per option. {_voters_text(results)}"),
            html.Thead(html.Tr([html.Th("Option", scope="col"), html.Th("Votes", scope="col")])),
            html.Tbody(rows),
        ],
    )


def _voters_text(results: dict[str, Any]) -> str:
    voters = int(results["voters"])
    people = "1 person has" if voters == 1 else f"{voters:,} people have"
    return f"{people} voted. The poll is {'open' if results['is_open'] else 'closed'}."


def poll_results_view(
    results: dict[str, Any], graph_id: Any, large: bool = False, heading_level: int = 2
) -> html.Div:
    """Title, question, the results chart and its table, and how many voted."""
    heading = getattr(html, f"H{max(2, min(heading_level, 4))}")
    question = results.get("question") or ""
    return html.Div(
        className="ln-poll-results" + (" ln-poll-results-large" if large else ""),
        children=[
            heading(f"Poll results: {results.get('title') or 'Poll'}"),
            html.P(question, className="ln-poll-question"),
            html.Div(
                dcc.Graph(
                    id=graph_id,
                    figure=results_figure(results, large),
                    config=STATIC_CONFIG,
                    className="ln-poll-graph",
                ),
                role="img",
                **aria(label="Bar chart of votes per option (the table below gives them)"),
            ),
            html.P(_voters_text(results), className="ln-poll-voters", role="status"),
            results_table(results),
        ],
    )


def poll_builder_form(
    question_steps: Sequence[dict[str, Any]], polls: dict[int, dict[str, Any]]
) -> html.Div | html.P:
    """The facilitator's form: which question, how people vote, the options one per line.
    ``question_steps``: ``[{"id", "label"}]``; ``polls``: step id -> ``{"kind", "options"}``."""
    if not question_steps:
        return html.P(
            "Add a question step first: any question step can be a poll.",
            className="sessions-hint",
        )
    first = question_steps[0]["id"]
    current = polls.get(first, {})
    return html.Div(
        className="sessions-form ln-poll-builder",
        children=[
            html.Div(
                [
                    html.Label("Question step", htmlFor="ln-poll-step-pick"),
                    select(
                        "ln-poll-step-pick",
                        [{"label": q["label"], "value": str(q["id"])} for q in question_steps],
                        str(first),
                    ),
                ]
            ),
            radios(
                "ln-poll-kind",
                KIND_CHOICES,
                current.get("kind") or "single",
                legend="How people vote",
            ),
            html.Div(
                [
                    html.Label("Options, one per line (2 to 8)", htmlFor="ln-poll-options"),
                    dcc.Textarea(
                        id="ln-poll-options",
                        value="\n".join(current.get("options") or []),
                        rows=5,
                        maxLength=2000,
                        className="form-control",
                    ),
                ]
            ),
            html.Button(
                "Save the poll", id="ln-poll-save", n_clicks=0, className="btn btn-primary"
            ),
            " ",
            html.Button(
                "Make it a plain question again",
                id="ln-poll-remove",
                n_clicks=0,
                className="btn btn-outline-secondary",
            ),
            html.P(id="ln-poll-message", className="sessions-message", role="status"),
        ],
    )


def present_poll_controls(is_open: bool) -> list:
    """Close poll / Reopen voting buttons for the present screen (one enabled at a time)."""
    return [
        html.Button(
            "Close poll",
            id="present-poll-close",
            n_clicks=0,
            disabled=not is_open,
            className="present-button",
        ),
        html.Button(
            "Reopen voting",
            id="present-poll-reopen",
            n_clicks=0,
            disabled=is_open,
            className="present-button",
        ),
    ]


__all__ = [
    "KIND_CHOICES",
    "pid",
    "poll_builder_form",
    "poll_results_view",
    "poll_vote_form",
    "present_poll_controls",
    "results_figure",
    "results_table",
    "vote_button_text",
    "vote_status_text",
]
