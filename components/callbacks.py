"""Callbacks collected beside the component they serve and registered on the app by name.

Dash's ``dash.callback`` registers a callback globally when its module is imported, so a
page had to import a module only for that side effect. A ``CallbackSet`` instead keeps the
callbacks its module declares and ``register(app)`` adds them to one app, called from the
app factory like a Flask blueprint.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dash import Dash

Handler = Callable[..., Any]


class CallbackSet:
    """Callbacks declared with ``@callbacks.callback(...)``, registered by ``register``."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._declared: list[tuple[tuple[Any, ...], dict[str, Any], Handler]] = []
        self._clientside: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
        self._registered_on: set[int] = set()

    def callback(self, *args: Any, **kwargs: Any) -> Callable[[Handler], Handler]:
        """Declare a callback with ``dash.callback``'s arguments; the function is returned
        unchanged (so it can still be called directly, as tests do)."""

        def declare(function: Handler) -> Handler:
            self._declared.append((args, kwargs, function))
            return function

        return declare

    def clientside_callback(self, *args: Any, **kwargs: Any) -> None:
        """Declare a clientside callback with ``dash.clientside_callback``'s arguments."""
        self._clientside.append((args, kwargs))

    def register(self, app: Dash) -> None:
        """Add every declared callback to ``app`` (once per app)."""
        if id(app) in self._registered_on:
            return
        self._registered_on.add(id(app))
        for args, kwargs, function in self._declared:
            app.callback(*args, **kwargs)(function)
        for args, kwargs in self._clientside:
            app.clientside_callback(*args, **kwargs)

    def __len__(self) -> int:
        return len(self._declared) + len(self._clientside)
