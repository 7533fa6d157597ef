"""gunicorn's settings for Chorus (``gunicorn -c gunicorn.conf.py app:server``).

The Procfile, ``make run``, the container, compose and the browser tests' server all
start gunicorn with this file; workers, threads and the address stay on their command
lines. Each new worker warms itself (warmup.py) before it takes its first request.
"""

from __future__ import annotations

from typing import Any


def post_worker_init(worker: Any) -> None:
    """After the worker has imported ``app:server`` and before it accepts: warm it."""
    from warmup import warm_server

    warm_server(worker.wsgi, tick=worker.notify)
