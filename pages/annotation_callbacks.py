"""Callbacks that put notes on every indicator panel (pattern-matching ids, one set for all).

The panel (components.panel) holds a ``panel-state`` Store, a ``panel-graph`` and empty
``annotation-slot`` and ``voice-slot`` Divs. Here: fill both slots in one round trip (the
notes list, its chart markers and the "Add a note" form; the quotes from pages.voice), save
notes, show a note's thread (its buttons' callbacks are in pages._annotation_thread_callbacks),
and swap the chart's markers in the browser
(assets/annotations.js) without asking the server again. Every read and write goes through
``data_access.annotations``, which applies the visibility rules again whatever ids the
browser sends.

On page load each panel makes one request (``fill_panel_slots``). The callbacks that follow
a save (``refresh_notes``, ``show_thread``) do not run when the slot is first drawn: the
slot arrives with its list and markers already in it, and with no thread open.
"""

from __future__ import annotations

import time
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

from auth.current import signed_in_record
from auth.permissions import allowed, guarded
from components.annotations import (
    DISCUSSION_THREAD_PREFIX,
    NOTE_TEXT_CLASS,
    NOTE_TEXT_INVALID_CLASS,
    annotation_slot_children,
    message,
    panel_markers,
    panel_notes_list,
    thread_view,
)
from components.callbacks import CallbackSet
from components.voice import library_href, voice_beside_indicator
from data_access.annotations import (
    AnnotationFilters,
    can_moderate,
    create_annotation,
    explore_href,
    get_thread,
    list_annotations,
    new_annotation_from_form,
)
from data_access.db import get_database
from data_access.voice import audit_restricted_reads, has_restricted_items, visible_voice_items
from data_access.voice import indicator_titles as voice_indicator_titles
from data_access.voice.note_links import linkable_quotes, linked_quotes

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
            signed_in_record(),
            AnnotationFilters(indicator=state["indicator"], area_code=state["area_code"]),
        )
    return [r.as_dict() for r in records]


PANEL_QUOTES = 3  # quotes shown beside a panel


def panel_voice(state: dict[str, Any]) -> Any:
    """ "What people say" beside a panel: approved, in-scope quotes, newest first.

    Read without the write lock; the own-organisation quotes shown are audited (in their
    own short write) before they are sent.
    """
    indicator = state["indicator"]
    area = state.get("area_code")
    user = signed_in_record()
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


@annotation_callbacks.callback(
    Output(_ids("annotation-slot"), "children"),
    Output(_ids("voice-slot"), "children"),
    Input(_ids("panel-state"), "data"),
)
@guarded("read")
def fill_panel_slots(state: dict[str, Any] | None) -> tuple[Any, Any]:
    """Both slots beside a panel in one round trip: the notes (list, chart markers and form)
    and what people say. Rebuilt when the panel's view (and so its periods) changes."""
    if not state or not state.get("indicator"):
        raise dash.exceptions.PreventUpdate
    panel_id = _panel_id()
    user = signed_in_record()
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
def refresh_notes(_refresh: int | None, state: dict[str, Any] | None) -> tuple[Any, Any]:
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
def period_from_click(click: dict[str, Any] | None, state: dict[str, Any] | None) -> str:
    """A click on a chart point chooses its period in the form."""
    points = (click or {}).get("points") or []
    if not points or not state:
        raise dash.exceptions.PreventUpdate
    clicked = str(points[0].get("x", ""))[:10]
    starts = {p["start"] for p in state.get("periods") or []}
    if clicked not in starts:
        raise dash.exceptions.PreventUpdate
    return clicked


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
def save_note(
    n_clicks: int | None,
    kind: str,
    scope: str,
    first: str | None,
    last: str | None,
    text: str | None,
    tags: str | None,
    visibility: str,
    state: dict[str, Any] | None,
) -> tuple[Any, ...]:
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
        result = create_annotation(session, signed_in_record(), new)
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
def open_thread(_clicks: list[int | None]) -> Any:
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
def show_thread(
    note_id: int | str | None, _refresh: int | None, state: dict[str, Any] | None
) -> Any:
    """The open thread, if the user may see it (ids from the browser are never trusted)."""
    if not note_id:
        return None
    user = signed_in_record()
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
