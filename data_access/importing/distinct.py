"""Per-row work done once per distinct value: the importer's main speed-up.

A 600,000-row file holds few distinct cells per column (a few hundred area codes, a few
periods, a few thousand figures), so cleaning, parsing and formula checks run on the
distinct values and are spread back to the rows with ``pandas.factorize``'s codes. The
result is the same as doing the work row by row.

Missing cells (None, NaN, NA) are one "value" here and never reach the function: they
get ``missing`` instead. Object columns that mix kinds of values (1, 1.0 and True are one
value to a hash table, but not to ``str``) are done row by row, so nothing is merged that
the row-by-row code would have kept apart.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

# Kinds of object column whose equal values are also equal as text.
_SAFE_KINDS = frozenset({"string", "empty", "integer", "boolean", "bytes", "date", "datetime"})


def _is_missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def factorized(values: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """(codes, distinct values as objects) with -1 for missing cells; None when unsafe."""
    if values.dtype == object and pd.api.types.infer_dtype(values, skipna=True) not in _SAFE_KINDS:
        return None
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return codes, np.asarray(uniques, dtype=object)


def _spread(results: list[object], missing: object, codes: np.ndarray) -> np.ndarray:
    table = np.empty(len(results) + 1, dtype=object)
    for position, result in enumerate(results):  # element by element: results may be tuples
        table[position] = result
    table[-1] = missing  # code -1
    return table[codes]


def map_distinct(
    values: pd.Series, func: Callable[[object], object], missing: object = None
) -> pd.Series:
    """``func`` of each cell (``missing`` for blank cells), computed once per distinct value.

    Takes any Series; returns an object Series on the same index.
    """
    split = factorized(values)
    if split is None:
        out = [missing if _is_missing(v) else func(v) for v in values.tolist()]
        return pd.Series(out, index=values.index, dtype=object)
    codes, uniques = split
    results = [func(u) for u in uniques.tolist()]
    return pd.Series(_spread(results, missing, codes), index=values.index, dtype=object)


def apply_distinct(values: pd.Series, func: Callable[[pd.Series], pd.DataFrame]) -> pd.DataFrame:
    """A vectorised ``func`` (Series -> DataFrame with one row per item) run on the distinct
    values only (plus one None for the missing cells) and spread back to every row.

    Takes any Series; returns ``func``'s columns on ``values``' index.
    """
    split = factorized(values)
    if split is None:
        out = func(values.astype(object).where(values.notna(), None))
        return out.set_axis(values.index)
    codes, uniques = split
    distinct = pd.Series([*uniques.tolist(), None], dtype=object)
    result = func(distinct)
    positions = np.where(codes < 0, len(uniques), codes)
    return result.iloc[positions].set_axis(values.index)
