"""Whole journeys with the keyboard alone: Tab, Shift+Tab, arrows, Enter, Space and typing.

Every focus move is checked: focus never falls back to the page body, and the focused
element is visibly marked (an outline or a box shadow). Choosing a file for an import is
the one step done through the file input itself (a browser's file dialog is not a page).
"""

from __future__ import annotations

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

WAIT = 60
MAX_TABS = 120

FOCUS_STATE = """
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) {
    return {body: true};
  }
  const style = getComputedStyle(el);
  const visible = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0)
    || (style.boxShadow && style.boxShadow !== 'none');
  return {body: false, visible: visible, tag: el.tagName, id: el.id || '',
          role: el.getAttribute('role') || '', text: (el.textContent || '').trim().slice(0, 80),
          type: el.getAttribute('type') || '',
          value: el.value === undefined ? '' : String(el.value),
          controls: el.getAttribute('aria-controls') || '',
          selected: el.getAttribute('aria-selected') || ''};
"""


def _wait(driver, condition, timeout: float = WAIT):  # type: ignore[no-untyped-def]
    return WebDriverWait(
        driver, timeout, ignored_exceptions=(StaleElementReferenceException,)
    ).until(condition)


def _wait_for_text(driver, css: str, text: str) -> None:  # type: ignore[no-untyped-def]
    """Wait until the element shows ``text``; on timeout say what it showed instead."""
    from selenium.common.exceptions import TimeoutException

    def shown(d) -> str:  # type: ignore[no-untyped-def]
        found = d.find_elements(By.CSS_SELECTOR, css)
        return found[0].text if found else ""

    try:
        _wait(driver, lambda d: text in shown(d))
    except TimeoutException as exc:
        focus = driver.execute_script(FOCUS_STATE)
        raise AssertionError(f"{css} shows {shown(driver)!r}; focus on {focus}") from exc


class Keyboard:
    """Keys to whatever has the focus, checking the focus after each."""

    def __init__(self, session) -> None:  # type: ignore[no-untyped-def]
        self.session = session
        self.driver = session.driver
        self.trail: list[str] = []

    def focus(self) -> dict:
        state = self.driver.execute_script(FOCUS_STATE)
        assert not state["body"], f"focus was lost to the page body at {self.driver.current_url}"
        assert state["visible"], f"the focused element shows no focus: {state}"
        self.trail.append(state["id"][-40:] or state["text"][:30])
        return state

    def press(self, *keys: str) -> dict:
        ActionChains(self.driver).send_keys(*keys).perform()
        self._settle()
        return self.focus()

    def shift_tab(self) -> dict:
        ActionChains(self.driver).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(
            Keys.SHIFT
        ).perform()
        self._settle()
        return self.focus()

    def type(self, text: str) -> None:
        ActionChains(self.driver).send_keys(text).perform()
        self._settle()

    def _settle(self) -> None:
        """Wait for any callback the key started, as a person waits for the page to react
        (a control redrawn under the focus would otherwise send the next key elsewhere)."""
        if "/login" not in self.driver.current_url:
            self.session.wait_for_dash()

    def tab_to(self, wanted, limit: int = MAX_TABS, backwards: bool = False) -> dict:  # type: ignore[no-untyped-def]
        """Press Tab until ``wanted(focus_state)`` holds (fails after ``limit`` presses)."""
        seen = []
        for _ in range(limit):
            state = self.shift_tab() if backwards else self.press(Keys.TAB)
            if wanted(state):
                return state
            seen.append(state["id"] or state["text"][:30])
        raise AssertionError(f"never reached the element; focus went through {seen[-25:]}")

    def wait_for_h1_focus(self, text: str) -> None:
        _wait(
            self.driver,
            lambda d: d.execute_script(
                "const el = document.activeElement;"
                "return el && el.tagName === 'H1' ? el.textContent : '';"
            ).startswith(text),
        )
        self.focus()


def _sign_in(session_browser, keyboard: Keyboard, user) -> None:  # type: ignore[no-untyped-def]
    driver = session_browser.driver
    driver.delete_all_cookies()
    driver.get(f"{session_browser.base_url}/login")
    keyboard.tab_to(lambda s: s["id"] == "username", limit=10)
    keyboard.type(user.username)
    keyboard.press(Keys.TAB)
    keyboard.type(user.password)
    driver.execute_script("window.__chorusLoginPage = true;")
    keyboard.type(Keys.ENTER)
    session_browser.wait_for_next_document()
    session_browser.wait_for_dash()
    assert "/login" not in driver.current_url


def _go_to(keyboard: Keyboard, link_text: str, h1_start: str) -> None:
    keyboard.tab_to(lambda s: s["tag"] == "A" and s["text"] == link_text)
    before = keyboard.driver.title
    keyboard.press(Keys.ENTER)
    keyboard.wait_for_h1_focus(h1_start)
    keyboard.session.wait_for_dash()
    # The title follows the page; the navigation marks the current page; the live region
    # announced the page's name.
    driver = keyboard.driver
    _wait(driver, lambda d: d.title.startswith(h1_start) and d.title != before)
    current = driver.find_elements(By.CSS_SELECTOR, "nav.chorus-nav a[aria-current=page]")
    assert [a.text for a in current] == [link_text]
    _wait(
        driver,
        lambda d: (
            d.find_element(By.ID, "chorus-announcer")
            .get_attribute("textContent")
            .startswith(h1_start)
        ),
    )


def test_kbd001_sign_in_read_a_table_add_a_range_note_and_reply(session_browser, users):
    keyboard = Keyboard(session_browser)
    driver = session_browser.driver
    _sign_in(session_browser, keyboard, users["oldham_practitioner"])

    # The skip link comes first; then the navigation to Early years.
    first = keyboard.press(Keys.TAB)
    assert first["text"] == "Skip to main content"
    _go_to(keyboard, "Early years", "Early years")

    # The first panel's tabs: Tab reaches the chosen one, the arrows choose Table, Tab enters
    # the panel, which holds the table.
    keyboard.tab_to(lambda s: s["role"] == "tab" and "panel-tab-chart" in s["controls"])
    keyboard.press(Keys.ARROW_RIGHT)
    state = keyboard.press(Keys.ARROW_RIGHT)
    assert state["text"] == "Table" and state["selected"] == "true", state
    state = keyboard.press(Keys.TAB)
    assert state["role"] == "tabpanel" and "panel-tab-table" in state["id"], state
    table = _wait(
        driver,
        lambda d: [
            t
            for t in d.find_elements(By.CSS_SELECTOR, "#panel-gld table.panel-table")
            if t.is_displayed() and "2024/25" in t.text
        ],
    )[0]
    assert "63.1" in table.text  # Oldham GLD 2024/25

    # Back to the chart tab, then on to the "Add a note" button below the chart. The form
    # opens from it with the focus inside; Escape closes it and gives the focus back.
    keyboard.tab_to(lambda s: s["role"] == "tab" and s["selected"] == "true", backwards=True)
    keyboard.press(Keys.HOME)
    in_kind_group = "return (document.activeElement.closest('[id*=note-kind]') || {}).id || ''"
    button = keyboard.tab_to(lambda s: s["tag"] == "BUTTON" and s["text"] == "Add a note")
    form_id = driver.execute_script("return document.activeElement.getAttribute('aria-controls')")
    assert not driver.find_element(By.ID, form_id).is_displayed()
    state = keyboard.press(Keys.ENTER)
    assert state["type"] == "radio" and driver.execute_script(in_kind_group), state
    assert driver.find_element(By.ID, form_id).is_displayed()
    state = keyboard.press(Keys.ESCAPE)
    assert state["id"] == button["id"] and state["text"] == "Add a note", state
    assert not driver.find_element(By.ID, form_id).is_displayed()
    state = keyboard.press(Keys.ENTER)
    assert state["type"] == "radio" and driver.execute_script(in_kind_group), state
    # Radios: the arrows move through the kinds (Context or event is the fourth).
    while keyboard.focus()["value"] != "context_event":
        keyboard.press(Keys.ARROW_RIGHT)
    keyboard.press(Keys.TAB)  # to the scope group
    state = keyboard.press(Keys.ARROW_RIGHT)
    assert state["value"] == "range", state
    state = keyboard.tab_to(lambda s: s["tag"] == "SELECT", limit=5)
    keyboard.type("2022/23")  # type-ahead on a native select
    _wait(driver, lambda d: d.execute_script("return document.activeElement.value") == "2022-09-01")
    keyboard.tab_to(lambda s: s["tag"] == "TEXTAREA", limit=5)
    keyboard.type("Speech checks began across the borough in these years.")
    keyboard.tab_to(lambda s: s["tag"] == "BUTTON" and s["text"] == "Save note", limit=10)
    keyboard.press(Keys.ENTER)
    _wait_for_text(driver, "#panel-gld .note-message", "Your note is saved.")
    # The emptied box is not marked as an error after a successful save.
    box = driver.find_element(By.CSS_SELECTOR, "#panel-gld textarea.note-textarea")
    assert "note-textarea-invalid" not in box.get_attribute("class")

    # The saved note's thread opens below: reply there. (Discussion lists notes and their
    # replies and links to the chart; replies are written in the thread beside the chart.)
    reply = _wait(
        driver,
        lambda d: [
            t
            for t in d.find_elements(By.CSS_SELECTOR, "#panel-gld textarea")
            if "note-reply-text" in t.get_attribute("id")
        ],
    )[0]
    assert reply
    keyboard.tab_to(lambda s: "note-reply-text" in s["id"], backwards=True)  # above the form
    keyboard.type("The second wave started in 2023.")
    keyboard.tab_to(lambda s: s["tag"] == "BUTTON" and "note-reply-save" in s["id"], limit=5)
    keyboard.press(Keys.ENTER)
    _wait(
        driver,
        lambda d: (
            "The second wave started in 2023."
            in d.find_element(By.CSS_SELECTOR, "#panel-gld .note-thread-wrap").text
        ),
    )

    # Discussion shows the note with its reply.
    keyboard.tab_to(lambda s: s["text"] == "Skip to main content", backwards=True, limit=400)
    _go_to(keyboard, "Discussion", "Discussion")
    # Replies sit in a closed disclosure under the note: read its text content.
    _wait(
        driver,
        lambda d: (
            "The second wave started in 2023."
            in d.find_element(By.ID, "discussion-results").get_attribute("textContent")
        ),
    )


def test_kbd002_build_a_two_step_session_and_present_it_with_the_keys(session_browser, users):
    keyboard = Keyboard(session_browser)
    driver = session_browser.driver
    _sign_in(session_browser, keyboard, users["oldham_analyst"])
    _go_to(keyboard, "Learning Network sessions", "Learning Network sessions")

    keyboard.tab_to(lambda s: s["id"] == "ln-new-title")
    keyboard.type("Keyboard session")
    keyboard.tab_to(lambda s: s["type"] == "checkbox" and s["value"] == "E08000005")
    keyboard.press(Keys.SPACE)
    keyboard.tab_to(lambda s: s["id"] == "ln-new-create")
    keyboard.press(Keys.ENTER)
    _wait(driver, lambda d: "Keyboard session" in d.find_element(By.TAG_NAME, "h1").text)

    for number, (title, text) in enumerate(
        (("Question", "What changed?"), ("Next time", "Bring the plans.")), start=1
    ):
        kind = "question" if number == 1 else "text"
        # The kind of step comes before the Add button: back up to it for the second step.
        keyboard.tab_to(
            lambda s: (
                s["type"] == "radio" and s["value"] in ("indicator", "quotes", "question", "text")
            ),
            limit=MAX_TABS,
            backwards=number > 1,
        )
        while keyboard.focus()["value"] != kind:
            keyboard.press(Keys.ARROW_RIGHT)
        keyboard.tab_to(lambda s: s["id"] == "ln-step-title", limit=5)
        keyboard.type(title)
        keyboard.tab_to(lambda s: s["id"] == "ln-step-text", limit=10)
        keyboard.type(text)
        keyboard.tab_to(lambda s: s["id"] == "ln-step-add", limit=10)
        keyboard.press(Keys.ENTER)
        _wait(
            driver,
            lambda d, n=number: (
                f"Added step {n}" in d.find_element(By.ID, "ln-agenda-message").text
            ),
        )
        keyboard.focus()

    keyboard.tab_to(lambda s: s["tag"] == "A" and s["text"] == "Present", backwards=True)
    # Present mode is a new document (a full page load): the browser starts it at the top.
    ActionChains(driver).send_keys(Keys.ENTER).perform()
    session_browser.wait_for_dash()
    _wait(driver, lambda d: "Step 1 of 2" in d.find_element(By.ID, "present-counter").text)
    ActionChains(driver).send_keys(Keys.ARROW_RIGHT).perform()
    _wait(driver, lambda d: "Step 2 of 2" in d.find_element(By.ID, "present-counter").text)
    assert "Bring the plans." in driver.find_element(By.ID, "main").text
    ActionChains(driver).send_keys(Keys.ARROW_LEFT).perform()
    _wait(driver, lambda d: "Step 1 of 2" in d.find_element(By.ID, "present-counter").text)


def test_kbd003_import_a_template_file(session_browser, users, tmp_path, db):
    from sqlalchemy import delete, func, select

    from data_access.models import ImportBatch

    with db.read() as session:
        before = session.scalar(select(func.max(ImportBatch.id))) or 0
    keyboard = Keyboard(session_browser)
    driver = session_browser.driver
    try:
        _sign_in(session_browser, keyboard, users["oldham_analyst"])
        _go_to(keyboard, "Import data", "Import")
        state = keyboard.tab_to(lambda s: s["type"] == "radio")
        assert state["value"] == "template", state
        path = tmp_path / "figures.csv"
        path.write_text(
            "indicator,area_code,period,breakdown,breakdown_value,numerator,denominator,"
            "value,status\n"
            "eh_requests,E08000004,Jan 2041,total,total,,,101,\n"
        )
        driver.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(path))
        _wait(driver, lambda d: "figures.csv" in d.find_element(By.ID, "imp-file-info").text)
        keyboard.tab_to(lambda s: s["id"] == "imp-validate")
        keyboard.press(Keys.ENTER)
        _wait(driver, lambda d: "figures ready" in d.find_element(By.ID, "imp-report").text)
        keyboard.tab_to(lambda s: s["id"] == "imp-commit")
        keyboard.press(Keys.ENTER)
        _wait(driver, lambda d: "Batch" in d.find_element(By.ID, "imp-result").text)
        keyboard.focus()
    finally:
        from contextlib import suppress

        from data_access.importing.commit import RollbackRefused, rollback_batch

        with db.read() as session:
            made = session.scalars(select(ImportBatch.id).where(ImportBatch.id > before)).all()
        for batch_id in made:
            with suppress(RollbackRefused), db.write() as session:
                rollback_batch(session, batch_id, username="test")
        with db.write() as session:
            session.execute(delete(ImportBatch).where(ImportBatch.id > before))


def test_kbd004_explore_map_as_a_sortable_table(session_browser, users):
    """The "Show as a table" link before the map takes the keyboard to a table of every
    authority; a header button sorts it by rank; the user's authority is marked in words."""
    keyboard = Keyboard(session_browser)
    driver = session_browser.driver
    _sign_in(session_browser, keyboard, users["oldham_practitioner"])
    session_browser.visit("/explore")
    rank_sentence = driver.find_element(By.ID, "explore-rank").text
    assert "Oldham ranks" in rank_sentence

    keyboard.tab_to(lambda s: s["tag"] == "A" and s["text"] == "Show as a table")
    state = keyboard.press(Keys.ENTER)
    assert state["tag"] == "H3" and state["text"] == "All authorities as a table", state
    state = keyboard.press(Keys.TAB)
    assert state["role"] == "region", state  # the scrolling table, focusable to scroll it
    state = keyboard.tab_to(lambda s: s["tag"] == "BUTTON" and s["text"] == "Rank", limit=4)
    rank_header = "#explore-authority-table th:nth-child(3)"
    assert driver.find_element(By.CSS_SELECTOR, rank_header).get_attribute("aria-sort") is None
    keyboard.press(Keys.ENTER)
    assert driver.find_element(By.CSS_SELECTOR, rank_header).get_attribute("aria-sort") == (
        "ascending"
    )
    ranks = [
        cell.text
        for cell in driver.find_elements(
            By.CSS_SELECTOR, "#explore-authority-table tbody td:nth-child(3)"
        )
    ]
    ranked = [int(text.split(" of ")[0]) for text in ranks if text != "not ranked"]
    assert ranked[:3] == [1, 2, 3] and ranked == sorted(ranked), ranks[:10]
    assert ranks.index("not ranked") > len(ranked) - 1 if "not ranked" in ranks else True
    keyboard.press(Keys.ENTER)  # again: descending
    assert driver.find_element(By.CSS_SELECTOR, rank_header).get_attribute("aria-sort") == (
        "descending"
    )
    status = driver.find_element(By.CSS_SELECTOR, "#explore-authority-table [role=status]")
    assert status.get_attribute("textContent") == "Sorted by rank, descending."

    own = driver.find_elements(By.CSS_SELECTOR, "#explore-authority-table tr[aria-current=true]")
    assert len(own) == 1 and "Oldham (your authority)" in own[0].text, [r.text for r in own]
    # The same rank as the sentence above the map (both from the map's view).
    own_rank = own[0].find_element(By.CSS_SELECTOR, "td:nth-child(3)").text
    assert f"ranks {own_rank}" in rank_sentence, (own_rank, rank_sentence)
