"""A Learning Network session in Chromium: build it (capturing a view from Explore),
present it with the keyboard, capture two contributions, switch to anonymised, export,
and open the export from a file:// address with the network cut off.

Keeps two screenshots at 1920x1080 (in docs/screenshots when CHORUS_SCREENSHOTS=1 asks
for them, else in a temporary folder) (a chart step and a quotes step)
and measures the rendered text sizes on them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from browser_helpers import wait_for_paint, wait_until
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from sqlalchemy import select

from analysis.anonymise import leaked_names

ROOT = Path(__file__).resolve().parents[2]
WAIT = 60
QUOTES = (
    "Stay and play is the only time my son hears other children talk.",
    "The health visitor came to us, which made all the difference.",
    "I did not know the two-year funding was for us until the hub told me.",
)
NAMES = ("Oldham", "Rochdale", "Hampshire")


def _wait(driver, condition, timeout: float = WAIT):  # type: ignore[no-untyped-def]
    return wait_until(driver, condition, timeout)


def _text(driver, element_id: str) -> str:  # type: ignore[no-untyped-def]
    from selenium.common.exceptions import StaleElementReferenceException

    try:
        found = driver.find_elements(By.ID, element_id)
        return found[0].text if found else ""
    except StaleElementReferenceException:  # redrawn by a callback meanwhile
        return ""


def _wait_text(driver, element_id: str, text: str) -> None:  # type: ignore[no-untyped-def]
    _wait(driver, lambda d: text in _text(d, element_id))


def _choose(driver, element_id: str, value: str) -> None:  # type: ignore[no-untyped-def]
    """Pick ``value``: in a native select, or by ticking its checkbox in a group."""
    from selenium.webdriver.support.ui import Select

    element = _wait(driver, lambda d: d.find_element(By.ID, element_id))
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    if element.tag_name == "select":
        Select(element).select_by_value(value)
        return
    box = element.find_element(By.CSS_SELECTOR, f"input[value='{value}']")
    if not box.is_selected():
        driver.execute_script("arguments[0].click()", box)


def _press(driver, key: str) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(driver).send_keys(key).perform()  # to whatever has the focus


def _seed_quotes(db) -> list[int]:  # type: ignore[no-untyped-def]
    from data_access.models import Organisation, VoiceItem

    with db.write() as s:
        org = s.scalar(select(Organisation).where(Organisation.code == "E08000005"))
        for text in QUOTES:
            s.add(
                VoiceItem(
                    text=text,
                    speaker_role="parent_carer",
                    age_band="adult",
                    area_code="E08000005",
                    organisation_id=org.id,
                    service="early_years",
                    method="focus_group",
                    collected_on=date(2025, 6, 1),
                    consent_scope="learning_network",
                    consent_date=date(2025, 6, 1),
                    review_date=date(2030, 1, 1),
                    moderation_status="approved",
                    illustrative=True,
                )
            )
        s.flush()
        return list(s.scalars(select(VoiceItem.id).order_by(VoiceItem.id)))


def _font_sizes(driver) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Smallest rendered font size of body text and of chart text on the page (px)."""
    script = """
      const size = el => parseFloat(getComputedStyle(el).fontSize);
      const body = [...document.querySelectorAll(
        '.present-step p, .present-step h2, .present-step figcaption, .present-step blockquote,'
        + ' .present-step td, .present-step th, .present-contributions li')]
        .filter(el => el.offsetParent !== null && el.textContent.trim()).map(size);
      const chart = [...document.querySelectorAll('#present-graph svg text')]
        .filter(el => el.textContent.trim()).map(el => parseFloat(el.style.fontSize
          || getComputedStyle(el).fontSize));
      return {body: body.length ? Math.min(...body) : 0,
              chart: chart.length ? Math.min(...chart) : 0};
    """
    return driver.execute_script(script)


@pytest.fixture
def full_hd(session_browser):  # type: ignore[no-untyped-def]
    """A 1920x1080 viewport (a projector or shared screen), undone after the test."""
    driver = session_browser.driver
    metrics = {"width": 1920, "height": 1080, "deviceScaleFactor": 1, "mobile": False}
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    yield driver
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def _download_finished(folder: Path, path: Path) -> Callable[[Any], bool]:
    """A wait condition: Chromium has no partial download left in ``folder`` and ``path``
    has kept its size since the last look."""
    last = {"size": -1}

    def finished(_driver: Any) -> bool:
        size = path.stat().st_size
        steady, last["size"] = size == last["size"], size
        return steady and not list(folder.glob("*.crdownload"))

    return finished


def _shoot(driver: Any, folder: Path, name: str) -> None:
    driver.execute_script("window.scrollTo(0, 0)")
    wait_for_paint(driver)
    driver.save_screenshot(str(folder / name))


def test_present001_build_present_capture_anonymise_and_export_offline(
    session_browser, users, db, tmp_path, full_hd, screenshot_dir
):
    quote_ids = _seed_quotes(db)
    driver = session_browser.driver
    user = users["oldham_analyst"]
    session_browser.login(user.username, user.password)

    # Build: a new session with two participants.
    session_browser.visit("/sessions")
    driver.find_element(By.ID, "ln-new-title").send_keys("Browser session")
    driver.find_element(By.ID, "ln-new-date").send_keys("2026-03-12")
    _choose(driver, "ln-new-participants", "E08000004")
    _choose(driver, "ln-new-participants", "E08000005")
    _wait(driver, lambda d: "Rochdale" in _text(d, "ln-new-participants"))
    driver.find_element(By.ID, "ln-new-create").click()
    _wait(driver, lambda d: "Session: Browser session" in d.find_element(By.TAG_NAME, "h1").text)
    session_id = driver.current_url.split("id=")[1].split("&")[0]

    # Capture a view from Explore with one click, then add it as a step.
    # (Explore also draws a map of every authority: wait for the link, not for the map.)
    driver.get(
        f"{session_browser.base_url}/explore?indicator=gld&area=E08000004&compare=england,E08000005"
    )
    _wait(driver, lambda d: d.find_elements(By.ID, "explore-ln-link"))[0].click()
    _wait(driver, lambda d: "Adding an Explore view" in d.find_element(By.ID, "main").text)
    driver.find_element(By.LINK_TEXT, "Add the captured view to this session").click()
    _wait(
        driver,
        lambda d: (
            "indicator=gld" in (d.find_element(By.ID, "ln-step-url").get_attribute("value") or "")
        ),
    )
    driver.find_element(By.ID, "ln-step-add").click()
    _wait_text(driver, "ln-agenda-message", "Added step 1")

    # A quotes step chosen from the Voice library, then a question.
    driver.find_element(By.CSS_SELECTOR, "#ln-step-kind input[value=quotes]").click()
    driver.find_element(By.ID, "ln-step-title").send_keys("What families say")
    for quote_id in quote_ids:
        _choose(driver, "ln-step-quotes", str(quote_id))
    driver.find_element(By.ID, "ln-step-add").click()
    _wait_text(driver, "ln-agenda-message", "Added step 2")
    driver.find_element(By.CSS_SELECTOR, "#ln-step-kind input[value=question]").click()
    driver.find_element(By.ID, "ln-step-title").send_keys("Question")
    driver.find_element(By.ID, "ln-step-text").send_keys("What changed the year the rise began?")
    driver.find_element(By.ID, "ln-step-add").click()
    _wait_text(driver, "ln-agenda-message", "Added step 3")
    # Reorder: the question up, then back down.
    driver.find_element(By.CSS_SELECTOR, "#ln-step-3 button[aria-label^='Move up']").click()
    _wait(driver, lambda d: "Question" in _text(d, "ln-step-2"))
    driver.find_element(By.CSS_SELECTOR, "#ln-step-2 button[aria-label^='Move down']").click()
    _wait(driver, lambda d: "Question" in _text(d, "ln-step-3"))
    violations = session_browser.axe_violations()
    assert violations == [], [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]

    # Present: no navigation chrome, a step counter, axe-clean.
    session_browser.visit(f"/sessions/present?id={session_id}")
    assert driver.find_elements(By.CSS_SELECTOR, ".chorus-nav, .chorus-header, footer") == []
    _wait_text(driver, "present-counter", "Step 1 of 3")
    _wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#present-graph svg text"))
    driver.get_log("browser")
    violations = session_browser.axe_violations()
    assert violations == [], [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]
    sizes = _font_sizes(driver)
    assert sizes["body"] >= 24 and sizes["chart"] >= 24, sizes
    _shoot(driver, screenshot_dir, "present-chart-step.png")

    # The caption shows two sentences; "d" shows the rest and says so, "d" again hides it.
    more = driver.find_element(By.ID, "present-caption-more")
    toggle = driver.find_element(By.ID, "present-details-toggle")
    assert not more.is_displayed() and toggle.get_attribute("aria-expanded") == "false"
    driver.execute_script("document.activeElement && document.activeElement.blur()")
    _press(driver, "d")
    _wait(driver, lambda d: d.find_element(By.ID, "present-caption-more").is_displayed())
    assert toggle.get_attribute("aria-expanded") == "true"
    status = driver.find_element(By.ID, "present-details-status").get_attribute("textContent")
    assert status == "Full description shown below the chart."
    violations = session_browser.axe_violations()
    assert violations == [], [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]
    _press(driver, "d")
    _wait(driver, lambda d: not d.find_element(By.ID, "present-caption-more").is_displayed())

    # Keyboard: t shows the table and back; arrows move; space moves on.
    driver.execute_script("document.activeElement && document.activeElement.blur()")
    _press(driver, "t")
    _wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#present-step table"))
    assert driver.find_element(By.ID, "present-table").get_attribute("aria-pressed") == "true"
    _press(driver, "t")
    _wait(driver, lambda d: d.find_elements(By.ID, "present-graph"))

    # First contribution, attributed to Rochdale, on the chart step.
    driver.find_element(By.ID, "present-text").send_keys("Our rise began with speech checks.")
    _choose(driver, "present-said-by", "p1")  # Rochdale, the second participant
    _wait(driver, lambda d: "Rochdale" in _text(d, "present-said-by"))
    driver.find_element(By.ID, "present-save").click()
    _wait_text(driver, "present-message", "Saved")
    _wait_text(driver, "present-contributions", "Rochdale: Our rise began with speech checks.")

    _press(driver, Keys.ARROW_RIGHT)  # focus is on the Save button: arrows still work
    _wait_text(driver, "present-counter", "Step 2 of 3")
    _wait(driver, lambda d: QUOTES[0] in _text(d, "present-step"))
    violations = session_browser.axe_violations()
    assert violations == [], [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]
    assert _font_sizes(driver)["body"] >= 24
    _shoot(driver, screenshot_dir, "present-quotes-step.png")
    driver.execute_script("document.activeElement && document.activeElement.blur()")
    _press(driver, Keys.SPACE)
    _wait_text(driver, "present-counter", "Step 3 of 3")
    _press(driver, Keys.ARROW_LEFT)
    _wait_text(driver, "present-counter", "Step 2 of 3")
    _press(driver, Keys.ARROW_RIGHT)
    _wait_text(driver, "present-counter", "Step 3 of 3")

    # Second contribution, anonymous, on the question.
    driver.find_element(By.ID, "present-text").send_keys("Was recording different that year?")
    _choose(driver, "present-said-by", "anonymous")
    driver.find_element(By.ID, "present-save").click()
    _wait_text(driver, "present-contributions", "Anonymous: Was recording different")

    # Anonymised: no authority name anywhere in the page (visible or not).
    driver.find_element(By.CSS_SELECTOR, "#present-names input[value=anonymised]").click()
    _wait_text(driver, "present-contributions", "Anonymous: Was recording different")
    # Arrow keys on a radio button choose another radio, so leave the group first.
    driver.execute_script("document.activeElement && document.activeElement.blur()")
    _press(driver, Keys.ARROW_LEFT)
    _wait_text(driver, "present-counter", "Step 2 of 3")
    driver.find_element(By.ID, "present-prev").click()  # the mouse works too
    _wait_text(driver, "present-counter", "Step 1 of 3")
    _wait(driver, lambda d: "Authority A" in _text(d, "present-step"))
    _wait_text(driver, "present-contributions", "Authority B: Our rise began")
    assert leaked_names(driver.page_source, NAMES) == []
    assert leaked_names(driver.execute_script("return document.title"), NAMES) == []

    # Export the record and open it offline from a file:// address.
    driver.execute_cdp_cmd(
        "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)}
    )
    session_browser.visit(f"/sessions/summary?id={session_id}")
    _wait(driver, lambda d: "Our rise began with speech checks." in _text(d, "summary-body"))
    violations = session_browser.axe_violations()
    assert violations == [], [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]
    # The record leaves only after a named person confirms the ethics check.
    driver.find_element(By.ID, "summary-ethics-name").send_keys("Browser Tester")
    driver.find_element(By.ID, "summary-ethics-confirm").click()
    _wait_text(driver, "summary-ethics-status", "Reviewed by Browser Tester")
    driver.find_element(By.ID, "summary-html-button").click()
    exported = _wait(driver, lambda d: list(tmp_path.glob("browser-session.html")))[0]
    _wait(driver, lambda d: exported.stat().st_size > 1_000_000)
    _wait(driver, _download_finished(tmp_path, exported))
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {"offline": True, "latency": 0, "downloadThroughput": 0, "uploadThroughput": 0},
    )
    try:
        driver.get(exported.as_uri())
        _wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#chart-1 svg.main-svg"), 30)
        text = driver.find_element(By.TAG_NAME, "body").text
        traces = driver.execute_script(
            "return document.getElementById('chart-1').data.map(t => t.name)"
        )
    finally:
        driver.execute_cdp_cmd("Network.emulateNetworkConditions", {
            "offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1
        })  # fmt: skip
    assert "Rochdale: Our rise began with speech checks." in text
    assert "Anonymous: Was recording different that year?" in text
    # A network-only quote is not in the file: downloads carry publication consent only.
    assert QUOTES[1] not in text
    assert "Questions still open" in text and "What changed the year the rise began?" in text
    assert traces[:2] == ["Oldham", "England"]
    assert "Ethics check" in text and "Reviewed by Browser Tester" in text
