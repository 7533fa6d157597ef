"""Browser fixtures: a real gunicorn server process and Debian's headless Chromium.

The server runs on the same database as the ``app`` fixture, so users made by the
``users`` fixture can log in. Without Chromium the tests skip, except in CI (fail).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def pytest_collection_modifyitems(items):  # type: ignore[no-untyped-def]
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(app):
    """Base URL of a gunicorn process (2 workers) serving ``app:server``."""
    port = _free_port()
    # Each worker warms itself as in production (gunicorn.conf.py), briefly.
    env = {**os.environ, "CHORUS_WARM_SECONDS": os.environ.get("CHORUS_WARM_SECONDS", "3")}
    log = open(Path(env["CHORUS_INSTANCE_DIR"]) / "gunicorn.log", "w")  # noqa: SIM115
    process = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            str(ROOT / "gunicorn.conf.py"),
            "--workers",
            "2",
            "--threads",
            "4",
            "--bind",
            f"127.0.0.1:{port}",
            "app:server",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120  # a busy shared machine, and each worker warms first
    while time.time() < deadline:
        try:
            if requests.get(f"{base}/health", timeout=1).status_code == 200:
                break
        except requests.RequestException:
            time.sleep(0.3)
    else:
        process.terminate()
        pytest.fail("gunicorn did not start; see gunicorn.log in the test instance folder")
    yield base
    process.terminate()
    process.wait(timeout=20)
    log.close()


def _chromium_missing() -> bool:
    return not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists())


def _start_chromium():  # type: ignore[no-untyped-def]
    """A headless Chromium (1280 x 1000) driven by Debian's chromedriver."""
    if _chromium_missing():
        if os.environ.get("CI"):
            pytest.fail("Chromium and chromedriver must be installed in CI (make browser)")
        pytest.skip("Chromium is not installed (run `make browser`)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_OFFLINE", "true")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        "--no-first-run",
        "--disable-dev-shm-usage",
        "--window-size=1280,1000",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.set_page_load_timeout(60)
    return driver


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    """One headless Chromium for the session (1280 x 1000)."""
    driver = _start_chromium()
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def second_browser():  # type: ignore[no-untyped-def]
    """A second headless Chromium, for tests of two people's screens at once (a live
    session's participant beside its facilitator); one per module that asks for it."""
    driver = _start_chromium()
    yield driver
    driver.quit()


@pytest.fixture
def second_session(second_browser, live_server, users) -> BrowserSession:  # type: ignore[no-untyped-def]
    """The second browser at 1280 x 1000 on the same server, for a second user."""
    second_browser.set_window_size(1280, 1000)
    _forget_console(second_browser)
    return BrowserSession(second_browser, live_server)


def _forget_console(driver) -> None:  # type: ignore[no-untyped-def]
    """Read and drop the console's messages so far: the browser is shared across tests,
    and a test's ``console_errors()`` must see only what its own pages logged."""
    driver.get_log("browser")


class BrowserSession:
    """Helpers for a logged-in browser: log in, wait for Dash, read console, run axe."""

    def __init__(self, driver, base_url: str) -> None:  # type: ignore[no-untyped-def]
        self.driver = driver
        self.base_url = base_url

    def login(self, username: str, password: str) -> None:
        from selenium.webdriver.common.by import By

        self.driver.delete_all_cookies()
        self.driver.get(f"{self.base_url}/login")
        self.driver.find_element(By.ID, "username").send_keys(username)
        self.driver.find_element(By.ID, "password").send_keys(password)
        # Mark this document so the wait below can tell when the browser has moved on to the
        # next one. click() returns before the form is posted, and until then the login page
        # itself (an h1, no callbacks) would satisfy wait_for_dash. Holding an element of the
        # old page to test its staleness is not safe either: mid-navigation chromedriver can
        # answer "Node with given id does not belong to the document" instead.
        self.driver.execute_script("window.__chorusLoginPage = true;")
        self.driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        self.wait_for_next_document()
        self.wait_for_dash()
        if "/login" in self.driver.current_url:
            body = self.driver.execute_script("return document.body.innerText.slice(0, 300)")
            raise AssertionError(f"login as {username} failed: {body!r}")

    def wait_for_next_document(self, timeout: float = 30) -> None:
        """Wait until the marked login document has been replaced and the next has loaded."""
        from selenium.common.exceptions import WebDriverException
        from selenium.webdriver.support.ui import WebDriverWait

        script = (
            "return window.__chorusLoginPage === undefined && document.readyState === 'complete';"
        )
        # While the browser is between documents a script can fail in several ways; each only
        # means "not yet", so every WebDriver error is retried until the timeout.
        WebDriverWait(self.driver, timeout, ignored_exceptions=(WebDriverException,)).until(
            lambda d: d.execute_script(script)
        )

    def visit(self, path: str) -> None:
        self.driver.get(f"{self.base_url}{path}")
        self.wait_for_dash()

    def wait_for_dash(self, timeout: float = 30) -> None:
        """Wait until the page has an h1 and Dash has no callbacks in flight."""
        from selenium.webdriver.support.ui import WebDriverWait

        script = """
          const h1 = document.querySelector('h1');
          const loading = document.querySelector('[data-dash-is-loading="true"]');
          // The renderer's own flag also covers the gap between one callback's answer and
          // the callbacks it triggers, when no element is marked as loading.
          const store = window.store && window.store.getState();
          const pending = store ? store.isLoading : false;
          return document.readyState === 'complete' && h1 !== null && loading === null
            && !pending;
        """
        from selenium.common.exceptions import TimeoutException

        try:
            WebDriverWait(self.driver, timeout).until(lambda d: d.execute_script(script))
        except TimeoutException as exc:
            body = self.driver.execute_script("return document.body.innerText.slice(0, 500)")
            raise AssertionError(
                f"page not ready at {self.driver.current_url}: {body!r}; "
                f"console: {self.console_errors()}"
            ) from exc

    def console_errors(self) -> list[str]:
        entries = self.driver.get_log("browser")
        return [e["message"] for e in entries if e["level"] == "SEVERE"]

    def axe_violations(self, impacts: tuple[str, ...] | None = None) -> list[dict]:
        """Critical, serious and moderate axe-core 4 findings (WCAG 2.2 AA + best practice)."""
        from tests.browser import axe

        return axe.findings(self.driver, impacts or axe.FAILING_IMPACTS)

    def check_axe(self, label: str) -> None:
        """Fail with a readable list if axe-core finds anything on the current state."""
        from tests.browser import axe

        axe.check(self.driver, label)

    def screenshot(self, path: Path, width: int = 1280, height: int = 1000) -> None:
        self.driver.set_window_size(width, height)
        self.driver.save_screenshot(str(path))


@pytest.fixture
def session_browser(browser, live_server, users) -> BrowserSession:
    browser.set_window_size(1280, 1000)
    _forget_console(browser)
    return BrowserSession(browser, live_server)


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where tests save screenshots: docs/screenshots only when CHORUS_SCREENSHOTS=1 asks
    for the documentation's pictures to be renewed, else a temporary folder (a test run
    never changes tracked files)."""
    if os.environ.get("CHORUS_SCREENSHOTS"):
        folder = ROOT / "docs" / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    return tmp_path_factory.mktemp("screenshots")
