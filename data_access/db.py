"""Engines and sessions.

One :class:`Database` per process. Reads and writes use separate SQLite engines so that
writes take the write lock up front (``BEGIN IMMEDIATE``): several gunicorn workers
writing at once then queue on the busy timeout instead of failing with
"database is locked" half-way through a transaction. PostgreSQL needs none of this.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 30_000


class Database:
    """Holds the engines for one database URL and hands out sessions."""

    def __init__(self, url: str, echo: bool = False) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            _ensure_sqlite_folder(url)
            self.read_engine = _sqlite_engine(url, immediate=False, echo=echo)
            self.write_engine = _sqlite_engine(url, immediate=True, echo=echo)
        else:
            engine = create_engine(url, echo=echo, pool_pre_ping=True, pool_size=5, max_overflow=5)
            self.read_engine = engine
            self.write_engine = engine
        self._read_sessions = sessionmaker(self.read_engine, expire_on_commit=False)
        self._write_sessions = sessionmaker(self.write_engine, expire_on_commit=False)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for queries; rolled back at the end, never commits."""
        session = self._read_sessions()
        try:
            yield session
        finally:
            session.rollback()
            session.close()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session whose transaction commits on success and rolls back on error."""
        session = self._write_sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.read_engine.dispose()
        if self.write_engine is not self.read_engine:
            self.write_engine.dispose()

    def ping(self) -> bool:
        with self.read_engine.connect() as conn:
            return conn.execute(text("SELECT 1")).scalar() == 1


def _ensure_sqlite_folder(url: str) -> None:
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_engine(url: str, immediate: bool, echo: bool) -> Engine:
    engine = create_engine(url, echo=echo, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin (pysqlite recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


_database: Database | None = None


def init_database(url: str) -> Database:
    """Create (or replace) the process-wide database used by the app."""
    global _database
    if _database is not None and _database.url != url:
        _database.dispose()
    if _database is None or _database.url != url:
        _database = Database(url)
    return _database


def _forget_inherited_connections() -> None:
    """In a forked child (a Dash background job), drop the parent's pooled connections.

    The child shares the parent's sockets: a query from the child (even the audit row of a
    refused job) would land in the middle of the parent's conversation with PostgreSQL.
    ``dispose(close=False)`` leaves the sockets to the parent and gives the child new ones.
    """
    if _database is not None:
        _database.read_engine.dispose(close=False)
        if _database.write_engine is not _database.read_engine:
            _database.write_engine.dispose(close=False)


os.register_at_fork(after_in_child=_forget_inherited_connections)


def get_database() -> Database:
    """The process-wide database; the app factory calls :func:`init_database` first."""
    if _database is None:
        raise RuntimeError("The database is not initialised: call init_database(url) first")
    return _database
