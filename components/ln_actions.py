"""Actions from Learning Network sessions: the facilitator's form on the session summary,
the session's list, the owner's list on the Overview (with Mark done) and the entries in
"You said, we did".

Components take plain dicts (``ActionRecord.as_dict()`` plus, where shown, ``owner_label``
and ``said``) and never query the database; every user text is a plain string child.
Mark done buttons use the pattern id ``{"type": "ln-action-done", "index": <action id>}``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from dash import dcc, html

from components.aria import aria
from components.controls import date_input, select

STATUS_TEXT = {"open": "Open", "done": "Done"}


def _day(value: object) -> str:
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return str(value)
    if isinstance(value, date):
        return f"{value.day} {value:%B %Y}"
    return ""


def action_form(
    sources: Sequence[dict[str, str]], owners: Sequence[dict[str, str]], today: date
) -> html.Div:
    """Turn a contribution or a poll result into an action. ``sources``: ``[{"label",
    "value"}]`` with values ``contribution:<id>`` or ``poll:<step id>``; ``owners`` the
    organisations that may own it."""
    return html.Div(
        className="sessions-form ln-action-form",
        children=[
            html.Div(
                [
                    html.Label("From", htmlFor="ln-action-source"),
                    select(
                        "ln-action-source",
                        [{"label": "Nothing in particular", "value": ""}, *sources],
                        "",
                    ),
                ]
            ),
            html.Div(
                [
                    html.Label("What will be done", htmlFor="ln-action-text"),
                    dcc.Textarea(
                        id="ln-action-text",
                        value="",
                        rows=3,
                        maxLength=1000,
                        className="form-control",
                    ),
                ]
            ),
            html.Div(
                [
                    html.Label("Owner organisation", htmlFor="ln-action-owner"),
                    select("ln-action-owner", list(owners), owners[0]["value"] if owners else ""),
                ]
            ),
            html.Div(
                [
                    html.Label("Due by", htmlFor="ln-action-due"),
                    date_input("ln-action-due", None, min=today.isoformat()),
                ]
            ),
            html.Button(
                "Add the action", id="ln-action-add", n_clicks=0, className="btn btn-primary"
            ),
            html.P(id="ln-action-message", className="sessions-message", role="status"),
        ],
    )


def actions_table(actions: Sequence[dict[str, Any]], caption: str) -> html.Table | html.P:
    """The session's actions: what, owner, due by, status, what it came from."""
    if not actions:
        return html.P("No actions yet.", className="ln-actions-empty")
    rows = [
        html.Tr(
            [
                html.Td(a["text"]),
                html.Td(a.get("owner_label") or a["owner_name"]),
                html.Td(_day(a["due_on"])),
                html.Td(STATUS_TEXT.get(a["status"], a["status"])),
                html.Td(a.get("said") or ""),
            ]
        )
        for a in actions
    ]
    return html.Table(
        className="table table-sm ln-actions-table",
        children=[
            html.Caption(caption),
            html.Thead(
                html.Tr(
                    [
                        html.Th(h, scope="col")
                        for h in ("Action", "Owner", "Due by", "Status", "From")
                    ]
                )
            ),
            html.Tbody(rows),
        ],
    )


def overview_actions(actions: Sequence[dict[str, Any]], may_mark: bool) -> html.Section:
    """ "Actions from Learning Network sessions" on the owner's Overview, until done."""
    children: list = [html.H2("Actions from Learning Network sessions")]
    if not actions:
        children.append(html.P("No open actions.", className="ln-actions-empty"))
    else:
        items = []
        for a in actions:
            parts: list = [
                html.P(a["text"], className="ln-action-text"),
                html.P(
                    f"From {a['session_title']}. Due by {_day(a['due_on'])}.",
                    className="ln-action-meta",
                ),
            ]
            if may_mark:
                parts.append(
                    html.Button(
                        "Mark done",
                        id={"type": "ln-action-done", "index": a["id"]},
                        n_clicks=0,
                        className="btn btn-outline-primary btn-sm",
                        **aria(label=f"Mark done: {a['text'][:80]}"),
                    )
                )
            items.append(html.Li(parts, className="ln-action"))
        children.append(html.Ul(items, className="ln-actions-list"))
    children.append(html.P(id="ln-action-done-message", role="status"))
    return html.Section(children, className="ln-actions-overview", id="overview-ln-actions")


def you_said_we_did_actions(entries: Sequence[dict[str, Any]]) -> html.Div | html.P:
    """Session actions of the user's organisation in "You said, we did"."""
    if not entries:
        return html.P("No actions from Learning Network sessions yet.", className="voice-empty")
    items = []
    for entry in entries:
        items.append(
            html.Li(
                [
                    html.H3("You said", className="ysw-heading"),
                    html.P(entry.get("said") or f"In {entry['session_title']}."),
                    html.H3("We did", className="ysw-heading"),
                    html.P(entry["text"]),
                    html.P(
                        f"{entry['session_title']} · due by {_day(entry['due_on'])} · "
                        f"{'done' if entry['status'] == 'done' else 'in progress'}",
                        className="voice-meta",
                    ),
                ],
                className="ysw-item",
            )
        )
    return html.Div(
        [html.H3("From Learning Network sessions"), html.Ol(items, className="ysw-list")]
    )


__all__ = ["action_form", "actions_table", "overview_actions", "you_said_we_did_actions"]
