"""Tabs after the WAI-ARIA tabs pattern, with the chosen tab held in a ``dcc.Store``.

Markup: a ``role=tablist`` with an accessible name holding one ``button role=tab`` per tab
(``aria-selected``, ``aria-controls``, only the chosen one in the Tab order), and
``role=tabpanel`` regions labelled by their tab and reachable with Tab. The chosen tab's
value is the Store's ``data`` (callbacks read it as they read ``dcc.Tabs``' ``value``).

Behaviour lives in the browser: ``assets/tabs.js`` moves between tabs with the arrow keys,
Home and End (choosing as it moves, the pattern's automatic activation), and the clientside
callback ``chorusTabs.choose`` (registered by ``register_tabs``) sets the Store, the tabs'
``aria-selected`` and ``tabIndex``, and which panels are hidden.
"""

from __future__ import annotations

import json
from typing import Any

from dash import ALL, MATCH, ClientsideFunction, Input, Output, clientside_callback, dcc, html

from components.aria import aria


def dom_id(component_id: Any) -> str:
    """The id Dash gives the element in the page (a dict id becomes sorted JSON)."""
    if isinstance(component_id, dict):
        return json.dumps(component_id, sort_keys=True, separators=(",", ":"))
    return str(component_id)


def tab_id(group: str, key: Any, value: str) -> dict[str, Any]:
    """The id of one tab button: ``group`` names the set, ``key`` the instance."""
    return {"type": f"{group}-tab-button", "index": key, "tab": value}


def tab_list(
    group: str,
    key: Any,
    store_id: Any,
    tabs: list[tuple[str, str]] | tuple[tuple[str, str], ...],
    value: str,
    *,
    label: str,
    controls: dict[str, Any],
    className: str = "",  # noqa: N803
) -> list:
    """The tablist and its Store. ``controls`` maps each tab value to its panel's id."""
    buttons = [
        html.Button(
            text,
            id=tab_id(group, key, tab),
            type="button",
            role="tab",
            className="chorus-tab",
            n_clicks=0,
            tabIndex=0 if tab == value else -1,
            **aria(
                selected="true" if tab == value else "false",
                controls=dom_id(controls[tab]),
            ),
        )
        for tab, text in tabs
    ]
    return [
        html.Div(
            buttons,
            role="tablist",
            className=f"chorus-tablist {className}".strip(),
            **aria(label=label),
        ),
        dcc.Store(id=store_id, data=value),
    ]


def tab_panel(
    group: str, key: Any, tab: str, panel_id: Any, children: Any, *, hidden: bool, **kwargs: Any
) -> html.Div:
    """A ``role=tabpanel`` region labelled by its tab and focusable (Tab reaches it)."""
    className = kwargs.pop("className", "")  # noqa: N806
    return html.Div(
        id=panel_id,
        role="tabpanel",
        tabIndex=0,
        hidden=hidden,
        className=f"chorus-tabpanel {className}".strip(),
        children=children,
        **aria(labelledby=dom_id(tab_id(group, key, tab))),
        **kwargs,
    )


def register_tabs(
    group: str,
    store_type: str | None,
    panel_types: list[str],
    plain_store: str | None = None,
    callbacks: Any = None,
) -> None:
    """The clientside callback choosing a tab of ``group`` (no request; reads no data).

    Pattern-matched instances (``store_type`` with ``MATCH`` on ``index``) or one plain
    Store (``plain_store``). ``panel_types`` are the panel id types hidden or shown, in the
    order of the tabs (empty when one panel shows whatever tab is chosen). ``callbacks``: a
    ``CallbackSet`` to declare it on (registered with its app), else Dash's global list.
    """
    key = MATCH if store_type else ALL
    button = {"type": f"{group}-tab-button", "index": key, "tab": ALL}
    store: dict[str, Any] | str | None = (
        {"type": store_type, "index": MATCH} if store_type else plain_store
    )
    if store is None:
        raise ValueError("register_tabs needs store_type or plain_store")
    outputs = [
        Output(store, "data"),
        Output(button, "aria-selected"),
        Output(button, "tabIndex"),
        *[Output({"type": t, "index": MATCH}, "hidden") for t in panel_types],
    ]
    declare = callbacks.clientside_callback if callbacks is not None else clientside_callback
    declare(
        ClientsideFunction(namespace="chorusTabs", function_name="choose"),
        *outputs,
        Input(button, "n_clicks"),
        prevent_initial_call=True,
    )
