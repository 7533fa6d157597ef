"""Pieces the benchmark runner drives: users, a real gunicorn, logged-in HTTP clients,
headless Chromium, callback requests and simple statistics.

Everything listens on 127.0.0.1 only.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
CALLBACK_PATH = "/_dash-update-component"


# --- statistics ------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile (p95 of 20 values is the 19th smallest)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-fraction * len(ordered) // 1))))
    return ordered[rank - 1]


def summary(values: list[float]) -> dict[str, float | int | None]:
    """n, median and p95 of timings in milliseconds (rounded to 0.1 ms)."""
    if not values:
        return {"n": 0, "median": None, "p95": None}
    return {
        "n": len(values),
        "median": round(statistics.median(values), 1),
        "p95": round(percentile(values, 0.95) or 0.0, 1),
    }


# --- users -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BenchUser:
    username: str
    password: str
    area_code: str


def bench_authorities(database_url: str, count: int) -> list[tuple[str, str]]:
    """``count`` authorities spread over the regions: (code, name), Oldham first."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT code, name, parent_code FROM areas WHERE area_type = 'la' "
                    "AND valid_to IS NULL ORDER BY parent_code, code"
                )
            ).all()
    finally:
        engine.dispose()
    by_region: dict[str, list[tuple[str, str]]] = {}
    for code, name, region in rows:
        by_region.setdefault(region, []).append((code, name))
    chosen = [(c, n) for c, n, _ in rows if c == "E08000004"]
    while len(chosen) < min(count, len(rows)):
        for members in by_region.values():
            if members:
                pick = members.pop(0)
                if pick not in chosen:
                    chosen.append(pick)
            if len(chosen) >= count:
                break
    return chosen[:count]


def create_bench_users(database_url: str, count: int, role: str = "analyst") -> list[BenchUser]:
    """One user per authority with a fresh random password (only the hash is stored)."""
    from sqlalchemy import select

    from auth.passwords import hash_password
    from data_access.db import Database
    from data_access.models import User
    from data_access.users import create_user, get_or_create_organisation, set_password_hash

    users = []
    database = Database(database_url)
    try:
        with database.write() as session:
            for number, (code, name) in enumerate(bench_authorities(database_url, count)):
                password = secrets.token_urlsafe(18)
                username = f"bench.user{number:02d}"
                org = get_or_create_organisation(session, code, name, "local_authority", True)
                existing = session.scalar(select(User).where(User.username == username))
                if existing is None:
                    create_user(session, username, hash_password(password), org, role, username)
                else:
                    existing.organisation_id = org.id
                    existing.role = role
                    existing.active = True
                    set_password_hash(session, existing.id, hash_password(password))
                users.append(BenchUser(username, password, code))
    finally:
        database.dispose()
    return users


# --- gunicorn --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class AppServer:
    base_url: str
    process: subprocess.Popen
    instance_dir: Path
    log_path: Path

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(p) for p in children.read_text().split()]
        except OSError:
            return []

    def worker_peak_rss_mb(self) -> list[float]:
        """VmHWM (peak resident memory) of each worker, in MiB."""
        peaks = []
        for pid in self.worker_pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            match = re.search(r"VmHWM:\s+(\d+) kB", status)
            if match:
                peaks.append(round(int(match.group(1)) / 1024, 1))
        return peaks


def app_environment(
    database_url: str, instance_dir: Path, cache: str, redis_url: str | None = None
) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "CHORUS_CACHE", "CACHE_DIR")
    }
    env.update(
        CHORUS_ENV="production",
        DATABASE_URL=database_url,
        SECRET_KEY=secrets.token_hex(32),
        CHORUS_INSTANCE_DIR=str(instance_dir),
        CHORUS_CACHE=cache,
        # Served over plain HTTP on loopback: Secure cookies (the production default) would
        # never come back, so sign-in would fail.
        CHORUS_ALLOW_INSECURE_COOKIES="1",
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


@contextmanager
def gunicorn(
    database_url: str,
    workers: int = 4,
    threads: int = 2,
    cache: str = "on",
    redis_url: str | None = None,
    env_extra: dict[str, str] | None = None,
    root: str | None = None,
) -> Iterator[AppServer]:
    """A real gunicorn serving app:server on 127.0.0.1, stopped (by its own pid) on exit;
    with the checkout's gunicorn.conf.py (each worker warms itself) when it has one.
    ``root`` serves another checkout (for a before/after on the same machine)."""
    folder = Path(root) if root else PROJECT_ROOT
    config = folder / "gunicorn.conf.py"
    port = free_port()
    instance_dir = Path(tempfile.mkdtemp(prefix="chorus-bench-"))
    env = app_environment(database_url, instance_dir, cache, redis_url)
    env.update(env_extra or {})
    log_path = instance_dir / "gunicorn.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            [
                str(VENV_BIN / "gunicorn"),
                *(["-c", str(config)] if config.exists() else []),
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout",
                "120",
                "app:server",
            ],
            cwd=folder,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = AppServer(f"http://127.0.0.1:{port}", process, instance_dir, log_path)
    try:
        wait_for_health(server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for_health(server: AppServer, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {server.log_path.read_text()[-3000:]}")
        try:
            if requests.get(server.base_url + "/health", timeout=2).status_code == 200:
                # Every worker imports the app lazily: warm them up with a few requests.
                for _ in range(8):
                    requests.get(server.base_url + "/health", timeout=10)
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer: {server.log_path.read_text()[-3000:]}")


# --- logged-in HTTP clients ------------------------------------------------------------------


class Client:
    """A requests session logged in through the real form, sending Dash's CSRF header."""

    def __init__(self, base_url: str, user: BenchUser) -> None:
        self.base_url = base_url
        self.user = user
        self.session = requests.Session()
        self.login()

    def login(self) -> None:
        page = self.session.get(self.base_url + "/login", timeout=30).text
        match = re.search(r'name="csrf_token"\s+value="([^"]+)"', page)
        token = match.group(1) if match else ""
        response = self.session.post(
            self.base_url + "/login",
            data={
                "username": self.user.username,
                "password": self.user.password,
                "csrf_token": token,
            },
            headers={"Origin": self.base_url, "Referer": self.base_url + "/login"},
            timeout=30,
        )
        if response.status_code >= 400 or "/login" in response.url:
            raise RuntimeError(f"login failed for {self.user.username}: {response.status_code}")
        # The page sets the _csrf_token cookie Dash copies into X-CSRFToken.
        self.session.get(self.base_url + "/", timeout=60)

    def callback(self, body: dict | str, page: str = "/") -> tuple[float, requests.Response]:
        """POST one callback as Dash's renderer does; returns (milliseconds, response)."""
        payload = body if isinstance(body, str) else json.dumps(body)
        headers = {
            "Content-Type": "application/json",
            "Origin": self.base_url,
            "Referer": self.base_url + page,
            "X-CSRFToken": self.session.cookies.get("_csrf_token") or "",
        }
        started = time.perf_counter()
        response = self.session.post(
            self.base_url + CALLBACK_PATH, data=payload, headers=headers, timeout=120
        )
        return (time.perf_counter() - started) * 1000, response

    def upload(
        self, content: bytes | Path, filename: str, fmt: str = "template", chunked: bool = False
    ) -> requests.Response:
        """Send a file to the Import page's upload route as its script does: the raw body
        (a file is streamed from disk), the name in X-Filename, the CSRF header. ``chunked``:
        without a Content-Length (the server learns the size only while reading)."""
        from urllib.parse import quote

        headers = {
            "Content-Type": "application/octet-stream",
            "Origin": self.base_url,
            "Referer": self.base_url + "/import",
            "X-CSRFToken": self.session.cookies.get("_csrf_token") or "",
            "X-Filename": quote(filename),
        }
        url = f"{self.base_url}/import/upload?format={fmt}"
        if isinstance(content, Path):
            with open(content, "rb") as body:
                data = iter(lambda: body.read(1024 * 1024), b"") if chunked else body
                return self.session.post(url, data=data, headers=headers, timeout=300)
        return self.session.post(url, data=content, headers=headers, timeout=300)

    def get(self, path: str) -> tuple[float, requests.Response]:
        started = time.perf_counter()
        response = self.session.get(self.base_url + path, timeout=120)
        return (time.perf_counter() - started) * 1000, response


def wire_size(response: requests.Response) -> int:
    """Bytes on the wire (compressed when the server compressed)."""
    length = response.headers.get("Content-Length")
    return int(length) if length else len(response.content)


# --- headless Chromium -----------------------------------------------------------------------

# Records every callback request (body, status, size, time) and when the charts are drawn.
RECORDER_JS = r"""
(function () {
  window.__benchCalls = [];
  const original = window.fetch;
  window.fetch = async function (input, init) {
    const url = typeof input === 'string' ? input : input.url;
    const started = performance.now();
    const response = await original.apply(this, arguments);
    if (url.indexOf('_dash-update-component') >= 0) {
      const body = init && init.body;
      response.clone().text().then(function (text) {
        window.__benchCalls.push({body: body, status: response.status, size: text.length,
                                  ms: performance.now() - started, response: text});
      });
    }
    return response;
  };
  window.__chartsDrawnAt = null;
  function drawn() {
    const plots = document.querySelectorAll('.js-plotly-plot');
    if (!plots.length || !document.querySelector('h1')) { return false; }
    if (document.querySelector('[data-dash-is-loading="true"]')) { return false; }
    return Array.prototype.every.call(plots, function (p) { return p.querySelector('.main-svg'); });
  }
  const timer = setInterval(function () {
    if (window.__chartsDrawnAt === null && drawn()) {
      window.__chartsDrawnAt = performance.now();
      clearInterval(timer);
    }
  }, 10);
})();
"""


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's Chromium, headless, with the flags that keep it off the network."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1366,900",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORDER_JS})
        yield driver
    finally:
        driver.quit()


def browser_login(driver: Any, base_url: str, user: BenchUser) -> None:
    from selenium.webdriver.common.by import By

    driver.get(base_url + "/login")
    driver.find_element(By.NAME, "username").send_keys(user.username)
    driver.find_element(By.NAME, "password").send_keys(user.password)
    driver.find_element(By.CSS_SELECTOR, "form [type=submit]").click()
    deadline = time.monotonic() + 30
    while "/login" in driver.current_url and time.monotonic() < deadline:
        time.sleep(0.1)


@dataclass
class PageLoad:
    path: str
    charts_drawn_ms: float | None
    calls: list[dict] = field(default_factory=list)


def cold_page_load(driver: Any, base_url: str, path: str, timeout: float = 120) -> PageLoad:
    """Load ``path`` with an empty browser cache; time from navigation start to charts drawn."""
    driver.execute_cdp_cmd("Network.clearBrowserCache", {})
    driver.get(base_url + path)
    deadline = time.monotonic() + timeout
    drawn = None
    while time.monotonic() < deadline:
        drawn = driver.execute_script("return window.__chartsDrawnAt")
        if drawn is not None:
            break
        time.sleep(0.05)
    time.sleep(0.3)  # let the recorder collect the last responses
    calls = driver.execute_script("return window.__benchCalls") or []
    return PageLoad(path, None if drawn is None else round(float(drawn), 1), calls)


# --- building callback requests --------------------------------------------------------------


def walk_components(node: Any) -> Iterator[dict]:
    """Every component dict in a Dash layout (as JSON)."""
    if isinstance(node, dict):
        if "props" in node and "type" in node:
            yield node
            yield from walk_components(node["props"].get("children"))
            for value in node["props"].values():
                if isinstance(value, dict | list) and value is not node["props"].get("children"):
                    yield from walk_components(value)
        else:
            for value in node.values():
                yield from walk_components(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk_components(item)


def component_props(layout: Any) -> dict[str, dict]:
    """Props of every component with an id, keyed by the id as Dash writes it."""
    found = {}
    for component in walk_components(layout):
        ident = component["props"].get("id")
        if ident is None:
            continue
        key = ident if isinstance(ident, str) else json.dumps(ident, sort_keys=True)
        found[key] = component["props"]
    return found


def _split_output(spec: str) -> list[tuple[str, str]]:
    parts = spec[2:-2].split("...") if spec.startswith("..") else [spec]
    out = []
    for part in parts:
        ident, prop = part.rsplit(".", 1)
        out.append((ident, prop))
    return out


def _concrete(ident: str, index: Any) -> Any:
    if not ident.startswith("{"):
        return ident
    parsed = json.loads(ident)
    return {k: (index if v == ["MATCH"] else v) for k, v in parsed.items()}


def _key(ident: Any) -> str:
    return ident if isinstance(ident, str) else json.dumps(ident, sort_keys=True)


def match_callback_body(
    dependency: dict, index: Any, props: dict[str, dict], changed: int = 0
) -> dict:
    """The body Dash's renderer posts for a MATCH callback at ``index``, with input and
    state values read from the rendered layout (``props`` from :func:`component_props`)."""
    outputs = [
        {"id": _concrete(ident, index), "property": prop}
        for ident, prop in _split_output(dependency["output"])
    ]

    def values(items: list[dict]) -> list[dict]:
        result = []
        for item in items:
            ident = _concrete(item["id"], index)
            value = props.get(_key(ident), {}).get(item["property"])
            result.append({"id": ident, "property": item["property"], "value": value})
        return result

    inputs = values(dependency["inputs"])
    changed_input = inputs[changed]
    return {
        "output": dependency["output"],
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": inputs,
        "state": values(dependency.get("state", [])),
        "changedPropIds": [
            f"{json.dumps(changed_input['id'], separators=(',', ':'), sort_keys=True)}"
            f".{changed_input['property']}"
        ],
    }
