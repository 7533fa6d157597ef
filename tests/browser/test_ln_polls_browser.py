"""A poll in Chromium: the facilitator makes a question step a poll on the session page, a
participant of another organisation votes through the vote form, and the results chart on
the present screen shows the count, then a second vote without a reload (the 2-second
refresh); the facilitator turns the result into an action on the summary, and the owner
marks it done on its Overview. Each new state is checked with axe.
"""

from __future__ import annotations

from datetime import date

from browser_helpers import click_when_ready, wait_until
from selenium.webdriver.common.by import By

OLDHAM, ROCHDALE = "E08000004", "E08000005"


def _text(driver, element_id: str) -> str:  # type: ignore[no-untyped-def]
    from selenium.common.exceptions import StaleElementReferenceException

    try:
        found = driver.find_elements(By.ID, element_id)
        return found[0].text if found else ""
    except StaleElementReferenceException:
        return ""


def _chart_labels(driver) -> list[str]:  # type: ignore[no-untyped-def]
    """The count labels drawn on the present screen's bars."""
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('#present-poll-graph .bartext'))"
        ".map(t => t.textContent);"
    )


def _session(db):  # type: ignore[no-untyped-def]
    from data_access import learning_network as ln
    from data_access.users import user_by_username

    with db.write() as s:
        analyst = user_by_username(s, "oldham.analyst")
        record = ln.create_session(
            s, analyst, "Poll session", date(2026, 3, 12), [OLDHAM, ROCHDALE]
        )
        ln.add_step(s, analyst, record.id, "indicator", "", {"indicator": "gld", "area": OLDHAM})
        ln.add_step(
            s, analyst, record.id, "question", "Priorities", {"text": "What should come first?"}
        )
        return record.id


def test_lnp001_make_a_poll_vote_from_another_organisation_and_see_results(
    session_browser, users, db
):
    driver = session_browser.driver
    session_id = _session(db)

    # The facilitator makes the question a poll.
    analyst = users["oldham_analyst"]
    session_browser.login(analyst.username, analyst.password)
    session_browser.visit(f"/sessions?id={session_id}")
    options = wait_until(driver, lambda d: d.find_element(By.ID, "ln-poll-options"))
    options.send_keys("Family hubs\nOutreach\nData sharing")
    click_when_ready(driver, lambda d: d.find_element(By.ID, "ln-poll-save"))
    wait_until(driver, lambda d: "Saved: a poll with 3 options" in _text(d, "ln-poll-message"))
    wait_until(driver, lambda d: "What should come first?" in _text(d, "ln-poll-votes"))
    session_browser.check_axe("session builder with a poll")

    # A practitioner of Rochdale (another organisation, taking part) votes.
    voter = users["rochdale_practitioner"]
    session_browser.login(voter.username, voter.password)
    session_browser.visit(f"/sessions?id={session_id}")
    click_when_ready(
        driver, lambda d: d.find_element(By.XPATH, "//label[normalize-space()='Outreach']")
    )
    click_when_ready(driver, lambda d: d.find_element(By.CSS_SELECTOR, "button.ln-poll-vote"))
    wait_until(
        driver,
        lambda d: "Your vote is saved" in d.find_element(By.CSS_SELECTOR, ".ln-poll-status").text,
    )
    assert driver.find_element(By.CSS_SELECTOR, "button.ln-poll-vote").text == "Change vote"
    session_browser.check_axe("vote form after voting")

    # The present screen shows the count on the bar and in the table.
    session_browser.login(analyst.username, analyst.password)
    session_browser.visit(f"/sessions/present?id={session_id}&step=2")
    wait_until(driver, lambda d: "1 person has voted" in _text(d, "present-poll"))
    wait_until(driver, lambda d: _chart_labels(d) == ["0", "1", "0"])
    table = driver.find_element(By.CSS_SELECTOR, "#present-poll table").text
    assert "Outreach 1" in table
    session_browser.check_axe("present screen with poll results")

    # Another vote arrives: the chart updates without a reload.
    from data_access import ln_polls
    from data_access.users import user_by_username

    with db.write() as s:
        ln_polls.vote(s, user_by_username(s, "oldham.practitioner"), _poll_step(db), [1])
    wait_until(driver, lambda d: "2 people have voted" in _text(d, "present-poll"))
    wait_until(driver, lambda d: _chart_labels(d) == ["0", "2", "0"])

    # Closing the poll.
    click_when_ready(driver, lambda d: d.find_element(By.ID, "present-poll-close"))
    wait_until(driver, lambda d: "The poll is closed." in _text(d, "present-poll-message"))
    wait_until(driver, lambda d: "poll is closed" in _text(d, "present-poll-results"))
    session_browser.check_axe("present screen with the poll closed")

    # The facilitator turns the poll result into an action owned by Rochdale.
    session_browser.visit(f"/sessions/summary?id={session_id}")
    _select(driver, "ln-action-source", f"poll:{_poll_step(db)}")
    wait_until(
        driver,
        lambda d: (
            "most votes for Outreach"
            in d.find_element(By.ID, "ln-action-text").get_attribute("value")
        ),
    )
    _select(driver, "ln-action-owner", ROCHDALE)
    _set_date(driver, "ln-action-due", "2099-01-01")
    click_when_ready(driver, lambda d: d.find_element(By.ID, "ln-action-add"))
    wait_until(driver, lambda d: "Action added" in _text(d, "ln-action-message"))
    wait_until(driver, lambda d: "Rochdale" in _text(d, "summary-actions-list"))
    session_browser.check_axe("session summary with poll results and an action")

    # Rochdale sees it on its Overview and marks it done.
    session_browser.login(voter.username, voter.password)
    session_browser.visit("/")
    wait_until(driver, lambda d: "most votes for Outreach" in _text(d, "overview-ln-actions"))
    session_browser.check_axe("Overview with an action from a session")
    click_when_ready(
        driver, lambda d: d.find_element(By.CSS_SELECTOR, "#overview-ln-actions button")
    )
    wait_until(driver, lambda d: "Marked done" in _text(d, "overview-ln-actions"))
    assert "No open actions." in _text(driver, "overview-ln-actions")


def _select(driver, element_id: str, value: str) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.support.ui import Select

    def choose(d) -> bool:  # type: ignore[no-untyped-def]
        Select(d.find_element(By.ID, element_id)).select_by_value(value)
        return True

    wait_until(driver, choose)


def _set_date(driver, element_id: str, value: str) -> None:  # type: ignore[no-untyped-def]
    """Set a native date field as typing would (typed digits depend on the locale)."""
    driver.execute_script(
        "const el = document.getElementById(arguments[0]);"
        "const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;"
        "set.call(el, arguments[1]); el.dispatchEvent(new Event('input', {bubbles: true}));"
        "el.dispatchEvent(new Event('change', {bubbles: true}));",
        element_id,
        value,
    )


def _poll_step(db) -> int:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from data_access.models import LnPoll

    with db.read() as s:
        return int(s.scalar(select(LnPoll.step_id)))
