"""/api/live/: the transport of live Learning Network sessions.

Conditional polling, chosen over server-sent events or websockets: every request is a
short ordinary HTTP request, so it works unchanged on gunicorn's sync workers (a held-open
stream would take a worker each: 100 participants would need 100 workers), through every
proxy, and with the login, CSRF and audit rules every other route has. A screen asks
``GET /api/live/<id>/version`` about once a second with the ETag it last saw; while nothing
changed the answer is an empty 304. The version is one indexed row, or memory when Redis is
set (``data_access.live``). When it changes the screen fetches what it shows through its
Dash callback (or ``GET /api/live/<id>/state``).

- ``GET /api/live/<id>/version``: ``{"version", "step", "ended", "anonymous"}`` with an
  ETag; 304 on ``If-None-Match``. 404 for a session the caller may not follow.
- ``GET /api/live/<id>/state``: the live state and the current step's title (anonymised
  in an anonymised session).
- ``POST /api/live/<id>/contributions``: JSON ``{"step_id", "body", "kind",
  "anonymous", "client_key"}``; CSRF header and same origin as every POST. A retry with
  the same ``client_key`` returns the note saved the first time.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request
from flask.typing import ResponseReturnValue

from auth.current import current_record
from auth.permissions import guarded
from data_access import learning_network as ln
from data_access import live
from data_access.db import get_database
from data_access.ln_anonymity import authority_mapping

blueprint = Blueprint("api_live", __name__, url_prefix="/api/live")
NOT_FOUND = {"error": "There is no live session here that you can follow."}


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@blueprint.get("/<int:session_id>/version", endpoint="version")
@guarded("read")
def version(session_id: int) -> ResponseReturnValue:
    """The session's version, or 304 when it is the one the caller already has."""
    user = current_record()
    with get_database().read() as session:
        info = live.version_for(session, user, session_id)
    if info is None:
        return jsonify(NOT_FOUND), 404
    etag = f"{session_id}-{info.version}-{info.poll}"  # a vote changes only the poll
    if etag in request.if_none_match:
        response = Response(status=304)
    else:
        response = jsonify(info.as_dict())
    response.set_etag(etag)
    return _no_store(response)


@blueprint.get("/<int:session_id>/state", endpoint="state")
@guarded("read")
def state(session_id: int) -> ResponseReturnValue:
    """The live state and the current step's position, kind and title."""
    user = current_record()
    with get_database().read() as session:
        found = live.live_state(session, user, session_id)
        record = ln.get_session(session, user, session_id) if found else None
        if found is None or record is None:
            return jsonify(NOT_FOUND), 404
        title = ""
        step_id = None
        if record.steps:
            step = record.steps[found.step_index]
            step_id = step.id
            title = step.title
            if record.anonymised:
                from analysis.anonymise import anonymise_text

                title = anonymise_text(title, authority_mapping(session, record))
    body = {
        "version": found.version,
        "step": found.step_index,
        "step_id": step_id,
        "title": title,
        "total": found.total,
        "ended": found.ended,
        "anonymous_allowed": found.allow_anonymous,
    }
    response = jsonify(body)
    response.set_etag(f"{session_id}-{found.version}")
    return _no_store(response)


@blueprint.post("/<int:session_id>/contributions", endpoint="contributions")
@guarded("annotation.write")
def contribute(session_id: int) -> ResponseReturnValue:
    """Save a contribution on a step; 201 when saved (200 for a retry already saved)."""
    user = current_record()
    data = request.get_json(silent=True) or {}
    if not isinstance(data, dict):
        return jsonify({"error": "Send a JSON object."}), 400
    try:
        step_id = int(str(data.get("step_id")))
    except (TypeError, ValueError):
        return jsonify({"error": "Say which step the contribution is on."}), 400
    with get_database().write() as session:
        result = live.contribute(
            session,
            user,
            session_id,
            step_id,
            str(data.get("body") or ""),
            kind=str(data.get("kind") or "interpretation"),
            anonymous=bool(data.get("anonymous")),
            client_key=str(data.get("client_key") or "") or None,
        )
    if result.outcome == "denied":
        return jsonify({"error": result.message}), 403
    if not result.ok or result.annotation is None:
        return jsonify({"error": result.message}), 400
    status = 200 if result.message == live.ALREADY_SAVED else 201
    return jsonify({"id": result.annotation.id, "message": result.message}), status
