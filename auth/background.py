"""Permission checks for work that runs outside a request (Dash background callbacks)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

import dash
from flask import has_request_context

F = TypeVar("F", bound=Callable[..., Any])


def in_caller_request(function: F) -> F:
    """Run a background job inside a request carrying the caller's cookies.

    A background job runs in another process (or a Celery worker) with no Flask request,
    so ``guarded`` would find no user. Dash hands the job the callback's cookies; pushing
    a request with them lets flask-login load the same user from the signed session, and
    the permission check runs exactly as for an ordinary callback. (A forked process drops
    the parent's database connections: see ``data_access.db``.)
    """

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if has_request_context():
            return function(*args, **kwargs)
        cookies = dash.callback_context.cookies or {}
        header = "; ".join(f"{name}={value}" for name, value in cookies.items())
        server = dash.get_app().server
        with server.test_request_context("/_dash-update-component", headers={"Cookie": header}):
            return function(*args, **kwargs)

    return cast(F, wrapper)
