"""Every registered page runs under the Content-Security-Policy without a single violation
in the console, and the policy really is enforced (an injected inline script is blocked)."""

from __future__ import annotations

import dash
import pytest


def _registered_paths() -> list[str]:
    import app  # noqa: F401  (builds the page registry)

    return sorted(p["relative_path"] for p in dash.page_registry.values() if "<" not in p["path"])


def _csp_messages(entries: list[dict]) -> list[str]:
    return [
        e["message"]
        for e in entries
        if "Content Security Policy" in e["message"] or "Refused to" in e["message"]
    ]


def test_csp001_every_page_runs_without_csp_violations(session_browser, users):
    # As an admin, so the admin pages show their full content too.
    user = users["oldham_admin"]
    session_browser.login(user.username, user.password)
    problems = {}
    for path in _registered_paths():
        session_browser.driver.get_log("browser")
        session_browser.visit(path)
        messages = _csp_messages(session_browser.driver.get_log("browser"))
        if messages:
            problems[path] = messages
    assert problems == {}


@pytest.mark.parametrize("path", ["/", "/admin/users"])
def test_csp002_injected_inline_script_is_blocked(session_browser, users, path):
    user = users["oldham_admin"]
    session_browser.login(user.username, user.password)
    session_browser.visit(path)
    session_browser.driver.get_log("browser")
    ran = session_browser.driver.execute_script(
        "window.__cspProbe = false;"
        "const s = document.createElement('script');"
        "s.textContent = 'window.__cspProbe = true';"
        "document.body.appendChild(s);"
        "return window.__cspProbe;"
    )
    assert ran is False
    assert _csp_messages(session_browser.driver.get_log("browser")) != []
