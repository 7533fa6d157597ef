"""Oldham's Overview in Chromium: the summary table's verdict on good level of development
2024/25 (rank among authorities with a value, quartile band, gap to England in points), no
tile reading "not compared" where a rank exists, axe-clean, and usable at 640 px."""

from __future__ import annotations

import re

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.ui import WebDriverWait

WAIT = 60


def _wait(driver, condition):  # type: ignore[no-untyped-def]
    return WebDriverWait(driver, WAIT, ignored_exceptions=(StaleElementReferenceException,)).until(
        condition
    )


def _gld_row(driver) -> str:  # type: ignore[no-untyped-def]
    rows = driver.find_elements(By.CSS_SELECTOR, "#overview-summary-table tbody tr")
    return next(r.text for r in rows if r.text.startswith("Good level of development"))


def test_overview_verdict_for_oldham_gld(session_browser, users, screenshot_dir):
    user = users["oldham_viewer"]
    session_browser.login(user.username, user.password)
    session_browser.visit("/")
    driver = session_browser.driver
    _wait(driver, lambda d: d.find_elements(By.ID, "overview-summary-table"))
    table = driver.find_element(By.ID, "overview-summary-table")
    assert table.find_element(By.TAG_NAME, "caption").text.startswith("Key indicators for Oldham")
    assert len(table.find_elements(By.CSS_SELECTOR, "thead th[scope=col]")) == 11
    row = _gld_row(driver)
    assert "2024/25" in row
    rank = re.search(r"(\d+)(?:st|nd|rd|th) of (\d+), bottom quartile", row)
    assert rank is not None and int(rank[1]) <= int(rank[2])
    assert "Bottom quartile" in row  # the verdict's word, beside its symbol and colour

    tiles = driver.find_elements(By.CSS_SELECTOR, ".indicator-tile")
    gld = next(t for t in tiles if t.text.startswith("Good level of development"))
    assert re.search(
        r"\d+\.\d points below England; \d+(st|nd|rd|th) of \d+, bottom quartile", gld.text
    )
    for tile in tiles:
        ranked = re.search(r"\d+(st|nd|rd|th) of \d+", tile.text)
        if ranked:
            assert "not compared" not in tile.text.lower(), tile.text
    # Needs attention first: the first row carries the attention verdict.
    first = driver.find_element(By.CSS_SELECTOR, "#overview-summary-table tbody tr")
    assert "summary-attention" in first.get_attribute("class")

    session_browser.check_axe("Overview summary")

    # Sorted by service, early years leads and the table is still a table.
    Select(driver.find_element(By.ID, "overview-sort")).select_by_value("theme")
    _wait(
        driver,
        lambda d: (
            d.find_element(By.CSS_SELECTOR, "#overview-summary-table tbody tr td").text
            == "Early years"
        ),
    )
    session_browser.check_axe("Overview summary sorted by service")

    # At 640 px the table scrolls inside a focusable, named region, not the page.
    driver.set_window_size(640, 900)
    region = driver.find_element(By.CSS_SELECTOR, ".summary-table-wrap")
    assert region.get_attribute("tabindex") == "0" and region.get_attribute("role") == "region"
    assert driver.execute_script(
        "return arguments[0].scrollWidth > arguments[0].clientWidth", region
    )
    assert driver.execute_script(
        "return document.documentElement.scrollWidth <= window.innerWidth + 1"
    )
    driver.set_window_size(1280, 1000)
    session_browser.visit("/")  # the default order, scrolled to the top, for the pictures
    _wait(driver, lambda d: d.find_elements(By.ID, "overview-summary-table"))
    for width in (1280, 1920):
        session_browser.screenshot(screenshot_dir / f"overview-{width}.png", width, 1000)
