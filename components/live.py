"""Live Learning Network sessions: the join form, the participant's screen and the
facilitator's live controls on the present screen.

Components take plain values (the page reads ``data_access.live``); every user text is a
plain string child. The poller is an empty element with data attributes that
``assets/live.js`` reads: it polls ``/api/live/<id>/version`` and, when what this screen
follows changes, sets the ``data`` of the named ``dcc.Store`` so one Dash callback redraws.
"""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from components.aria import aria
from components.controls import checkboxes, radios

KIND_CHOICES = [
    {"label": "Interpretation: what the figures mean to you", "value": "interpretation"},
    {"label": "Question", "value": "question"},
    {"label": "Context: something that happened", "value": "context_event"},
]
JOIN_ADDRESS = "/join"


def poller(
    element_id: str,
    session_id: int,
    mode: str,
    store_id: str,
    key: str = "",
    poll: tuple[str, int] | None = None,
) -> html.Div:
    """The element ``assets/live.js`` polls for (``mode`` "participant" or "present").
    ``key`` is what the page was drawn at (see ``follow_key``), so a change made between
    drawing the page and its first poll is not missed. ``poll`` is (the store a change of
    the session's polls sets, the poll version the page was drawn at)."""
    data: dict[str, Any] = {
        "data-session": str(session_id),
        "data-mode": mode,
        "data-store": store_id,
        "data-key": key,
    }
    if poll is not None:
        data["data-poll-store"], data["data-poll"] = poll[0], str(poll[1])
    return html.Div(id=element_id, hidden=True, **data)


def follow_key(step: int, ended: bool, allow_anonymous: bool) -> str:
    """What a participant's screen follows, as ``assets/live.js`` writes it."""
    return "|".join([str(step), str(ended).lower(), str(allow_anonymous).lower()])


def join_form(code: str = "") -> html.Div:
    """The join form: a six-character code and a button."""
    return html.Div(
        className="live-join",
        children=[
            html.Label("Join code", htmlFor="join-code", className="live-label"),
            html.P(
                "The six letters and numbers on the shared screen, for example K7PM2Q.",
                id="join-code-hint",
                className="live-hint",
            ),
            dcc.Input(
                id="join-code",
                type="text",
                value=code,
                maxLength=12,
                autoComplete="off",
                debounce=False,
                className="live-code-input",
            ),
            html.Button("Join session", id="join-submit", n_clicks=0, className="live-button"),
            html.P(id="join-message", className="live-message", role="status"),
        ],
    )


def code_panel(code: str | None, joined: int, running: bool, ended: bool) -> list:
    """The present screen's live bar: the code and short address, how many joined."""
    if not running:
        words = "This live session has ended." if ended else "Not live yet."
        return [html.P(words, className="live-present-status")]
    return [
        html.P(
            [
                "Join at ",
                html.Strong(JOIN_ADDRESS, className="live-address"),
                " with code ",
                html.Strong(code or "", id="session-join-code", className="live-join-code"),
            ],
            className="live-present-code",
        ),
        html.P(
            f"{joined} joined" if joined != 1 else "1 joined",
            id="live-joined",
            className="live-present-joined",
            **aria(live="polite"),
        ),
    ]


def present_live_bar(
    code: str | None,
    joined: int,
    running: bool,
    ended: bool,
    allow_anonymous: bool,
    show_contributions: bool,
) -> html.Div:
    """Start and end buttons, the code, and the facilitator's two options."""
    options = []
    if allow_anonymous:
        options.append("anonymous")
    if show_contributions:
        options.append("panel")
    return html.Div(
        className="live-present-bar",
        children=[
            html.Button(
                "Start live session",
                id="live-start",
                n_clicks=0,
                hidden=running,
                className="present-button present-button-primary",
            ),
            html.Button(
                "End live session",
                id="live-end",
                n_clicks=0,
                hidden=not running,
                className="present-button",
            ),
            html.Div(
                id="live-code-panel",
                children=code_panel(code, joined, running, ended),
                className="live-code-panel",
            ),
            html.Div(
                id="live-options-set",
                hidden=not running,
                className="live-options",
                children=checkboxes(
                    "live-options",
                    [
                        {"label": "Allow anonymous contributions", "value": "anonymous"},
                        {"label": "Show contributions", "value": "panel"},
                    ],
                    options,
                    legend="Live options",
                    inline=True,
                ),
            ),
        ],
    )


def live_contributions(items: list[dict[str, Any]], shown: bool) -> html.Section | html.Div:
    """The shared screen's panel of what participants said on this step."""
    if not shown:
        return html.Div()
    if not items:
        body: Any = html.P("No contributions on this step yet.", className="present-empty")
    else:
        body = html.Ol(
            [
                html.Li(
                    [
                        html.Span(
                            f"{c.get('said_by') or 'Anonymous'}", className="present-said-by"
                        ),
                        html.Span(f" ({c.get('kind_label', '').lower()}): "),
                        html.Span(c.get("body") or "", className="live-contribution-body"),
                    ]
                )
                for c in items
            ],
            className="present-contributions live-contributions",
        )
    return html.Section(
        [html.H2("From participants", className="present-capture-heading"), body],
        className="present-contributions-wrap live-contributions-panel",
        **aria(label="From participants"),
    )


def participant_status(position: int, live_position: int, total: int, ended: bool) -> str:
    """Where the participant is against the live step, in words."""
    if ended:
        return "The session has ended. You can still look back at the steps."
    if position == live_position:
        return f"Live: step {live_position} of {total}."
    return f"You are looking back at step {position}. The session is on step {live_position}."


def contribution_form(allow_anonymous: bool, can_write: bool) -> html.Div:
    """Kind, text, anonymous (only when the facilitator allows it) and a send button."""
    if not can_write:
        return html.Div(
            [
                html.P(
                    "Your role can follow the session but not contribute to it.",
                    className="live-hint",
                ),
                html.Div(id="live-anonymous-wrap", hidden=True),
            ],
            className="live-form",
        )
    return html.Div(
        className="live-form",
        children=[
            html.H2("Add your contribution", className="live-form-heading"),
            radios("live-kind", KIND_CHOICES, "interpretation", legend="What kind of contribution"),
            html.Label("Your contribution", htmlFor="live-text", className="live-label"),
            dcc.Textarea(id="live-text", value="", rows=3, maxLength=4000, className="live-text"),
            html.Div(
                id="live-anonymous-wrap",
                hidden=not allow_anonymous,
                children=checkboxes(
                    "live-anonymous",
                    [
                        {
                            "label": "Send anonymously (not linked to your organisation)",
                            "value": "yes",
                        }
                    ],
                    [],
                    legend="Who it is from",
                ),
            ),
            html.Button("Send", id="live-send", n_clicks=0, className="live-button"),
            html.P(id="live-sent", className="live-message", role="status"),
        ],
    )


def look_back_controls() -> html.Div:
    """Earlier and later steps for the participant, and the way back to the live step."""
    return html.Div(
        className="live-nav",
        children=[
            html.Button(
                "Earlier step", id="live-prev", n_clicks=0, className="live-button-secondary"
            ),
            html.Button(
                "Later step", id="live-next", n_clicks=0, className="live-button-secondary"
            ),
            html.Button("Back to live", id="live-back", n_clicks=0, className="live-button"),
        ],
    )
