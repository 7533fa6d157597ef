"""Login rate limiting per account and per address, shared by every worker.

After ``login_max_failures`` failed sign-ins within ``login_window_minutes`` for the same
account or from the same address, further attempts are refused (HTTP 429) until the
oldest failure in the window ages out. Failures are kept in Redis when REDIS_URL is set,
otherwise in the ``login_attempts`` table, so several gunicorn workers (and machines
sharing the database) count together. Refused attempts are not counted, so the lock
lifts by itself; a successful sign-in clears the account's count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

import settings as chorus_settings
from auth import clock


class FailureStore(Protocol):
    def count(self, key: str, since: float) -> int: ...
    def add(self, key: str, at: float) -> None: ...
    def clear(self, key: str) -> None: ...


class DatabaseFailureStore:
    """Failures as rows of ``login_attempts``."""

    def count(self, key: str, since: float) -> int:
        from data_access.db import get_database
        from data_access.users import count_login_failures

        with get_database().read() as s:
            return count_login_failures(s, key, _as_datetime(since))

    def add(self, key: str, at: float) -> None:
        from data_access.db import get_database
        from data_access.users import purge_login_attempts, record_login_failure

        with get_database().write() as s:
            record_login_failure(s, key, _as_datetime(at))
            # Keep the table small: anything a day old no longer counts for anything.
            purge_login_attempts(s, _as_datetime(at - 86_400))

    def clear(self, key: str) -> None:
        from data_access.db import get_database
        from data_access.users import clear_login_failures

        with get_database().write() as s:
            clear_login_failures(s, key)


class RedisFailureStore:
    """Failures as members of one sorted set per key, scored by time."""

    def __init__(self, url: str, window_seconds: int, prefix: str = "chorus:login:") -> None:
        import redis

        self.redis = redis.Redis.from_url(url)
        self.window = window_seconds
        self.prefix = prefix

    def count(self, key: str, since: float) -> int:
        name = self.prefix + key
        self.redis.zremrangebyscore(name, "-inf", f"({since}")
        return int(self.redis.zcount(name, since, "+inf"))

    def add(self, key: str, at: float) -> None:
        import secrets

        name = self.prefix + key
        with self.redis.pipeline() as pipe:
            pipe.zadd(name, {f"{at}:{secrets.token_hex(4)}": at})
            pipe.expire(name, self.window + 60)
            pipe.execute()

    def clear(self, key: str) -> None:
        self.redis.delete(self.prefix + key)


def _as_datetime(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def account_key(username: str) -> str:
    return "account:" + username.strip().lower()[:150]


def address_key(address: str | None) -> str:
    return "address:" + (address or "unknown")


@dataclass
class LoginLimiter:
    """Counts failures per key and says when a sign-in must be refused."""

    store: FailureStore
    max_failures: int = 5
    window_seconds: int = 15 * 60

    def blocked(self, keys: list[str]) -> bool:
        since = clock.now() - self.window_seconds
        return any(self.store.count(key, since) >= self.max_failures for key in keys)

    def record_failure(self, keys: list[str]) -> None:
        at = clock.now()
        for key in keys:
            self.store.add(key, at)

    def clear(self, key: str) -> None:
        self.store.clear(key)


def limiter_for(settings) -> LoginLimiter:  # type: ignore[no-untyped-def]
    """The limiter a Chorus process uses: Redis when configured, else the database."""
    window = settings.login_window_minutes * 60
    store: FailureStore = (
        RedisFailureStore(settings.redis_url, window)
        if settings.redis_url
        else DatabaseFailureStore()
    )
    return LoginLimiter(store, settings.login_max_failures, window)


def current_limiter() -> LoginLimiter:
    from flask import current_app

    limiter = current_app.extensions.get("chorus_login_limiter")
    if limiter is None:
        limiter = limiter_for(chorus_settings.current())
        current_app.extensions["chorus_login_limiter"] = limiter
    return limiter
