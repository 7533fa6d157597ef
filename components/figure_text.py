"""Text for plotly figures: the one place user text is made safe before it reaches a chart.

Plotly reads a small HTML dialect in trace names, hover text, tick labels, annotations
and titles: ``<a href>`` becomes a live link, ``<b>`` bold, ``<br>`` a new line. A theme
label, an imported breakdown value or a period typed by a user must show as the text it
is, so every figure builder in components/ passes such text through :func:`plot_text`
(``&lt;``, ``&gt;`` and ``&amp;``, which plotly shows as the characters). Quotes are left
alone: plotly knows no ``&quot;`` and would show it as typed, and a quote cannot start
markup once ``<`` is escaped. Chorus's own markup (``<br>`` between lines of a hover,
``<extra>``) is added around the escaped text, never inside it.
"""

from __future__ import annotations

import html
from collections.abc import Iterable


def plot_text(value: object, limit: int | None = None) -> str:
    """``value`` as plain text for a figure: whitespace collapsed, <, > and & escaped,
    cut to ``limit`` characters (with an ellipsis) when given."""
    text = " ".join(str(value if value is not None else "").split())
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return html.escape(text, quote=False)


def plot_texts(values: Iterable[object]) -> list[str]:
    """:func:`plot_text` of each value (for x/y categories, customdata, tick labels)."""
    return [plot_text(v) for v in values]
