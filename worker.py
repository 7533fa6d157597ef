"""Celery for Chorus: the settings chosen for imports, the scheduled jobs and the worker's
"I am alive" announcements. ``app.background_manager`` calls :func:`make_celery`.

Start the processes (the Procfile's lines):

    celery -A app:celery_app worker --concurrency 2    # imports and the cache warm-up
    celery -A app:celery_app beat                      # the schedule below

Settings chosen (and why):

- ``task_acks_late = False``: a job is taken off the queue when a worker starts it. If the
  worker dies, the job is not run again behind the person's back; the Import page sees the
  job's heartbeat stop within CHORUS_JOB_STALE_SECONDS, says "stopped: nothing was
  written; try again" and the person decides. A commit is one database transaction, so a
  dead worker leaves nothing half-written.
- No automatic retries (``max_retries`` 0): a failed check or commit reports its reason
  on the page; retrying the same file would fail the same way.
- ``worker_prefetch_multiplier = 1``: a worker holds one job at a time, so a long import
  does not hold others up behind it on the same worker.
- ``task_track_started = True`` and results kept a day (``result_expires``).
- ``broker_connection_retry_on_startup``: a worker started before Redis waits for it.
"""

from __future__ import annotations

import logging
import socket
from typing import Any

from settings import Settings

log = logging.getLogger("chorus.worker")

# The schedule for `celery beat` (seconds): retention daily, the cache warm-up hourly, so
# imports made in the browser are warmed even if their own warm-up job was lost.
BEAT_SCHEDULE = {
    "apply-retention": {"task": "chorus.apply_retention", "schedule": 24 * 3600.0},
    "warm-cache": {"task": "chorus.warm_cache", "schedule": 3600.0},
}

CELERY_SETTINGS: dict[str, Any] = {
    "task_acks_late": False,
    "task_reject_on_worker_lost": False,
    "worker_prefetch_multiplier": 1,
    "task_track_started": True,
    "result_expires": 24 * 3600,
    "broker_connection_retry_on_startup": True,
    "task_default_retry_delay": 0,
    "beat_schedule": BEAT_SCHEDULE,
    "worker_hijack_root_logger": False,
}


def make_celery(settings: Settings):  # type: ignore[no-untyped-def]
    """The Celery app for REDIS_URL with the settings, tasks and signals above."""
    from celery import Celery, signals

    celery = Celery("chorus", broker=settings.redis_url, backend=settings.redis_url)
    celery.conf.update(CELERY_SETTINGS)
    _register_tasks(celery)

    @signals.worker_ready.connect(weak=False)
    def _announce(**_kwargs: Any) -> None:
        from health import start_worker_announcements

        start_worker_announcements(settings.redis_url, f"{socket.gethostname()}")

    return celery


def _register_tasks(celery) -> None:  # type: ignore[no-untyped-def]
    @celery.task(name="chorus.apply_retention", max_retries=0)
    def apply_retention() -> None:
        _run_command("apply-retention")

    @celery.task(name="chorus.warm_cache", max_retries=0)
    def warm_cache() -> None:
        _run_command("warm-cache")


def _run_command(name: str) -> None:
    """Run one of Chorus's flask commands inside the app (as `flask COMMAND` would)."""
    import dash

    server = dash.get_app().server
    command = server.cli.get_command(None, name)  # type: ignore[arg-type]
    with server.app_context():
        command.main(args=[], standalone_mode=False)


def start_cache_warm_up(settings: Settings, celery) -> str:  # type: ignore[no-untyped-def]
    """Warm the cache as a job of its own, so an import reports without waiting for it.

    With Celery: a ``chorus.warm_cache`` task on any worker. Without: a detached
    ``flask warm-cache`` process on this machine. Returns how it was started.
    """
    if celery is not None:
        celery.send_task("chorus.warm_cache")
        return "celery"
    import os
    import subprocess
    import sys

    subprocess.Popen(  # noqa: S603 - fixed argv, no shell
        [sys.executable, "-m", "flask", "--app", "app:server", "warm-cache"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env=dict(os.environ),
    )
    return "process"
