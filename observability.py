"""Logs, request ids and ``/metrics`` for the web processes.

- Every request gets an id: the proxy's ``X-Request-ID`` when it is a short plain token,
  else a new one. It is sent back in ``X-Request-ID`` and carried by every log line the
  request writes.
- ``CHORUS_LOG_FORMAT=json`` (the default when CHORUS_ENV=production) writes one JSON
  object per line (time, level, logger, message, request_id, and for each request its
  method, route, status and duration); ``text`` writes plain lines for a terminal.
- ``/metrics`` answers only with ``Authorization: Bearer <CHORUS_METRICS_TOKEN>``; without
  the setting it is 404, with a wrong token 401. No login is needed (scrapers have none).
"""

from __future__ import annotations

import hmac
import json
import logging
import re
import sys
import time
import uuid
from collections.abc import Callable, Container
from datetime import UTC, datetime

from flask import Flask, Response, g, has_request_context, request
from werkzeug.exceptions import HTTPException

import metrics
from settings import Settings

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
CALLBACK_PATH = "/_dash-update-component"
request_log = logging.getLogger("chorus.request")


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = getattr(g, "request_id", "-") if has_request_context() else "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line."""

    EXTRA = ("method", "route", "status", "duration_ms", "callback")

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        for name in self.EXTRA:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(settings: Settings) -> None:
    """Send Chorus's logs to standard error in the chosen format (once per process)."""
    root = logging.getLogger()
    if any(getattr(h, "chorus", False) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.chorus = True  # type: ignore[attr-defined]
    handler.addFilter(RequestIdFilter())
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
        )
    root.addHandler(handler)
    # Chorus's own lines from INFO; libraries (Alembic, Celery...) from WARNING.
    logging.getLogger("chorus").setLevel(logging.INFO)


def init_observability(
    server: Flask, settings: Settings, callback_names: Callable[[], Container[str]]
) -> None:
    """Request ids, a log line and metrics per request, and the /metrics route.

    ``callback_names()`` gives the Dash callbacks' output specs: a callback request is
    counted under its spec when it is one of them, else as "unknown" (so a client cannot invent
    label values).
    """

    @server.before_request
    def _start() -> None:
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @server.after_request
    def _finish(response: Response) -> Response:
        started = getattr(g, "request_started", None)
        response.headers["X-Request-ID"] = getattr(g, "request_id", "")
        if started is None:
            return response
        duration = time.perf_counter() - started
        route = _route_label(callback_names())
        metrics.inc("chorus_requests_total", route=route, status=str(response.status_code))
        metrics.observe("chorus_request_seconds", duration, route=route)
        if request.path == "/login" and request.method == "POST":
            # The form comes back with 401 for a wrong name or password, 429 when limited.
            reason = {401: "wrong", 429: "rate_limited"}.get(response.status_code)
            if reason:
                metrics.inc("chorus_login_failures_total", reason=reason)
        if settings.log_format != "json":
            return response  # gunicorn's access log says it for a terminal
        request_log.info(
            "%s %s %s",
            request.method,
            route,
            response.status_code,
            extra={
                "method": request.method,
                "route": route,
                "status": response.status_code,
                "duration_ms": round(duration * 1000, 1),
            },
        )
        return response

    @server.get("/metrics", endpoint="metrics")
    def _metrics() -> Response:
        token = settings.metrics_token
        if not token:
            return Response("Not found\n", status=404, mimetype="text/plain")
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), token.encode()):
            return Response("Unauthorised\n", status=401, mimetype="text/plain")
        return Response(metrics.render(), mimetype="text/plain; version=0.0.4")


def _route_label(callback_names: Container[str]) -> str:
    """The URL rule (never the raw path), or for a Dash callback its output spec."""
    if request.path == CALLBACK_PATH and request.method == "POST":
        try:
            body = request.get_json(silent=True, cache=True) or {}
        except HTTPException:  # a body over the limit (413) is never read
            return "callback unknown"
        output = body.get("output") if isinstance(body, dict) else None
        if isinstance(output, str) and output in callback_names:
            return "callback " + output
        return "callback unknown"
    rule = request.url_rule
    return rule.rule if rule is not None else "unmatched"
