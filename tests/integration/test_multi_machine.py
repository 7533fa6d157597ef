"""Several machines, as processes: two web servers and a Celery worker, each with its own
CACHE_DIR, on one PostgreSQL and one Redis (the compose file's topology).

- an upload through server A is checked by the worker (through A) and committed through B;
- the worker is killed mid-commit: the page (through B) says the step stopped and nothing
  was written, and the retry on a new worker succeeds;
- a third server whose Redis is unreachable (wrong port) still signs people in;
- /health/ready needs a recent worker, and says 503 when the database is unreachable.

Runs in the PostgreSQL pass of `make test` (CHORUS_TEST_DATABASE=postgresql); skips only
when PostgreSQL or Redis is unreachable and CI is not set. Every wait is bounded.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
import requests
from dbsupport import POSTGRES_ADMIN_URL, create_postgres_database, require_postgres, require_redis
from sqlalchemy import func, select

from bench.harness import VENV_BIN, BenchUser, Client, app_environment, gunicorn

pytestmark = pytest.mark.skipif(
    os.environ.get("CHORUS_TEST_DATABASE") != "postgresql",
    reason="runs in the PostgreSQL pass of make test (CHORUS_TEST_DATABASE=postgresql)",
)

REDIS_URL = os.environ.get("CHORUS_TEST_REDIS_JOBS", "redis://127.0.0.1:6379/13")
UNREACHABLE_REDIS = "redis://127.0.0.1:1/13"
PROJECT_ROOT = Path(__file__).resolve().parents[2]
OLDHAM = "E08000004"
STALE_SECONDS = "8"


def _wait_for(condition: Callable[[], object], timeout: float, what: str) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def _template_file() -> str:
    """A clean Chorus template: one figure a month for Oldham, 2040-2043."""
    header = (
        "indicator,area_code,period,breakdown,breakdown_value,numerator,denominator,value,status"
    )
    months = [f"{m} {year}" for year in range(2040, 2044) for m in ("Jan", "Feb", "Mar")]
    rows = [f"eh_requests,{OLDHAM},{period},total,total,,,{10 + i},\n" for i, period in
            enumerate(months)]  # fmt: skip
    return header + "\n" + "".join(rows)


@pytest.fixture(scope="module")
def machines():
    """A database with one analyst; servers A and B and a third with Redis unreachable."""
    require_postgres()
    require_redis(REDIS_URL)
    from auth.passwords import hash_password
    from data_access.db import Database
    from data_access.demo import load_reference_data
    from data_access.migrate import upgrade_to_head
    from data_access.users import create_user, get_or_create_organisation

    url = create_postgres_database(f"chorus_machines_{os.getpid()}")
    upgrade_to_head(url)
    database = Database(url)
    password = secrets.token_urlsafe(16)
    with database.write() as session:
        load_reference_data(session)
        org = get_or_create_organisation(session, OLDHAM, "Oldham", "local_authority", True)
        create_user(session, "jobs.analyst", hash_password(password), org, "analyst", "Analyst")
    user = BenchUser("jobs.analyst", password, OLDHAM)
    import redis

    # No worker announcement or queued job from an earlier run.
    redis.Redis.from_url(REDIS_URL).delete("chorus:workers", "celery")
    shared = {"SECRET_KEY": secrets.token_hex(32), "CHORUS_JOB_STALE_SECONDS": STALE_SECONDS}
    try:
        with (
            gunicorn(url, 1, 2, "on", REDIS_URL, env_extra=shared) as a,
            gunicorn(url, 1, 2, "on", REDIS_URL, env_extra=shared) as b,
            gunicorn(url, 1, 2, "on", UNREACHABLE_REDIS, env_extra=shared) as c,
        ):
            yield {"url": url, "db": database, "user": user, "a": a, "b": b, "c": c, **shared}
    finally:
        database.dispose()
        _drop_database(url)


def _drop_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = POSTGRES_ADMIN_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def celery_worker(machines: dict) -> Iterator[subprocess.Popen]:
    """A Celery worker with its own instance folder and CACHE_DIR, in its own process group
    (so the test can kill it and its pool at once)."""
    instance = Path(tempfile.mkdtemp(prefix="chorus-worker-"))
    env = app_environment(machines["url"], instance, "on", REDIS_URL)
    env.update(SECRET_KEY=machines["SECRET_KEY"], CHORUS_JOB_STALE_SECONDS=STALE_SECONDS)
    log = open(instance / "worker.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(  # noqa: S603 - fixed argv
        [str(VENV_BIN / "celery"), "-A", "app:celery_app", "worker", "--concurrency", "1",
         "--pool", "prefork", "--loglevel", "INFO", "--without-gossip", "--without-mingle"],
        cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    process.log_path = instance / "worker.log"  # type: ignore[attr-defined]
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        log.close()
        shutil.rmtree(instance, ignore_errors=True)


# --- driving the Import page's callbacks over HTTP, as the browser does ---------------------


class ImportPage:
    """The Import page's callbacks through one server, with that server's session."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.dependencies = client.get("/_dash-dependencies")[1].json()

    # The callback each input drives, told apart by one of its outputs.
    OUTPUT_OF = {
        "imp-upload": "imp-job.data",
        "imp-validate": "imp-report.children",
        "imp-commit": "imp-result.children",
        "imp-watch": "imp-watch.disabled",
        "imp-job": "imp-poll.disabled",
    }

    def _dependency(self, input_id: str) -> dict:
        marker = self.OUTPUT_OF[input_id]
        return next(
            d
            for d in self.dependencies
            if any(i["id"] == input_id for i in d["inputs"]) and marker in d["output"]
        )

    def _body(self, dependency: dict, inputs: dict, state: dict) -> dict:
        outputs = []
        for spec in dependency["output"].strip(".").split("..."):
            ident, prop = spec.split(".", 1)
            outputs.append({"id": ident, "property": prop.split("@")[0]})
        return {
            "output": dependency["output"],
            "outputs": outputs if len(outputs) > 1 else outputs[0],
            "inputs": [
                {"id": i["id"], "property": i["property"], "value": inputs.get(i["id"])}
                for i in dependency["inputs"]
            ],
            "state": [
                {"id": s["id"], "property": s["property"], "value": state.get(s["id"])}
                for s in dependency["state"]
            ],
            "changedPropIds": [
                f"{dependency['inputs'][0]['id']}.{dependency['inputs'][0]['property']}"
            ],
        }

    def call(self, input_id: str, inputs: dict, state: dict) -> requests.Response:
        body = self._body(self._dependency(input_id), inputs, state)
        _, response = self.client.callback(body, "/import")
        return response

    def start(self, input_id: str, inputs: dict, state: dict) -> tuple[dict, dict]:
        """Start a background callback; returns (its body, its signed handles)."""
        body = self._body(self._dependency(input_id), inputs, state)
        _, response = self.client.callback(body, "/import")
        assert response.status_code == 200, response.text[:500]
        handles = response.json()
        assert "cacheKey" in handles and "job" in handles, handles
        return body, handles

    def result(self, body: dict, handles: dict, timeout: float = 120) -> dict:
        """Poll a background callback (as the renderer does) until it answers."""
        path = f"/_dash-update-component?cacheKey={handles['cacheKey']}&job={handles['job']}"
        headers = {
            "Content-Type": "application/json",
            "Origin": self.client.base_url,
            "X-CSRFToken": self.client.session.cookies.get("_csrf_token") or "",
        }

        def answered() -> dict | None:
            response = self.client.session.post(
                self.client.base_url + path, data=json.dumps(body), headers=headers, timeout=60
            )
            assert response.status_code in (200, 202, 204), response.text[:500]
            if response.status_code == 204:
                return None
            data = response.json()
            return data.get("response")

        return _wait_for(answered, timeout, "the background job's answer")  # type: ignore[return-value]


def _text(component: object) -> str:
    return json.dumps(component)


def _job_status(machines: dict, token: str) -> dict:
    from data_access.importing import jobs

    return jobs.read_status(machines["db"], token)


def _observations(machines: dict) -> tuple[int, int]:
    """(figures of the test's indicator for Oldham, import batches)."""
    from data_access.models import ImportBatch, Observation

    with machines["db"].read() as session:
        rows = session.scalar(
            select(func.count())
            .select_from(Observation)
            .where(Observation.indicator_id == "eh_requests", Observation.area_code == OLDHAM)
        )
        batches = session.scalar(select(func.count()).select_from(ImportBatch))
    return rows or 0, batches or 0


def test_mm001_upload_on_a_checked_by_the_worker_committed_on_b_and_a_dead_worker_shown(
    machines,
):
    a, b = machines["a"], machines["b"]
    ready = requests.get(a.base_url + "/health/ready", timeout=30)
    assert ready.status_code == 503 and ready.json()["checks"]["workers"].startswith("no worker")

    with celery_worker(machines) as worker:
        _wait_for(
            lambda: requests.get(a.base_url + "/health/ready", timeout=30).status_code == 200,
            120,
            "server A to see the worker",
        )
        on_a = ImportPage(Client(a.base_url, machines["user"]))
        sent = on_a.client.upload(_template_file().encode(), "requests.csv", "template")
        assert sent.status_code == 201, sent.text[:500]
        uploaded = on_a.call(
            "imp-upload",
            {"imp-upload": sent.json()},
            {"imp-format": "template", "imp-indicators": []},
        )
        assert uploaded.status_code == 200, uploaded.text[:500]
        job = uploaded.json()["response"]["imp-job"]["data"]
        assert job["filename"] == "requests.csv"

        # The worker (its own CACHE_DIR) checks the file uploaded to A.
        body, handles = on_a.start(
            "imp-validate",
            {"imp-validate": 1},
            {"imp-job": job, "imp-mapping-json": "", "imp-format": "template"},
        )
        report = on_a.result(body, handles)
        assert "12 figures ready, 0 with errors" in _text(report), _text(report)[:500]
        assert _job_status(machines, job["token"])["stage"] == "validated"

        # B (another CACHE_DIR) commits it while a lock holds the commit mid-way; the
        # worker is killed there.
        on_b = ImportPage(Client(b.base_url, machines["user"]))
        before = _observations(machines)
        admin = machines["url"].replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(admin) as blocker:
            blocker.execute("LOCK TABLE import_batches IN EXCLUSIVE MODE")
            body, handles = on_b.start(
                "imp-commit", {"imp-commit": 1}, {"imp-job": job, "imp-mode": "valid_only"}
            )
            _wait_for(
                lambda: _job_status(machines, job["token"]).get("stage") == "committing",
                60,
                "the commit to start on the worker",
            )
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=30)
            blocker.rollback()

    # The page on B says so (the watch while the buttons are off, and on a reload).
    watched = _wait_for(
        lambda: (lambda r: r.status_code == 200 and "Stopped: nothing was written" in r.text and r)(
            on_b.call("imp-watch", {"imp-watch": 1}, {"imp-job": job})
        ),
        60,
        "the page to notice the dead worker",
    )
    buttons = watched.json()["response"]
    assert buttons["imp-validate"]["disabled"] is False
    assert buttons["imp-commit"]["disabled"] is False
    restored = on_b.call("imp-job", {"imp-job": job, "imp-poll": None}, {})
    assert "Stopped: nothing was written; try again" in restored.text
    assert _observations(machines) == before  # nothing was written

    # A new worker; the retry (the same button, through B) commits.
    with celery_worker(machines):
        body, handles = on_b.start(
            "imp-commit", {"imp-commit": 2}, {"imp-job": job, "imp-mode": "valid_only"}
        )
        result = on_b.result(body, handles)
    assert "committed. 12 new" in _text(result), _text(result)[:500]
    rows, batches = _observations(machines)
    assert rows > before[0] and batches == before[1] + 1


def test_mm002_sign_in_works_on_a_server_whose_redis_is_unreachable(machines):
    """Needs the rate limiter's database fallback when Redis is down."""
    client = Client(machines["c"].base_url, machines["user"])
    _, response = client.get("/api/v1/indicators")
    assert response.status_code == 200


def test_mm003_ready_is_503_when_the_database_is_unreachable(machines):
    a = machines["a"]
    _drop_database(machines["url"])  # every connection ends; the database is gone
    response = requests.get(a.base_url + "/health/ready", timeout=30)
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable" and body["checks"]["database"].startswith("failed")
    assert requests.get(a.base_url + "/health/live", timeout=30).status_code == 200
