"""The "before it leaves" panel: what the reader should know, and a named confirmation.

Used by the monthly pack, the session record and the public page's publication. Ids are
prefixed (``pack-ethics-notes``...), so one page can hold one panel per export.
"""

from __future__ import annotations

from dash import dcc, html


def ethics_check_panel(prefix: str, notes: list[str] | None = None) -> html.Section:
    """Heading, the notes list, a name field, a confirm button and a status line."""
    return html.Section(
        [
            html.H2("Before it leaves: what readers should know", id=f"{prefix}-ethics-heading"),
            html.Div(notes_list(notes or []), id=f"{prefix}-ethics-notes"),
            html.Label("Your name", htmlFor=f"{prefix}-ethics-name", className="sessions-label"),
            html.P(
                "Type your name to confirm you have read the points above. Your name, the "
                "time and these points go in the audit log and on the last page of the export.",
                className="voice-hint",
                id=f"{prefix}-ethics-name-hint",
            ),
            dcc.Input(
                id=f"{prefix}-ethics-name",
                type="text",
                maxLength=200,
                className="form-control",
                autoComplete="name",
            ),
            html.Button(
                "I have reviewed this",
                id=f"{prefix}-ethics-confirm",
                n_clicks=0,
                className="btn btn-outline-primary",
            ),
            html.P(id=f"{prefix}-ethics-status", role="status", className="sessions-message"),
        ],
        className="ethics-check",
    )


def notes_list(notes: list[str]) -> html.Ul:
    return html.Ul([html.Li(note) for note in notes], className="ethics-notes")
