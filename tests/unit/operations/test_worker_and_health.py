"""Celery's chosen settings, the beat schedule, and the workers' announcements for
/health/ready."""

from __future__ import annotations

import pytest

import health
import worker
from settings import Settings


def test_wrk001_jobs_are_acknowledged_on_start_and_never_retried_behind_anyones_back():
    assert worker.CELERY_SETTINGS["task_acks_late"] is False
    assert worker.CELERY_SETTINGS["task_reject_on_worker_lost"] is False
    assert worker.CELERY_SETTINGS["worker_prefetch_multiplier"] == 1


def test_wrk002_beat_runs_retention_daily_and_the_warm_up_hourly_as_registered_tasks():
    pytest.importorskip("celery")
    celery = worker.make_celery(
        Settings.from_env({"SECRET_KEY": "x" * 32, "REDIS_URL": "redis://127.0.0.1:6379/12"})
    )
    schedule = celery.conf.beat_schedule
    assert schedule["apply-retention"]["schedule"] == 24 * 3600
    assert schedule["warm-cache"]["schedule"] == 3600
    for entry in schedule.values():
        assert entry["task"] in celery.tasks
    assert celery.conf.task_acks_late is False


def test_wrk003_the_warm_up_goes_to_celery_when_there_is_one():
    sent = []

    class FakeCelery:
        def send_task(self, name):  # type: ignore[no-untyped-def]
            sent.append(name)

    assert worker.start_cache_warm_up(Settings.from_env({}), FakeCelery()) == "celery"
    assert sent == ["chorus.warm_cache"]


def test_hw001_ready_needs_a_worker_announced_within_the_last_minute():
    from dbsupport import require_redis

    url = require_redis("redis://127.0.0.1:6379/12")
    import redis

    redis.Redis.from_url(url).delete(health.WORKERS_KEY)
    try:
        assert health.workers_problem(url) == "no worker seen in the last 60 seconds"
        health.announce_worker(url, "machine-1", now=1_000_000.0)
        assert health.workers_problem(url, now=1_000_030.0) is None
        assert health.workers_problem(url, now=1_000_061.0) is not None
        # Long-gone workers are forgotten when another announces itself.
        health.announce_worker(url, "machine-2", now=1_001_000.0)
        assert redis.Redis.from_url(url).zrange(health.WORKERS_KEY, 0, -1) == [b"machine-2"]
    finally:
        redis.Redis.from_url(url).delete(health.WORKERS_KEY)


class FakeLocal:
    """Stands in for the DiskcacheManager: records what it is asked."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def make_job_fn(self, fn, progress, key=None):  # type: ignore[no-untyped-def]
        return ("local", fn)

    def call_job_fn(self, key, job_fn, args, context):  # type: ignore[no-untyped-def]
        self.calls.append(("call", key, job_fn))
        return 4242

    def job_running(self, job):  # type: ignore[no-untyped-def]
        self.calls.append(("running", job))
        return True

    def get_result(self, key, job):  # type: ignore[no-untyped-def]
        return "local result"


def test_wrk004_with_redis_unreachable_a_job_runs_on_this_machine_and_is_followed_there(caplog):
    pytest.importorskip("celery")
    settings = Settings.from_env({"SECRET_KEY": "x" * 32, "REDIS_URL": "redis://127.0.0.1:1/12"})
    local = FakeLocal()
    manager = worker.make_manager(settings, local)

    def check(value):  # type: ignore[no-untyped-def]
        return value

    celery_fn = manager.make_job_fn(check, None, "check-key")
    with caplog.at_level("WARNING", logger="chorus.worker"):
        job = manager.call_job_fn("cache-key", celery_fn, [1], {})
    assert job == 4242 and local.calls == [("call", "cache-key", ("local", check))]
    assert "Redis does not answer" in caplog.text
    assert manager.job_running(str(job)) is True
    assert manager.get_result("cache-key", str(job)) == "local result"
    assert worker.broker_answers("redis://127.0.0.1:1/12") is False
