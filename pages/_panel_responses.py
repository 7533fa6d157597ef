"""A repeated panel redraw answered with the bytes of its earlier answer.

The panel's update callback (``_panel_support.update_panel``) draws its figure, caption,
breakdown, table, state and verdict from its inputs alone: the same controls on the same
data give the same answer, whoever asks. So each worker keeps the JSON bytes Dash sent
for a request, and when the identical request comes again it sends them without
rebuilding a frame or a figure.

The key holds everything the answer may depend on, and more, so nothing crosses a
boundary it should not:

- the callback's outputs and the values of its inputs and states (the panel's controls
  and its state Store: indicator, area, breakdown, comparators, periods);
- the data version (an import bumps it: no answer from before an import is sent after
  it) and the disclosure threshold;
- the asker's organisation and role (answers are never shared across organisations or
  roles, even where they would be the same).

Only the panel update callback is kept; only a logged-in user allowed to read (checked
here before any answer is sent, as the callback itself would) is answered; only a
200 JSON answer is kept. The store is per worker, bounded in entries and bytes, oldest
first out.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Any

import orjson
from flask import Flask, Response, g, request

from auth.current import current_record
from auth.permissions import PermissionDenied, check
from data_access.cache import data_version_of
from data_access.db import get_database

UPDATE_PATH = "/_dash-update-component"
# The outputs of the panel update callback, by component type and property.
PANEL_OUTPUTS = (
    ("panel-graph", "figure"),
    ("panel-caption", "children"),
    ("panel-breakdown", "children"),
    ("panel-table", "children"),
    ("panel-state", "data"),
    ("panel-verdict", "children"),
)
MAX_ENTRIES = 512
MAX_BYTES = 64 * 2**20
KEY_ATTRIBUTE = "chorus_panel_response_key"


class ResponseStore:
    """Answers' bytes by key, least recently used out first (thread-safe)."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> None:
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self.hits = 0
        self.stored = 0

    def get(self, key: str) -> bytes | None:
        with self._lock:
            payload = self._items.get(key)
            if payload is not None:
                self._items.move_to_end(key)
                self.hits += 1
            return payload

    def put(self, key: str, payload: bytes) -> None:
        if len(payload) > self.max_bytes // 8:
            return
        with self._lock:
            old = self._items.pop(key, None)
            self._bytes -= len(old) if old is not None else 0
            self._items[key] = payload
            self._bytes += len(payload)
            self.stored += 1
            while len(self._items) > self.max_entries or self._bytes > self.max_bytes:
                _key, dropped = self._items.popitem(last=False)
                self._bytes -= len(dropped)

    def clear(self) -> None:
        """Empty the store and its counts."""
        with self._lock:
            self._items.clear()
            self._bytes = 0
            self.hits = self.stored = 0

    def __len__(self) -> int:
        return len(self._items)


def _output_signature(body: dict[str, Any]) -> tuple[tuple[str, str], ...] | None:
    outputs = body.get("outputs")
    if not isinstance(outputs, list):
        return None
    found = []
    for output in outputs:
        if not isinstance(output, dict) or not isinstance(output.get("id"), dict):
            return None
        found.append((str(output["id"].get("type")), str(output.get("property"))))
    return tuple(found)


def _values(items: Any) -> list[Any]:
    """(id, property, value) of each input or state, in order."""
    if not isinstance(items, list):
        return []
    return [
        [item.get("id"), item.get("property"), item.get("value")]
        for item in items
        if isinstance(item, dict)
    ]


def response_key(
    body: Any, data_version: int, threshold: int, organisation: str, role: str
) -> str | None:
    """The store's key for a callback request ``body``, or None if it is not the panel
    update callback (see the module docstring for what the key holds)."""
    if not isinstance(body, dict) or _output_signature(body) != PANEL_OUTPUTS:
        return None
    parts = [
        body["outputs"],
        _values(body.get("inputs")),
        _values(body.get("state")),
        data_version,
        threshold,
        organisation,
        role,
    ]
    digest = hashlib.blake2b(orjson.dumps(parts, default=str), digest_size=20)
    return digest.hexdigest()


def _request_key(threshold: int) -> str | None:
    if request.method != "POST" or request.path != UPDATE_PATH:
        return None
    user = current_record()
    if user is None:
        return None
    try:
        check("read")
    except PermissionDenied:
        return None  # the callback itself refuses, as it always has
    try:
        body = orjson.loads(request.get_data(cache=True))
    except orjson.JSONDecodeError:
        return None
    if _output_signature(body if isinstance(body, dict) else {}) != PANEL_OUTPUTS:
        return None
    with get_database().read() as session:
        version = data_version_of(session)
    return response_key(body, version, threshold, str(user.organisation_code), str(user.role))


def install(server: Flask, store: ResponseStore | None = None) -> ResponseStore:
    """Answer repeated panel redraws on ``server`` from ``store`` (a new one by default).
    Registered after the login guard and the CSRF check, so they run first."""
    store = store if store is not None else ResponseStore()
    server.extensions["chorus_panel_responses"] = store

    @server.before_request
    def _answer_from_store() -> Response | None:
        settings = server.extensions["chorus_settings"]
        key = _request_key(int(settings.disclosure_threshold))
        if key is None:
            return None
        payload = store.get(key)
        if payload is None:
            setattr(g, KEY_ATTRIBUTE, key)
            return None
        return Response(payload, status=200, mimetype="application/json")

    @server.after_request
    def _keep_answer(response: Response) -> Response:
        key = g.pop(KEY_ATTRIBUTE, None)
        if (
            key is not None
            and response.status_code == 200
            and response.mimetype == "application/json"
            and not response.direct_passthrough
            and "Content-Encoding" not in response.headers
        ):
            store.put(key, response.get_data())
        return response

    return store


def panel_response_store(server: Flask) -> ResponseStore:
    """The worker's store (for tests and the metrics)."""
    store: ResponseStore = server.extensions["chorus_panel_responses"]
    return store
