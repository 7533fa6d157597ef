"""Taking words back: withdrawal references and the requests made with them.

When a quote is saved the practitioner gets a short random reference to give the child or
family (on a slip or read out). Anyone holding it can ask, through a public form, for the
quote to be withdrawn. The request hides the quote at once from every read path (the
consent rule in :mod:`data_access.voice` leaves out any item with a request) and waits in
the owning organisation's moderation queue; an analyst's confirmation withdraws the quote
(tombstone, as a withdrawal by staff does).

References are single-purpose and random: they carry nothing about the quote, and only
their SHA-256 is kept, so the table cannot be read back into references. The public answer
to a request is the same for a known and an unknown reference, and both do the same work.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access.models import VoiceItem, VoiceWithdrawal, utcnow
from data_access.users import UserRecord, write_audit
from data_access.voice import VoiceError, withdraw_voice_item
from data_access.voice.guards import _require_owner, _require_role
from rules.roles import ANALYST, PRACTITIONER, roles_at_least

# No 0/O, 1/I/L, 5/S, 2/Z: easy to read out and to copy from a slip.
ALPHABET = "ABCDEFGHJKMNPQRTUVWXY346789"
GROUPS = 3
GROUP_LENGTH = 4  # 12 characters from 27: about 57 bits, far beyond guessing at our rate limit
REFERENCE_PATTERN = re.compile(rf"^[{ALPHABET}]{{{GROUPS * GROUP_LENGTH}}}$")

# What the public form says after any request, known reference or not.
REQUEST_RECEIVED = (
    "Thank you. If this reference matches a quote, the quote is now hidden and will be "
    "taken out. You can check with the same reference at any time."
)
STATUS_TEXT = {
    "none": "We have no request to take back words with this reference.",
    "received": "We have your request. The quote is hidden while a member of staff takes it out.",
    "withdrawn": "The quote has been withdrawn. It is no longer kept or shown anywhere.",
}
_WITHDRAW_ROLES = roles_at_least(PRACTITIONER)
_ANALYST_ROLES = roles_at_least(ANALYST)


def new_reference() -> str:
    """A fresh random reference such as ``HK4T-9WQA-MX7C``."""
    chars = "".join(secrets.choice(ALPHABET) for _ in range(GROUPS * GROUP_LENGTH))
    return "-".join(chars[i : i + GROUP_LENGTH] for i in range(0, len(chars), GROUP_LENGTH))


def normalise_reference(text: str | None) -> str:
    """Upper case without spaces or dashes; '' when it cannot be a reference."""
    cleaned = re.sub(r"[\s\-]", "", (text or "").upper())[:64]
    return cleaned if REFERENCE_PATTERN.match(cleaned) else ""


def reference_hash(text: str | None) -> str:
    """The stored form of a reference. An impossible reference still hashes (same work)."""
    cleaned = normalise_reference(text) or "!" + (text or "")[:64]
    return hashlib.sha256(("chorus-withdrawal:" + cleaned).encode("utf-8")).hexdigest()


def issue_reference(session: Session, user: UserRecord, item_id: int) -> str:
    """Make (or remake) the withdrawal reference for a quote of the user's organisation.

    Returns the reference itself: show it once, it is not kept. A remade reference
    replaces the old one, unless a request has already been made with it.
    """
    _require_role(user, _WITHDRAW_ROLES, "voice.write")
    item = session.get(VoiceItem, int(item_id))
    if item is None:
        raise VoiceError(f"There is no voice item {item_id}.")
    _require_owner(session, user, item, "voice.write")
    row = session.scalar(select(VoiceWithdrawal).where(VoiceWithdrawal.voice_item_id == item.id))
    if row is not None and row.requested_at is not None:
        raise VoiceError("Someone has already asked to take this quote back.")
    reference = new_reference()
    if row is None:
        session.add(
            VoiceWithdrawal(
                reference_hash=reference_hash(reference),
                voice_item_id=item.id,
                organisation_id=item.organisation_id,
            )
        )
    else:
        row.reference_hash = reference_hash(reference)
        row.created_at = utcnow()
    write_audit(
        session,
        "voice.withdrawal_reference",
        user=user,
        object_type="voice_item",
        object_id=item.id,
    )
    return reference


def request_withdrawal(session: Session, reference: str, address: str | None = None) -> str:
    """Record a public request to take back the quote behind ``reference``.

    Always returns :data:`REQUEST_RECEIVED` and always does one look-up and one audit
    row, so a guesser learns nothing from the answer or its timing.
    """
    row = session.scalar(
        select(VoiceWithdrawal).where(VoiceWithdrawal.reference_hash == reference_hash(reference))
    )
    outcome = "unknown"
    item_id = None
    if row is not None:
        outcome = "received"
        item_id = row.voice_item_id
        if row.requested_at is None:
            row.requested_at = utcnow()
    write_audit(
        session,
        "public.withdrawal_request",
        object_type="voice_item" if item_id else None,
        object_id=item_id,
        outcome=outcome,
        address=address,
    )
    session.flush()
    return REQUEST_RECEIVED


def withdrawal_status(session: Session, reference: str) -> str:
    """``none`` (unknown, or no request made), ``received`` or ``withdrawn``."""
    found = session.execute(
        select(VoiceWithdrawal.requested_at, VoiceWithdrawal.confirmed_at, VoiceItem.withdrawn)
        .join(VoiceItem, VoiceItem.id == VoiceWithdrawal.voice_item_id)
        .where(VoiceWithdrawal.reference_hash == reference_hash(reference))
    ).first()
    if found is None or found.requested_at is None:
        return "none"
    if found.confirmed_at is not None or found.withdrawn:
        return "withdrawn"
    return "received"


@dataclass(frozen=True)
class WithdrawalRequest:
    """One request waiting for an analyst: the quote is hidden until it is confirmed."""

    voice_item_id: int
    requested_at: datetime
    text: str
    speaker_role: str
    service: str


def pending_withdrawals(session: Session, user: UserRecord) -> list[WithdrawalRequest]:
    """Requests on the user's organisation's quotes not yet confirmed (analysts only)."""
    if user is None or user.role not in _ANALYST_ROLES:
        return []
    rows = session.execute(
        select(VoiceWithdrawal, VoiceItem)
        .join(VoiceItem, VoiceItem.id == VoiceWithdrawal.voice_item_id)
        .where(
            VoiceWithdrawal.organisation_id == user.organisation_id,
            VoiceWithdrawal.requested_at.is_not(None),
            VoiceWithdrawal.confirmed_at.is_(None),
        )
        .order_by(VoiceWithdrawal.requested_at)
    ).all()
    return [
        WithdrawalRequest(
            voice_item_id=item.id,
            requested_at=request.requested_at or item.updated_at,
            text=item.text,
            speaker_role=item.speaker_role,
            service=item.service,
        )
        for request, item in rows
        if not item.withdrawn
    ]


def confirm_withdrawal(session: Session, user: UserRecord, item_id: int) -> VoiceItem:
    """An analyst of the owning organisation confirms a request: the quote is withdrawn."""
    row = session.scalar(
        select(VoiceWithdrawal).where(VoiceWithdrawal.voice_item_id == int(item_id))
    )
    if row is None or row.requested_at is None:
        raise VoiceError("Nobody has asked to take this quote back.")
    # The owner and role checks are withdraw_voice_item's (analysts of the owning authority).
    item = withdraw_voice_item(session, user, item_id, reason="taken back by the speaker")
    row.confirmed_at = utcnow()
    row.confirmed_by = user.id
    write_audit(
        session,
        "voice.withdrawal_confirmed",
        user=user,
        object_type="voice_item",
        object_id=item.id,
    )
    return item
