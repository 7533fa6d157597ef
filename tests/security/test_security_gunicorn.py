"""Promise: the login limit holds across several gunicorn workers (two real processes)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from dbsupport import require_redis

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(params=["database", "redis"])
def two_workers(request, app, users, tmp_path):
    """gunicorn with 2 single-threaded workers on the test database; logs each request's pid."""
    # No warm-up (gunicorn.conf.py): a worker still warming takes no connection, and this
    # test needs both workers taking them from the first request.
    env = {**os.environ, "CHORUS_WARM_SECONDS": "0"}
    if request.param == "redis":
        require_redis("redis://127.0.0.1:6379/14")
        import redis

        redis.Redis.from_url("redis://127.0.0.1:6379/14").flushdb()
        env["REDIS_URL"] = "redis://127.0.0.1:6379/14"
    port = _free_port()
    log_path = tmp_path / "access.log"
    command = [
        sys.executable, "-m", "gunicorn", "--workers", "2", "--threads", "1",
        "--bind", f"127.0.0.1:{port}", "--access-logfile", str(log_path),
        "--access-logformat", "%(p)s %(m)s %(U)s %(s)s", "app:server",
    ]  # fmt: skip
    process = subprocess.Popen(  # noqa: S603
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            if requests.get(f"{base}/health", timeout=1).status_code == 200:
                break
        except requests.RequestException:
            time.sleep(0.3)
    else:
        process.terminate()
        pytest.fail("gunicorn did not start")
    yield base, log_path
    process.terminate()
    process.wait(timeout=30)


def test_sec050_limit_is_shared_by_two_worker_processes(two_workers, users):
    base, log_path = two_workers
    session = requests.Session()
    page = session.get(f"{base}/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]

    def attempt(password: str) -> int:
        # A new connection per attempt, so either worker may take it.
        response = requests.post(
            f"{base}/login",
            data={"username": "oldham.viewer", "password": password, "csrf_token": token},
            cookies=session.cookies,
            allow_redirects=False,
            headers={"Connection": "close"},
            timeout=60,
        )
        return response.status_code

    # Five wrong passwords at once: with single-threaded workers both must take some.
    with ThreadPoolExecutor(5) as pool:
        statuses = list(pool.map(attempt, ["wrong password x"] * 5))
    assert statuses == [401] * 5
    right = users["oldham_viewer"].password
    later = [attempt(right) for _ in range(3)]
    assert later == [429, 429, 429]
    lines = _posted_logins(log_path, expected=8)
    pids = {line.split()[0] for line in lines}
    assert len(pids) == 2, f"all attempts went to one worker: {pids}"


def _posted_logins(log_path: Path, expected: int) -> list[str]:
    """The access-log lines of login posts, once gunicorn has written them all."""
    deadline = time.time() + 10
    lines: list[str] = []
    while time.time() < deadline:
        lines = [line for line in log_path.read_text().splitlines() if " POST /login " in line]
        if len(lines) >= expected:
            break
    return lines
