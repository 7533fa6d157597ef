"""The documentation's accessibility screenshots (docs/screenshots/a11y-*.png).

Runs only when CHORUS_SCREENSHOTS=1 asks for the pictures to be renewed
(``python tools/a11y_screenshots.py`` does that): Early years, Explore and Discussion at
640, 1280 and 1920 CSS pixels wide, and the first (chart) step of a present-mode session.
Each is the whole page, drawn at that width through the DevTools protocol.
"""

from __future__ import annotations

import os

import pytest

from tests.browser.browser_helpers import wait_for_paint
from tests.browser.test_accessibility import _seed_note_and_session

pytestmark = pytest.mark.skipif(
    not os.environ.get("CHORUS_SCREENSHOTS"), reason="renews documentation pictures only"
)
WIDTHS = (640, 1280, 1920)
PAGES = (
    ("early-years", "/early-years"),
    ("explore", "/explore"),
    ("discussion", "/discussion"),
)


def _shoot(session_browser, path: str, name: str, width: int, folder) -> None:  # type: ignore[no-untyped-def]
    driver = session_browser.driver
    metrics = {"width": width, "height": 1080, "deviceScaleFactor": 1, "mobile": False}
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    session_browser.visit(path)
    wait_for_paint(driver)
    # The whole page, as tall as it is (at most 6000 px).
    height = driver.execute_script("return document.documentElement.scrollHeight")
    metrics["height"] = min(max(height, 800), 6000)
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    wait_for_paint(driver)
    driver.save_screenshot(str(folder / f"a11y-{name}-{width}.png"))


def test_shots001_pages_and_a_present_step(session_browser, users, db, screenshot_dir):
    session_id = _seed_note_and_session(db)
    analyst = users["oldham_analyst"]
    session_browser.login(analyst.username, analyst.password)
    try:
        for name, path in PAGES:
            for width in WIDTHS:
                _shoot(session_browser, path, name, width, screenshot_dir)
        for width in WIDTHS:
            _shoot(
                session_browser,
                f"/sessions/present?id={session_id}",
                "present-step",
                width,
                screenshot_dir,
            )
    finally:
        session_browser.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
