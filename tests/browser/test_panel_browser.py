"""The indicator panel and Explore in Chromium: comparator, breakdown, caption, table,
CSV download against the API, URL and back button. One login per test, lean waits."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path
from typing import Any

import pytest
from browser_helpers import wait_for_paint, wait_until
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

ROOT = Path(__file__).resolve().parents[2]
WAIT = 60


def _wait(driver, condition, timeout: float = WAIT):  # type: ignore[no-untyped-def]
    # Dash replaces parts of the page as callbacks answer: retry on stale elements.
    return WebDriverWait(
        driver, timeout, ignored_exceptions=(StaleElementReferenceException,)
    ).until(condition)


def _click(driver: Any, element: Any) -> None:
    """Scroll an element to the middle of the window and click it as a user would,
    waiting while a dropdown menu or tooltip still covers it."""
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    try:
        wait_until(driver, lambda _d: element.click() or True, timeout=WAIT)
    except TimeoutException as exc:
        cover = driver.execute_script(
            "const r = arguments[0].getBoundingClientRect();"
            "const e = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);"
            "return e ? e.outerHTML.slice(0, 300) : 'nothing';",
            element,
        )
        raise AssertionError(f"click covered by: {cover}") from exc


def _open(session_browser, path: str) -> None:  # type: ignore[no-untyped-def]
    """Load a page and wait for Dash to settle (generous: CI machines are shared)."""
    session_browser.driver.get(f"{session_browser.base_url}{path}")
    session_browser.wait_for_dash(timeout=WAIT * 2)


def _panel(driver, panel_id: str):  # type: ignore[no-untyped-def]
    return _wait(driver, lambda d: d.find_elements(By.ID, f"panel-{panel_id}"))[0]


def _caption(panel) -> str:  # type: ignore[no-untyped-def]
    # textContent: the caption is read even while another tab hides it.
    return panel.find_element(By.CSS_SELECTOR, "figcaption.panel-caption").get_attribute(
        "textContent"
    )


def _choose(driver, panel, control_type: str, value: str) -> None:  # type: ignore[no-untyped-def]
    """Pick ``value`` in the native select of ``control_type`` inside ``panel``."""
    from selenium.webdriver.support.ui import Select

    selector = f'select[id*=\'"type":"{control_type}"\']'
    element = panel.find_element(By.CSS_SELECTOR, selector)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    # Long lists arrive when the focus reaches the select (assets/lazy_options.js).
    driver.execute_script("arguments[0].focus()", element)
    option = f"option[value='{value}']"
    _wait(
        driver,
        lambda d: panel.find_element(By.CSS_SELECTOR, selector).find_elements(
            By.CSS_SELECTOR, option
        ),
    )
    Select(panel.find_element(By.CSS_SELECTOR, selector)).select_by_value(value)


def _fetch_json(driver, url: str):  # type: ignore[no-untyped-def]
    script = (
        "const done = arguments[arguments.length - 1];"
        f"fetch({json.dumps(url)}).then(r => r.json()).then(done).catch(e => done(String(e)));"
    )
    return driver.execute_async_script(script)


def test_panelb001_gld_panel_comparator_breakdown_table_and_csv(session_browser, users, tmp_path):
    user = users["oldham_viewer"]
    driver = session_browser.driver
    session_browser.login(user.username, user.password)
    driver.execute_cdp_cmd(
        "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)}
    )
    _open(session_browser, "/early-years")
    panel = _panel(driver, "gld")
    caption = _caption(panel)
    assert "England 68.3%" in caption and "North West 65.0%" in caption
    assert "significantly below England (65.2%), which is worse" in caption

    # Comparator: add Greater Manchester; the caption names it.
    _click(driver, panel.find_element(By.CSS_SELECTOR, "input[type=checkbox][value=gm]"))
    _wait(driver, lambda d: "Greater Manchester" in _caption(_panel(d, "gld")))

    # Breakdown: free school meals; the caption describes the groups and the gap.
    _choose(driver, panel, "panel-breakdown-choice", "fsm")
    _wait(driver, lambda d: "by free school meals" in _caption(_panel(d, "gld")))
    panel = _panel(driver, "gld")
    _click(
        driver,
        panel.find_element(
            By.XPATH, ".//*[contains(@class,'tab') and normalize-space()='Breakdown']"
        ),
    )
    gap = "(95% interval -20.9 to -13.2), a significant gap."
    _wait(
        driver,
        lambda d: [
            p
            for p in _panel(d, "gld").find_elements(By.CSS_SELECTOR, ".panel-gap")
            if p.is_displayed() and gap in p.text
        ],
    )
    # The breakdown chart is drawn when its tab opens.
    _wait(
        driver, lambda d: _panel(d, "gld").find_elements(By.CSS_SELECTOR, ".panel-breakdown-graph")
    )

    # Back to the whole population, then the table and its CSV.
    _choose(driver, _panel(driver, "gld"), "panel-breakdown-choice", "total")
    _wait(driver, lambda d: "with England, North West" in _caption(_panel(d, "gld")))
    panel = _panel(driver, "gld")
    _click(
        driver,
        panel.find_element(By.XPATH, ".//*[contains(@class,'tab') and normalize-space()='Table']"),
    )
    table = _wait(
        driver,
        lambda d: [
            t
            for t in _panel(d, "gld").find_elements(By.CSS_SELECTOR, "table.panel-table")
            if t.is_displayed() and "Greater Manchester" in t.text
        ],
    )[0]
    assert "2024/25" in table.text and "not eligible" not in table.text
    _click(driver, panel.find_element(By.CSS_SELECTOR, "button.panel-download-button"))
    target = tmp_path / "gld_oldham_total.csv"
    _wait(driver, lambda d: target.exists() and target.stat().st_size > 0, 30)
    rows = list(csv.DictReader(io.StringIO(target.read_text())))
    shown_rows = table.find_elements(By.CSS_SELECTOR, "tbody tr")
    assert len(rows) == len(shown_rows)
    api = _fetch_json(driver, "/api/v1/observations?indicator=gld&area=E08000004&breakdown=total")[
        "data"
    ]
    oldham = [r for r in rows if r["series"] == "Oldham"]
    assert [r["period"] for r in oldham] == [r["period"] for r in api]
    assert [r["value"] or None for r in oldham] == [
        None if r["value"] is None else f"{r['value']:.1f}" for r in api
    ]
    assert session_browser.console_errors() == []


def test_panelb002_explore_url_holds_the_view_and_back_works(session_browser, users):
    user = users["northyorks_viewer"]
    driver = session_browser.driver
    session_browser.login(user.username, user.password)
    _open(session_browser, "/explore?indicator=care_leavers_eet_19_21&area=E06000065")
    panel = _panel(driver, "explore")
    caption = _caption(panel)
    assert "2015/16 to 2024/25" in caption and "North Yorkshire" in caption
    first_url = driver.current_url
    # Switch the indicator through its dropdown (a plain id here).
    from selenium.webdriver.support.ui import Select

    Select(driver.find_element(By.ID, "explore-indicator")).select_by_value(
        "care_leavers_accommodation_19_21"
    )
    _wait(driver, lambda d: "indicator=care_leavers_accommodation_19_21" in d.current_url)
    _wait(driver, lambda d: "suitable accommodation" in _caption(_panel(d, "explore")))
    driver.back()
    _wait(driver, lambda d: d.current_url == first_url)
    _wait(driver, lambda d: "education, employment or training" in _caption(_panel(d, "explore")))
    assert session_browser.console_errors() == []


EXPLORE_TRACES_JS = """
  const plot = document.querySelector('#panel-explore .js-plotly-plot');
  return plot && plot.data ? plot.data.map(t => t.name) : null;
"""


def test_panelb005_explore_individual_neighbour_chosen_with_the_keyboard(session_browser, users):
    """Open the Individual neighbours menu and tick the first neighbour with keys only:
    the address keeps its code and the chart gains a line named after it."""
    from selenium.webdriver.common.keys import Keys

    user = users["oldham_viewer"]
    driver = session_browser.driver
    session_browser.login(user.username, user.password)
    _open(session_browser, "/explore?indicator=gld&area=E08000004")
    summary = _wait(
        driver, lambda d: d.find_elements(By.CSS_SELECTOR, ".panel-neighbours summary")
    )[0]
    assert summary.text == "Individual neighbours"
    before = _wait(driver, lambda d: d.execute_script(EXPLORE_TRACES_JS))
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", summary)
    summary.send_keys(Keys.ENTER)  # opens the menu; its boxes are drawn as it opens
    box = _wait(
        driver, lambda d: d.find_elements(By.CSS_SELECTOR, ".panel-neighbours input[type=checkbox]")
    )[0]
    _wait(driver, lambda d: box.is_displayed())
    code = box.get_attribute("value")
    name = driver.find_element(By.CSS_SELECTOR, f"label[for='{box.get_attribute('id')}']")
    name = name.get_attribute("textContent")
    assert name not in before and "Statistical neighbours (mean)" in before
    summary.send_keys(Keys.TAB)
    _wait(driver, lambda d: d.switch_to.active_element == box)
    box.send_keys(Keys.SPACE)
    _wait(driver, lambda d: code in d.current_url)
    traces = _wait(driver, lambda d: (t := d.execute_script(EXPLORE_TRACES_JS)) and name in t and t)
    assert "Statistical neighbours (mean)" in traces
    assert session_browser.console_errors() == []


MAP_SHAPES_JS = """
  const map = document.getElementById('explore-map');
  const frame = map && map.querySelector('.main-svg');
  const shapes = map ? Array.from(map.querySelectorAll('path.choroplethlocation')) : [];
  if (!frame || !shapes.length) { return null; }
  const width = frame.getBoundingClientRect().width;
  return shapes.map(s => s.getBoundingClientRect().width / width);
"""


def test_panelb004_explore_map_draws_each_authority_as_its_own_shape(session_browser, users):
    """Wound the wrong way, each boundary is drawn as the world outside it: the map is one
    block of colour. Every authority's shape must be a small part of the map's width."""
    user = users["oldham_viewer"]
    session_browser.login(user.username, user.password)
    driver = session_browser.driver
    _open(session_browser, "/explore?indicator=gld&area=E08000004")
    widths = _wait(driver, lambda d: d.execute_script(MAP_SHAPES_JS))
    assert len(widths) > 100  # every authority with a figure
    assert max(widths) < 0.5, f"a shape spans {max(widths):.0%} of the map"
    assert session_browser.console_errors() == []


@pytest.mark.skipif(not os.environ.get("CHORUS_SCREENSHOTS"), reason="set CHORUS_SCREENSHOTS=1")
def test_panelb003_readme_screenshots(session_browser, users, screenshot_dir):
    user = users["oldham_viewer"]
    session_browser.login(user.username, user.password)
    out = screenshot_dir
    _open(session_browser, "/")
    wait_for_paint(session_browser.driver)  # sparklines finish drawing
    session_browser.screenshot(out / "overview.png", 1280, 1400)
    _open(session_browser, "/early-years")
    panel = _panel(session_browser.driver, "gld")
    session_browser.driver.execute_script("arguments[0].scrollIntoView()", panel)
    wait_for_paint(session_browser.driver)
    session_browser.driver.set_window_size(1280, 1000)
    panel.screenshot(str(out / "panel.png"))
    assert (out / "overview.png").stat().st_size > 10_000
