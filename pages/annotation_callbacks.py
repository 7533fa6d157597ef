"""Callbacks that put notes on every indicator panel (pattern-matching ids, one set for all).

The panel (components.panel) holds a ``panel-state`` Store, a ``panel-graph`` and empty
``annotation-slot`` and ``voice-slot`` Divs. Here: fill both slots in one round trip (the
notes list, its chart markers and the "Add a note" form; the quotes from pages.voice), save
notes and replies, edit, resolve, delete, and swap the chart's markers in the browser
(assets/annotations.js) without asking the server again. Every read and write goes through
``data_access.annotations``, which applies the visibility rules again whatever ids the
browser sends.

On page load each panel makes one request (``fill_panel_slots``). The callbacks that follow
a save (``refresh_notes``, ``show_thread``) do not run when the slot is first drawn: the
slot arrives with its list and markers already in it, and with no thread open.
"""

from __future__ import annotations

import time
from datetime import date
from typing import Any

import dash
from dash import (
    ALL,
    MATCH,
    ClientsideFunction,
    Input,
    Output,
    State,
    ctx,
    no_update,
)

from auth.current import current_record
from auth.permissions import allowed, guarded
from components.annotations import (
    DISCUSSION_THREAD_PREFIX,
    NOTE_TEXT_CLASS,
    NOTE_TEXT_INVALID_CLASS,
    annotation_slot_children,
    conflict_view,
    marker_overlay,
    message,
    notes_list,
    thread_view,
)
from components.callbacks import CallbackSet
from components.voice import library_href, voice_beside_indicator
from data_access.annotations import (
    AnnotationFilters,
    NewAnnotation,
    can_moderate,
    create_annotation,
    delete_annotation,
    edit_annotation,
    explore_href,
    get_thread,
    list_annotations,
    reply_to_annotation,
    set_status,
)
from data_access.db import get_database
from data_access.voice import audit_restricted_reads, has_restricted_items, visible_voice_items
from data_access.voice import indicator_titles as voice_indicator_titles
from data_access.voice.note_links import link_quote_to_note, linkable_quotes, linked_quotes

# The callbacks of every panel's notes, registered on the app by the app factory.
annotation_callbacks = CallbackSet("panel notes")


def _ids(kind: str) -> dict[str, Any]:
    return {"type": kind, "index": MATCH}


def _panel_id() -> str:
    """The panel whose callback is running (the MATCH value)."""
    outputs = ctx.outputs_list
    first = outputs[0] if isinstance(outputs, list) else outputs
    return str(first["id"]["index"])


def panel_notes(state: dict[str, Any]) -> list[dict[str, Any]]:
    """Notes the current user may see on this panel's indicator and area, as dicts."""
    with get_database().read() as session:
        records = list_annotations(
            session,
            current_record(),
            AnnotationFilters(indicator=state["indicator"], area_code=state["area_code"]),
        )
    return [r.as_dict() for r in records]


def marker_data(notes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the chart needs of each note (short, so the Store stays small)."""
    keys = ("id", "kind", "scope", "period_start", "period_end", "author")
    return [{**{k: n.get(k) for k in keys}, "body": (n.get("body") or "")[:200]} for n in notes]


PANEL_QUOTES = 3  # quotes shown beside a panel


def panel_voice(state: dict[str, Any]) -> Any:
    """ "What people say" beside a panel: approved, in-scope quotes, newest first.

    Read without the write lock; the own-organisation quotes shown are audited (in their
    own short write) before they are sent.
    """
    indicator = state["indicator"]
    area = state.get("area_code")
    user = current_record()
    with get_database().read() as session:
        items = visible_voice_items(
            session,
            user,
            indicator=indicator,
            include_indicator_theme=True,
            area_codes=[area] if area else None,
            purpose="panel",
            limit=PANEL_QUOTES,
            audit=False,
        )
        title = voice_indicator_titles(session).get(indicator, indicator)
    if has_restricted_items(items):
        with get_database().write() as session:
            audit_restricted_reads(session, user, items, "panel")
    return voice_beside_indicator(
        items.to_dict("records"),
        indicator_title=title,
        library_href=library_href(indicator, area),
        total=items.attrs.get("total"),
        limit=PANEL_QUOTES,
    )


def panel_notes_list(panel_id: str, notes: list[dict[str, Any]]) -> Any:
    """The list beside the chart, each note with a button that opens its thread."""
    return notes_list(
        notes,
        open_button=lambda n: {"type": "note-open-btn", "index": panel_id, "note": n["id"]},
        empty_text="No notes on this chart yet.",
        shown_first=1,
    )


def panel_markers(notes: list[dict[str, Any]], state: dict[str, Any]) -> dict[str, Any]:
    """The ``note-markers`` Store's data: the overlay the browser draws on the chart."""
    return marker_overlay(marker_data(notes), state.get("periods") or [])


@annotation_callbacks.callback(
    Output(_ids("annotation-slot"), "children"),
    Output(_ids("voice-slot"), "children"),
    Input(_ids("panel-state"), "data"),
)
@guarded("read")
def fill_panel_slots(state):  # type: ignore[no-untyped-def]
    """Both slots beside a panel in one round trip: the notes (list, chart markers and form)
    and what people say. Rebuilt when the panel's view (and so its periods) changes."""
    if not state or not state.get("indicator"):
        raise dash.exceptions.PreventUpdate
    panel_id = _panel_id()
    user = current_record()
    notes = panel_notes(state)
    slot = annotation_slot_children(
        panel_id,
        state.get("periods") or [],
        can_write=allowed(user, "annotation.write"),
        in_learning_network=bool(user and user.in_learning_network),
        listing=panel_notes_list(panel_id, notes),
        markers=panel_markers(notes, state),
    )
    return slot, panel_voice(state)


@annotation_callbacks.callback(
    Output(_ids("note-list"), "children"),
    Output(_ids("note-markers"), "data"),
    Input(_ids("note-refresh"), "data"),
    State(_ids("panel-state"), "data"),
    prevent_initial_call=True,
)
@guarded("read")
def refresh_notes(_refresh, state):  # type: ignore[no-untyped-def]
    """The list beside the chart and its markers again, after a note or reply is saved."""
    if not state:
        raise dash.exceptions.PreventUpdate
    notes = panel_notes(state)
    return panel_notes_list(_panel_id(), notes), panel_markers(notes, state)


# The markers are swapped in the browser (assets/annotations.js: the chart's note traces
# and spans out, the Store's in), so the chart is not redrawn for a panel without notes and
# no request is made. A clientside callback reads and writes no data: it has no @guarded.
annotation_callbacks.clientside_callback(
    ClientsideFunction(namespace="chorusNotes", function_name="drawMarkers"),
    Output(_ids("panel-graph"), "figure", allow_duplicate=True),
    Input(_ids("note-markers"), "data"),
    State(_ids("panel-graph"), "figure"),
    prevent_initial_call=True,
)


@annotation_callbacks.callback(
    Output(_ids("note-from"), "value"),
    Input(_ids("panel-graph"), "clickData"),
    State(_ids("panel-state"), "data"),
    prevent_initial_call=True,
)
@guarded(None, reason="copies the clicked period into the form; reads no data")
def period_from_click(click, state):  # type: ignore[no-untyped-def]
    """A click on a chart point chooses its period in the form."""
    points = (click or {}).get("points") or []
    if not points or not state:
        raise dash.exceptions.PreventUpdate
    clicked = str(points[0].get("x", ""))[:10]
    starts = {p["start"] for p in state.get("periods") or []}
    if clicked not in starts:
        raise dash.exceptions.PreventUpdate
    return clicked


def _period(state: dict[str, Any], start: str | None) -> dict[str, Any] | None:
    return next((p for p in state.get("periods") or [] if p["start"] == start), None)


def new_annotation_from_form(
    state: dict[str, Any],
    kind: str,
    scope: str,
    first: str | None,
    last: str | None,
    text: str,
    tags: str,
    visibility: str,
) -> NewAnnotation | str:
    """A NewAnnotation from the form and the panel's view, or a sentence saying what is wrong."""
    first_period = _period(state, first)
    last_period = _period(state, last) if scope == "range" else first_period
    if first_period is None or last_period is None:
        return "Choose a period shown on the chart."
    breakdown = state.get("breakdown") or "total"
    view_state = {
        "comparators": list(state.get("comparators") or []),
        "breakdown": breakdown,
        "breakdown_value": "total" if breakdown == "total" else None,
        "period_from": state.get("period_from"),
        "period_to": state.get("period_to"),
        "scope": "range" if scope == "range" else "point",
        "period_label": first_period["label"],
    }
    if scope == "range":
        view_state.update(
            period_from_label=first_period["label"], period_to_label=last_period["label"]
        )
    return NewAnnotation(
        indicator=state["indicator"],
        area_code=state["area_code"],
        breakdown=breakdown,
        kind=kind,
        body=text or "",
        visibility=visibility,
        period_start=date.fromisoformat(first_period["start"]),
        period_end=date.fromisoformat(last_period["end"] or last_period["start"]),
        tags=tags or "",
        view_state=view_state,
    )


@annotation_callbacks.callback(
    Output(_ids("note-message"), "children"),
    Output(_ids("note-refresh"), "data"),
    Output(_ids("note-text"), "value"),
    Output(_ids("note-open"), "data"),
    Output(_ids("note-text"), "className"),
    Input(_ids("note-save"), "n_clicks"),
    State(_ids("note-kind"), "value"),
    State(_ids("note-scope"), "value"),
    State(_ids("note-from"), "value"),
    State(_ids("note-to"), "value"),
    State(_ids("note-text"), "value"),
    State(_ids("note-tags"), "value"),
    State(_ids("note-visibility"), "value"),
    State(_ids("panel-state"), "data"),
    prevent_initial_call=True,
)
@guarded("annotation.write")
def save_note(n_clicks, kind, scope, first, last, text, tags, visibility, state):  # type: ignore[no-untyped-def]
    """Save a new note on the chart; the list, markers and thread follow."""
    if not n_clicks or not state:
        raise dash.exceptions.PreventUpdate
    # The box is marked invalid only now, after an attempt to save it empty; a saved note
    # empties it without marking it.
    text_class = NOTE_TEXT_INVALID_CLASS if not (text or "").strip() else NOTE_TEXT_CLASS
    new = new_annotation_from_form(state, kind, scope, first, last, text, tags, visibility)
    if isinstance(new, str):
        return message(new, False), no_update, no_update, no_update, text_class
    with get_database().write() as session:
        result = create_annotation(session, current_record(), new)
    if not result.ok:
        return message(result.message, False), no_update, no_update, no_update, text_class
    note_id = result.annotation.id if result.annotation else None
    return message(result.message, True), time.time_ns(), "", note_id, NOTE_TEXT_CLASS


@annotation_callbacks.callback(
    Output(_ids("note-open"), "data", allow_duplicate=True),
    Input({"type": "note-open-btn", "index": MATCH, "note": ALL}, "n_clicks"),
    prevent_initial_call=True,
)
@guarded(None, reason="records which note's thread is open; the thread callback checks access")
def open_thread(_clicks):  # type: ignore[no-untyped-def]
    """Open the thread of the note whose button was pressed."""
    trigger = ctx.triggered_id
    clicked = ctx.triggered[0]["value"] if ctx.triggered else None
    if not isinstance(trigger, dict) or not clicked:
        raise dash.exceptions.PreventUpdate
    return trigger["note"]


@annotation_callbacks.callback(
    Output(_ids("note-thread"), "children"),
    Input(_ids("note-open"), "data"),
    Input(_ids("note-refresh"), "data"),
    State(_ids("panel-state"), "data"),
    prevent_initial_call=True,
)
@guarded("read")
def show_thread(note_id, _refresh, state):  # type: ignore[no-untyped-def]
    """The open thread, if the user may see it (ids from the browser are never trusted)."""
    if not note_id:
        return None
    user = current_record()
    # A write session: own-organisation quotes shown in the thread are audited as read.
    with get_database().write() as session:
        thread = get_thread(session, user, int(note_id))
        if thread is not None:
            quotes = linked_quotes(session, user, thread.id).to_dict("records")
            choices = linkable_quotes(session, user, thread.id).to_dict("records")
    if thread is None:
        return message("That note does not exist or you cannot see it.", False)
    writer = allowed(user, "annotation.write")
    note = thread.as_dict()
    panel_id = _panel_id()
    return thread_view(
        note,
        panel_id,
        can_reply=writer,
        can_resolve=writer and user.organisation_id == thread.organisation_id,
        can_edit=writer and user.id == thread.author_id,
        can_delete=(writer and user.id == thread.author_id)
        or can_moderate(user, thread.organisation_id),
        href=explore_href(thread),
        # On Discussion the thread sits under the page's h2 list of notes.
        heading_level=3 if panel_id.startswith(DISCUSSION_THREAD_PREFIX) else 4,
        quotes=quotes,
        quote_choices=choices if writer else None,
    )


def _thread_result(result) -> tuple:  # type: ignore[no-untyped-def]
    if result.outcome == "conflict" and result.conflict is not None:
        shown = conflict_view(result.conflict.your_text, result.conflict.current_text)
        return shown, time.time_ns()
    refresh = time.time_ns() if result.ok else no_update
    return message(result.message, result.ok), refresh


@annotation_callbacks.callback(
    Output(_ids("note-message"), "children", allow_duplicate=True),
    Output(_ids("note-refresh"), "data", allow_duplicate=True),
    Input(_ids("note-reply-save"), "n_clicks"),
    State(_ids("note-reply-text"), "value"),
    State(_ids("note-thread-id"), "data"),
    prevent_initial_call=True,
)
@guarded("annotation.write")
def save_reply(n_clicks, text, note_id):  # type: ignore[no-untyped-def]
    """Add a reply to the open thread."""
    if not n_clicks or not note_id:
        raise dash.exceptions.PreventUpdate
    with get_database().write() as session:
        result = reply_to_annotation(session, current_record(), int(note_id), text or "")
    return _thread_result(result)


@annotation_callbacks.callback(
    Output(_ids("note-message"), "children", allow_duplicate=True),
    Output(_ids("note-refresh"), "data", allow_duplicate=True),
    Input(_ids("note-quote-link"), "n_clicks"),
    State(_ids("note-quote-choice"), "value"),
    State(_ids("note-thread-id"), "data"),
    prevent_initial_call=True,
)
@guarded("annotation.write")
def link_quote(n_clicks, voice_item_id, note_id):  # type: ignore[no-untyped-def]
    """Link the chosen quote to the open thread (note and quote checked on the server)."""
    if not n_clicks or not note_id or not str(voice_item_id or "").isdigit():
        raise dash.exceptions.PreventUpdate
    with get_database().write() as session:
        result = link_quote_to_note(session, current_record(), int(note_id), int(voice_item_id))
    refresh = time.time_ns() if result.ok else no_update
    return message(result.message, result.ok), refresh


@annotation_callbacks.callback(
    Output(_ids("note-message"), "children", allow_duplicate=True),
    Output(_ids("note-refresh"), "data", allow_duplicate=True),
    Input(_ids("note-edit-save"), "n_clicks"),
    State(_ids("note-edit-text"), "value"),
    State(_ids("note-thread-id"), "data"),
    State(_ids("note-thread-version"), "data"),
    prevent_initial_call=True,
)
@guarded("annotation.write")
def save_edit(n_clicks, text, note_id, version):  # type: ignore[no-untyped-def]
    """Save an edit of your own note, refused with both texts if someone saved first."""
    if not n_clicks or not note_id:
        raise dash.exceptions.PreventUpdate
    with get_database().write() as session:
        result = edit_annotation(
            session, current_record(), int(note_id), text or "", int(version or 0)
        )
    return _thread_result(result)


@annotation_callbacks.callback(
    Output(_ids("note-message"), "children", allow_duplicate=True),
    Output(_ids("note-refresh"), "data", allow_duplicate=True),
    Input(_ids("note-resolve"), "n_clicks"),
    State(_ids("note-thread-id"), "data"),
    prevent_initial_call=True,
)
@guarded("annotation.write")
def toggle_resolved(n_clicks, note_id):  # type: ignore[no-untyped-def]
    """Resolve an open thread, or reopen a resolved one."""
    if not n_clicks or not note_id:
        raise dash.exceptions.PreventUpdate
    user = current_record()
    with get_database().write() as session:
        thread = get_thread(session, user, int(note_id))
        status = "open" if thread is not None and thread.status == "resolved" else "resolved"
        result = set_status(session, user, int(note_id), status)
    return _thread_result(result)


@annotation_callbacks.callback(
    Output(_ids("note-message"), "children", allow_duplicate=True),
    Output(_ids("note-refresh"), "data", allow_duplicate=True),
    Output(_ids("note-open"), "data", allow_duplicate=True),
    Input(_ids("note-delete"), "n_clicks"),
    State(_ids("note-thread-id"), "data"),
    prevent_initial_call=True,
)
@guarded("annotation.write")
def delete_note(n_clicks, note_id):  # type: ignore[no-untyped-def]
    """Soft-delete the open note (author, or a moderator of its organisation)."""
    if not n_clicks or not note_id:
        raise dash.exceptions.PreventUpdate
    with get_database().write() as session:
        result = delete_annotation(session, current_record(), int(note_id))
    shown, refresh = _thread_result(result)
    return shown, refresh, None if result.ok else no_update
