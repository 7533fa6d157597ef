"""In a real browser: open Hampshire's Early Help journey, filter by a breakdown, read the
table and download the CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

from browser_helpers import WAIT, click_when_ready, wait_until
from selenium.webdriver.common.by import By

from data_access.demo.journeys import seed_demo_journeys

HAMPSHIRE = "E10000014"


def _wait(driver: Any, condition: Any, timeout: float = WAIT) -> Any:
    return wait_until(driver, condition, timeout)


def _option(driver: Any, value: str) -> Any:
    """The open dropdown's option holding ``value`` (raises while it is not drawn yet)."""
    for option in driver.find_elements(By.CSS_SELECTOR, "label.dash-dropdown-option"):
        if option.find_element(By.TAG_NAME, "input").get_attribute("value") == value:
            return option
    raise LookupError(value)


def _choose(driver: Any, dropdown_id: str, value: str) -> None:
    """Open a Dash dropdown and click the option holding ``value`` (each found afresh, so
    a dropdown re-rendered by a callback meanwhile is simply found again)."""
    click_when_ready(driver, lambda d: d.find_element(By.ID, dropdown_id))
    _wait(driver, lambda d: _option_listed(d, value))
    click_when_ready(driver, lambda d: _option(d, value))


def _option_listed(driver: Any, value: str) -> bool:
    try:
        _option(driver, value)
    except LookupError:
        return False
    return True


def _table_text(driver: Any, css: str) -> str:
    tables = driver.find_elements(By.CSS_SELECTOR, css)
    return tables[0].text if tables else ""


def _table_rows(driver: Any, css: str) -> dict[str, list[str]]:
    """Row heading -> the other cells, read in one go (a wait retries it when the table
    is redrawn while being read)."""
    rows = {}
    for row in driver.find_elements(By.CSS_SELECTOR, f"{css} tbody tr"):
        cells = [c.text for c in row.find_elements(By.CSS_SELECTOR, "th, td")]
        rows[cells[0]] = cells[1:]
    return rows


def test_jbr001_hampshire_journey_filter_table_and_csv(session_browser, users, db, tmp_path):
    with db.write() as session:
        seed_demo_journeys(session, [HAMPSHIRE])
    user = users["hampshire_viewer"]
    driver = session_browser.driver
    session_browser.login(user.username, user.password)
    driver.execute_cdp_cmd(
        "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)}
    )
    session_browser.visit("/journeys")
    assert driver.find_element(By.TAG_NAME, "h1").text == "Journeys: Hampshire"

    # The whole population's journey: Sankey and the table beside it.
    _wait(driver, lambda d: "Came back within 12 months" in _table_text(d, "table.steps"))
    assert driver.find_elements(By.CSS_SELECTOR, "#journeys-eh .js-plotly-plot")
    flows = _table_text(driver, "table.flows")
    assert "Request for Early Help" in flows and "Assessment started" in flows

    # Last spring's requests (the newest season is shown first).
    _choose(driver, "journeys-cohort", "2025-03-01,2025-04-01,2025-05-01")
    _wait(driver, lambda d: "Spring 2025" in _table_text(d, "table.steps"))

    # Filter by a breakdown: sex, then the female group.
    _choose(driver, "journeys-breakdown", "sex")
    _wait(driver, lambda d: "Sex: " in _table_text(d, "table.steps"))
    steps = _table_text(driver, "table.steps")
    assert "Spring 2025" in steps
    rows = _wait(driver, lambda d: _table_rows(d, "table.steps"))
    assert "Request for Early Help" in rows
    request = rows["Request for Early Help"][0]
    assert request == "c" or int(request.replace(",", "")) > 5
    for count, _share in rows.values():
        assert count == "c" or int(count.replace(",", "")) == 0 or int(count.replace(",", "")) > 5

    # Download the CSV of the same view.
    # Let the breakdown's callbacks settle, close any open menu, then click as a person would.
    session_browser.wait_for_dash(timeout=WAIT)
    click_when_ready(driver, lambda d: d.find_element(By.TAG_NAME, "h1"))
    click_when_ready(driver, lambda d: d.find_element(By.ID, "journeys-download-button"))
    files = _wait(driver, lambda d: sorted(tmp_path.glob("early-help-journey-*.csv")))
    table = list(csv.DictReader(io.StringIO(files[0].read_text())))
    assert {r["breakdown"] for r in table} == {"sex"}
    assert {r["breakdown_value"] for r in table} == {"female"}
    by_step = {r["step"]: r["count"] for r in table if r["kind"] == "step"}
    assert by_step["request"] == rows["Request for Early Help"][0].replace(",", "")
    assert session_browser.console_errors() == []
    assert session_browser.axe_violations() == []
