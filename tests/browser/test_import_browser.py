"""Background import with progress in Chromium: upload, check, commit, come back."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import delete, func, select

from data_access.models import ImportBatch

ROWS = 3_000  # enough rows for the job to take a moment, small enough for a 2-core machine


@pytest.fixture
def own_batches(db):  # type: ignore[no-untyped-def]
    """Roll back and delete the batches the test makes (observations are shared)."""
    from data_access.importing.commit import RollbackRefused, rollback_batch

    with db.read() as session:
        before = session.scalar(select(func.max(ImportBatch.id))) or 0
    yield
    with db.read() as session:
        made = (
            session.execute(
                select(ImportBatch.id)
                .where(ImportBatch.id > before)
                .order_by(ImportBatch.id.desc())
            )
            .scalars()
            .all()
        )
    for batch_id in made:
        with contextlib.suppress(RollbackRefused), db.write() as session:
            rollback_batch(session, batch_id, username="test")
    with db.write() as session:
        session.execute(delete(ImportBatch).where(ImportBatch.id > before))


def _template_file(path) -> None:  # type: ignore[no-untyped-def]
    """ROWS monthly figures for the ten Greater Manchester boroughs, 2040 onwards."""
    header = (
        "indicator,area_code,period,breakdown,breakdown_value,numerator,denominator,value,status"
    )
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    lines = [header]
    for i in range(ROWS):
        area = f"E080000{1 + i % 10:02d}"
        month, year = months[(i // 10) % 12], 2040 + i // 120
        lines.append(f"eh_requests,{area},{month} {year},total,total,,,{100 + i % 50},")
    lines.append("eh_requests,E08000099,Jan 2040,total,total,,,5,")  # one bad line
    path.write_text("\n".join(lines) + "\n")


def _click(driver, element_id: str) -> None:  # type: ignore[no-untyped-def]
    element = driver.find_element(By.ID, element_id)
    # A sticky header can sit over the button after scrolling: click through the DOM.
    driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", element
    )


def _text(driver, element_id: str) -> str:  # type: ignore[no-untyped-def]
    return driver.find_element(By.ID, element_id).text


def test_impb001_background_check_and_commit_with_progress(
    session_browser, users, tmp_path, own_batches
):
    driver = session_browser.driver
    user = users["oldham_analyst"]
    session_browser.login(user.username, user.password)
    session_browser.visit("/import")
    path = tmp_path / "monthly.csv"
    _template_file(path)
    driver.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(path))
    WebDriverWait(driver, 60).until(lambda d: "monthly.csv" in _text(d, "imp-file-info"))
    assert "columns" in _text(driver, "imp-file-info")

    _click(driver, "imp-validate")
    seen = set()

    def report_ready(d: Any) -> bool:
        # Each look at the page also reads the progress bar, so its steps are seen.
        seen.add(d.find_element(By.ID, "imp-progress").get_attribute("value"))
        return "figures ready" in _text(d, "imp-report")

    WebDriverWait(
        driver, 120, poll_frequency=0.1, ignored_exceptions=(StaleElementReferenceException,)
    ).until(report_ready)
    report = _text(driver, "imp-report")
    assert f"{ROWS:,} figures ready, 1 with errors" in report
    assert "Unknown area code" in report and f"{ROWS + 2}" in report  # line of the bad row
    assert driver.find_element(By.ID, "imp-progress").get_attribute("value") == "100"
    assert "Checked" in _text(driver, "imp-progress-text")
    assert seen, "the progress bar was never read"

    _click(driver, "imp-commit")
    WebDriverWait(driver, 120).until(lambda d: "Batch" in _text(d, "imp-result"))
    assert "partial" in _text(driver, "imp-result")
    result = _text(driver, "imp-result")
    # Oldham's analyst writes Oldham's local figures only: the other nine boroughs' rows
    # are refused by the ownership rule and said to be.
    assert f"{ROWS // 10:,} new" in result and "another authority's area" in result

    # Leave the page and come back: the last import is shown again.
    session_browser.visit("/")
    session_browser.visit("/import")
    WebDriverWait(driver, 30).until(lambda d: "Your last import" in _text(d, "imp-restored"))
    assert "monthly.csv" in _text(driver, "imp-restored")
    assert session_browser.console_errors() == []
