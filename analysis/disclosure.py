"""Statistical disclosure control for observation rows, applied before anything leaves the server.

Primary suppression: a count from 1 to the threshold (5 by default) is replaced by the
symbol "c". 0 stays 0: "nobody" discloses nothing about a person. When the denominator is
a count of people, a denominator from 1 to the threshold suppresses the row too, because a
percentage of three children describes those children. A suppressed row loses its
numerator, value and interval (a percentage with its denominator gives the numerator back).

Secondary suppression: inside one breakdown (same indicator, area, period and dimension,
for example ethnicity) the cells add up to the "total" row. If exactly one cell were
suppressed, it could be worked out as the total minus the other cells. So whenever a
breakdown has exactly one suppressed cell, the next-smallest non-zero visible cell is
suppressed too. This is applied even when no total row is present (the total is usually
published somewhere else), and cells that are unavailable for other reasons ("x", "z", ...)
are not counted as protection: being conservative costs a cell, being wrong costs a
child's privacy. The same is done for small denominators. If no other cell can be
suppressed (all the others are 0 or unknown), the total row is suppressed instead.

Published symbols keep their meaning and are never turned into numbers (see
``SYMBOL_MEANINGS``). Rows that already carry a symbol meaning "no number" are left alone.

Known limit (as with all cell suppression): two suppressed cells whose sum is known and
tiny (1 + 1 = 2) can still be guessed; the threshold is a setting for that reason.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SYMBOL_MEANINGS: dict[str, str] = {
    "c": "confidential (suppressed to protect privacy)",
    "k": "rounds to zero",
    "low": "rounds to zero",
    "u": "low reliability",
    "x": "not available",
    "z": "not applicable",
}
SUPPRESSED = "c"
# Symbols that stand in place of a number; "u" (low reliability) accompanies a number.
NO_NUMBER_SYMBOLS = frozenset({"c", "k", "low", "x", "z"})
BREAKDOWN_KEYS = ["indicator", "area_code", "period_start", "breakdown"]
HIDDEN_WITH_NUMERATOR = ("value", "lower_ci", "upper_ci")


def apply_disclosure_control(
    df: pd.DataFrame, threshold: int = 5, denominator_is_people: bool = True
) -> pd.DataFrame:
    """Return a copy of canonical rows with primary and secondary suppression applied.

    Takes columns ``indicator``, ``area_code``, ``period_start``, ``breakdown``,
    ``breakdown_value``, ``numerator``, ``denominator``, ``status`` and, when present,
    ``value``, ``lower_ci``, ``upper_ci``; returns the same columns. Suppressed rows have
    ``status`` "c", NaN numerator, value and interval, and NaN denominator when the
    denominator itself is small. ``denominator_is_people=False`` leaves denominators
    (for example a population estimate used for a rate) out of the rule.
    """
    out = df.reset_index(drop=True)  # a unique index lets cells be addressed by label
    out["numerator"] = pd.to_numeric(out["numerator"], errors="coerce").astype(float)
    out["denominator"] = pd.to_numeric(out["denominator"], errors="coerce").astype(float)
    for column in HIDDEN_WITH_NUMERATOR:
        if column in out:
            out[column] = pd.to_numeric(out[column], errors="coerce").astype(float)
    out["status"] = out["status"].astype(object).where(out["status"].notna(), None)

    has_symbol = _has_no_number_symbol(out["status"])
    denominator_known = out["denominator"].notna() | out["status"].eq(SUPPRESSED)
    small_numerator = _is_small(out["numerator"], threshold)
    small_denominator = _is_small(out["denominator"], threshold) & denominator_is_people
    primary = ~has_symbol & (small_numerator | small_denominator)
    _suppress(out, primary)
    if denominator_is_people:
        out.loc[primary & small_denominator, "denominator"] = np.nan

    _apply_secondary_suppression(out, denominator_is_people, denominator_known)
    out.index = df.index
    return out


def _is_small(counts: pd.Series, threshold: int) -> pd.Series:
    return (counts > 0) & (counts <= threshold)


def _has_no_number_symbol(status: pd.Series) -> pd.Series:
    return status.map(lambda s: isinstance(s, str) and s.strip() in NO_NUMBER_SYMBOLS)


def _suppress(out: pd.DataFrame, mask: pd.Series) -> None:
    out.loc[mask, "numerator"] = np.nan
    for column in HIDDEN_WITH_NUMERATOR:
        if column in out:
            out.loc[mask, column] = np.nan
    out.loc[mask, "status"] = SUPPRESSED


def _apply_secondary_suppression(
    out: pd.DataFrame, denominator_is_people: bool, denominator_known: pd.Series
) -> None:
    """Suppress extra cells until no breakdown has exactly one hidden cell (in place).

    ``out`` must have a unique index; ``denominator_known`` marks rows whose denominator
    was published before control (so a NaN there now means we hid it).
    """
    is_total = out["breakdown"].astype(str).eq("total")
    cells = out.index[~is_total]
    group_id = out.loc[cells].groupby(BREAKDOWN_KEYS, dropna=False, sort=False).ngroup()
    members = group_id.groupby(group_id).groups
    total_row = _total_row_lookup(out, is_total)
    changed = True
    while changed:
        changed = False
        suppressed = out.loc[cells, "status"].eq(SUPPRESSED)
        for gid in _groups_with_exactly_one(suppressed, group_id):
            group = out.loc[members[gid]]
            changed |= _protect_single_numerator(out, group, total_row)
        if not denominator_is_people:
            continue
        hidden = out.loc[cells, "denominator"].isna() & denominator_known.loc[cells]
        for gid in _groups_with_exactly_one(hidden, group_id):
            group = out.loc[members[gid]]
            changed |= _protect_single_denominator(out, group)


def _groups_with_exactly_one(flag: pd.Series, group_id: pd.Series) -> list:
    counts = flag.astype(int).groupby(group_id).sum()
    return counts.index[counts == 1].tolist()


def _total_row_lookup(out: pd.DataFrame, is_total: pd.Series) -> dict:
    totals = out.loc[is_total, ["indicator", "area_code", "period_start"]]
    return {key: index for index, key in zip(totals.index, _keys(totals), strict=True)}


def _keys(frame: pd.DataFrame) -> list[tuple]:
    # Normalise missing period starts so that they can be dictionary keys.
    return [
        tuple(None if pd.isna(v) else v for v in row)
        for row in frame.itertuples(index=False, name=None)
    ]


def _visible_candidates(group: pd.DataFrame, column: str) -> pd.Series:
    """Visible non-zero counts in ``column`` that could be suppressed, smallest first."""
    status_ok = ~group["status"].eq(SUPPRESSED) & ~_has_no_number_symbol(group["status"])
    counts = group.loc[status_ok, column]
    return counts[counts > 0].sort_values(kind="stable")


def _protect_single_numerator(out: pd.DataFrame, group: pd.DataFrame, total_row: dict) -> bool:
    candidates = _visible_candidates(group, "numerator")
    if len(candidates):
        _suppress(out, out.index == candidates.index[0])
        return True
    # Every other cell is 0 or unknown: hide the total instead, if it is still visible.
    key = _keys(group[["indicator", "area_code", "period_start"]].head(1))[0]
    row = total_row.get(key)
    if row is None or _has_no_number_symbol(out.loc[[row], "status"]).iloc[0]:
        return False
    if out.at[row, "status"] == SUPPRESSED or not out.at[row, "numerator"] > 0:
        return False
    _suppress(out, out.index == row)
    return True


def _protect_single_denominator(out: pd.DataFrame, group: pd.DataFrame) -> bool:
    candidates = _visible_candidates(group, "denominator")
    if not len(candidates):
        return False
    chosen = out.index == candidates.index[0]
    _suppress(out, chosen)
    out.loc[chosen, "denominator"] = np.nan
    return True
