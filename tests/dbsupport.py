"""PostgreSQL and Redis helpers shared by the fixtures and the tests that start their own
servers.

A module with a unique name, so tests can import it whatever conftest is loaded first.
"""

from __future__ import annotations

import os
import re

import pytest

POSTGRES_ADMIN_URL = os.environ.get(
    "CHORUS_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def postgres_url(database: str) -> str:
    """The URL of a scratch PostgreSQL database (created on first use)."""
    return re.sub(r"/[^/]+$", f"/{database}", POSTGRES_ADMIN_URL)


def postgres_available() -> bool:
    try:
        import psycopg

        url = POSTGRES_ADMIN_URL.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(url, connect_timeout=3):
            return True
    except Exception:
        return False


def require_postgres() -> None:
    """Skip without PostgreSQL, except in CI where its absence is a failure."""
    if postgres_available():
        return
    if os.environ.get("CI"):
        pytest.fail("PostgreSQL is not reachable and CI is set: it must run in CI.")
    pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")


def require_redis(url: str) -> str:
    """Return ``url`` if Redis answers there. Otherwise fail when CI is set (Redis runs in
    CI, so a missing server is a broken run) or skip on a machine without it."""
    import redis

    try:
        if redis.Redis.from_url(url, socket_connect_timeout=2).ping():
            return url
    except redis.RedisError:
        pass
    if os.environ.get("CI"):
        pytest.fail(f"Redis is not reachable at {url} and CI is set: it must run in CI.")
    pytest.skip(f"Redis is not reachable at {url}")


def create_postgres_database(name: str) -> str:
    """Drop and recreate a scratch database; returns its SQLAlchemy URL."""
    import psycopg

    url = POSTGRES_ADMIN_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return postgres_url(name)
