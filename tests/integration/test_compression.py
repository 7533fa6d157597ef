"""Responses are compressed where it is safe: JSON and bundles yes, HTML pages no."""

from __future__ import annotations

import gzip
import json


def test_perf001_json_callback_responses_are_compressed(client, auth):
    auth.login("oldham_viewer")
    response = client.get("/_dash-layout", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers.get("Content-Encoding") == "gzip"
    layout = json.loads(gzip.decompress(response.get_data()))
    assert "props" in layout


def test_perf002_html_pages_with_csrf_tokens_are_not_compressed(client):
    # The login form carries the CSRF token beside reflected input: never compressed (BREACH).
    response = client.get("/login?next=/explore", headers={"Accept-Encoding": "gzip, br"})
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers
    assert "csrf_token" in response.get_data(as_text=True)
