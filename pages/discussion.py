"""Discussion: every note the user may see, open questions first, with filters and exports.

Analysts and admins (the moderators of their organisation's notes) also see "Hidden notes":
their organisation's deleted notes, each with a Restore button.

Each entry links to the Explore page in the view it was written on (indicator, area,
breakdown, comparators and period range). Filters can be preset from the address, for
example ``/discussion?indicator=gld&status=open``.
"""

from __future__ import annotations

import time
from datetime import date
from typing import Any

import dash
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update

from auth.current import current_record
from auth.permissions import guarded
from components.annotation_exports import annotations_csv, annotations_html
from components.annotations import (
    KIND_LABELS,
    RESTORE_BUTTON,
    STATUS_LABELS,
    discussion_thread_slot,
    hidden_notes_list,
    message,
    notes_list,
)
from components.controls import date_input, select
from data_access.annotations import (
    AnnotationFilters,
    can_moderate,
    explore_href,
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

THEME_LABELS = {
    "early_years": "Early years",
    "early_help": "Early Help",
    "care_leavers": "Care leavers",
    "spend": "Spending",
}
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


def _dropdown(key: str, label: str, options: list[dict[str, Any]], value: Any) -> html.Div:
    control_id = f"discussion-{key}"
    return html.Div(
        [
            html.Label(label, htmlFor=control_id, className="discussion-filter-label"),
            select(id=control_id, options=options, value=value, placeholder="Any", clearable=True),
        ],
        className="discussion-filter",
    )


def _text_input(key: str, label: str, value: Any) -> html.Div:
    control_id = f"discussion-{key}"
    return html.Div(
        [
            html.Label(label, htmlFor=control_id, className="discussion-filter-label"),
            dcc.Input(
                id=control_id,
                type="text",
                value=value or "",
                debounce=True,
                className="form-control",
            ),
        ],
        className="discussion-filter",
    )


def filter_options(notes: list[dict[str, Any]], catalogue: list[dict[str, Any]]) -> dict:
    """Choices for the filters: areas and authors only from notes the user can see."""
    areas = sorted({(n["area_code"], n["area_name"]) for n in notes}, key=lambda a: a[1])
    authors = sorted({(n["author_id"], n["author"]) for n in notes}, key=lambda a: a[1])
    themes = sorted({row["theme"] for row in catalogue})
    return {
        "theme": [{"label": THEME_LABELS.get(t, t), "value": t} for t in themes],
        "indicator": [{"label": row["short_title"], "value": row["id"]} for row in catalogue],
        "area": [{"label": name, "value": code} for code, name in areas],
        "kind": [{"label": label, "value": key} for key, label in KIND_LABELS.items()],
        "status": [{"label": label, "value": key} for key, label in STATUS_LABELS.items()],
        "author": [{"label": name, "value": uid} for uid, name in authors],
    }


def hidden_notes(session: Any, user: Any) -> list[dict[str, Any]]:
    """The user's organisation's hidden notes as dicts (empty unless a moderator)."""
    return [
        {**r.as_dict(with_replies=False), "deleted_at": r.deleted_at and r.deleted_at.isoformat()}
        for r in moderation_queue(session, user)
    ]


def hidden_notes_section(notes: list[dict[str, Any]]) -> html.Section:
    """Moderators only: the organisation's hidden notes, each with a Restore button."""
    return html.Section(
        [
            html.H2("Hidden notes", id="discussion-hidden-heading", className="notes-heading"),
            html.P(
                "Notes deleted from your organisation's discussions. Restoring a note shows "
                "it again to everyone who could see it before.",
            ),
            html.Div(hidden_notes_list(notes), id="discussion-hidden"),
        ],
        className="notes-section discussion-hidden-notes",
        **{"aria-labelledby": "discussion-hidden-heading"},
    )


def layout(**kwargs: object) -> html.Div:
    user = current_record()
    if user is None:
        return html.Div(html.H1("Discussion"))
    moderator = can_moderate(user, user.organisation_id)
    with get_database().read() as session:
        visible = list_annotations(session, user)
        catalogue = indicator_catalogue(session).to_dict("records")
        hidden = hidden_notes(session, user) if moderator else []
    notes = [{**r.as_dict(), "author_id": r.author_id} for r in visible]
    options = filter_options(notes, catalogue)

    def preset(key: str) -> Any:
        value = kwargs.get(key)
        return value if isinstance(value, str) and value else None

    author = preset("author")
    filters = [
        _dropdown("theme", "Service area", options["theme"], preset("theme")),
        _dropdown("indicator", "Indicator", options["indicator"], preset("indicator")),
        _dropdown("area", "Area", options["area"], preset("area")),
        _dropdown("kind", "Kind of note", options["kind"], preset("kind")),
        _dropdown("status", "Status", options["status"], preset("status")),
        _dropdown(
            "author",
            "Author",
            options["author"],
            int(author) if author and author.isdigit() else None,
        ),
        _text_input("tag", "Tag", preset("tag")),
        html.Div(
            [
                html.Label(
                    "Written from", htmlFor="discussion-from", className="discussion-filter-label"
                ),
                date_input("discussion-from", preset("from")),
                html.Label("to", htmlFor="discussion-to", className="discussion-filter-label"),
                date_input("discussion-to", preset("to")),
            ],
            className="discussion-filter",
        ),
    ]
    return html.Div(
        [
            html.H1("Discussion"),
            html.P(
                "Notes written on the charts by you, your organisation and - where shared - "
                "the Learning Network. Open questions come first. Each note opens the chart "
                "in the view it was written on.",
                className="lead-text",
            ),
            html.Section(
                filters, className="discussion-filters", **{"aria-label": "Filter the notes"}
            ),
            html.P(id="discussion-summary", role="status", className="discussion-summary"),
            html.Div(
                [
                    html.Button(
                        "Download these notes (CSV)",
                        id="discussion-download-csv",
                        className="btn btn-outline-primary",
                        n_clicks=0,
                    ),
                    html.Button(
                        "Download a readable document (HTML)",
                        id="discussion-download-html",
                        className="btn btn-outline-primary",
                        n_clicks=0,
                    ),
                    dcc.Download(id="discussion-download"),
                ],
                className="discussion-toolbar",
            ),
            html.Div(id="discussion-results", className="discussion-results"),
            html.Button(
                "Show more notes", id="discussion-more", className="btn btn-secondary", n_clicks=0
            ),
            # When a note was last restored: the list of notes redraws with it.
            dcc.Store(id="discussion-restored", data=0),
            html.Div(
                id="discussion-restore-message",
                className="note-message",
                role="status",
                **{"aria-live": "polite"},
            ),
            hidden_notes_section(hidden) if moderator else None,
        ],
        className="discussion-page",
    )


FILTER_INPUTS = [
    *[Input(f"discussion-{key}", "value") for key in FILTER_IDS[:-2]],
    Input("discussion-from", "value"),
    Input("discussion-to", "value"),
]


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def filters_from_values(values: tuple | list) -> AnnotationFilters:
    """The filter controls' values, in FILTER_IDS order, as AnnotationFilters."""
    theme, indicator, area, kind, status, author, tag, written_from, written_to = values
    return AnnotationFilters(
        theme=theme or None,
        indicator=indicator or None,
        area_code=area or None,
        kind=kind or None,
        status=status or None,
        author_id=int(author) if author else None,
        tag=tag or None,
        written_from=_date(written_from),
        written_to=_date(written_to),
    )


def _visible_notes(values: tuple | list, limit: int | None = None) -> list[dict[str, Any]]:
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
def show_discussion(*values):  # type: ignore[no-untyped-def]
    """The notes matching the filters, open questions first, with their threads."""
    *filters, more, _restored = values
    limit = PAGE_SIZE * (1 + (more or 0))
    notes = _visible_notes(filters, limit=limit + 1)
    has_more = len(notes) > limit
    notes = notes[:limit]
    open_questions = sum(1 for n in notes if n["kind"] == "question" and n["status"] == "open")
    summary = (
        f"{len(notes)}{'+' if has_more else ''} note{'s' if len(notes) != 1 else ''} match"
        f"{'es' if len(notes) == 1 else ''}; {open_questions} open "
        f"question{'s' if open_questions != 1 else ''}."
        if notes
        else "No notes you can see match these filters."
    )
    listing = notes_list(
        notes,
        heading="Notes",
        heading_level=2,
        href_for=explore_href,
        show_replies=True,
        empty_text="No notes you can see match these filters.",
        thread_slot=discussion_thread_slot,
    )
    return listing, summary, not has_more


@callback(
    Output("discussion-download", "data"),
    Input("discussion-download-csv", "n_clicks"),
    Input("discussion-download-html", "n_clicks"),
    *[State(i.component_id, i.component_property) for i in FILTER_INPUTS],
    prevent_initial_call=True,
)
@guarded("data.export")
def download_notes(csv_clicks, html_clicks, *filters):  # type: ignore[no-untyped-def]
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
def restore_note(_clicks):  # type: ignore[no-untyped-def]
    """Restore the hidden note whose button was pressed; the repository checks that the
    user moderates the note's organisation (whatever id the browser sends)."""
    trigger = ctx.triggered_id
    pressed = ctx.triggered[0].get("value") if ctx.triggered else None
    if not isinstance(trigger, dict) or not pressed or not str(trigger.get("index")).isdigit():
        raise dash.exceptions.PreventUpdate
    user = current_record()
    with get_database().write() as session:
        result = restore_annotation(session, user, int(trigger["index"]))
        hidden = hidden_notes(session, user)
    if not result.ok:
        return message(result.message, False), hidden_notes_list(hidden), no_update
    done = "The note is restored and shows again in the list of notes."
    return message(done, True), hidden_notes_list(hidden), time.time_ns()
