"""Live Learning Network sessions: participants join with a code, follow the presenter's
step on their own screens and contribute from them.

Rules, checked here on every read and write (pages and routes call these functions):

- Starting, ending, moving the live step and changing the options: the session's
  facilitator role (``session.facilitate``: analyst or admin) in the owning organisation.
- Joining: a signed-in user who may read the session (``learning_network.get_session``)
  and whose organisation takes part in it (one of its participants) or owns it. A code is
  six characters without ones that are easily confused (no 0, O, 1, I or L) and stops
  working when the session ends.
- Following (``live_state``, ``version_for``): the facilitators of the owning organisation
  and users who joined. The join code is given to facilitators only.
- Contributing: a user who joined, with the annotation write permission; the contribution
  is saved by ``data_access.ln_anonymity.add_contribution`` so every visibility and
  anonymity rule of a Learning Network note holds (the annotations API included).
  Anonymous contributions only when the facilitator allows them. A ``client_key`` sent
  with the contribution makes a retry return the note already saved instead of a second.

The version. ``ln_live.version`` goes up by one on every change a screen follows (step,
options, start, end, someone joining, a contribution). ``current_version`` reads it from
that one row; when ``REDIS_URL`` is set each change is also published on Redis pub/sub
after its transaction commits, and a subscriber thread in each process keeps a small
cache of versions, so several app servers answer polls from memory and stay in step
(entries are re-read from the database after ``CACHE_SECONDS`` in case a message was
missed).
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from data_access import learning_network as ln
from data_access import ln_anonymity
from data_access.annotations import WriteResult, get_thread
from data_access.models import LnContributionKey, LnLive, LnParticipant, LnPoll
from data_access.users import UserRecord, write_audit
from rules.roles import role_may

log = logging.getLogger(__name__)

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L
CODE_LENGTH = 6
CONTRIBUTION_KINDS: dict[str, str] = {
    "interpretation": "Interpretation",
    "question": "Question",
    "context_event": "Context",
}
MAX_CLIENT_KEY = 64
ALREADY_SAVED = "Already saved."
CHANNEL = "chorus:ln-live"
CACHE_SECONDS = 10.0
ACCESS_SECONDS = 30.0


class LiveNotAllowed(PermissionError):
    """The user may not do this to the live session (a denial audit row was added)."""


@dataclass(frozen=True)
class VersionInfo:
    """What a polling screen compares: the version and the parts participants follow."""

    version: int
    step_index: int
    ended: bool
    allow_anonymous: bool
    # The session's polls (``poll_version``): a vote redraws only the poll.
    poll: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "step": self.step_index,
            "ended": self.ended,
            "anonymous": self.allow_anonymous,
            "poll": self.poll,
        }


@dataclass(frozen=True)
class LiveState:
    """The live state of a session as one user may see it."""

    session_id: int
    version: int
    step_index: int
    total: int
    joined: int
    allow_anonymous: bool
    show_contributions: bool
    ended: bool
    is_facilitator: bool
    join_code: str | None  # facilitators only


@dataclass(frozen=True)
class JoinResult:
    """``outcome``: joined, invalid (no such code), ended or not_allowed."""

    outcome: str
    message: str
    session_id: int | None = None


# --- codes ---------------------------------------------------------------------------


def normalise_code(text: object) -> str:
    """A typed code as stored: upper case, spaces and dashes dropped."""
    return "".join(ch for ch in str(text or "").upper() if ch not in " -\t")[:20]


def _new_code(session: Session) -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if session.scalar(select(LnLive.session_id).where(LnLive.join_code == code)) is None:
            return code


# --- checks ------------------------------------------------------------------------------


def _deny(session: Session, user: UserRecord | None, action: str, session_id: Any) -> None:
    ln.refuse(session, user, action, session_id, error=LiveNotAllowed)


def _audit(session: Session, user: UserRecord, action: str, session_id: int, **detail: Any) -> None:
    write_audit(
        session, action, user=user, object_type="ln_session", object_id=session_id, detail=detail
    )


def is_facilitator(user: UserRecord | None, record: ln.SessionRecord) -> bool:
    """A facilitator (analyst or admin) of the organisation that owns the session."""
    return bool(
        user is not None
        and ln.can_facilitate(user)
        and user.organisation_id == record.organisation_id
    )


def takes_part(user: UserRecord | None, record: ln.SessionRecord) -> bool:
    """The user's organisation is one of the session's participants or owns it."""
    return bool(
        user is not None
        and user.active
        and (
            user.organisation_id == record.organisation_id
            or user.organisation_code in record.participants
        )
    )


def _facilitated(
    session: Session, user: UserRecord | None, session_id: int, action: str
) -> ln.SessionRecord:
    record = ln.get_session(session, user, session_id)
    if record is None or not is_facilitator(user, record):
        _deny(session, user, action, session_id)
    assert record is not None
    return record


def _joined(session: Session, user: UserRecord, session_id: int) -> bool:
    return (
        session.scalar(
            select(LnParticipant.id).where(
                LnParticipant.session_id == session_id, LnParticipant.user_id == user.id
            )
        )
        is not None
    )


def _may_follow(
    session: Session, user: UserRecord | None, session_id: int
) -> ln.SessionRecord | None:
    record = ln.get_session(session, user, session_id)
    if record is None or user is None:
        return None
    if is_facilitator(user, record):
        return record
    if takes_part(user, record) and _joined(session, user, record.id):
        return record
    return None


# --- facilitator's controls ------------------------------------------------------------


def _bump(session: Session, row: LnLive) -> None:
    row.version = int(row.version or 0) + 1
    session.flush()
    _publish_after_commit(session, row)


def start_live(session: Session, user: UserRecord | None, session_id: int) -> LiveState:
    """Start (or keep) the live session; a session started again after it ended gets a
    new code. Facilitators of the owning organisation only."""
    record = _facilitated(session, user, session_id, "live.start")
    assert user is not None
    row = session.get(LnLive, record.id)
    if row is None:
        row = LnLive(
            session_id=record.id,
            join_code=_new_code(session),
            started_at=datetime.now(UTC),
            step_index=0,
            version=1,
            allow_anonymous=True,
            show_contributions=True,
        )
        session.add(row)
        session.flush()
        _publish_after_commit(session, row)
        _audit(session, user, "live.start", record.id)
    elif row.ended_at is not None:
        row.join_code = _new_code(session)
        row.ended_at = None
        row.started_at = datetime.now(UTC)
        _bump(session, row)
        _audit(session, user, "live.start", record.id)
    state = live_state(session, user, record.id)
    assert state is not None
    return state


def end_live(session: Session, user: UserRecord | None, session_id: int) -> None:
    """End the live session: its code stops working; participants see that it ended."""
    record = _facilitated(session, user, session_id, "live.end")
    assert user is not None
    row = session.get(LnLive, record.id)
    if row is None or row.ended_at is not None:
        return
    row.ended_at = datetime.now(UTC)
    _bump(session, row)
    _audit(session, user, "live.end", record.id)


def set_live_step(session: Session, user: UserRecord | None, session_id: int, index: int) -> int:
    """Put the live session on step ``index`` (0-based, kept within the agenda)."""
    record = _facilitated(session, user, session_id, "live.step")
    row = session.get(LnLive, record.id)
    total = len(record.steps)
    index = max(0, min(int(index), total - 1)) if total else 0
    if row is None:
        return index
    if row.step_index != index:
        row.step_index = index
        _bump(session, row)
    return index


def move_live_step(session: Session, user: UserRecord | None, session_id: int, offset: int) -> int:
    """Move the live step by ``offset`` from the step saved on the server."""
    record = _facilitated(session, user, session_id, "live.step")
    row = session.get(LnLive, record.id)
    current = row.step_index if row is not None else 0
    return set_live_step(session, user, session_id, current + int(offset))


def saved_step(session: Session, user: UserRecord | None, session_id: int) -> int | None:
    """The live session's step for a facilitator reloading the present screen."""
    record = ln.get_session(session, user, session_id)
    if record is None or not is_facilitator(user, record):
        return None
    row = session.get(LnLive, record.id)
    return None if row is None or row.ended_at is not None else row.step_index


def set_options(
    session: Session,
    user: UserRecord | None,
    session_id: int,
    *,
    allow_anonymous: bool | None = None,
    show_contributions: bool | None = None,
) -> None:
    """Whether anonymous contributions are allowed, and whether the shared screen shows
    the contributions panel."""
    record = _facilitated(session, user, session_id, "live.options")
    assert user is not None
    row = session.get(LnLive, record.id)
    if row is None:
        return
    if allow_anonymous is not None:
        row.allow_anonymous = bool(allow_anonymous)
    if show_contributions is not None:
        row.show_contributions = bool(show_contributions)
    _bump(session, row)
    _audit(
        session,
        user,
        "live.options",
        record.id,
        allow_anonymous=row.allow_anonymous,
        show_contributions=row.show_contributions,
    )


# --- participants ----------------------------------------------------------------------


def join(session: Session, user: UserRecord | None, code: object) -> JoinResult:
    """Join the live session whose code was typed (or followed in a link)."""
    typed = normalise_code(code)
    row = None
    if len(typed) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in typed):
        row = session.scalar(select(LnLive).where(LnLive.join_code == typed))
    if row is None:
        write_audit(session, "live.join", user=user, object_type="ln_session", outcome="invalid")
        return JoinResult(
            "invalid",
            "There is no live session with that code. Check the code on the shared screen.",
        )
    if row.ended_at is not None:
        write_audit(
            session, "live.join", user=user, object_type="ln_session",
            object_id=row.session_id, outcome="ended",
        )  # fmt: skip
        return JoinResult("ended", "That session has ended, so its code no longer works.")
    record = ln.get_session(session, user, row.session_id)
    if user is None or record is None or not takes_part(user, record):
        write_audit(
            session, "denied:live.join", user=user, object_type="ln_session",
            object_id=row.session_id, outcome="denied",
        )  # fmt: skip
        return JoinResult(
            "not_allowed",
            "Your organisation is not taking part in this session. Ask the facilitator to add it.",
        )
    now = datetime.now(UTC)
    seat = session.scalar(
        select(LnParticipant).where(
            LnParticipant.session_id == record.id, LnParticipant.user_id == user.id
        )
    )
    if seat is None:
        session.add(
            LnParticipant(
                session_id=record.id,
                user_id=user.id,
                organisation_id=user.organisation_id,
                joined_at=now,
                last_seen=now,
            )
        )
        _bump(session, row)  # the present screen shows how many joined
        _audit(session, user, "live.join", record.id)
    else:
        seat.last_seen = now
        session.flush()
    return JoinResult("joined", "You have joined the session.", record.id)


def live_state(session: Session, user: UserRecord | None, session_id: int) -> LiveState | None:
    """The live state for a facilitator or a participant who joined; None otherwise (and
    None when the session was never started)."""
    try:
        session_id = int(session_id)
    except (TypeError, ValueError):
        return None
    record = _may_follow(session, user, session_id)
    if record is None or user is None:
        return None
    row = session.get(LnLive, record.id)
    if row is None:
        return None
    joined = session.scalar(select(func.count()).where(LnParticipant.session_id == record.id)) or 0
    facilitator = is_facilitator(user, record)
    total = len(record.steps)
    return LiveState(
        session_id=record.id,
        version=row.version,
        step_index=max(0, min(row.step_index, total - 1)) if total else 0,
        total=total,
        joined=int(joined),
        allow_anonymous=bool(row.allow_anonymous),
        show_contributions=bool(row.show_contributions),
        ended=row.ended_at is not None,
        is_facilitator=facilitator,
        join_code=row.join_code if facilitator and row.ended_at is None else None,
    )


def contribute(
    session: Session,
    user: UserRecord | None,
    session_id: int,
    step_id: int,
    body: str,
    kind: str = "interpretation",
    anonymous: bool = False,
    client_key: str | None = None,
) -> WriteResult:
    """Save a participant's contribution on a step as a Learning Network note.

    The same ``client_key`` from the same user returns the note saved the first time.
    """
    record = _may_follow(session, user, int(session_id))
    if record is None or user is None or not role_may(user.role, "annotation.write"):
        write_audit(
            session, "denied:live.contribute", user=user, object_type="ln_session",
            object_id=session_id, outcome="denied",
        )  # fmt: skip
        return WriteResult("denied", "You cannot contribute to this session.")
    row = session.get(LnLive, record.id)
    if row is None or row.ended_at is not None:
        return WriteResult("invalid", "The session has ended: contributions are closed.")
    if kind not in CONTRIBUTION_KINDS:
        return WriteResult("invalid", "Choose an interpretation, a question or context.")
    if anonymous and not row.allow_anonymous:
        return WriteResult(
            "invalid", "The facilitator has not allowed anonymous contributions in this session."
        )
    key = str(client_key or "")[:MAX_CLIENT_KEY] or None
    if key is not None:
        earlier = _earlier(session, user, key)
        if earlier is not None:
            return earlier
    said_by = None if anonymous else user.organisation_code
    try:
        with session.begin_nested():
            result = ln_anonymity.add_contribution(
                session, user, record.id, int(step_id), body, said_by, kind=kind
            )
            if result.ok and result.annotation is not None and key is not None:
                session.add(
                    LnContributionKey(
                        user_id=user.id,
                        client_key=key,
                        session_id=record.id,
                        annotation_id=result.annotation.id,
                    )
                )
                session.flush()
    except IntegrityError:  # the same key saved at the same moment by a retry
        earlier = _earlier(session, user, key or "")
        if earlier is not None:
            return earlier
        raise
    if result.ok:
        _bump(session, row)
    return result


def _earlier(session: Session, user: UserRecord, key: str) -> WriteResult | None:
    note_id = session.scalar(
        select(LnContributionKey.annotation_id).where(
            LnContributionKey.user_id == user.id, LnContributionKey.client_key == key
        )
    )
    if note_id is None:
        return None
    return WriteResult("saved", ALREADY_SAVED, annotation=get_thread(session, user, note_id))


# --- the version: database, and Redis when it is set ------------------------------------


def poll_version(session: Session, session_id: int) -> int:
    """A number that changes whenever a poll of the session, or a vote in one, changes
    (the sum of the polls' versions; compare it for equality). Holds no one's data, so
    it needs no reader check: the caller has already checked the session."""
    total = session.scalar(
        select(func.coalesce(func.sum(LnPoll.version), 0)).where(
            LnPoll.session_id == int(session_id)
        )
    )
    return int(total or 0)


def _read_version(session: Session, session_id: int) -> VersionInfo | None:
    row = session.execute(
        select(LnLive.version, LnLive.step_index, LnLive.ended_at, LnLive.allow_anonymous).where(
            LnLive.session_id == int(session_id)
        )
    ).first()
    if row is None:
        return None
    polls = poll_version(session, session_id)
    return VersionInfo(int(row[0]), int(row[1]), row[2] is not None, bool(row[3]), polls)


def current_version(session: Session, session_id: int) -> VersionInfo | None:
    """The session's version (no permission check: see ``version_for``). From the
    in-process cache when Redis is set and the entry is fresh, else from its one row."""
    hub = _hub()
    if hub is not None:
        cached = hub.get(int(session_id))
        if cached is not None:
            return cached
    info = _read_version(session, session_id)
    if hub is not None and info is not None:
        hub.put(int(session_id), info)
    return info


_access: dict[tuple[int, int, int], float] = {}
_access_lock = threading.Lock()


def version_for(session: Session, user: UserRecord | None, session_id: int) -> VersionInfo | None:
    """The version for a user who may follow the session, else None. A granted check is
    remembered for ``ACCESS_SECONDS`` (per user, session version of the login and session)
    so a poll a second costs no query beyond the version."""
    if user is None or not user.active:
        return None
    key = (user.id, user.session_version, int(session_id))
    now = time.monotonic()
    with _access_lock:
        fresh = _access.get(key, 0.0) > now
    if not fresh:
        if _may_follow(session, user, int(session_id)) is None:
            return None
        with _access_lock:
            if len(_access) > 10_000:
                _access.clear()
            _access[key] = now + ACCESS_SECONDS
    return current_version(session, session_id)


def forget_access() -> None:
    """Drop remembered access checks (tests, and after a user's rights change)."""
    with _access_lock:
        _access.clear()


class _Hub:
    """Versions published on Redis, kept per process by one subscriber thread."""

    def __init__(self, url: str) -> None:
        import redis

        self._client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        self._url = url
        self._versions: dict[int, tuple[float, VersionInfo]] = {}
        self._lock = threading.Lock()
        thread = threading.Thread(target=self._listen, name="ln-live-subscriber", daemon=True)
        thread.start()

    def get(self, session_id: int) -> VersionInfo | None:
        with self._lock:
            entry = self._versions.get(session_id)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, session_id: int, info: VersionInfo) -> None:
        with self._lock:
            old = self._versions.get(session_id)
            if old is not None and old[0] >= time.monotonic() and old[1].version > info.version:
                return  # never go back to an older version
            self._versions[session_id] = (time.monotonic() + CACHE_SECONDS, info)

    def publish(self, session_id: int, info: VersionInfo) -> None:
        self.put(session_id, info)
        try:
            self._client.publish(CHANNEL, json.dumps({"id": session_id, **info.as_dict()}))
        except Exception:  # Redis down: other servers re-read within CACHE_SECONDS
            log.warning("could not publish a live session version", exc_info=True)

    def _listen(self) -> None:
        import redis

        while True:
            try:
                client = redis.Redis.from_url(self._url, socket_connect_timeout=2)
                pubsub = client.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(CHANNEL)
                with self._lock:  # anything missed while away is re-read
                    self._versions.clear()
                for message in pubsub.listen():
                    self._receive(message.get("data"))
            except Exception:
                log.warning("live session subscriber lost Redis; retrying", exc_info=True)
                with self._lock:
                    self._versions.clear()
                time.sleep(1.0)

    def _receive(self, data: object) -> None:
        try:
            item = json.loads(data if isinstance(data, str | bytes) else "")
            info = VersionInfo(
                int(item["version"]),
                int(item["step"]),
                bool(item["ended"]),
                bool(item["anonymous"]),
                int(item.get("poll", 0)),
            )
            self.put(int(item["id"]), info)
        except (ValueError, KeyError, TypeError):
            return


_hub_instance: _Hub | None = None
_hub_url: str | None = None
_hub_lock = threading.Lock()


def _hub() -> _Hub | None:
    """The process's Redis hub (started on first use, so after a server forks), or None
    without REDIS_URL."""
    global _hub_instance, _hub_url
    import settings as chorus_settings

    url = chorus_settings.current().redis_url
    if not url:
        return None
    with _hub_lock:
        if _hub_instance is None or _hub_url != url:
            try:
                _hub_instance = _Hub(url)
                _hub_url = url
            except Exception:
                log.warning("Redis not available for live sessions", exc_info=True)
                return None
        return _hub_instance


def polls_changed(session: Session, session_id: int) -> None:
    """A poll of the session or a vote in one changed (``data_access.ln_polls`` calls this):
    other app servers learn the new poll version through Redis once the change commits."""
    row = session.get(LnLive, int(session_id))
    if row is not None:
        _publish_after_commit(session, row)


def _publish_after_commit(session: Session, row: LnLive) -> None:
    info = VersionInfo(
        int(row.version),
        int(row.step_index),
        row.ended_at is not None,
        bool(row.allow_anonymous),
        poll_version(session, int(row.session_id)),
    )
    pending: dict[int, VersionInfo] = session.info.setdefault("ln_live_publish", {})
    if not pending:
        event.listen(session, "after_commit", _publish_pending, once=True)
    pending[int(row.session_id)] = info


def _publish_pending(session: Session) -> None:
    pending: dict[int, VersionInfo] = session.info.pop("ln_live_publish", {})
    hub = _hub()
    if hub is None:
        return
    for session_id, info in pending.items():
        hub.publish(session_id, info)


__all__ = [
    "CODE_ALPHABET",
    "CONTRIBUTION_KINDS",
    "JoinResult",
    "LiveNotAllowed",
    "LiveState",
    "VersionInfo",
    "contribute",
    "current_version",
    "end_live",
    "forget_access",
    "is_facilitator",
    "join",
    "live_state",
    "move_live_step",
    "normalise_code",
    "saved_step",
    "set_live_step",
    "set_options",
    "start_live",
    "takes_part",
    "version_for",
]
