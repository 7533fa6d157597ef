"""Structured logs: one JSON object per line, carrying the request id."""

from __future__ import annotations

import json
import logging

from flask import Flask, g

from observability import JsonFormatter, RequestIdFilter


def _record(message: str, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("chorus.request", logging.INFO, __file__, 1, message, (), None)
    for key, value in extra.items():
        setattr(record, key, value)
    return record


def test_log001_a_line_is_json_with_the_request_id_and_the_request_fields():
    app = Flask(__name__)
    with app.test_request_context("/health/live"):
        g.request_id = "abc123"
        record = _record("GET /health/live 200", method="GET", status=200, duration_ms=1.5)
        assert RequestIdFilter().filter(record)
        line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert entry["request_id"] == "abc123" and entry["level"] == "info"
    assert entry["message"] == "GET /health/live 200"
    assert (entry["method"], entry["status"], entry["duration_ms"]) == ("GET", 200, 1.5)
    assert "\n" not in line


def test_log002_outside_a_request_the_id_is_a_dash():
    record = _record('quote " and\nnew line')
    RequestIdFilter().filter(record)
    entry = json.loads(JsonFormatter().format(record))
    assert entry["request_id"] == "-" and entry["message"] == 'quote " and\nnew line'
