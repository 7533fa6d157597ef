"""Turning numbers and published symbols into text people read."""

from __future__ import annotations

import math

SYMBOL_TEXT = {
    "c": "c (suppressed to protect privacy)",
    "k": "k (rounds to zero)",
    "low": "low (rounds to zero)",
    "u": "u (low reliability)",
    "x": "x (not available)",
    "z": "z (not applicable)",
}


def is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def clean_status(status: object) -> str | None:
    """A published symbol, or None for NaN, empty or missing (pandas turns None into NaN)."""
    return status if isinstance(status, str) and status else None


def format_value(value: float | None, unit: str, status: str | None = None) -> str:
    """A value with its unit, or the published symbol with its meaning when there is one."""
    status = clean_status(status)
    if status:
        return SYMBOL_TEXT.get(status, status)
    if is_missing(value):
        return "no figure"
    if unit == "percent":
        return f"{value:.1f}%"
    if unit == "rate_per_10k":
        return f"{value:,.1f} per 10,000"
    if unit in ("gbp", "gbp_per_child"):
        suffix = " per child" if unit == "gbp_per_child" else ""
        return f"£{value:,.0f}{suffix}"
    if unit == "days":
        return f"{value:,.0f} days"
    return f"{value:,.0f}"


def short_value(value: float | None, unit: str, status: str | None = None) -> str:
    """Compact form for tiles and tables: the symbol alone, no explanation."""
    status = clean_status(status)
    if status:
        return status
    if is_missing(value):
        return "–"
    if unit == "percent":
        return f"{value:.1f}%"
    if unit in ("gbp", "gbp_per_child"):
        return f"£{value:,.0f}"
    if unit == "rate_per_10k":
        return f"{value:,.1f}"
    return f"{value:,.0f}"
