"""Form controls with accessible markup: native selects, checkboxes, radios and dates.

Dash 4's own ``dcc.Dropdown``, ``dcc.Checklist``, ``dcc.RadioItems`` and date pickers fail
axe-core 4 (a focusable element hidden from assistive technology, checkboxes nested inside
``role=option`` labels, ``aria-expanded`` on a plain div). These factories return
dash-bootstrap-components controls, whose markup is native HTML: a ``select``, ``input``
checkboxes and radios each with its own ``label``, ``input type=date``. Groups of checkboxes
or radios always sit in a ``fieldset`` with a ``legend`` (``legend_hidden`` keeps it for
screen readers only, where a visible heading already says the same).

Values: a native select reports strings, so option values are given as strings and callbacks
convert back where they need numbers. A select that may be left empty gets a first option
with the placeholder text and the value "" (Dash's clear button did the same job).
"""

from __future__ import annotations

import json
from typing import Any

import dash_bootstrap_components as dbc
from dash import html

from components.aria import aria
from components.tabs import dom_id

Option = dict[str, Any]


def _string_options(options: list) -> list[Option]:
    """Options as ``{"label", "value"}`` with string values (a native select's values)."""
    result: list[Option] = []
    for option in options or []:
        if isinstance(option, dict):
            entry: Option = {"label": option["label"], "value": str(option["value"])}
            if option.get("disabled"):
                entry["disabled"] = True
        else:
            entry = {"label": str(option), "value": str(option)}
        result.append(entry)
    return result


def select(
    id: Any,  # noqa: A002  (Dash's own name for it)
    options: list,
    value: Any = None,
    *,
    placeholder: str | None = None,
    clearable: bool = False,
    disabled: bool = False,
    className: str = "",  # noqa: N803
    **kwargs: Any,
) -> dbc.Select:
    """A native ``select`` (label it with ``html.Label(htmlFor=id)`` or by wrapping it)."""
    choices = _string_options(options)
    if clearable or (placeholder and value in (None, "")):
        choices = [{"label": placeholder or "Any", "value": ""}, *choices]
    return dbc.Select(
        id=id,
        options=choices,
        value="" if value is None else str(value),
        placeholder=placeholder or "",
        disabled=disabled,
        className=f"chorus-select form-select {className}".strip(),
        **kwargs,
    )


# Long lists of choices wait in the browser (assets/lazy_options.js) until someone reaches
# them: the element carrying this attribute holds the control's id and its whole list, and
# the control starts with only what it shows (its chosen option, the empty choice). A page
# of panels then draws a few dozen options instead of hundreds (issue: under 2,000 nodes).
LAZY_OPTIONS = "data-chorus-options"


def lazy_options_attribute(id: Any, options: list[Option]) -> dict[str, Any]:  # noqa: A002
    """The attribute that holds a control's whole list of ``options`` (for its wrapper)."""
    return {LAZY_OPTIONS: json.dumps({"id": id, "options": options}, separators=(",", ":"))}


def lazy_select(
    id: Any,  # noqa: A002
    options: list,
    value: Any = None,
    *,
    placeholder: str | None = None,
    clearable: bool = False,
    className: str = "",  # noqa: N803
) -> tuple[dbc.Select, dict[str, Any]]:
    """:func:`select` drawn with only its shown option, and the attribute for its label
    that holds the rest (filled in when the pointer or the focus reaches the label)."""
    whole = select(
        id, options, value, placeholder=placeholder, clearable=clearable, className=className
    )
    choices: list[Option] = whole.options
    shown = [c for c in choices if c["value"] in ("", whole.value)] or choices[:1]
    whole.options = shown
    if len(shown) == len(choices):
        return whole, {}
    return whole, lazy_options_attribute(id, choices)


def _group(legend: str, control: Any, legend_hidden: bool, className: str) -> html.Fieldset:
    return html.Fieldset(
        className=f"chorus-fieldset {className}".strip(),
        children=[
            html.Legend(legend, className="visually-hidden" if legend_hidden else "chorus-legend"),
            control,
        ],
    )


def checkboxes(
    id: Any,  # noqa: A002
    options: list,
    value: list | None = None,
    *,
    legend: str,
    legend_hidden: bool = False,
    inline: bool = False,
    className: str = "",  # noqa: N803
    bare: bool = False,
) -> Any:
    """Native checkboxes in a fieldset with a legend (``bare``: the caller's fieldset)."""
    control = dbc.Checklist(
        id=id,
        options=_checkable_options(options),
        value=list(value or []),
        inline=inline,
        className="chorus-checks",
    )
    return control if bare else _group(legend, control, legend_hidden, className)


def radios(
    id: Any,  # noqa: A002
    options: list,
    value: Any = None,
    *,
    legend: str,
    legend_hidden: bool = False,
    inline: bool = False,
    className: str = "",  # noqa: N803
    bare: bool = False,
) -> Any:
    """Native radio buttons in a fieldset with a legend (``bare``: the caller's fieldset)."""
    # One name for the group: the browser then makes it one Tab stop, moved with arrows.
    control = dbc.RadioItems(
        id=id,
        options=_checkable_options(options),
        value=value,
        inline=inline,
        name=dom_id(id),
        className="chorus-radios",
    )
    return control if bare else _group(legend, control, legend_hidden, className)


def _checkable_options(options: list) -> list[Option]:
    return [
        option if isinstance(option, dict) else {"label": str(option), "value": option}
        for option in options or []
    ]


def date_input(
    id: Any,  # noqa: A002
    value: str | None = None,
    **kwargs: Any,
) -> dbc.Input:
    """A native date field (value ``YYYY-MM-DD`` or None); label it with ``htmlFor``."""
    return dbc.Input(
        id=id, type="date", value=value, className="chorus-date form-control", **kwargs
    )


def checkbox_menu(
    id: Any,  # noqa: A002
    options: list,
    value: list | None = None,
    *,
    legend: str,
    className: str = "",  # noqa: N803
) -> html.Details:
    """Checkboxes folded under a disclosure (``details``): a multiple choice that stays as
    compact as a dropdown. The summary shows the legend; the fieldset keeps it too.

    Folded, it holds only the ticked boxes; the rest arrive when it is opened (or the
    pointer or focus reaches it: see :data:`LAZY_OPTIONS`)."""
    whole = _checkable_options(options)
    chosen = list(value or [])
    shown = [o for o in whole if o["value"] in chosen]
    return html.Details(
        className=f"chorus-menu {className}".strip(),
        children=[
            html.Summary(legend, className="chorus-menu-summary"),
            checkboxes(
                id,
                shown,
                chosen,
                legend=legend,
                legend_hidden=True,
                className="chorus-menu-body",
            ),
        ],
        **(lazy_options_attribute(id, whole) if len(shown) < len(whole) else {}),
    )


def scroll_region(content: Any, label: str, className: str = "import-table-wrap") -> html.Div:  # noqa: N803
    """A wide table's scrolling box: focusable, so the keyboard can scroll it, and named."""
    return html.Div(content, className=className, tabIndex=0, role="region", **aria(label=label))
