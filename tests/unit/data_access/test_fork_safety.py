"""A forked child (a Dash background job, a Celery prefork worker) never uses the
parent's pooled PostgreSQL connections: they share one socket, and a query from the child
lands in the middle of the parent's conversation with the server."""

from __future__ import annotations

import os

from sqlalchemy import text

import data_access.db as db_module


def _backend_pid() -> int:
    with db_module.get_database().read() as session:
        return int(session.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_forked_child_opens_its_own_connections(_postgresql_scratch_url):
    previous = db_module._database
    db_module._database = db_module.Database(_postgresql_scratch_url)
    try:
        parent_pid = _backend_pid()  # leaves one connection idle in the pool
        read_end, write_end = os.pipe()
        child = os.fork()
        if child == 0:  # the child: report the server process it talked to, then leave
            os.close(read_end)
            try:
                os.write(write_end, str(_backend_pid()).encode())
            finally:
                os._exit(0)
        os.close(write_end)
        with os.fdopen(read_end) as reader:
            child_pid = int(reader.read() or 0)
        os.waitpid(child, 0)
        assert child_pid and child_pid != parent_pid
        assert _backend_pid() == parent_pid  # the parent's connection still works
    finally:
        db_module._database.dispose()
        db_module._database = previous
