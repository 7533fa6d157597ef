"""Login rate limiting per account and per address, shared by every worker.

After ``login_max_failures`` failed sign-ins within ``login_window_minutes`` for the same
account or from the same address, further attempts are refused (HTTP 429) until the
oldest failure in the window ages out. Failures are kept in Redis when REDIS_URL is set,
otherwise in the ``login_attempts`` table, so several gunicorn workers (and machines
sharing the database) count together. Refused attempts are not counted, so the lock
lifts by itself; a successful sign-in clears the account's count.

Checking and recording are one atomic step (:meth:`LoginLimiter.begin`): each attempt
reserves a place among the allowed failures before its password is checked, so parallel
attempts cannot all pass the check before any is recorded. A failed attempt keeps its
place (it is the failure); a successful one gives it back. In Redis the reservation is a
server-side script (count and add in one step); in the database it is one write
transaction holding the key's lock (``BEGIN IMMEDIATE`` on SQLite, an advisory
transaction lock on PostgreSQL).

If Redis is configured but cannot be reached, the limiter uses the database instead and
logs one warning: a sign-in never fails because Redis is down.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import settings as chorus_settings
from auth import clock

log = logging.getLogger(__name__)


class FailureStore(Protocol):
    def count(self, key: str, since: float) -> int: ...
    def add(self, key: str, at: float) -> None: ...
    def clear(self, key: str) -> None: ...
    def reserve(self, key: str, at: float, since: float, limit: int) -> str | None: ...
    def release(self, key: str, token: str) -> None: ...


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

    def reserve(self, key: str, at: float, since: float, limit: int) -> str | None:
        from data_access.db import get_database
        from data_access.users import reserve_login_failure

        with get_database().write() as s:
            found = reserve_login_failure(s, key, _as_datetime(at), _as_datetime(since), limit)
        return None if found is None else str(found)

    def release(self, key: str, token: str) -> None:
        from data_access.db import get_database
        from data_access.users import release_login_failure

        with get_database().write() as s:
            release_login_failure(s, int(token))


# Drop failures older than the window, count the rest and, below the limit, add this one
# and renew the key's expiry: all in one step on the Redis server.
_RESERVE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1])
if redis.call('ZCOUNT', KEYS[1], ARGV[1], '+inf') >= tonumber(ARGV[3]) then
  return 0
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
redis.call('EXPIRE', KEYS[1], ARGV[5])
return 1
"""


class RedisFailureStore:
    """Failures as members of one sorted set per key, scored by time, expiring after the
    window."""

    def __init__(self, url: str, window_seconds: int, prefix: str = "chorus:login:") -> None:
        import redis

        # Short timeouts: an unreachable Redis must not hold a sign-in for long.
        self.redis = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        self.window = window_seconds
        self.prefix = prefix

    def reserve(self, key: str, at: float, since: float, limit: int) -> str | None:
        member = f"{at}:{secrets.token_hex(8)}"
        args: list[str | float | int] = [since, at, limit, member, self.window + 60]
        added = self.redis.eval(_RESERVE, 1, self.prefix + key, *args)
        return member if int(added) else None

    def release(self, key: str, token: str) -> None:
        self.redis.zrem(self.prefix + key, token)

    def count(self, key: str, since: float) -> int:
        name = self.prefix + key
        self.redis.zremrangebyscore(name, "-inf", f"({since}")
        return int(self.redis.zcount(name, since, "+inf"))

    def add(self, key: str, at: float) -> None:
        name = self.prefix + key
        with self.redis.pipeline() as pipe:
            pipe.zadd(name, {f"{at}:{secrets.token_hex(4)}": at})
            pipe.expire(name, self.window + 60)
            pipe.execute()

    def clear(self, key: str) -> None:
        self.redis.delete(self.prefix + key)


class FallbackFailureStore:
    """Redis first; the database whenever Redis cannot be reached (one warning logged).

    Tokens say which store issued them, so a reservation is given back where it was made.
    """

    def __init__(self, primary: FailureStore, fallback: FailureStore) -> None:
        self.primary = primary
        self.fallback = fallback
        self.warned = False

    def _call(self, method: str, *args: Any) -> tuple[str, Any]:
        import redis

        try:
            return "r", getattr(self.primary, method)(*args)
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:
            if not self.warned:
                self.warned = True
                log.warning(
                    "Redis cannot be reached (%s); sign-in limits use the database.",
                    type(exc).__name__,
                )
            return "d", getattr(self.fallback, method)(*args)

    def count(self, key: str, since: float) -> int:
        return self._call("count", key, since)[1]

    def add(self, key: str, at: float) -> None:
        self._call("add", key, at)

    def clear(self, key: str) -> None:
        self._call("clear", key)
        self.fallback.clear(key)  # failures counted while Redis was away go too

    def reserve(self, key: str, at: float, since: float, limit: int) -> str | None:
        where, token = self._call("reserve", key, at, since, limit)
        return None if token is None else f"{where}:{token}"

    def release(self, key: str, token: str) -> None:
        where, _, inner = token.partition(":")
        if where == "d":
            self.fallback.release(key, inner)
        else:
            self._call("release", key, inner)


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

    def begin(self, keys: list[str]) -> Attempt | None:
        """Check and record at once: a place among the allowed failures for every key,
        or None (refused, nothing recorded) when any key has no place left."""
        at = clock.now()
        since = at - self.window_seconds
        tokens: dict[str, str] = {}
        for key in keys:
            token = self.store.reserve(key, at, since, self.max_failures)
            if token is None:
                for done, held in tokens.items():
                    self.store.release(done, held)
                return None
            tokens[key] = token
        return Attempt(tokens)

    def succeeded(self, attempt: Attempt, account: str) -> None:
        """The password was right: give the places back and clear the account's count."""
        for key, token in attempt.tokens.items():
            self.store.release(key, token)
        self.store.clear(account)


@dataclass
class Attempt:
    """Places reserved by one sign-in attempt (key -> the store's token)."""

    tokens: dict[str, str]


def limiter_for(settings: chorus_settings.Settings) -> LoginLimiter:
    """The limiter a Chorus process uses: Redis when configured (falling back to the
    database when Redis is unreachable), else the database."""
    window = settings.login_window_minutes * 60
    store: FailureStore = (
        FallbackFailureStore(RedisFailureStore(settings.redis_url, window), DatabaseFailureStore())
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
