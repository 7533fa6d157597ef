"""ARIA attributes for Dash components, typed so the type checker accepts them.

Dash's component signatures have no ``aria-*`` parameters; they pass through as extra
keyword arguments, which need string keys with hyphens.
"""

from __future__ import annotations

from typing import Any


def aria(**attributes: str) -> dict[str, Any]:
    """``aria(selected="true", labelledby="x")`` -> ``{"aria-selected": "true", ...}``."""
    return {f"aria-{name.replace('_', '-')}": value for name, value in attributes.items()}
