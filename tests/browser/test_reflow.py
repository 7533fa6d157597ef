"""Reflow (WCAG 1.4.10) at 320 CSS pixels wide, the width of a 1280 px screen at 400% zoom.

The viewport is set through the DevTools protocol (a window cannot be made that narrow).
On each page: no horizontal scrolling of the page itself, and on a chart the legend and
the x axis's tick labels do not overlap.
"""

from __future__ import annotations

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.support.ui import WebDriverWait

NARROW = 320

PAGE_OVERFLOW = """
  const doc = document.documentElement;
  const wide = Array.from(document.querySelectorAll('body *')).filter(el => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.right > window.innerWidth + 1
      && !el.closest('.table-scroll, .panel-table-wrap, [role=region], .js-plotly-plot');
  }).slice(0, 5)
    .map(el => el.tagName + '.' + el.className + ' ' + el.getBoundingClientRect().right);
  return {scroll: doc.scrollWidth, inner: window.innerWidth, wide: wide};
"""

LEGEND_AND_TICKS = """
  const boxes = [];
  for (const svg of document.querySelectorAll('.js-plotly-plot')) {
    const legend = svg.querySelector('g.legend');
    const ticks = svg.querySelector('g.xaxislayer-above');
    if (!legend || !ticks || !ticks.getBBox().width) continue;
    const l = legend.getBoundingClientRect(), t = ticks.getBoundingClientRect();
    boxes.push({legend: [l.left, l.top, l.right, l.bottom],
                ticks: [t.left, t.top, t.right, t.bottom]});
  }
  return boxes;
"""


def _overlap(a: list[float], b: list[float]) -> bool:
    """Do two boxes [left, top, right, bottom] overlap (touching is not overlapping)?"""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.fixture
def narrow(session_browser):  # type: ignore[no-untyped-def]
    driver = session_browser.driver
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": NARROW, "height": 800, "deviceScaleFactor": 1, "mobile": False},
    )
    yield session_browser
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


@pytest.mark.parametrize(
    "path", ["/early-years", "/explore", "/discussion"], ids=["early", "explore", "discussion"]
)
def test_reflow001_no_page_scrolls_sideways_at_320_px(narrow, users, path):  # type: ignore[no-untyped-def]
    user = users["oldham_practitioner"]
    narrow.login(user.username, user.password)
    narrow.visit(path)
    driver = narrow.driver
    state = driver.execute_script(PAGE_OVERFLOW)
    assert state["inner"] == NARROW, state
    assert state["scroll"] <= state["inner"] + 1, state


@pytest.mark.parametrize("path", ["/early-years", "/explore"], ids=["early", "explore"])
def test_reflow002_chart_legend_stays_clear_of_the_tick_labels(narrow, users, path):  # type: ignore[no-untyped-def]
    user = users["oldham_practitioner"]
    narrow.login(user.username, user.password)
    narrow.visit(path)
    driver = narrow.driver
    boxes = WebDriverWait(driver, 30, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda d: d.execute_script(LEGEND_AND_TICKS)
    )
    for box in boxes:
        assert not _overlap(box["legend"], box["ticks"]), box
        # The legend is below the plot, inside the page's width.
        assert box["legend"][1] >= box["ticks"][1] and box["legend"][2] <= NARROW + 1, box
