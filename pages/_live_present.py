"""The present screen's live parts: start and end, the join code and how many joined, the
facilitator's options and the panel of participants' contributions (updated within
about a second through ``assets/live.js`` and ``present-signal``). Imported by
``pages.present``, which registers these callbacks with its own.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State, callback, ctx, dcc, html

from auth.current import current_record
from auth.permissions import guarded
from components.aria import aria
from components.live import code_panel, live_contributions, poller, present_live_bar
from data_access import live
from data_access.db import get_database
from pages._live_support import present_live, save_step, saved_index

__all__ = ["live_parts", "save_step", "saved_index"]


def live_parts(session_id: int, index: int) -> list[Any]:
    """The live bar and panel for a facilitator; only the polls' container for others."""
    parts = present_live(session_id, index)
    # A poll step's results are drawn here (pages._ln_poll_callbacks).
    poll = html.Div(id="present-poll", className="present-poll")
    if parts is None:
        return [poll]
    return [
        dcc.Store(id="present-signal"),
        dcc.Store(id="live-changed", data=0),
        poller("present-poller", session_id, "present", "present-signal", parts["version"]),
        present_live_bar(
            parts["code"],
            parts["joined"],
            parts["running"],
            parts["ended"],
            parts["allow_anonymous"],
            parts["show_contributions"],
        ),
        html.Div(
            id="live-contributions-panel",
            children=live_contributions(parts["items"], parts["show_contributions"]),
            **aria(live="polite"),
        ),
        poll,
    ]


@callback(
    Output("live-changed", "data"),
    Input("live-start", "n_clicks"),
    Input("live-end", "n_clicks"),
    Input("live-options", "value"),
    State("present-session", "data"),
    State("live-changed", "data"),
    prevent_initial_call=True,
)
@guarded("session.facilitate")
def control_live(_start, _end, options, session_id, changed):  # type: ignore[no-untyped-def]
    """Start or end the live session, or change its options."""
    user = current_record()
    trigger = ctx.triggered_id
    refused: live.LiveNotAllowed | None = None
    with get_database().write() as session:
        try:
            if trigger == "live-start":
                live.start_live(session, user, int(session_id))
            elif trigger == "live-end":
                live.end_live(session, user, int(session_id))
            else:
                chosen = set(options or [])
                live.set_options(
                    session,
                    user,
                    int(session_id),
                    allow_anonymous="anonymous" in chosen,
                    show_contributions="panel" in chosen,
                )
        except live.LiveNotAllowed as exc:  # the denial audit row commits
            refused = exc
    if refused is not None:
        raise dash.exceptions.PreventUpdate
    return int(changed or 0) + 1


@callback(
    Output("live-code-panel", "children"),
    Output("live-start", "hidden"),
    Output("live-end", "hidden"),
    Output("live-options-set", "hidden"),
    Output("live-contributions-panel", "children"),
    Input("present-signal", "data"),
    Input("live-changed", "data"),
    Input("present-index", "data"),
    State("present-session", "data"),
    prevent_initial_call=True,
)
@guarded("read")
def refresh(_signal, _changed, index, session_id):  # type: ignore[no-untyped-def]
    """Redraw the code, the number joined and the contributions panel."""
    parts = present_live(int(session_id), int(index or 0))
    if parts is None:
        raise dash.exceptions.PreventUpdate
    running = parts["running"]
    return (
        code_panel(parts["code"], parts["joined"], running, parts["ended"]),
        running,
        not running,
        not running,
        live_contributions(parts["items"], parts["show_contributions"]),
    )
