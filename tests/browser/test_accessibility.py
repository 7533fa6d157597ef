"""Every page and every state a user reaches, checked with axe-core 4 (WCAG 2.2 AA and best
practice; see tests/browser/axe.py): 0 critical, serious or moderate findings, except the
known issues the accessibility statement lists, which must still be found (so the statement
stays true both ways).

One logged-in browser walks many states per test, recording every finding, and the test
fails once at the end with all of them listed by state.
"""

from __future__ import annotations

from datetime import date

import pytest
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from components.accessibility import KNOWN_ISSUES
from tests.browser import axe

WAIT = 60


def _wait(driver, condition, timeout: float = WAIT):  # type: ignore[no-untyped-def]
    return WebDriverWait(
        driver, timeout, ignored_exceptions=(StaleElementReferenceException,)
    ).until(condition)


class Walk:
    """Records axe findings per state; ``state`` is what the statement's issues name."""

    def __init__(self, session) -> None:  # type: ignore[no-untyped-def]
        self.session = session
        self.driver = session.driver
        self.found: dict[tuple[str, str], list[dict]] = {}
        self.checked: set[str] = set()

    def check(self, state: str) -> None:
        self.session.wait_for_dash()
        self.checked.add(state)
        for violation in axe.findings(self.driver):
            self.found[(state, violation["id"])] = [violation]

    def visit(self, path: str, state: str | None = None) -> None:
        self.session.visit(path)
        self.check(state or path)

    def click(self, css: str) -> None:
        element = _wait(self.driver, lambda d: d.find_element(By.CSS_SELECTOR, css))
        self.driver.execute_script(
            "arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", element
        )
        self.session.wait_for_dash()

    def assert_matches_statement(self) -> None:
        """Found = known issues for the states walked; anything else fails, listed."""
        known = {(i.state, i.rule) for i in KNOWN_ISSUES if i.rule and i.state in self.checked}
        new = {key: v for key, v in self.found.items() if key not in known}
        fixed = known - set(self.found)
        problems = []
        for (state, _rule), violations in sorted(new.items()):
            problems.append(f"{state}:\n{axe.describe(violations)}")
        for state, rule in sorted(fixed):
            problems.append(
                f"{state}: the statement lists {rule} as a known issue but axe no longer "
                "finds it; take it out of components/accessibility.py"
            )
        assert not problems, "\n".join(problems)


def _nav_paths(driver) -> list[str]:  # type: ignore[no-untyped-def]
    return driver.execute_script(
        "return [...document.querySelectorAll('nav.chorus-nav a')].map(a => a.getAttribute('href'))"
    )


def test_a11y001_sign_in_error_and_missing_pages(session_browser):
    driver = session_browser.driver
    walk = Walk(session_browser)
    driver.delete_all_cookies()
    driver.get(f"{session_browser.base_url}/login")
    walk.checked.add("/login")
    walk.found.update({("/login", v["id"]): [v] for v in axe.findings(driver)})
    driver.find_element(By.ID, "username").send_keys("nobody")
    driver.find_element(By.ID, "password").send_keys("wrong password" + Keys.ENTER)
    _wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "[role=alert]"))
    walk.checked.add("/login (failed)")
    walk.found.update({("/login (failed)", v["id"]): [v] for v in axe.findings(driver)})
    walk.assert_matches_statement()


def test_a11y002_every_page_in_the_navigation_and_their_states(session_browser, users):
    admin = users["oldham_admin"]
    session_browser.login(admin.username, admin.password)
    driver = session_browser.driver
    walk = Walk(session_browser)
    walk.check("/")
    paths = _nav_paths(driver)
    assert len(paths) >= 17, paths
    for path in paths:
        if path != "/":
            walk.visit(path)

    # A panel's tabs, each opened; the note form is part of the chart tab.
    walk.visit("/early-years", "/early-years (panel tabs)")
    for tab in ("breakdown", "table", "about"):
        walk.click(f'#panel-gld [role=tab][aria-controls*="panel-tab-{tab}"]')
        _wait(
            driver,
            lambda d, t=tab: d.execute_script(
                "return document.querySelector("
                f"'#panel-gld [role=tab][aria-controls*=\"panel-tab-{t}\"]')"
                ".getAttribute('aria-selected') === 'true'"
            ),
        )
        walk.check(f"/early-years (panel {tab} tab)")

    # The note form, opened from its button.
    walk.visit("/early-years", "/early-years (note form closed)")
    walk.click("#note-form-open-gld")
    _wait(driver, lambda d: d.find_element(By.ID, "note-form-gld").is_displayed())
    walk.check("/early-years (note form open)")

    # Folded multiple choices opened (the replacement for multi-select dropdowns).
    for path in ("/voice", "/explore"):
        session_browser.visit(path)
        driver.execute_script(
            "document.querySelectorAll('details.chorus-menu').forEach(d => d.open = true)"
        )
        walk.check(f"{path} (choices open)")

    # Voice moderation: every tab.
    session_browser.visit("/voice/moderation")
    tabs = driver.execute_script(
        "return [...document.querySelectorAll('[role=tab]')].map(t => t.textContent)"
    )
    for label in tabs:
        walk.click(f'[role=tab][id*="{_tab_value(driver, label)}"]')
        walk.check(f"/voice/moderation ({label})")

    # Empty and error states.
    walk.visit("/discussion?tag=no-such-tag-anywhere", "/discussion (no notes match)")
    walk.visit("/explore?indicator=no-such-indicator", "/explore (unknown indicator)")
    walk.visit("/sessions/present?id=999999", "/sessions/present (missing session)")
    walk.visit("/no-such-page", "page not found")
    walk.assert_matches_statement()


def _tab_value(driver, label: str) -> str:  # type: ignore[no-untyped-def]
    """The ``tab`` part of the id of the tab labelled ``label`` (its value)."""
    import json

    for tab in driver.find_elements(By.CSS_SELECTOR, "[role=tab]"):
        if tab.text == label:
            return json.loads(tab.get_attribute("id"))["tab"]
    raise AssertionError(f"no tab {label!r}")


def _seed_note_and_session(db) -> int:  # type: ignore[no-untyped-def]
    """A note with a reply on Oldham's GLD panel and a session with one step of each kind."""
    from sqlalchemy import select

    from data_access import learning_network as ln
    from data_access.annotations import (
        NewAnnotation,
        create_annotation,
        delete_annotation,
        reply_to_annotation,
    )
    from data_access.models import Organisation, VoiceItem
    from data_access.users import find_organisation, list_users

    with db.write() as s:
        org = find_organisation(s, "E08000004")
        people = {u.role: u for u in list_users(s, org.id)}
        note = create_annotation(
            s,
            people["practitioner"],
            NewAnnotation(
                indicator="gld",
                area_code="E08000004",
                kind="question",
                body="Why did the gap widen after 2022?",
                visibility="organisation",
                period_start=date(2022, 9, 1),
                period_end=date(2025, 8, 31),
                view_state={"scope": "range"},
            ),
        )
        reply_to_annotation(s, people["analyst"], note.annotation.id, "The cohort changed.")
        # A note the analyst hid: Discussion lists it under "Hidden notes" with Restore.
        hidden = create_annotation(
            s,
            people["practitioner"],
            NewAnnotation(
                indicator="gld",
                area_code="E08000004",
                kind="interpretation",
                body="A duplicate of the question about the gap.",
                visibility="organisation",
                period_start=date(2024, 9, 1),
                period_end=date(2025, 8, 31),
            ),
        )
        delete_annotation(s, people["analyst"], hidden.annotation.id)
        rochdale = s.scalar(select(Organisation).where(Organisation.code == "E08000005"))
        quote = VoiceItem(
            text="The health visitor came to us, which made all the difference.",
            speaker_role="parent_carer",
            age_band="adult",
            area_code="E08000005",
            organisation_id=rochdale.id,
            service="early_years",
            method="focus_group",
            collected_on=date(2025, 6, 1),
            consent_scope="learning_network",
            consent_date=date(2025, 6, 1),
            review_date=date(2030, 1, 1),
            moderation_status="approved",
            illustrative=True,
        )
        s.add(quote)
        s.flush()
        analyst = people["analyst"]
        record = ln.create_session(
            s, analyst, "Early years gap", date(2026, 3, 12), ["E08000004", "E08000005"]
        )
        ln.add_step(
            s,
            analyst,
            record.id,
            "indicator",
            "",
            {"indicator": "gld", "area": "E08000004", "compare": ["E92000001"]},
        )
        ln.add_step(s, analyst, record.id, "quotes", "What families say", {"voice_ids": [quote.id]})
        ln.add_step(s, analyst, record.id, "question", "Discuss", {"text": "What would help?"})
        ln.add_step(s, analyst, record.id, "text", "Next time", {"text": "Bring the plans."})
        return record.id


def test_a11y003_thread_present_mode_summary_and_session_pages(session_browser, users, db):
    session_id = _seed_note_and_session(db)
    analyst = users["oldham_analyst"]
    session_browser.login(analyst.username, analyst.password)
    driver = session_browser.driver
    walk = Walk(session_browser)

    session_browser.visit("/early-years")
    walk.click("[id*='note-open-btn'][id*='gld']")
    _wait(driver, lambda d: "The cohort changed." in d.find_element(By.ID, "main").text)
    walk.check("/early-years (thread open)")
    walk.visit("/discussion", "/discussion (with notes)")
    walk.click("[id*='note-open-btn'][id*='discussion-']")
    _wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#discussion-results .note-thread"))
    walk.check("/discussion (thread open in place)")
    # Link the Learning Network quote to the note, in place; the thread then shows it.
    walk.click("#discussion-results .note-quote-link summary")
    walk.click("#discussion-results button[id*='note-quote-link']")
    _wait(
        driver,
        lambda d: (
            "Quotes linked to this note (1)" in d.find_element(By.ID, "discussion-results").text
        ),
    )
    assert "The health visitor came to us" in driver.find_element(By.ID, "discussion-results").text
    walk.check("/discussion (thread open in place)")
    # Restore the hidden note: announced, and back in the list of notes.
    walk.click("#discussion-hidden button.note-restore")
    _wait(
        driver,
        lambda d: (
            "The note is restored" in d.find_element(By.ID, "discussion-restore-message").text
            and "duplicate of the question" in d.find_element(By.ID, "discussion-results").text
        ),
    )
    walk.check("/discussion (with notes)")

    walk.visit(f"/sessions?id={session_id}", "/sessions (a session open)")
    session_browser.visit(f"/sessions/present?id={session_id}")
    for kind in ("indicator", "quotes", "question", "text"):
        walk.check(f"/sessions/present ({kind} step)")
        if kind == "indicator":
            walk.click("#present-table")
            walk.check("/sessions/present (indicator step as a table)")
            walk.click("#present-table")
        if kind != "text":
            counter = driver.find_element(By.ID, "present-counter").text
            walk.click("#present-next")
            _wait(driver, lambda d, c=counter: d.find_element(By.ID, "present-counter").text != c)
    walk.visit(f"/sessions/summary?id={session_id}", "/sessions/summary")
    walk.assert_matches_statement()


@pytest.fixture
def own_batches(db):  # type: ignore[no-untyped-def]
    """Delete the import batches the test makes (the batch table is shared between tests)."""
    from sqlalchemy import delete, func, select

    from data_access.models import ImportBatch

    with db.read() as session:
        before = session.scalar(select(func.max(ImportBatch.id))) or 0
    yield
    with db.write() as session:
        session.execute(delete(ImportBatch).where(ImportBatch.id > before))


def test_a11y004_import_steps(session_browser, users, tmp_path, own_batches):
    analyst = users["oldham_analyst"]
    session_browser.login(analyst.username, analyst.password)
    driver = session_browser.driver
    walk = Walk(session_browser)
    walk.visit("/import", "/import (step 1)")
    # The file input is a real, labelled input; a refused upload is said in the live region.
    file_input = driver.find_element(By.CSS_SELECTOR, "input[type=file]#imp-file")
    label = driver.find_element(By.CSS_SELECTOR, "label[for=imp-file]")
    assert file_input.is_enabled() and label.text == "Choose a file to import"
    binary = tmp_path / "book.csv"
    binary.write_bytes(b"PK\x03\x04" + b"\x00" * 64)
    file_input.send_keys(str(binary))
    _wait(driver, lambda d: "Excel" in d.find_element(By.ID, "imp-upload-status").text)
    status = driver.find_element(By.ID, "imp-upload-status")
    assert status.get_attribute("aria-live") == "polite"
    walk.check("/import (upload refused)")
    path = tmp_path / "figures.csv"
    path.write_text(
        "indicator,area_code,period,breakdown,breakdown_value,numerator,denominator,value,status\n"
        "eh_requests,E08000004,Jan 2041,total,total,,,101,\n"
        "eh_requests,E08000099,Jan 2041,total,total,,,5,\n"
    )
    driver.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(path))
    _wait(driver, lambda d: "figures.csv" in d.find_element(By.ID, "imp-file-info").text)
    walk.check("/import (file chosen)")
    walk.click("#imp-validate")
    _wait(driver, lambda d: "figures ready" in d.find_element(By.ID, "imp-report").text)
    walk.check("/import (checked, with an error row)")
    walk.click("#imp-mode input[value=all_or_nothing]")
    walk.click("#imp-commit")
    _wait(driver, lambda d: d.find_element(By.ID, "imp-result").text.strip())
    walk.check("/import (commit refused: rows with errors)")
    walk.assert_matches_statement()


def test_a11y005_viewer_sees_no_violations_either(session_browser, users):
    """A viewer's pages differ (no forms, refusals instead of admin pages)."""
    viewer = users["oldham_viewer"]
    session_browser.login(viewer.username, viewer.password)
    walk = Walk(session_browser)
    for path in ("/early-years", "/voice/add", "/admin/users", "/import"):
        try:
            walk.visit(path, f"{path} (viewer)")
        except (AssertionError, WebDriverException) as exc:  # a refusal page still has an h1
            raise AssertionError(f"{path} as a viewer did not load: {exc}") from exc
    walk.assert_matches_statement()
