"""Voice quotes linked to a note: the evidence a discussion rests on.

A practitioner or analyst links an approved quote they may see to a note they may see;
everyone who opens the thread then sees the linked quotes that *they* may see (each
reader's consent scope applies, through ``visible_voice_items``), so linking never shows
a quote beyond its consent. Links are kept in ``annotation_voice_links`` against the
thread's first note. Every link and unlink is audited (ids only).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access.annotations import can_write, get_thread
from data_access.models import AnnotationVoiceLink
from data_access.users import UserRecord, write_audit
from data_access.voice.scope import visible_voice_items

MAX_CHOICES = 40


@dataclass(frozen=True)
class LinkResult:
    """The outcome of a link or unlink: saved, denied, not_found or invalid."""

    outcome: str
    message: str

    @property
    def ok(self) -> bool:
        return self.outcome == "saved"


def _linked_ids(session: Session, note_id: int) -> list[int]:
    query = select(AnnotationVoiceLink.voice_item_id).where(
        AnnotationVoiceLink.annotation_id == note_id
    )
    return sorted(int(v) for v in session.scalars(query))


def linked_quotes(session: Session, user: UserRecord | None, note_id: int) -> pd.DataFrame:
    """The quotes linked to the thread holding ``note_id`` that ``user`` may see (none when
    the note is not visible to them), newest first; ``visible_voice_items`` columns."""
    thread = get_thread(session, user, note_id)
    if thread is None or user is None:
        return visible_voice_items(session, None)
    ids = _linked_ids(session, thread.id)
    if not ids:
        return visible_voice_items(session, None)
    return visible_voice_items(session, user, ids=ids, purpose="discussion")


def linkable_quotes(session: Session, user: UserRecord | None, note_id: int) -> pd.DataFrame:
    """Approved quotes ``user`` may see that could be linked to the thread of ``note_id``:
    those about the note's indicator (or its service) first, not already linked. Empty
    when the user may not link (a viewer) or cannot see the note."""
    thread = get_thread(session, user, note_id)
    if thread is None or user is None or not can_write(user):
        return visible_voice_items(session, None)
    already = set(_linked_ids(session, thread.id))
    frame = visible_voice_items(
        session,
        user,
        indicator=thread.indicator,
        include_indicator_theme=True,
        purpose="discussion",
    )
    frame = frame[~frame["id"].astype(int).isin(already)]
    return frame.head(MAX_CHOICES).reset_index(drop=True)


def link_quote_to_note(
    session: Session, user: UserRecord | None, note_id: int, voice_item_id: int
) -> LinkResult:
    """Link a quote to the thread holding ``note_id``.

    Allowed when the user may write notes (practitioner or above), may see the note and
    may see the quote (approved, within its consent scope for the user's organisation);
    otherwise refused and audited as denied, with the same answer for a missing object and
    one the user may not see."""
    action = "annotation.link_quote"
    if user is None or not can_write(user):
        _audit(session, user, action, note_id, voice_item_id, "denied")
        return LinkResult("denied", "Viewers can read notes but not link quotes to them.")
    thread = get_thread(session, user, note_id)
    if thread is None:
        _audit(session, user, action, note_id, voice_item_id, "denied")
        return LinkResult("not_found", "That note does not exist or you cannot see it.")
    quote = visible_voice_items(session, user, ids=[int(voice_item_id)], audit=False)
    if quote.empty:
        _audit(session, user, action, thread.id, voice_item_id, "denied")
        return LinkResult("not_found", "That quote does not exist or you cannot see it.")
    if int(voice_item_id) in _linked_ids(session, thread.id):
        return LinkResult("invalid", "That quote is already linked to this note.")
    session.add(AnnotationVoiceLink(annotation_id=thread.id, voice_item_id=int(voice_item_id)))
    session.flush()
    _audit(session, user, action, thread.id, voice_item_id, "success")
    return LinkResult("saved", "The quote is linked to this note.")


def _audit(
    session: Session,
    user: UserRecord | None,
    action: str,
    note_id: int,
    voice_item_id: object,
    outcome: str,
) -> None:
    write_audit(
        session,
        action if outcome == "success" else f"denied:{action}",
        user=user,
        object_type="annotation",
        object_id=note_id,
        outcome=outcome,
        detail={"voice_item": str(voice_item_id)},
    )
