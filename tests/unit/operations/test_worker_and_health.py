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
