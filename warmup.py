"""A new web worker warms itself before it takes traffic (gunicorn.conf.py calls this from
gunicorn's ``post_worker_init`` hook, after the worker has imported ``app:server``).

Warming runs Dash's one-off set-up (one request to ``/health``), opens the database pool,
and draws the default panel of every indicator on the service pages (Early years, Early
Help, Care leavers: each page's ``PANELS``) for England and for every authority with an
active user, exactly as a page would. That fills the view cache (shared by the workers)
and this process's own copy of it, and runs the figure and JSON code once, so the first
person to reach a new worker waits no longer than the next. It stops when its time is up
(``CHORUS_WARM_SECONDS``, default 20; 0 turns it off), and a failure is logged, never
raised: a worker that could not warm still serves.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask

log = logging.getLogger("chorus.warmup")


@dataclass(frozen=True)
class Warmed:
    """What one worker warmed: panels drawn, areas covered, seconds taken, finished."""

    panels: int
    areas: int
    seconds: float
    complete: bool


def default_panel_indicators() -> list[str]:
    """Indicator ids of the panels the service pages draw by default, in page order."""
    import dash

    found: list[str] = []
    for page in dash.page_registry.values():
        module = sys.modules.get(str(page.get("module", "")))
        for entry in getattr(module, "PANELS", None) or []:
            indicator = entry[0] if isinstance(entry, tuple) else entry
            if isinstance(indicator, str) and indicator not in found:
                found.append(indicator)
    return found


def warm_server(
    server: Flask, budget_seconds: float | None = None, tick: Callable[[], None] | None = None
) -> Warmed:
    """Warm ``server``'s process (see the module docstring). ``tick`` is called after each
    panel (gunicorn's heartbeat, so a long warm-up is not taken for a hung worker).
    Returns what was warmed."""
    started = time.monotonic()
    settings = server.extensions["chorus_settings"]
    budget = settings.warm_seconds if budget_seconds is None else budget_seconds
    if budget <= 0:
        return Warmed(0, 0, 0.0, True)
    deadline = started + budget
    panels, areas = 0, 0
    complete = False
    try:
        server.test_client().get("/health")
        from data_access import views
        from data_access.db import get_database
        from pages._panel_support import render_panel
        from rules.areas import ENGLAND

        indicators = default_panel_indicators()
        with server.app_context():
            with get_database().read() as session:
                codes = [ENGLAND, *[c for c in views.areas_in_use(session) if c != ENGLAND]]
            for code in codes:
                for indicator in indicators:
                    if time.monotonic() > deadline:
                        raise TimeoutError
                    render_panel("warm", indicator, code)
                    panels += 1
                    if tick is not None:
                        tick()
                areas += 1
        complete = True
    except TimeoutError:
        pass
    except Exception:  # noqa: BLE001 - a worker that could not warm still serves
        log.exception("Warming this worker failed; it serves cold")
    seconds = round(time.monotonic() - started, 2)
    log.info(
        "Worker warmed: %s panels for %s areas in %.1f s%s",
        panels,
        areas,
        seconds,
        "" if complete else " (stopped at the time limit)",
    )
    return Warmed(panels, areas, seconds, complete)
