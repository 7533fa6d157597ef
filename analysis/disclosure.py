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
``SYMBOL_MEANINGS``): a row that already carries a symbol meaning "no number" (c, k, low,
x, z) keeps it, and is not counted as protecting a neighbour; should such a row still hold
a small count, the count is blanked. "u" (low reliability) goes with a number, so a small
count marked "u" becomes "c" like any other.

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
    ``value``, ``lower_ci``, ``upper_ci``; returns the same columns and index. Suppressed
    rows have ``status`` "c", NaN numerator, value and interval, and NaN denominator when
    the denominator itself is small (or hidden to protect another small denominator).
    ``denominator_is_people=False`` leaves denominators (for example a population estimate
    used for a rate) out of the rules: neither a small denominator nor a small complement
    (denominator minus numerator) is then protected.
    """
    out = df.copy()
    out["numerator"] = pd.to_numeric(out["numerator"], errors="coerce").astype(float)
    out["denominator"] = pd.to_numeric(out["denominator"], errors="coerce").astype(float)
    for column in HIDDEN_WITH_NUMERATOR:
        if column in out:
            out[column] = pd.to_numeric(out[column], errors="coerce").astype(float)
    status = out["status"] if "status" in out else pd.Series(None, index=out.index)
    out["status"] = status.astype(object).where(status.notna(), None)
    if out.empty:
        return out

    state = _SuppressionState.from_frame(out, denominator_is_people)
    state.apply_primary(threshold)
    state.apply_secondary(_breakdown_groups(out))
    _write_back(out, state)
    return out


def _has_no_number_symbol(status: pd.Series) -> np.ndarray:
    # A column holds a handful of distinct symbols: test each once, not once per row.
    codes, symbols = pd.factorize(status)
    flags = [isinstance(s, str) and s.strip() in NO_NUMBER_SYMBOLS for s in symbols]
    # Missing statuses get code -1, which picks the trailing False.
    known: np.ndarray = np.array([*flags, False], dtype=bool)[codes]
    return known


class _SuppressionState:
    """Counts and flags as plain arrays, so the group loop stays fast on large extracts."""

    def __init__(
        self,
        numerator: np.ndarray,
        denominator: np.ndarray,
        suppressed: np.ndarray,
        other_symbol: np.ndarray,
        denominator_is_people: bool,
    ) -> None:
        self.numerator = numerator
        self.denominator = denominator
        self.suppressed = suppressed
        self.other_symbol = other_symbol  # k, low, x, z: no number, and not ours to change
        self.denominator_is_people = denominator_is_people
        # A denominator that was published (or sits on a "c" row) and is NaN at the end
        # has been hidden by us; unknown denominators give no protection.
        self.denominator_known = ~np.isnan(denominator) | suppressed
        self.hidden_denominator = np.zeros(len(numerator), dtype=bool)
        self.blanked = np.zeros(len(numerator), dtype=bool)

    @classmethod
    def from_frame(cls, out: pd.DataFrame, denominator_is_people: bool) -> _SuppressionState:
        suppressed = out["status"].eq(SUPPRESSED).to_numpy(dtype=bool, copy=True)
        return cls(
            out["numerator"].to_numpy(dtype=float, copy=True),
            out["denominator"].to_numpy(dtype=float, copy=True),
            suppressed,
            _has_no_number_symbol(out["status"]) & ~suppressed,
            denominator_is_people,
        )

    def apply_primary(self, threshold: int) -> None:
        with np.errstate(invalid="ignore"):
            small_numerator = (self.numerator > 0) & (self.numerator <= threshold)
            small_denominator = (self.denominator > 0) & (self.denominator <= threshold)
            complement = self.denominator - self.numerator
            small_complement = (complement > 0) & (complement <= threshold)
        small_denominator &= self.denominator_is_people
        small_complement &= self.denominator_is_people
        small = small_numerator | small_denominator | small_complement
        eligible = ~self.suppressed & ~self.other_symbol
        self.suppress(np.flatnonzero(eligible & small))
        self.hide_denominator(np.flatnonzero(eligible & small_denominator))
        # A row with another symbol should carry no number; if it does and it is small,
        # blank it but keep the publisher's symbol.
        self.blanked = self.other_symbol & small
        self.numerator[self.blanked] = np.nan
        blank_denominator = self.other_symbol & small_denominator
        self.hidden_denominator |= blank_denominator
        self.denominator[blank_denominator] = np.nan

    def suppress(self, positions: np.ndarray | list[int]) -> None:
        self.suppressed[positions] = True
        self.numerator[positions] = np.nan

    def hide_denominator(self, positions: np.ndarray | list[int]) -> None:
        self.suppress(positions)
        self.hidden_denominator[positions] = True
        self.denominator[positions] = np.nan

    def denominator_is_hidden(self) -> np.ndarray:
        hidden: np.ndarray = np.isnan(self.denominator) & self.denominator_known
        return hidden

    def apply_secondary(self, groups: _BreakdownGroups) -> None:
        """Suppress extra cells until no breakdown has exactly one hidden cell."""
        changed = True
        while changed:
            changed = False
            # Denominators first: the row hidden to protect a denominator usually protects
            # the numerator as well, so fewer cells are lost than the other way round.
            if self.denominator_is_people:
                for members in groups.with_exactly_one(self.denominator_is_hidden()):
                    changed |= self._protect_denominator(members)
            for gid, members in groups.with_exactly_one_id(self.suppressed):
                changed |= self._protect_numerator(members, groups.total_position[gid])

    def _protect_denominator(self, members: np.ndarray) -> bool:
        # Rows already suppressed for a small numerator often still show their
        # denominator, so they are candidates too (hiding it costs nothing more).
        with np.errstate(invalid="ignore"):
            usable = members[~self.other_symbol[members] & (self.denominator[members] > 0)]
        if not len(usable):
            return False
        self.hide_denominator([usable[np.argmin(self.denominator[usable])]])
        return True

    def _protect_numerator(self, members: np.ndarray, total_position: int) -> bool:
        with np.errstate(invalid="ignore"):
            visible = ~self.suppressed[members] & ~self.other_symbol[members]
            usable = members[visible & (self.numerator[members] > 0)]
        if len(usable):
            self.suppress([usable[np.argmin(self.numerator[usable])]])
            return True
        # Every other cell is 0 or unknown: hide the total instead, if it is still shown.
        if total_position < 0 or self.suppressed[total_position]:
            return False
        if self.other_symbol[total_position] or not self.numerator[total_position] > 0:
            return False
        self.suppress([total_position])
        return True


class _BreakdownGroups:
    """Row positions of each breakdown's cells, and of the total row they add up to."""

    def __init__(self, group_id: np.ndarray, total_position: np.ndarray) -> None:
        self.group_id = group_id  # -1 for total rows
        self.total_position = total_position  # per group; -1 when there is no total row
        cells = np.flatnonzero(group_id >= 0)
        order = cells[np.argsort(group_id[cells], kind="stable")]
        boundaries = np.flatnonzero(np.diff(group_id[order])) + 1
        self.members = np.split(order, boundaries) if len(order) else []

    def with_exactly_one_id(self, flag: np.ndarray) -> list[tuple[int, np.ndarray]]:
        cells = self.group_id >= 0
        counts = np.bincount(self.group_id[cells], weights=flag[cells], minlength=len(self.members))
        return [(int(g), self.members[g]) for g in np.flatnonzero(counts == 1)]

    def with_exactly_one(self, flag: np.ndarray) -> list[np.ndarray]:
        return [members for _, members in self.with_exactly_one_id(flag)]


def _breakdown_groups(out: pd.DataFrame) -> _BreakdownGroups:
    is_total = out["breakdown"].astype(str).eq("total").to_numpy()
    table_id = _combination_ids(out, BREAKDOWN_KEYS[:3])
    total_by_table = np.full(table_id.max() + 1, -1)
    total_by_table[table_id[is_total]] = np.flatnonzero(is_total)
    group_id = _combination_ids(out, BREAKDOWN_KEYS)
    group_id = np.where(is_total, -1, group_id)
    # Renumber cell groups 0..k-1 so they index lists and bincount directly.
    used, group_id_cells = np.unique(group_id[~is_total], return_inverse=True)
    group_id[~is_total] = group_id_cells
    total_position = np.full(len(used), -1)
    cell_positions = np.flatnonzero(~is_total)
    total_position[group_id_cells] = total_by_table[table_id[cell_positions]]
    return _BreakdownGroups(group_id, total_position)


def _combination_ids(out: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """Numbers 0..k-1, one per distinct combination of ``keys`` in ``out`` (a missing key is
    a value of its own, as in ``groupby(dropna=False)``). The same grouping as pandas'
    ``ngroup``, at a fraction of its cost on object columns."""
    ids = np.zeros(len(out), dtype=np.int64)
    for key in keys:
        codes, uniques = pd.factorize(out[key], use_na_sentinel=False)
        # Renumbered after each key, so the combined number never outgrows int64.
        ids = np.unique(ids * len(uniques) + codes, return_inverse=True)[1].reshape(-1)
    return ids


def _write_back(out: pd.DataFrame, state: _SuppressionState) -> None:
    newly = state.suppressed & ~out["status"].eq(SUPPRESSED).to_numpy(dtype=bool)
    rows = state.suppressed | state.blanked
    out["numerator"] = np.where(rows, np.nan, out["numerator"].to_numpy(dtype=float))
    for column in HIDDEN_WITH_NUMERATOR:
        if column in out:
            out[column] = np.where(rows, np.nan, out[column].to_numpy(dtype=float))
    out.loc[newly, "status"] = SUPPRESSED
    out.loc[state.hidden_denominator, "denominator"] = np.nan
