"""Range and consistency checks on figures, by the indicator's unit (pure, vectorised).

The one home of what a plausible figure is, used by the import validation:

- a percentage lies between 0 and 100 (unless the indicator may pass 100 by definition);
- a rate per 1,000, 10,000 or 100,000 lies between 0 and its base: a larger "rate" is
  almost always a count put in a rate column (England's children-in-need rate of
  402,400 per 10,000 is the number of children in need);
- a percentage or rate given with its numerator and denominator equals
  numerator / denominator x base within rounding: the published value's, and that of
  counts published rounded or pooled (DfE's care leavers percentages are worked out from
  unrounded counts, Fingertips pools three years), taken as 2% of the figure plus 0.1%
  of the base. A swapped column, a fraction for a percentage or the wrong base is far
  outside that;
- a count indicator's value is a whole number (that no count is negative is checked with
  every figure; numerators may be pooled averages, so they are not required whole).

``range_breaks`` takes one row per figure (units and numbers as Series on one index) and
returns one ``RangeBreak`` per rule broken, each with the rows that break it and, per
row, the bound broken in words.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

# unit -> (base, words). Aliases cover the ways catalogues spell the same unit.
RATE_BASES: dict[str, tuple[float, str]] = {
    "rate_per_1k": (1_000.0, "1,000"),
    "rate_per_1000": (1_000.0, "1,000"),
    "rate_per_10k": (10_000.0, "10,000"),
    "rate_per_10000": (10_000.0, "10,000"),
    "rate_per_100k": (100_000.0, "100,000"),
    "rate_per_100000": (100_000.0, "100,000"),
}
PERCENT = "percent"
COUNT = "count"
BASES = {PERCENT: 100.0, **{unit: base for unit, (base, _) in RATE_BASES.items()}}
CONSISTENCY_RELATIVE = 0.02
CONSISTENCY_OF_BASE = 0.001


def unit_base(unit: str | None) -> float | None:
    """What a unit multiplies numerator / denominator by: 100 for percent, 10,000 for a
    rate per 10,000; None for counts, money and unknown units."""
    return BASES.get(unit or "")


@dataclass(frozen=True)
class RangeBreak:
    """Rows breaking one rule: ``code``, the canonical ``column`` at fault, the rows
    (``mask``, on the input's index) and, for the rows that break it, the bound broken as
    words that follow the figure (``bound``, "is not a percentage between 0 and 100")."""

    code: str
    column: str
    mask: pd.Series
    bound: pd.Series


def decimals(values: pd.Series) -> pd.Series:
    """How many decimal places each number is written with (0 to 6; NaN gives 6)."""
    numbers = values.astype(float).to_numpy()
    places = np.full(numbers.shape, 6, dtype=np.int64)
    with np.errstate(invalid="ignore"):
        for digits in range(5, -1, -1):
            rounded = np.round(numbers, digits)
            exact = np.abs(numbers - rounded) <= 1e-9 * np.maximum(1.0, np.abs(numbers))
            places = np.where(exact, digits, places)
    return pd.Series(places, index=values.index)


def range_breaks(
    unit: pd.Series,
    numerator: pd.Series,
    denominator: pd.Series,
    value: pd.Series,
    *,
    may_exceed_100: pd.Series | None = None,
) -> list[RangeBreak]:
    """The rules each row breaks (see the module's text); empty when every row is plausible.

    ``unit`` holds each row's unit (None when unknown: no check); ``numerator``,
    ``denominator`` and ``value`` floats (NaN when blank). ``may_exceed_100`` marks the
    percentages allowed past 100 (take-up measured against an estimate). Whole columns
    are compared at once; words are written only for the rows that break a rule.
    """
    index = unit.index
    unit = unit.astype(object)
    exempt = (
        pd.Series(False, index=index)
        if may_exceed_100 is None
        else may_exceed_100.fillna(False).astype(bool)
    )
    base = unit.map(BASES).astype(float)
    is_rate = unit.isin(list(RATE_BASES))
    is_percent = unit == PERCENT
    found: list[RangeBreak] = []

    def add(
        code: str, column: str, mask: pd.Series, bound: Callable[[pd.Index], pd.Series]
    ) -> None:
        mask = mask.fillna(False).astype(bool)
        if mask.any():
            rows = index[mask.to_numpy()]
            found.append(RangeBreak(code, column, mask, bound(rows)))

    def words(rows: pd.Index) -> pd.Series:
        return unit[rows].map(lambda u: RATE_BASES[u][1])

    def fixed(text: str) -> Callable[[pd.Index], pd.Series]:
        return lambda rows: pd.Series(text, index=rows, dtype=object)

    outside = is_percent & (value.lt(0) | (value.gt(100) & ~exempt))
    add("percent_out_of_range", "value", outside, fixed("is not a percentage between 0 and 100"))
    above = is_rate & value.gt(base)
    add(
        "rate_looks_like_count",
        "value",
        above,
        lambda rows: "is above " + words(rows) + ", the most a rate per " + words(rows)
        + " can be: it looks like a count, not a rate",
    )  # fmt: skip
    below = is_rate & value.lt(0)
    add(
        "rate_out_of_range",
        "value",
        below,
        lambda rows: "is below 0, the least a rate per " + words(rows) + " can be",
    )
    # Consistency with the counts: within the rounding of the published value, and of
    # counts published rounded or pooled (2% of the figure, plus 0.1% of the base).
    checked = (
        base.notna()
        & value.notna()
        & numerator.notna()
        & denominator.gt(0)
        & ~(outside | above | below)  # one problem per figure: its bound comes first
    )
    if checked.any():
        rows = index[checked.to_numpy()]
        given = value[rows]
        expected = numerator[rows] / denominator[rows] * base[rows]
        tolerance = (
            0.5 * np.power(10.0, -decimals(given)) + CONSISTENCY_RELATIVE * expected.abs()
            + CONSISTENCY_OF_BASE * base[rows]
        )  # fmt: skip
        wrong = ((given - expected).abs() > tolerance).reindex(index, fill_value=False)
        add(
            "counts_disagree",
            "value",
            wrong,
            lambda rows: (
                "is not numerator / denominator x "
                + base[rows].map(lambda b: f"{b:,.0f}")
                + " = "
                + expected[rows].map(lambda e: f"{e:,.3f}".rstrip("0").rstrip("."))
                + " (within rounding)"
            ),
        )
    add(
        "not_whole",
        "value",
        (unit == COUNT) & value.notna() & (value != np.floor(value)),
        fixed("is not a whole number, as a count must be"),
    )
    return found
