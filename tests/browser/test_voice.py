"""A quote's journey in a real browser: a practitioner is stopped by a phone number, removes
it and saves; an analyst approves; the quote appears beside the GLD chart."""

from __future__ import annotations

import re

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

CLEAN = "The talk group at the hub helped him find his words, and now he sings at bath time."
WITH_PHONE = "Our worker rang 07700 900123 and then " + CLEAN[0].lower() + CLEAN[1:]


def _wait_text(driver, selector: str, text: str, timeout: float = 30):  # type: ignore[no-untyped-def]
    WebDriverWait(driver, timeout).until(
        EC.text_to_be_present_in_element((By.CSS_SELECTOR, selector), text)
    )
    return driver.find_element(By.CSS_SELECTOR, selector)


def _replace_text(element, text: str) -> None:  # type: ignore[no-untyped-def]
    element.send_keys(Keys.CONTROL, "a")
    element.send_keys(Keys.DELETE)
    element.send_keys(text)


def _click(driver, element) -> None:  # type: ignore[no-untyped-def]
    # A JavaScript click: the sticky page furniture can cover a button at the window's edge.
    driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", element
    )


def test_voibr001_add_check_approve_and_show_beside_gld(session_browser, users):
    driver = session_browser.driver
    practitioner = users["oldham_practitioner"]
    session_browser.login(practitioner.username, practitioner.password)
    session_browser.visit("/voice/add?indicator=gld")
    box = driver.find_element(By.ID, "voice-add-text")
    box.send_keys(WITH_PHONE)
    _click(driver, driver.find_element(By.ID, "voice-add-save"))
    blocked = _wait_text(driver, "#voice-add-result", "Not saved")
    assert "phone number" in blocked.text
    marks = driver.find_elements(By.CSS_SELECTOR, "#voice-add-findings mark")
    assert [m.text for m in marks] == ["07700 900123"]

    _replace_text(box, CLEAN)
    _click(driver, driver.find_element(By.ID, "voice-add-check"))
    _wait_text(driver, "#voice-add-findings", "No personal details found")
    _click(driver, driver.find_element(By.ID, "voice-add-save"))
    saved = _wait_text(driver, "#voice-add-result", "pending approval")
    item_id = int(re.search(r"quote (\d+)", saved.text).group(1))

    analyst = users["oldham_analyst"]
    session_browser.login(analyst.username, analyst.password)
    session_browser.visit("/voice/moderation")
    card = f"voice-item-{item_id}"
    WebDriverWait(driver, 30).until(EC.presence_of_element_located((By.ID, card)))
    assert CLEAN in driver.find_element(By.ID, card).text
    _click(driver, driver.find_element(By.XPATH, f"//article[@id='{card}']//button[.='Approve']"))
    _wait_text(driver, "#voice-mod-message", "approved")

    # The service page draws five panels: allow it longer than wait_for_dash's default.
    driver.get(f"{session_browser.base_url}/early-years")
    slot = _wait_text(driver, "#panel-gld .voice-slot", CLEAN[:40], timeout=120)
    assert "Parent or carer" in slot.text
    assert "See all" in slot.text
    assert session_browser.console_errors() == []
