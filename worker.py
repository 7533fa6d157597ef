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
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from settings import Settings

if TYPE_CHECKING:
    from celery import Celery
    from dash import CeleryManager, DiskcacheManager

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


def make_celery(settings: Settings) -> Celery:
    """The Celery app for REDIS_URL with the settings, tasks and signals above."""
    from celery import Celery, signals

    celery = Celery("chorus", broker=settings.redis_url, backend=settings.redis_url)
    celery.conf.update(CELERY_SETTINGS)
    _register_tasks(celery)

    @signals.worker_ready.connect(weak=False)
    def _announce(**_kwargs: Any) -> None:
        from health import start_worker_announcements

        if settings.redis_url:
            start_worker_announcements(settings.redis_url, socket.gethostname())

    return celery


def _register_tasks(celery: Celery) -> None:
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


def start_cache_warm_up(settings: Settings, celery: Celery | None) -> str:
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


def make_manager(settings: Settings, local: DiskcacheManager) -> CeleryManager:
    """Dash's Celery manager that runs a job on this machine (through ``local``, a
    DiskcacheManager) when Redis does not answer, with a warning, instead of failing."""
    import dash

    class CeleryOrLocalManager(dash.CeleryManager):
        """Celery while Redis answers; a local process when it does not.

        Local jobs have process ids (digits) as job ids, Celery's are UUIDs, so every later
        question about a job goes to the manager that started it. A local job's progress
        and result are on this machine only: with Redis down, a page polling another
        machine for it sees no answer (its status is still in the database).
        """

        def __init__(self, celery: Celery) -> None:
            # Set before Dash's __init__, which registers the callbacks already defined.
            self.local = local
            # By id: Celery's task objects are lazy proxies, best left unevaluated.
            self._local_fns: dict[int, object] = {}
            super().__init__(celery)

        def make_job_fn(
            self, fn: Callable[..., Any], progress: bool, key: str | None = None
        ) -> Any:
            celery_fn = super().make_job_fn(fn, progress, key)
            self._local_fns[id(celery_fn)] = self.local.make_job_fn(fn, progress, key)
            return celery_fn

        def call_job_fn(self, key: str, job_fn: Any, args: Any, context: Any) -> Any:
            if broker_answers(settings.redis_url):
                return super().call_job_fn(key, job_fn, args, context)
            log.warning("Redis does not answer: running a background job on this machine")
            return self.local.call_job_fn(key, self._local_fns[id(job_fn)], args, context)

        def _is_local(self, job: Any) -> bool:
            return job is not None and str(job).isdigit()

        def job_running(self, job: Any) -> bool:
            if self._is_local(job):
                return self.local.job_running(job)
            return super().job_running(job)

        def terminate_job(self, job: Any) -> Any:
            if self._is_local(job):
                return self.local.terminate_job(job)
            return super().terminate_job(job)

        def get_progress(self, key: str) -> Any:
            local = self.local.get_progress(key)
            return local if local is not None else super().get_progress(key)

        def result_ready(self, key: str) -> bool:
            return self.local.result_ready(key) or super().result_ready(key)

        def get_result(self, key: str, job: Any) -> Any:
            if self._is_local(job):
                return self.local.get_result(key, job)
            return super().get_result(key, job)

        def get_updated_props(self, key: str) -> Any:
            return self.local.get_updated_props(key) or super().get_updated_props(key)

    return CeleryOrLocalManager(make_celery(settings))


def broker_answers(redis_url: str | None) -> bool:
    """True when Redis (the Celery broker) answers within a second."""
    if not redis_url:
        return False
    import redis

    try:
        client = redis.Redis.from_url(redis_url, socket_timeout=1, socket_connect_timeout=1)
        return bool(client.ping())
    except redis.RedisError:
        return False
