"""Every registered page loads for a logged-in user, without console errors, with an h1,
and with no serious or critical axe-core violations. New pages are checked automatically."""

from __future__ import annotations

import dash
import pytest
from selenium.webdriver.common.by import By


def _registered_paths() -> list[str]:
    import app  # noqa: F401  (builds the page registry)

    return [
        page["relative_path"]
        for page in dash.page_registry.values()
        if "<" not in page["path"]  # pages with path variables are checked by their own tests
    ]


def test_page001_login_page_is_accessible(session_browser):
    session_browser.driver.delete_all_cookies()
    session_browser.driver.get(f"{session_browser.base_url}/login")
    assert session_browser.driver.find_element(By.TAG_NAME, "h1").text == "Sign in to Chorus"
    assert session_browser.axe_violations() == []


@pytest.mark.parametrize("path", _registered_paths())
def test_page002_every_page_loads_cleanly(session_browser, users, path):
    user = users["oldham_analyst"]
    session_browser.login(user.username, user.password)
    session_browser.driver.get_log("browser")  # drop messages from the login page
    session_browser.visit(path)
    h1 = session_browser.driver.find_element(By.TAG_NAME, "h1")
    assert h1.text.strip(), f"{path} has an empty h1"
    assert session_browser.console_errors() == [], path
    violations = session_browser.axe_violations()
    assert violations == [], [
        (v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in violations
    ]


def test_page003_overview_shows_real_figures_for_the_users_authority(session_browser, users):
    user = users["oldham_viewer"]
    session_browser.login(user.username, user.password)
    session_browser.visit("/")
    text = session_browser.driver.find_element(By.ID, "main").text
    assert "Overview: Oldham" in text
    assert "63.1%" in text  # Oldham GLD 2024/25, DfE EYFSP via LAIT
    assert "England: 68.3%" in text
    header = session_browser.driver.find_element(By.CSS_SELECTOR, "header").text
    assert "Oldham" in header and "Sign out" in header
    skip = session_browser.driver.find_element(By.CSS_SELECTOR, "a.skip-link")
    assert skip.get_attribute("href").endswith("#main")
