"""The public pages in a real browser, without signing in: accessible (axe-core), with the
print stylesheet applied when printing; and the admin's information page."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

OLDHAM = "E08000004"


@pytest.mark.parametrize("path", ["", "/easy-read", "/you-said-we-did", "/take-back"])
def test_pubb001_public_pages_are_accessible_without_signing_in(session_browser, path):
    driver = session_browser.driver
    driver.delete_all_cookies()
    session_browser.visit(f"/public/{OLDHAM}{path}")
    assert "/login" not in driver.current_url
    assert driver.find_element(By.TAG_NAME, "h1").text.strip()
    assert "Oldham" in driver.find_element(By.TAG_NAME, "header").text
    violations = session_browser.axe_violations(("minor", "moderate", "serious", "critical"))
    assert violations == [], [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]


def test_pubb002_printing_hides_navigation_and_the_form(session_browser):
    driver = session_browser.driver
    driver.delete_all_cookies()
    session_browser.visit(f"/public/{OLDHAM}/take-back")
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        nav = driver.find_element(By.CSS_SELECTOR, "nav")
        form = driver.find_element(By.CSS_SELECTOR, "form")
        assert not nav.is_displayed() and not form.is_displayed()
        assert driver.find_element(By.TAG_NAME, "h1").is_displayed()
    finally:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


def test_pubb003_admin_information_page_is_accessible(session_browser, users):
    user = users["oldham_admin"]
    session_browser.login(user.username, user.password)
    session_browser.visit("/admin/information")
    assert "Record of processing" in driver_text(session_browser)
    violations = session_browser.axe_violations()
    assert violations == [], [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]


def driver_text(session_browser) -> str:  # type: ignore[no-untyped-def]
    return session_browser.driver.find_element(By.ID, "main").text
