"""Health endpoints for a load balancer and an operator (no login; JSON; 200 or 503).

- ``/health/live``: the process answers. Restart the process when it fails.
- ``/health/ready``: this process can serve people: the database answers and its schema is
  at the newest migration, Redis answers when REDIS_URL is set, and a Celery worker was
  seen in the last minute when background jobs go to Celery. Take the machine out of the
  load balancer's rotation when it fails.
- ``/health``: kept for older checks; an alias of ``/health/live`` (answers
  ``{"status": "ok"}`` while the process is up).

Celery workers announce themselves in Redis every ``WORKER_BEAT_SECONDS`` (a sorted set of
host names by time), so the readiness check needs one Redis call, not a broadcast.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from flask import Flask, Response, jsonify
from sqlalchemy import text

from settings import Settings

log = logging.getLogger("chorus.health")

WORKERS_KEY = "chorus:workers"
WORKER_BEAT_SECONDS = 10
WORKER_SEEN_SECONDS = 60
CHECK_TIMEOUT_SECONDS = 2

Check = Callable[[], str | None]  # None when healthy, else a short reason


def register_health(server: Flask, settings: Settings, uses_celery: bool) -> None:
    """Add /health, /health/live and /health/ready to ``server``."""
    checks: dict[str, Check] = {"database": lambda: database_problem(server)}
    redis_url = settings.redis_url
    if redis_url:
        checks["redis"] = lambda: redis_problem(redis_url)
        if uses_celery:
            checks["workers"] = lambda: workers_problem(redis_url)

    def live() -> tuple[Response, int]:
        return jsonify({"status": "ok"}), 200

    def ready() -> tuple[Response, int]:
        results = {name: _run(check) for name, check in checks.items()}
        ok = all(result == "ok" for result in results.values())
        body = {"status": "ok" if ok else "unavailable", "checks": results}
        return jsonify(body), 200 if ok else 503

    server.add_url_rule("/health", "health", live)
    server.add_url_rule("/health/live", "health_live", live)
    server.add_url_rule("/health/ready", "health_ready", ready)


def _run(check: Check) -> str:
    try:
        problem = check()
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready", with its kind
        log.warning("health check failed: %s", exc.__class__.__name__)
        return f"failed ({exc.__class__.__name__})"
    return problem or "ok"


def database_problem(server: Flask) -> str | None:
    """None when the database answers and is migrated to the newest revision."""
    database = server.extensions["chorus_db"]
    with database.read_engine.connect() as conn:
        try:
            current = {
                row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))
            }
        except Exception:  # noqa: BLE001 - a missing table is an unmigrated database
            return "not migrated (run flask init-db)"
    heads = migration_heads()
    if current != heads:
        return f"migrations behind (at {', '.join(sorted(current)) or 'nothing'})"
    return None


@lru_cache(maxsize=1)
def migration_heads() -> frozenset[str]:
    """The newest migration revisions shipped with this code."""
    from alembic.script import ScriptDirectory

    from data_access.migrate import alembic_config

    return frozenset(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


def _redis(url: str) -> Any:
    import redis

    return redis.Redis.from_url(
        url, socket_timeout=CHECK_TIMEOUT_SECONDS, socket_connect_timeout=CHECK_TIMEOUT_SECONDS
    )


def redis_problem(url: str) -> str | None:
    return None if _redis(url).ping() else "no answer"


def workers_problem(url: str, now: float | None = None) -> str | None:
    """None when a Celery worker announced itself within WORKER_SEEN_SECONDS."""
    now = time.time() if now is None else now
    seen = _redis(url).zrangebyscore(WORKERS_KEY, now - WORKER_SEEN_SECONDS, "+inf")
    return None if seen else f"no worker seen in the last {WORKER_SEEN_SECONDS} seconds"


def announce_worker(url: str, name: str | None = None, now: float | None = None) -> None:
    """Record that a worker on this machine is alive (and forget long-gone ones)."""
    now = time.time() if now is None else now
    client = _redis(url)
    client.zadd(WORKERS_KEY, {name or socket.gethostname(): now})
    client.zremrangebyscore(WORKERS_KEY, "-inf", now - 10 * WORKER_SEEN_SECONDS)


def start_worker_announcements(url: str, name: str) -> threading.Thread:
    """A daemon thread announcing the worker every WORKER_BEAT_SECONDS until it exits."""

    def beat() -> None:
        while True:
            try:
                announce_worker(url, name)
            except Exception as exc:  # noqa: BLE001 - Redis may come back; keep trying
                log.warning("could not announce the worker: %s", exc.__class__.__name__)
            time.sleep(WORKER_BEAT_SECONDS)

    thread = threading.Thread(target=beat, name="chorus-worker-announce", daemon=True)
    thread.start()
    return thread
