"""95% intervals for canonical rows whose indicator's method allows them (Wilson, Byar)."""

from __future__ import annotations

import pandas as pd

from analysis.intervals import add_byar_columns, add_wilson_columns


def with_intervals(frame: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    """Add 95% intervals where the catalogue's method allows and counts exist.

    Takes canonical observation rows and the catalogue (columns id, ci_method); rows that
    already carry published bounds keep them.
    """
    methods = catalogue.set_index("id")["ci_method"].to_dict()
    out = frame.copy()
    method = out["indicator"].map(methods).fillna("none")
    has_bounds = out["lower_ci"].notna() & out["upper_ci"].notna()
    for name, compute in (("wilson", add_wilson_columns), ("byar", add_byar_columns)):
        rows = (method == name) & ~has_bounds
        if rows.any():
            computed = compute(out.loc[rows, ["numerator", "denominator"]])
            out.loc[rows, "lower_ci"] = computed["lower_ci"].to_numpy()
            out.loc[rows, "upper_ci"] = computed["upper_ci"].to_numpy()
    return out
