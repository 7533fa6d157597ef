"""Join a live Learning Network session: ``/join`` (or ``/join?code=K7PM2Q`` from a link).

The code is checked on the server (``data_access.live.join``): it must belong to a
session that is live and that the user's organisation takes part in. Joining then opens
the participant's screen (``/live?id=N``).
"""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State, callback, dcc, html, no_update

from auth.current import current_record
from auth.permissions import guarded
from components.live import join_form
from data_access import live
from data_access.db import get_database

dash.register_page(
    __name__, path="/join", name="Join a session", title="Join a session - Chorus", nav=False
)


def layout(code: Any = None, **_kwargs: Any) -> html.Div:
    typed = live.normalise_code(code if isinstance(code, str) else "")
    return html.Div(
        className="live-page",
        children=[
            dcc.Location(id="join-go", refresh="callback-nav"),
            html.H1("Join a Learning Network session"),
            html.P(
                "Type the code shown on the shared screen to follow the session on your own "
                "screen and add what you think.",
                className="live-lead",
            ),
            join_form(typed),
        ],
    )


@callback(
    Output("join-message", "children"),
    Output("join-go", "href"),
    Input("join-submit", "n_clicks"),
    Input("join-code", "n_submit"),
    State("join-code", "value"),
    prevent_initial_call=True,
)
@guarded("read")
def join_session(_clicks, _submit, code):  # type: ignore[no-untyped-def]
    """Join with the typed code and open the participant's screen."""
    with get_database().write() as session:
        result = live.join(session, current_record(), code)
    if result.outcome != "joined":
        return result.message, no_update
    return "Joined. Opening the session.", f"/live?id={result.session_id}"
