"""Navigation, short topic pages and discussion in place, in a real browser.

- The navigation lists only the pages the signed-in role may use, marks the current page
  (aria-current) and works at 320 px behind a keyboard-operable "Menu" button.
- Early years, Early Help and Care leavers fit under 5,000 px at 1280 px on first load.
- On Discussion a practitioner replies to a note and resolves it without leaving the page.
"""

from __future__ import annotations

import os
from datetime import date

import dash
import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.browser_helpers import wait_for_paint

WAIT = 60


def _wait(driver, condition, timeout: float = WAIT):  # type: ignore[no-untyped-def]
    return WebDriverWait(
        driver, timeout, ignored_exceptions=(StaleElementReferenceException,)
    ).until(condition)


def _nav_hrefs(driver) -> list[str]:  # type: ignore[no-untyped-def]
    return driver.execute_script(
        "return [...document.querySelectorAll('nav.chorus-nav a')].map(a => a.getAttribute('href'))"
    )


def _current(driver) -> list[str]:  # type: ignore[no-untyped-def]
    return driver.execute_script(
        "return [...document.querySelectorAll('nav.chorus-nav a[aria-current=page]')]"
        ".map(a => a.getAttribute('href'))"
    )


def test_navb001_viewer_navigation_and_the_current_page(session_browser, users):
    from components.shell import page_permission
    from rules.roles import role_may

    driver = session_browser.driver
    viewer = users["oldham_viewer"]
    session_browser.login(viewer.username, viewer.password)
    session_browser.visit("/early-years")
    hrefs = _nav_hrefs(driver)
    pages = {p["relative_path"]: p for p in dash.page_registry.values()}
    assert hrefs and all(role_may("viewer", page_permission(pages[h])) for h in hrefs), hrefs
    assert "/import" not in hrefs and "/admin/users" not in hrefs
    _wait(driver, lambda d: _current(d) == ["/early-years"])

    # A page change inside the app moves the marker.
    link = driver.find_element(By.CSS_SELECTOR, "nav.chorus-nav a[href='/discussion']")
    link.click()
    _wait(driver, lambda d: d.find_element(By.TAG_NAME, "h1").text == "Discussion")
    _wait(driver, lambda d: _current(d) == ["/discussion"])

    # A page the viewer cannot use, reached directly, says why and whom to ask.
    session_browser.visit("/import")
    text = driver.find_element(By.ID, "main").text
    assert "This page needs an analyst or administrator account." in text
    assert "ask an administrator in your organisation" in text


def test_navb002_menu_button_at_320_px_with_the_keyboard(session_browser, users):
    driver = session_browser.driver
    viewer = users["oldham_viewer"]
    session_browser.login(viewer.username, viewer.password)
    driver.set_window_size(320, 800)
    try:
        session_browser.visit("/early-years")
        button = driver.find_element(By.ID, "chorus-nav-toggle")
        link = driver.find_element(By.CSS_SELECTOR, "nav.chorus-nav a[href='/discussion']")
        assert button.is_displayed() and not link.is_displayed()
        assert button.get_attribute("aria-expanded") == "false"
        button.send_keys(Keys.ENTER)
        _wait(driver, lambda d: link.is_displayed())
        assert button.get_attribute("aria-expanded") == "true"
        # The page does not scroll sideways at 320 px.
        assert driver.execute_script("return document.documentElement.scrollWidth") <= 320
        # Escape closes the menu and gives the focus back to the button.
        link.send_keys(Keys.ESCAPE)
        _wait(driver, lambda d: not link.is_displayed())
        assert driver.switch_to.active_element.get_attribute("id") == "chorus-nav-toggle"
    finally:
        driver.set_window_size(1280, 1000)


@pytest.mark.parametrize("path", ["/early-years", "/early-help", "/care-leavers"])
def test_navb003_topic_pages_are_short_on_first_load(session_browser, users, path):
    driver = session_browser.driver
    practitioner = users["oldham_practitioner"]
    session_browser.login(practitioner.username, practitioner.password)
    driver.set_window_size(1280, 800)
    try:
        session_browser.visit(path)
        # Every panel's notes and quotes are in (the slots filled), then measure.
        _wait(
            driver,
            lambda d: d.execute_script(
                "const slots = [...document.querySelectorAll('.annotation-slot')];"
                "return slots.length > 0 && slots.every(s => s.children.length > 0);"
            ),
        )
        session_browser.wait_for_dash()
        wait_for_paint(driver)
        height = driver.execute_script("return document.body.scrollHeight")
        assert height < 5000, f"{path} is {height} px tall at 1280 px"
        # The note forms are there, closed, each behind its button.
        forms = driver.find_elements(By.CSS_SELECTOR, "section.note-form")
        assert forms and not any(f.is_displayed() for f in forms)
        assert len(driver.find_elements(By.CSS_SELECTOR, ".note-form-open")) == len(forms)
    finally:
        driver.set_window_size(1280, 1000)


@pytest.mark.parametrize("path", ["/early-years", "/early-help", "/care-leavers"])
def test_navb008_topic_page_summary_links_focus_each_panel(session_browser, users, path):
    """The summary at the top of a topic page has one row per panel, in the panels' order,
    each with a verdict; choosing a row's link (with the keyboard) focuses its panel."""
    driver = session_browser.driver
    viewer = users["oldham_viewer"]
    session_browser.login(viewer.username, viewer.password)
    session_browser.visit(path)
    table = _wait(driver, lambda d: d.find_element(By.ID, "page-summary-table"))
    panels = [
        p.get_attribute("id") for p in driver.find_elements(By.CSS_SELECTOR, ".indicator-panel")
    ]
    rows = table.find_elements(By.CSS_SELECTOR, "tbody tr")
    links = [r.find_element(By.CSS_SELECTOR, "th a") for r in rows]
    assert [a.get_attribute("href").split("#")[-1] for a in links] == panels
    assert all(r.find_elements(By.CSS_SELECTOR, ".verdict-badge") for r in rows)
    # The summary sits above the first panel.
    first_panel = driver.find_element(By.ID, panels[0])
    assert table.location["y"] < first_panel.location["y"]
    for index in (len(links) - 1, 0):
        links[index].send_keys(Keys.ENTER)
        _wait(
            driver, lambda d, i=index: d.switch_to.active_element.get_attribute("id") == panels[i]
        )
        panel = driver.switch_to.active_element
        in_view = driver.execute_script(
            "const r = arguments[0].getBoundingClientRect();"
            "return r.top >= -1 && r.top < window.innerHeight;",
            panel,
        )
        assert in_view, f"{panels[index]} was focused but not scrolled into view"
        driver.execute_script("window.scrollTo(0, 0)")


def _seed_note(db, author_role: str, body: str) -> int:  # type: ignore[no-untyped-def]
    from data_access.annotations import NewAnnotation, create_annotation
    from data_access.users import find_organisation, list_users

    with db.write() as s:
        org = find_organisation(s, "E08000004")
        people = {u.role: u for u in list_users(s, org.id)}
        result = create_annotation(
            s,
            people[author_role],
            NewAnnotation(
                indicator="gld",
                area_code="E08000004",
                kind="question",
                body=body,
                visibility="organisation",
                period_start=date(2024, 9, 1),
                period_end=date(2025, 8, 31),
                view_state={"scope": "point"},
            ),
        )
        assert result.annotation is not None
        return result.annotation.id


def _thread_control(driver, kind: str, note_id: int):  # type: ignore[no-untyped-def]
    """A control of the open thread of ``note_id`` (pattern ids are JSON: no CSS #id)."""
    import json

    dom_id = json.dumps({"index": f"discussion-{note_id}", "type": kind}, separators=(",", ":"))
    return driver.execute_script("return document.getElementById(arguments[0])", dom_id)


def test_navb004_practitioner_replies_and_resolves_on_discussion(session_browser, users, db):
    note_id = _seed_note(db, "analyst", "Why did the gap widen this year?")
    driver = session_browser.driver
    practitioner = users["oldham_practitioner"]
    session_browser.login(practitioner.username, practitioner.password)
    session_browser.visit("/discussion")
    driver.execute_script("window.__stillHere = true;")  # gone if the page is left
    item = _wait(driver, lambda d: d.find_element(By.ID, f"note-{note_id}"))
    item.find_element(By.CSS_SELECTOR, "button.note-open").send_keys(Keys.ENTER)

    reply = _wait(driver, lambda d: _thread_control(d, "note-reply-text", note_id))
    reply.send_keys("The cohort changed in September.")
    _thread_control(driver, "note-reply-save", note_id).send_keys(Keys.ENTER)
    # The reply in the thread's list of replies (the reply box still holds the same words
    # until the thread is redrawn, so the thread's whole text would match too early).
    _wait(
        driver,
        lambda d: any(
            "The cohort changed in September." in reply.text
            for reply in d.find_element(By.ID, f"note-{note_id}").find_elements(
                By.CSS_SELECTOR, ".note-thread .thread-replies > li"
            )
        ),
    )
    _wait(driver, lambda d: _thread_control(d, "note-resolve", note_id) is not None)
    _thread_control(driver, "note-resolve", note_id).send_keys(Keys.ENTER)
    _wait(
        driver,
        lambda d: "The note is resolved." in _thread_control(d, "note-message", note_id).text,
    )
    _wait(driver, lambda d: _thread_control(d, "note-resolve", note_id).text == "Reopen")
    # Reopen works the same way.
    _thread_control(driver, "note-resolve", note_id).send_keys(Keys.ENTER)
    _wait(driver, lambda d: _thread_control(d, "note-resolve", note_id).text == "Mark as resolved")

    assert driver.execute_script("return window.__stillHere === true")
    assert driver.current_url.endswith("/discussion")
    assert session_browser.console_errors() == []

    from data_access.annotations import get_thread
    from data_access.users import user_by_username

    with db.read() as s:
        me = user_by_username(s, practitioner.username)
        thread = get_thread(s, me, note_id)
        assert thread is not None and thread.status == "open"
        assert [r["body"] for r in thread.as_dict()["replies"]] == [
            "The cohort changed in September."
        ]


def test_navb005_author_edits_own_note_on_discussion(session_browser, users, db):
    note_id = _seed_note(db, "practitioner", "First words.")
    driver = session_browser.driver
    practitioner = users["oldham_practitioner"]
    session_browser.login(practitioner.username, practitioner.password)
    session_browser.visit("/discussion")
    item = _wait(driver, lambda d: d.find_element(By.ID, f"note-{note_id}"))
    item.find_element(By.CSS_SELECTOR, "button.note-open").send_keys(Keys.ENTER)
    _wait(driver, lambda d: item.find_elements(By.CSS_SELECTOR, ".note-edit summary"))
    item.find_element(By.CSS_SELECTOR, ".note-edit summary").click()
    box = _thread_control(driver, "note-edit-text", note_id)
    # Keys, not clear(): React keeps its own copy of the value and clear() does not tell it.
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(Keys.DELETE)
    box.send_keys("Better words.")
    _thread_control(driver, "note-edit-save", note_id).send_keys(Keys.ENTER)
    # The redrawn note's own text (the edit box holds the new words from the start).
    _wait(
        driver,
        lambda d: (
            d.find_element(By.ID, f"note-{note_id}")
            .find_element(By.CSS_SELECTOR, ".note-thread .note-body")
            .text
            == "Better words."
        ),
    )
    from data_access.annotations import get_thread
    from data_access.users import user_by_username

    with db.read() as s:
        me = user_by_username(s, practitioner.username)
        thread = get_thread(s, me, note_id)
        assert thread is not None and thread.as_dict()["body"] == "Better words."


@pytest.mark.skipif(not os.environ.get("CHORUS_SCREENSHOTS"), reason="set CHORUS_SCREENSHOTS=1")
def test_navb006_screenshots(session_browser, users, db, screenshot_dir):
    note_id = _seed_note(db, "analyst", "Why did the gap widen this year?")
    driver = session_browser.driver
    practitioner = users["oldham_practitioner"]
    session_browser.login(practitioner.username, practitioner.password)
    for width in (1280, 1920):
        driver.set_window_size(width, 1000)
        session_browser.visit("/early-years")
        wait_for_paint(driver)
        height = driver.execute_script("return document.body.scrollHeight")
        session_browser.screenshot(screenshot_dir / f"early-years-{width}.png", width, height)
        driver.set_window_size(width, 1000)
        session_browser.visit("/discussion")
        item = _wait(driver, lambda d: d.find_element(By.ID, f"note-{note_id}"))
        item.find_element(By.CSS_SELECTOR, "button.note-open").send_keys(Keys.ENTER)
        _wait(driver, lambda d: _thread_control(d, "note-reply-text", note_id))
        session_browser.wait_for_dash()
        height = driver.execute_script("return document.body.scrollHeight")
        session_browser.screenshot(screenshot_dir / f"discussion-{width}.png", width, height)
    driver.set_window_size(1280, 1000)


def _catalogue_ids() -> list[str]:
    import csv
    from pathlib import Path

    with (Path(__file__).resolve().parents[2] / "data" / "indicators.csv").open() as handle:
        return [row["id"] for row in csv.DictReader(handle)]


# Breakdown codes that are not also ordinary words ("sex", "ethnicity" are both).
RAW_BREAKDOWN_CODES = ("eal", "fsm", "sen", "imd_quintile", "age_band", "uasc")


def plain_english_problems(text: str, catalogue_ids: list[str]) -> list[str]:
    """Slugs, raw breakdown codes and counts written as decimals ("37.0") in ``text``."""
    import re

    problems = []
    for word in [*catalogue_ids, *RAW_BREAKDOWN_CODES]:
        for match in re.finditer(rf"(?<![\w/.-]){re.escape(word)}(?![\w/-])", text):
            problems.append(
                f"code {word!r} in {text[max(0, match.start() - 40) : match.end() + 40]!r}"
            )
    # A whole number written with ".0": not a rate or its interval ("63.0%", "interval
    # 79.0 to 83.1"), not points, not part of an address ("127.0.0.1").
    pattern = (
        r"(?<![\d.,])(?<!interval )(?<!to )\d[\d,]*\.0"
        r"(?![\d%.])(?!\s*(?:%|points|per cent|percentage| to \d))"
    )
    for match in re.finditer(pattern, text):
        problems.append(
            f"count {match.group()!r} in {text[max(0, match.start() - 40) : match.end() + 40]!r}"
        )
    return problems


@pytest.mark.parametrize("role", ["admin", "viewer"])
def test_navb007_plain_english_on_every_page_in_the_navigation(session_browser, users, role):
    driver = session_browser.driver
    user = users[f"oldham_{role}"]
    session_browser.login(user.username, user.password)
    ids = _catalogue_ids()
    found: dict[str, list[str]] = {}
    for path in _nav_hrefs(driver):
        session_browser.visit(path)
        text = driver.execute_script("return document.getElementById('main').innerText")
        problems = plain_english_problems(text, ids)
        if problems:
            found[path] = problems
    assert not found, "\n".join(f"{p}: {v}" for p, v in found.items())
