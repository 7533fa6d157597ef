"""In a real browser at 1280 and 1920 px: the Journeys Sankey's labels do not overlap, the
Costs scatter's labels do not overlap and its axis titles are inside the chart, numbers in
tables are right-aligned, no chart shows a mode bar, and the monthly pack previews on the
page. Screenshots go to docs/screenshots when CHORUS_SCREENSHOTS=1."""

from __future__ import annotations

from typing import Any

from browser_helpers import WAIT, click_when_ready, wait_for_paint, wait_until
from selenium.webdriver.common.by import By

from data_access.demo.journeys import seed_demo_journeys

HAMPSHIRE = "E10000014"
WIDTHS = (1280, 1920)

# Pairs of label boxes that overlap by more than a pixel each way.
OVERLAPS = """
const boxes = [...document.querySelectorAll(arguments[0])]
  .map(e => e.getBoundingClientRect()).filter(r => r.width > 0 && r.height > 0);
let pairs = 0;
for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
  const a = boxes[i], b = boxes[j];
  if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1)
    pairs++;
}
return [boxes.length, pairs];
"""


def _shoot(session_browser: Any, folder: Any, name: str, width: int) -> None:
    driver = session_browser.driver
    height = driver.execute_script("return document.body.scrollHeight")
    session_browser.screenshot(folder / f"{name}-{width}.png", width, min(max(height, 900), 3200))


def _numbers_right_aligned(driver: Any) -> bool:
    """Numeric cells right-aligned, and words left-aligned, in every table."""
    return driver.execute_script(
        "const cells = [...document.querySelectorAll('td.num')];"
        "const words = [...document.querySelectorAll('table td:not(.num)')];"
        "return cells.length > 0 && cells.every(c => getComputedStyle(c).textAlign === 'right')"
        " && words.every(c => getComputedStyle(c).textAlign !== 'right');"
    )


def test_chr001_journeys_sankey_labels_do_not_overlap(session_browser, users, db, screenshot_dir):
    with db.write() as session:
        seed_demo_journeys(session, [HAMPSHIRE])
    user = users["hampshire_viewer"]
    driver = session_browser.driver
    session_browser.login(user.username, user.password)
    for width in WIDTHS:
        driver.set_window_size(width, 1000)
        session_browser.visit("/journeys")
        wait_until(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#journeys-eh .node-label"))
        count, pairs = wait_until(
            driver,
            lambda d: (r := d.execute_script(OVERLAPS, ".sankey .node-label")) and r[0] > 5 and r,
        )
        assert pairs == 0, f"{pairs} overlapping Sankey labels of {count} at {width} px"
        assert not driver.find_elements(By.CSS_SELECTOR, ".modebar-container .modebar")
        assert _numbers_right_aligned(driver)
        _shoot(session_browser, screenshot_dir, "journeys", width)


def test_chr002_costs_scatter_and_tables_are_readable(session_browser, users, screenshot_dir):
    user = users["oldham_viewer"]
    driver = session_browser.driver
    session_browser.login(user.username, user.password)
    for width in WIDTHS:
        driver.set_window_size(width, 1000)
        session_browser.visit("/costs")
        wait_until(
            driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#costs-scatter .scatterlayer")
        )
        count, pairs = driver.execute_script(OVERLAPS, "#costs-scatter .textpoint text")
        assert count >= 1 and pairs == 0, (count, pairs, width)
        inside = driver.execute_script(
            "const svg = document.querySelector('#costs-scatter .main-svg')"
            ".getBoundingClientRect();"
            "return [...document.querySelectorAll('#costs-scatter .g-xtitle text,"
            " #costs-scatter .g-ytitle text')].map(t => t.getBoundingClientRect())"
            ".every(r => r.left >= svg.left && r.right <= svg.right && r.top >= svg.top"
            " && r.bottom <= svg.bottom);"
        )
        assert inside, f"an axis title is cut off at {width} px"
        assert not driver.find_elements(By.CSS_SELECTOR, ".modebar-container .modebar")
        assert _numbers_right_aligned(driver)
        _shoot(session_browser, screenshot_dir, "costs", width)


def test_chr003_the_pack_previews_on_the_page(session_browser, users, screenshot_dir):
    user = users["oldham_viewer"]
    driver = session_browser.driver
    session_browser.login(user.username, user.password)
    for width in WIDTHS:
        driver.set_window_size(width, 1000)
        session_browser.visit("/monthly-pack")
        click_when_ready(driver, lambda d: d.find_element(By.ID, "pack-preview-button"))
        frame = wait_until(
            driver,
            lambda d: d.find_elements(By.CSS_SELECTOR, "#pack-preview iframe"),
            timeout=WAIT * 3,
        )[0]
        assert "<h2>Since last month</h2>" in frame.get_attribute("srcdoc")
        assert frame.get_attribute("sandbox") == ""
        heading = driver.find_element(By.XPATH, "//h2[normalize-space()='Preview']")
        driver.execute_script("arguments[0].scrollIntoView({block: 'start'})", heading)
        # The preview's own document drawn before the picture (not a blank frame).
        driver.switch_to.frame(frame)
        try:
            wait_until(
                driver, lambda d: "Since last month" in d.find_element(By.TAG_NAME, "body").text
            )
        finally:
            driver.switch_to.default_content()
        wait_for_paint(driver)
        session_browser.screenshot(screenshot_dir / f"pack-preview-{width}.png", width, 1000)
