"""Promise: every response carries the security headers, and the CSP allows only Dash's
own inline scripts (by hash), no eval, no plugins, no framing, no <base> tricks."""

from __future__ import annotations

import base64
import hashlib
import re

from auth.headers import content_security_policy
from settings import Settings

EXPECTED = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def _directives(policy: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in policy.split("; ")}


def test_sec060_headers_on_pages_api_login_assets_errors(login, plain_client):
    anonymous = [plain_client.get(p) for p in ("/login", "/health", "/assets/chorus.css", "/")]
    client = login("oldham_viewer")
    signed_in = [client.get(p) for p in ("/", "/_dash-layout", "/api/v1/indicators", "/nope")]
    for response in anonymous + signed_in:
        for name, value in EXPECTED.items():
            assert response.headers.get(name) == value, (response.request.path, name)
        assert "Content-Security-Policy" in response.headers
        assert "Strict-Transport-Security" not in response.headers  # HTTPS setting is off


def test_sec061_csp_directives(login):
    client = login("oldham_viewer")
    policy = _directives(client.get("/").headers["Content-Security-Policy"])
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["default-src"] == ["'self'"]
    scripts = policy["script-src"]
    assert scripts[0] == "'self'"
    assert all(s.startswith("'sha256-") for s in scripts[1:])
    for forbidden in ("'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"):
        assert forbidden not in scripts


def test_sec062_every_inline_script_in_the_page_is_allowed_by_hash(login):
    client = login("oldham_viewer")
    response = client.get("/")
    html = response.get_data(as_text=True)
    allowed = set(_directives(response.headers["Content-Security-Policy"])["script-src"][1:])
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", html, re.S)
    executable = [body for attrs, body in inline if "application/json" not in attrs]
    assert executable, "Dash's renderer start-up script should be inline"
    for body in executable:
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in allowed, body[:80]


def test_sec063_hsts_when_https_is_on():
    from app import create_server

    server = create_server(Settings.from_env(secure_cookies=True))
    response = server.test_client().get("/login")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_sec064_policy_builder_adds_only_given_hashes():
    policy = _directives(content_security_policy(["'sha256-abc='"]))
    assert policy["script-src"] == ["'self'", "'sha256-abc='"]
