"""Discussion: every note the user may see, open questions first, with filters and exports.

Analysts and admins (the moderators of their organisation's notes) also see "Hidden notes":
their organisation's deleted notes, each with a Restore button.

Each entry links to the Explore page in the view it was written on (indicator, area,
breakdown, comparators and period range). Filters can be preset from the address, for
example ``/discussion?indicator=gld&status=open``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import date
from typing import Any

import dash
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update

from auth.current import current_record, signed_in_record
from auth.permissions import guarded
from components.annotation_exports import annotations_csv, annotations_html
from components.annotations import RESTORE_BUTTON, hidden_notes_list, message
from components.discussion import (
    discussion_listing,
    discussion_page,
    discussion_summary,
    filter_options,
)
from data_access.annotations import (
    can_moderate,
    explore_href,
    filters_from_values,
    list_annotations,
    moderation_queue,
    restore_annotation,
)
from data_access.db import get_database
from data_access.observations import indicator_catalogue

dash.register_page(
    __name__,
    path="/discussion",
    name="Discussion",
    title="Discussion - Chorus",
    order=30,
    nav_group="Discussion",
)

PAGE_SIZE = 50
FILTER_IDS = (
    "theme",
    "indicator",
    "area",
    "kind",
    "status",
    "author",
    "tag",
    "from",
    "to",
)


def hidden_notes(session: Any, user: Any) -> list[dict[str, Any]]:
    """The user's organisation's hidden notes as dicts (empty unless a moderator)."""
    return [
        {**r.as_dict(with_replies=False), "deleted_at": r.deleted_at and r.deleted_at.isoformat()}
        for r in moderation_queue(session, user)
    ]


def layout(**kwargs: object) -> html.Div:
    user = current_record()
    if user is None:
        return html.Div(html.H1("Discussion"))
    moderator = can_moderate(user, user.organisation_id)
    with get_database().read() as session:
        visible = list_annotations(session, user)
        catalogue = indicator_catalogue(session).to_dict("records")
        hidden = hidden_notes(session, user) if moderator else None
    notes = [{**r.as_dict(), "author_id": r.author_id} for r in visible]
    options = filter_options(notes, catalogue)

    def preset(key: str) -> Any:
        value = kwargs.get(key)
        return value if isinstance(value, str) and value else None

    return discussion_page(options, preset, hidden)


FILTER_INPUTS = [
    *[Input(f"discussion-{key}", "value") for key in FILTER_IDS[:-2]],
    Input("discussion-from", "value"),
    Input("discussion-to", "value"),
]


def _visible_notes(values: Sequence[Any], limit: int | None = None) -> list[dict[str, Any]]:
    with get_database().read() as session:
        records = list_annotations(
            session, current_record(), filters_from_values(values), limit=limit
        )
    return [r.as_dict() for r in records]


@callback(
    Output("discussion-results", "children"),
    Output("discussion-summary", "children"),
    Output("discussion-more", "hidden"),
    *FILTER_INPUTS,
    Input("discussion-more", "n_clicks"),
    Input("discussion-restored", "data"),
)
@guarded("read")
def show_discussion(*values: Any) -> tuple[Any, str, bool]:
    """The notes matching the filters, open questions first, with their threads."""
    *filters, more, _restored = values
    limit = PAGE_SIZE * (1 + (more or 0))
    notes = _visible_notes(filters, limit=limit + 1)
    has_more = len(notes) > limit
    notes = notes[:limit]
    listing = discussion_listing(notes, explore_href)
    return listing, discussion_summary(notes, has_more), not has_more


@callback(
    Output("discussion-download", "data"),
    Input("discussion-download-csv", "n_clicks"),
    Input("discussion-download-html", "n_clicks"),
    *[State(i.component_id, i.component_property) for i in FILTER_INPUTS],
    prevent_initial_call=True,
)
@guarded("data.export")
def download_notes(csv_clicks: int | None, html_clicks: int | None, *filters: Any) -> Any:
    """The filtered notes the user may see, as CSV or as a readable HTML document."""
    trigger = dash.ctx.triggered_id
    if not (csv_clicks or html_clicks) or trigger is None:
        return no_update
    notes = _visible_notes(filters)
    stamp = date.today().isoformat()
    if trigger == "discussion-download-csv":
        return dcc.send_string(annotations_csv(notes), filename=f"chorus-notes-{stamp}.csv")
    user = current_record()
    document = annotations_html(
        notes,
        title="Notes and discussion",
        generated_for=f"{user.display_name}, {user.organisation_name}" if user else "",
    )
    return dcc.send_string(document, filename=f"chorus-notes-{stamp}.html")


@callback(
    Output("discussion-restore-message", "children"),
    Output("discussion-hidden", "children"),
    Output("discussion-restored", "data"),
    Input({"type": RESTORE_BUTTON, "index": ALL}, "n_clicks"),
    prevent_initial_call=True,
)
@guarded("annotation.moderate")
def restore_note(_clicks: list[int | None]) -> tuple[Any, Any, Any]:
    """Restore the hidden note whose button was pressed; the repository checks that the
    user moderates the note's organisation (whatever id the browser sends)."""
    trigger = ctx.triggered_id
    pressed = ctx.triggered[0].get("value") if ctx.triggered else None
    if not isinstance(trigger, dict) or not pressed or not str(trigger.get("index")).isdigit():
        raise dash.exceptions.PreventUpdate
    user = signed_in_record()
    with get_database().write() as session:
        result = restore_annotation(session, user, int(trigger["index"]))
        hidden = hidden_notes(session, user)
    if not result.ok:
        return message(result.message, False), hidden_notes_list(hidden), no_update
    done = "The note is restored and shows again in the list of notes."
    return message(done, True), hidden_notes_list(hidden), time.time_ns()
