"""The Discussion page's pieces: the filters and their choices, the page, the summary line,
the list of notes and the moderators' hidden notes.

Pure layout: pages.discussion reads the notes (data_access.annotations) and passes them in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dash import dcc, html

from components.annotations import (
    KIND_LABELS,
    STATUS_LABELS,
    discussion_thread_slot,
    hidden_notes_list,
    notes_list,
)
from components.aria import aria
from components.controls import date_input, select

THEME_LABELS = {
    "early_years": "Early years",
    "early_help": "Early Help",
    "care_leavers": "Care leavers",
    "spend": "Spending",
}


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


def filter_options(
    notes: list[dict[str, Any]], catalogue: list[dict[str, Any]]
) -> dict[str, list[dict[str, Any]]]:
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
        **aria(labelledby="discussion-hidden-heading"),
    )


def discussion_page(
    options: dict[str, list[dict[str, Any]]],
    preset: Callable[[str], Any],
    hidden: list[dict[str, Any]] | None,
) -> html.Div:
    """The Discussion page: filters (``options`` from ``filter_options``, each preset from
    the address by ``preset(key)``), the notes' slot, downloads and, for moderators
    (``hidden`` not None), the hidden notes."""
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
            html.Section(filters, className="discussion-filters", **aria(label="Filter the notes")),
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
                **aria(live="polite"),
            ),
            hidden_notes_section(hidden) if hidden is not None else None,
        ],
        className="discussion-page",
    )


def discussion_summary(notes: list[dict[str, Any]], has_more: bool) -> str:
    """How many notes match (with + when there are more) and how many are open questions."""
    open_questions = sum(1 for n in notes if n["kind"] == "question" and n["status"] == "open")
    return (
        f"{len(notes)}{'+' if has_more else ''} note{'s' if len(notes) != 1 else ''} match"
        f"{'es' if len(notes) == 1 else ''}; {open_questions} open "
        f"question{'s' if open_questions != 1 else ''}."
        if notes
        else "No notes you can see match these filters."
    )


def discussion_listing(notes: list[dict[str, Any]], href_for: Callable[[Any], str]) -> Any:
    """The notes, open questions first, each with its replies, link and thread slot."""
    return notes_list(
        notes,
        heading="Notes",
        heading_level=2,
        href_for=href_for,
        show_replies=True,
        empty_text="No notes you can see match these filters.",
        thread_slot=discussion_thread_slot,
    )
