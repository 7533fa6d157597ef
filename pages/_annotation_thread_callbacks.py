"""Callbacks that change an open note's thread: reply, link a quote, edit, resolve or reopen,
and delete. The thread is shown by ``pages.annotation_callbacks.show_thread`` (on every
panel and on Discussion); these callbacks write through ``data_access.annotations``, which
checks the note, its organisation and the user again whatever ids the browser sends.
"""

from __future__ import annotations

import time
from typing import Any

import dash
from dash import MATCH, Input, Output, State, no_update

from auth.current import signed_in_record
from auth.permissions import guarded
from components.annotations import conflict_view, message
from components.callbacks import CallbackSet
from data_access.annotations import (
    WriteResult,
    delete_annotation,
    edit_annotation,
    get_thread,
    reply_to_annotation,
    set_status,
)
from data_access.db import get_database
from data_access.voice.note_links import link_quote_to_note

# The callbacks of an open thread's buttons, registered on the app by the app factory.
thread_callbacks = CallbackSet("note threads")


def _ids(kind: str) -> dict[str, Any]:
    return {"type": kind, "index": MATCH}


def _thread_result(result: WriteResult) -> tuple[Any, Any]:
    if result.outcome == "conflict" and result.conflict is not None:
        shown = conflict_view(result.conflict.your_text, result.conflict.current_text)
        return shown, time.time_ns()
    refresh = time.time_ns() if result.ok else no_update
    return message(result.message, result.ok), refresh


@thread_callbacks.callback(
    Output(_ids("note-message"), "children", allow_duplicate=True),
    Output(_ids("note-refresh"), "data", allow_duplicate=True),
    Input(_ids("note-reply-save"), "n_clicks"),
    State(_ids("note-reply-text"), "value"),
    State(_ids("note-thread-id"), "data"),
    prevent_initial_call=True,
)
@guarded("annotation.write")
def save_reply(
    n_clicks: int | None, text: str | None, note_id: int | str | None
) -> tuple[Any, Any]:
    """Add a reply to the open thread."""
    if not n_clicks or not note_id:
        raise dash.exceptions.PreventUpdate
    with get_database().write() as session:
        result = reply_to_annotation(session, signed_in_record(), int(note_id), text or "")
    return _thread_result(result)


@thread_callbacks.callback(
    Output(_ids("note-message"), "children", allow_duplicate=True),
    Output(_ids("note-refresh"), "data", allow_duplicate=True),
    Input(_ids("note-quote-link"), "n_clicks"),
    State(_ids("note-quote-choice"), "value"),
    State(_ids("note-thread-id"), "data"),
    prevent_initial_call=True,
)
@guarded("annotation.write")
def link_quote(
    n_clicks: int | None, voice_item_id: int | str | None, note_id: int | str | None
) -> tuple[Any, Any]:
    """Link the chosen quote to the open thread (note and quote checked on the server)."""
    if not n_clicks or not note_id or not str(voice_item_id or "").isdigit():
        raise dash.exceptions.PreventUpdate
    with get_database().write() as session:
        result = link_quote_to_note(
            session, signed_in_record(), int(note_id), int(str(voice_item_id))
        )
    refresh = time.time_ns() if result.ok else no_update
    return message(result.message, result.ok), refresh


@thread_callbacks.callback(
    Output(_ids("note-message"), "children", allow_duplicate=True),
    Output(_ids("note-refresh"), "data", allow_duplicate=True),
    Input(_ids("note-edit-save"), "n_clicks"),
    State(_ids("note-edit-text"), "value"),
    State(_ids("note-thread-id"), "data"),
    State(_ids("note-thread-version"), "data"),
    prevent_initial_call=True,
)
@guarded("annotation.write")
def save_edit(
    n_clicks: int | None, text: str | None, note_id: int | str | None, version: int | None
) -> tuple[Any, Any]:
    """Save an edit of your own note, refused with both texts if someone saved first."""
    if not n_clicks or not note_id:
        raise dash.exceptions.PreventUpdate
    with get_database().write() as session:
        result = edit_annotation(
            session, signed_in_record(), int(note_id), text or "", int(version or 0)
        )
    return _thread_result(result)


@thread_callbacks.callback(
    Output(_ids("note-message"), "children", allow_duplicate=True),
    Output(_ids("note-refresh"), "data", allow_duplicate=True),
    Input(_ids("note-resolve"), "n_clicks"),
    State(_ids("note-thread-id"), "data"),
    prevent_initial_call=True,
)
@guarded("annotation.write")
def toggle_resolved(n_clicks: int | None, note_id: int | str | None) -> tuple[Any, Any]:
    """Resolve an open thread, or reopen a resolved one."""
    if not n_clicks or not note_id:
        raise dash.exceptions.PreventUpdate
    user = signed_in_record()
    with get_database().write() as session:
        thread = get_thread(session, user, int(note_id))
        status = "open" if thread is not None and thread.status == "resolved" else "resolved"
        result = set_status(session, user, int(note_id), status)
    return _thread_result(result)


@thread_callbacks.callback(
    Output(_ids("note-message"), "children", allow_duplicate=True),
    Output(_ids("note-refresh"), "data", allow_duplicate=True),
    Output(_ids("note-open"), "data", allow_duplicate=True),
    Input(_ids("note-delete"), "n_clicks"),
    State(_ids("note-thread-id"), "data"),
    prevent_initial_call=True,
)
@guarded("annotation.write")
def delete_note(n_clicks: int | None, note_id: int | str | None) -> tuple[Any, Any, Any]:
    """Soft-delete the open note (author, or a moderator of its organisation)."""
    if not n_clicks or not note_id:
        raise dash.exceptions.PreventUpdate
    with get_database().write() as session:
        result = delete_annotation(session, signed_in_record(), int(note_id))
    shown, refresh = _thread_result(result)
    return shown, refresh, None if result.ok else no_update
