"""A participant's screen of a live Learning Network session: ``/live?id=N``.

Shows the step the presenter is on (``#live-step-title``), anonymised as the shared screen
when the session is anonymised; lets the participant look back at earlier steps and come
back to the live one; and takes contributions (interpretation, question or context, by
the participant's organisation or anonymous when the facilitator allows it). The screen
follows the presenter through ``assets/live.js``, which polls the session's version and
sets ``live-signal`` when the step changes (``live-poll-signal`` when a poll or a vote
does, which redraws only the poll). Each send carries a client key kept in the
page, so a retried send is saved once.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State, callback, ctx, dcc, html, no_update

from auth.current import current_record
from auth.permissions import allowed, guarded
from components.aria import aria
from components.live import (
    contribution_form,
    follow_key,
    look_back_controls,
    participant_status,
    poller,
)
from components.present import step_view
from data_access import live
from data_access.db import get_database
from pages._live_support import as_int, followed_step_id, new_client_key, participant_view
from pages._ln_poll_views import live_poll_children

dash.register_page(
    __name__, path="/live", name="Live session", title="Live session - Chorus", nav=False
)


def _missing() -> html.Div:
    return html.Div(
        className="live-page",
        children=[
            html.H1("Live session"),
            html.P(
                "You have not joined this session, or it does not exist. Join with the code "
                "shown on the shared screen.",
                className="live-lead",
            ),
            html.A("Join a session", href="/join", className="live-link"),
        ],
    )


def _status(view: dict[str, Any]) -> str:
    return participant_status(
        view["index"] + 1, view["live_index"] + 1, view["total"], view["ended"]
    )


def layout(id: Any = None, **_kwargs: Any) -> html.Div:  # noqa: A002  (the query string's name)
    session_id = as_int(id)
    view = participant_view(session_id, None) if session_id is not None else None
    if session_id is None or view is None:
        return _missing()
    can_write = allowed(current_record(), "annotation.write")
    return html.Div(
        id="live-root",
        className="live-page",
        children=[
            dcc.Store(id="live-session", data=session_id),
            dcc.Store(id="live-signal"),
            dcc.Store(id="live-look", data=None),
            dcc.Store(id="live-client-key", data=new_client_key()),
            poller(
                "live-poller",
                session_id,
                "participant",
                "live-signal",
                follow_key(view["live_index"], view["ended"], view["allow_anonymous"]),
                poll=("live-poll-signal", view["poll_version"]),
            ),
            dcc.Store(id="live-poll-signal"),
            html.H1(view["title"], className="live-title"),
            html.P(_status(view), id="live-status", className="live-status", **aria(live="polite")),
            look_back_controls(),
            html.Div(
                id="live-step", children=step_view(view["payload"], title_id="live-step-title")
            ),
            contribution_form(view["allow_anonymous"], can_write),
            # A poll step's vote form and results (pages._ln_poll_views).
            html.Div(
                id="live-poll",
                className="live-poll",
                children=live_poll_children(view["step_id"]) if view["step_id"] else [],
            ),
        ],
    )


@callback(
    Output("live-poll", "children"),
    Input("live-poll-signal", "data"),
    Input("live-look", "data"),
    Input("live-signal", "data"),
    State("live-session", "data"),
    prevent_initial_call=True,
)
@guarded("read")
def redraw_poll(_poll: Any, look: int | None, _signal: Any, session_id: Any) -> list[Any]:
    """Redraw the poll of the step shown: after a vote or a poll closed (the poll version
    changed), or when the step shown changed. The step's chart is not drawn again."""
    step_id = followed_step_id(int(session_id), look)
    return live_poll_children(step_id) if step_id is not None else []


@callback(
    Output("live-step", "children"),
    Output("live-status", "children"),
    Output("live-look", "data"),
    Output("live-anonymous-wrap", "hidden"),
    Input("live-signal", "data"),
    Input("live-prev", "n_clicks"),
    Input("live-next", "n_clicks"),
    Input("live-back", "n_clicks"),
    State("live-look", "data"),
    State("live-session", "data"),
    prevent_initial_call=True,
)
@guarded("read")
def follow(_signal, _prev, _next, _back, look, session_id):  # type: ignore[no-untyped-def]
    """Redraw on the presenter's move, or move the participant's own look back."""
    trigger = ctx.triggered_id
    current = participant_view(int(session_id), look)
    if current is None:
        raise dash.exceptions.PreventUpdate
    if trigger in ("live-prev", "live-next"):
        step = current["index"] + (-1 if trigger == "live-prev" else 1)
        look = None if step >= current["live_index"] else max(0, step)
    elif trigger == "live-back":
        look = None
    view = participant_view(int(session_id), look) if trigger != "live-signal" else current
    assert view is not None
    return (
        step_view(view["payload"], title_id="live-step-title"),
        _status(view),
        look,
        not view["allow_anonymous"],
    )


@callback(
    Output("live-sent", "children"),
    Output("live-text", "value"),
    Output("live-client-key", "data"),
    Input("live-send", "n_clicks"),
    State("live-text", "value"),
    State("live-kind", "value"),
    State("live-anonymous", "value"),
    State("live-look", "data"),
    State("live-session", "data"),
    State("live-client-key", "data"),
    prevent_initial_call=True,
)
@guarded("annotation.write")
def send_contribution(n_clicks, text, kind, anonymous, look, session_id, client_key):  # type: ignore[no-untyped-def]
    """Save the contribution on the step shown; a retry with the same key saves once."""
    if not n_clicks:
        raise dash.exceptions.PreventUpdate
    view = participant_view(int(session_id), look)
    if view is None or view["step_id"] is None:
        return "You cannot contribute to this session.", no_update, no_update
    with get_database().write() as session:
        result = live.contribute(
            session,
            current_record(),
            int(session_id),
            view["step_id"],
            text or "",
            kind=kind or "interpretation",
            anonymous=bool(anonymous),
            client_key=client_key,
        )
    if not result.ok:
        return result.message, no_update, no_update
    return (
        f"Sent. Your contribution is on step {view['index'] + 1} and on the shared screen.",
        "",
        new_client_key(),
    )
