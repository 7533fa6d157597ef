"""Waits and clicks shared by the browser tests.

Every wait polls a condition and none sleeps a fixed time; each tolerates the elements
Dash re-renders while its callbacks answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# Browser waits are generous: the machines that run the suite are shared and often busy.
WAIT = 60


def wait_until(driver: Any, condition: Callable[[Any], Any], timeout: float = WAIT) -> Any:
    """``condition(driver)``'s first truthy answer. Dash replaces parts of the page as its
    callbacks answer, so an element found a moment ago may be gone: a stale or missing
    element, or a click that lands on something drawn on top, only means "not yet"."""
    from selenium.common.exceptions import (
        ElementClickInterceptedException,
        ElementNotInteractableException,
        NoSuchElementException,
        StaleElementReferenceException,
    )
    from selenium.webdriver.support.ui import WebDriverWait

    ignored = (
        StaleElementReferenceException,
        NoSuchElementException,
        ElementClickInterceptedException,
        ElementNotInteractableException,
    )
    return WebDriverWait(driver, timeout, ignored_exceptions=ignored).until(condition)


def click_when_ready(driver: Any, find: Callable[[Any], Any], timeout: float = WAIT) -> None:
    """Find an element afresh (``find(driver)``), scroll it to the middle of the window and
    click it, retrying while it is re-rendered or covered (a menu closing, a tooltip)."""

    def attempt(d: Any) -> bool:
        element = find(d)
        d.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
        element.click()
        return True

    wait_until(driver, attempt, timeout)


def element_text(driver: Any, by: str, selector: str) -> str:
    """The text of the first element matching, or "" while there is none or it is being
    replaced."""
    from selenium.common.exceptions import StaleElementReferenceException

    try:
        found = driver.find_elements(by, selector)
        return found[0].text if found else ""
    except StaleElementReferenceException:
        return ""


def wait_for_paint(driver: Any, timeout: float = WAIT) -> None:
    """Wait until charts have finished drawing: no plotly transition running and two
    animation frames painted since (what a fixed pause before a screenshot guessed at)."""
    script = """
      const done = arguments[arguments.length - 1];
      const busy = [...document.querySelectorAll('.js-plotly-plot')]
        .some(p => p._transitioning || (p._fullLayout && p._fullLayout._redrawing));
      if (busy) { done(false); return; }
      requestAnimationFrame(() => requestAnimationFrame(() => done(true)));
    """
    driver.set_script_timeout(timeout)
    wait_until(driver, lambda d: d.execute_async_script(script), timeout)
