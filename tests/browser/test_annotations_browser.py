"""Notes in a real browser: a practitioner works with the keyboard only, and stored script
payloads stay inert text."""

from __future__ import annotations

import json
from datetime import date

from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

PANEL = "gld"


def _id(kind: str, panel: str = PANEL) -> str:
    return json.dumps({"index": panel, "type": kind}, separators=(",", ":"))


def _find(driver, kind: str):  # type: ignore[no-untyped-def]
    """The element with a pattern-matching id (JSON ids do not fit CSS id selectors)."""
    return driver.execute_script("return document.getElementById(arguments[0])", _id(kind))


def _wait(driver, condition, timeout: float = 30):  # type: ignore[no-untyped-def]
    return WebDriverWait(driver, timeout).until(condition)


def _wait_text(driver, kind: str, text: str, timeout: float = 30) -> None:  # type: ignore[no-untyped-def]
    # textContent: a panel's list shows its latest note and folds the rest under "Show all
    # notes", whose text is there but not rendered until opened.
    _wait(
        driver,
        lambda d: (
            _find(d, kind) is not None and text in _find(d, kind).get_attribute("textContent")
        ),
        timeout,
    )


def _press_enter(driver, kind: str) -> None:  # type: ignore[no-untyped-def]
    """Enter on a button, looked up afresh (Dash may have just re-rendered it)."""
    from selenium.common.exceptions import (
        ElementNotInteractableException,
        StaleElementReferenceException,
    )

    def attempt(d) -> bool:  # type: ignore[no-untyped-def]
        element = _find(d, kind)
        if element is None:
            return False
        try:
            d.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
            element.send_keys(Keys.ENTER)
            return True
        except (ElementNotInteractableException, StaleElementReferenceException):
            return False

    _wait(driver, attempt)


def _selected_text(select) -> str:  # type: ignore[no-untyped-def]
    from selenium.webdriver.support.ui import Select

    return Select(select).first_selected_option.text


def _radio(driver, kind: str, value: str):  # type: ignore[no-untyped-def]
    return _find(driver, kind).find_element(By.CSS_SELECTOR, f"input[value='{value}']")


def _choose_radio(driver, kind: str, value: str) -> None:  # type: ignore[no-untyped-def]
    """Focus the radio group with the keyboard and move to the option with the arrows."""
    radio = _radio(driver, kind, value)
    radio.send_keys(Keys.SPACE)
    _wait(driver, lambda d: _radio(d, kind, value).is_selected())


def _visit(session_browser, path: str) -> None:  # type: ignore[no-untyped-def]
    """Visit and wait for Dash, allowing for a cold server on a busy machine."""
    session_browser.driver.get(f"{session_browser.base_url}{path}")
    session_browser.wait_for_dash(timeout=120)


def _note_traces(driver) -> dict:  # type: ignore[no-untyped-def]
    script = f"""
      const wrap = document.getElementById({json.dumps(_id("panel-graph"))});
      const gd = wrap && wrap.querySelector('.js-plotly-plot');
      if (!gd || !gd.data) return null;
      return {{
        traces: gd.data.filter(t => (t.uid || '').startsWith('chorus-note-'))
                       .map(t => [t.name, t.marker.symbol, t.x.length]),
        shapes: ((gd.layout && gd.layout.shapes) || [])
                       .filter(s => (s.name || '').startsWith('chorus-note-range-'))
                       .map(s => [s.line.dash, s.x0, s.x1]),
      }};
    """
    return driver.execute_script(script)


def test_annb001_practitioner_writes_point_and_range_notes_with_the_keyboard(
    session_browser, users
):
    driver = session_browser.driver
    user = users["oldham_practitioner"]
    session_browser.login(user.username, user.password)
    session_browser.console_errors()  # drain what earlier tests left (a 401 from /login)
    _visit(session_browser, "/early-years")
    # The form opens from its "Add a note" button.
    _wait(driver, lambda d: d.find_elements(By.ID, "note-form-open-gld"), 90)
    assert not _find(driver, "note-text").is_displayed()
    driver.find_element(By.ID, "note-form-open-gld").send_keys(Keys.ENTER)
    _wait(driver, lambda d: _find(d, "note-text").is_displayed())
    # The empty required text box is not marked as an error before anyone has typed in it.
    outline = "return getComputedStyle(arguments[0]).outlineStyle"
    assert driver.execute_script(outline, _find(driver, "note-text")) == "none"

    # A point note on the latest period (the form's default), as a question for the network.
    _choose_radio(driver, "note-kind", "question")
    _find(driver, "note-text").send_keys("Why did GLD dip in 2024/25? Anyone else seeing this?")
    _find(driver, "note-tags").send_keys("school readiness")
    _choose_radio(driver, "note-visibility", "learning_network")
    _press_enter(driver, "note-save")
    _wait_text(driver, "note-message", "Your note is saved.")
    _wait_text(driver, "note-list", "Why did GLD dip in 2024/25?")

    # A range note: 2022/23 to 2024/25, period chosen from the dropdown with the keyboard.
    _choose_radio(driver, "note-kind", "context_event")
    _choose_radio(driver, "note-scope", "range")
    # A native select: typing the period's label on it picks that period (type-ahead).
    _find(driver, "note-from").send_keys("2022/23")
    _wait(driver, lambda d: _selected_text(_find(d, "note-from")) == "2022/23")
    _find(driver, "note-text").send_keys("New school readiness programme ran over these years.")
    _press_enter(driver, "note-save")
    _wait_text(driver, "note-list", "New school readiness programme")

    # Markers: one trace per kind with its own symbol, and a dashed span for the range.
    _wait(driver, lambda d: (_note_traces(d) or {}).get("shapes"), 60)
    drawn = _note_traces(driver)
    symbols = {name: symbol for name, symbol, _ in drawn["traces"]}
    assert symbols["Note: question"] == "square"
    assert symbols["Note: context or event"] == "diamond"
    assert drawn["shapes"][0][0] == "dash"
    assert drawn["shapes"][0][1] < "2022-09-01" < "2024-09-01" < drawn["shapes"][0][2]

    # The new note's thread is open: reply, then resolve.
    _wait_text(driver, "note-thread", "New school readiness programme")
    _find(driver, "note-reply-text").send_keys("It started in September 2022.")
    _press_enter(driver, "note-reply-save")
    _wait_text(driver, "note-thread", "It started in September 2022.")
    _press_enter(driver, "note-resolve")
    _wait_text(driver, "note-message", "The note is resolved.")
    _wait(driver, lambda d: _find(d, "note-resolve").text == "Reopen")

    # The Discussion page lists both, the open question first, with a link to the chart.
    _visit(session_browser, "/discussion")
    _wait(driver, lambda d: "Why did GLD dip" in d.find_element(By.ID, "discussion-results").text)
    items = driver.find_elements(By.CSS_SELECTOR, "#discussion-results .note-item")
    assert "Why did GLD dip" in items[0].text
    assert any("New school readiness programme" in item.text for item in items)
    link = items[0].find_element(By.CSS_SELECTOR, "a.note-chart-link")
    assert "/explore?indicator=gld&area=E08000004" in link.get_attribute("href")
    assert session_browser.console_errors() == []


PAYLOADS = (
    "<script>window.__xss = 1</script>",
    '<img src="x" onerror="window.__xss = 2; alert(2)">',
    '<a href="javascript:window.__xss=3;alert(3)">click me</a>',
    "[link](javascript:alert(4)) <svg onload=alert(5)>",
)


def test_annb002_stored_script_payloads_stay_text(session_browser, users, db):
    from data_access.annotations import NewAnnotation, create_annotation, reply_to_annotation
    from data_access.users import find_organisation, list_users

    with db.write() as s:
        org = find_organisation(s, "E08000004")
        author = next(u for u in list_users(s, org.id) if u.role == "practitioner")
        first_id = None
        for payload in PAYLOADS:
            result = create_annotation(
                s,
                author,
                NewAnnotation(
                    indicator="gld",
                    area_code="E08000004",
                    kind="interpretation",
                    body=payload,
                    visibility="organisation",
                    period_start=date(2024, 9, 1),
                    period_end=date(2025, 8, 31),
                    tags=payload,
                ),
            )
            first_id = first_id or result.annotation.id
        reply_to_annotation(s, author, first_id, PAYLOADS[1])

    driver = session_browser.driver
    viewer = users["oldham_viewer"]
    session_browser.login(viewer.username, viewer.password)
    for path in ("/early-years", "/discussion"):
        _visit(session_browser, path)
        # textContent: a panel folds all but its latest note under "Show all notes".
        _wait(
            driver,
            lambda d: (
                "window.__xss = 1" in d.find_element(By.ID, "main").get_attribute("textContent")
            ),
        )
        if path == "/early-years":
            button = driver.find_element(By.CSS_SELECTOR, f"[id*='note-open-btn'][id*='{PANEL}']")
            button.send_keys(Keys.ENTER)
            _wait_text(driver, "note-thread", "onerror")
            # Hover each marker so plotly renders the hover labels too.
            for marker in driver.find_elements(
                By.CSS_SELECTOR, ".js-plotly-plot .scatterlayer .point"
            ):
                try:
                    from selenium.webdriver import ActionChains

                    ActionChains(driver).move_to_element(marker).perform()
                except Exception:  # noqa: S112 - a marker off screen is fine to skip
                    continue
        text = driver.find_element(By.ID, "main").get_attribute("textContent")
        for payload in PAYLOADS[:3]:
            assert payload in text, (path, payload)
        assert driver.execute_script("return typeof window.__xss") == "undefined"
        assert driver.find_elements(By.CSS_SELECTOR, "#main img[src='x'], #main svg[onload]") == []
        try:
            alert = driver.switch_to.alert
            message = alert.text
            alert.dismiss()
            raise AssertionError(f"an alert opened on {path}: {message}")
        except NoAlertPresentException:
            pass


# Records the output of every callback request the page makes (as the renderer posts it).
CALLBACK_RECORDER = """
window.__chorusCallbacks = [];
const chorusFetch = window.fetch;
window.fetch = function (input, init) {
  const url = typeof input === 'string' ? input : input.url;
  if (url.indexOf('_dash-update-component') >= 0 && init && init.body) {
    window.__chorusCallbacks.push(JSON.parse(init.body).output);
  }
  return chorusFetch.apply(this, arguments);
};
"""


def test_annb003_a_page_asks_once_per_panel_and_draws_existing_notes_at_once(
    session_browser, users, db
):
    from data_access.annotations import NewAnnotation, create_annotation
    from data_access.users import find_organisation, list_users

    with db.write() as s:
        org = find_organisation(s, "E08000004")
        author = next(u for u in list_users(s, org.id) if u.role == "practitioner")
        create_annotation(
            s,
            author,
            NewAnnotation(
                indicator="gld",
                area_code="E08000004",
                kind="context_event",
                body="Family Hub opened across these years.",
                visibility="organisation",
                period_start=date(2022, 9, 1),
                period_end=date(2024, 8, 31),
                view_state={"scope": "range"},
            ),
        )

    driver = session_browser.driver
    user = users["oldham_practitioner"]
    session_browser.login(user.username, user.password)
    script = driver.execute_cdp_cmd(
        "Page.addScriptToEvaluateOnNewDocument", {"source": CALLBACK_RECORDER}
    )
    try:
        _visit(session_browser, "/early-years")
        # Plotly draws the figure a moment after Dash has settled: wait for the chart itself.
        _wait(driver, lambda d: _note_traces(d) is not None, 60)
        calls = driver.execute_script("return window.__chorusCallbacks")
    finally:
        driver.execute_cdp_cmd(
            "Page.removeScriptToEvaluateOnNewDocument", {"identifier": script["identifier"]}
        )

    # The note's marker and span are on the chart from the slot's first answer.
    drawn = _note_traces(driver)
    assert [name for name, _symbol, _count in drawn["traces"]] == ["Note: context or event"]
    assert [dash for dash, _x0, _x1 in drawn["shapes"]] == ["dash"]
    assert "Family Hub opened" in _find(driver, "note-list").text
    # One request for the page content, then one per panel: nothing chained after it.
    panels = len(driver.find_elements(By.CSS_SELECTOR, ".indicator-panel"))
    slots = [c for c in calls if '"annotation-slot"' in c and '"voice-slot"' in c]
    assert panels >= 1 and len(slots) == panels
    assert len(calls) == panels + 1, calls
    assert not [c for c in calls if "note-list" in c or "note-thread" in c or "figure" in c]

    # Deleting the note takes its marker and span off the chart again (in the browser).
    button = driver.find_element(By.CSS_SELECTOR, f"[id*='note-open-btn'][id*='\"{PANEL}\"']")
    button.send_keys(Keys.ENTER)
    _wait_text(driver, "note-thread", "Family Hub opened")
    _press_enter(driver, "note-delete")
    _wait_text(driver, "note-message", "The note is deleted.")
    _wait(driver, lambda d: (_note_traces(d) or {}).get("traces") == [], 60)
    assert _note_traces(driver)["shapes"] == []
    assert "No notes on this chart yet." in _find(driver, "note-list").text
    assert session_browser.console_errors() == []
