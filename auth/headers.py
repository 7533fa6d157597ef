"""Security headers on every response, including a Content-Security-Policy for Dash.

Dash puts exactly one inline script in its page (``new DashRenderer(...)``), plus one per
clientside callback written as a string; ``Dash.csp_hashes()`` hashes them all, so
``script-src`` allows ``'self'`` and those hashes and nothing else inline. No
``'unsafe-eval'``: neither the renderer nor plotly.js needs it (the browser CSP test
checks every page). ``style-src`` keeps ``'unsafe-inline'`` because plotly.js and some
Dash components add ``<style>`` elements at run time; styles cannot run script.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, Response

# Directives other than script-src; script-src is built from the Dash hashes.
BASE_POLICY = {
    "default-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data: blob:",
    "font-src": "'self' data:",
    "connect-src": "'self'",
    "worker-src": "'self' blob:",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}

HSTS_VALUE = "max-age=31536000; includeSubDomains"

ScriptHashes = Callable[[], list[str]]


def content_security_policy(script_hashes: list[str]) -> str:
    """The CSP header value for the given ``'sha256-...'`` script hashes."""
    directives = dict(BASE_POLICY)
    directives["script-src"] = " ".join(["'self'", *script_hashes])
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def use_dash_script_hashes(server: Flask, hashes: ScriptHashes) -> None:
    """Tell the header hook where to get the inline-script hashes (app.csp_hashes)."""
    server.extensions["chorus_script_hashes"] = hashes


def init_security_headers(server: Flask) -> None:
    """Add the headers to every response the server sends."""

    @server.after_request
    def _add_security_headers(response: Response) -> Response:
        hashes_of = server.extensions.get("chorus_script_hashes")
        # Computed per response: a few SHA-256 of short strings, and clientside
        # callbacks registered late are still covered.
        hashes = sorted(set(hashes_of())) if hashes_of else []
        headers = response.headers
        headers["Content-Security-Policy"] = content_security_policy(hashes)
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "same-origin"
        headers["X-Frame-Options"] = "DENY"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
        if response.mimetype in ("text/html", "application/json", "text/csv"):
            # Pages and data are per user: never kept by shared caches or the back button.
            headers.setdefault("Cache-Control", "no-store")
        if server.extensions["chorus_settings"].secure_cookies:
            headers["Strict-Transport-Security"] = HSTS_VALUE
        return response
