"""Journeys: cohorts followed through services, from aggregate counts only.

A journey is a small directed graph of steps (request -> assessment -> plan -> closure
reason -> came back or not). Authorities load aggregate flows between steps for each
monthly cohort and each equality breakdown value; no child-level record is ever held.

Disclosure control for flows (``protect_linked_cells``). A flow table has more structure
than a breakdown: every step's count is the sum of the flows into it and of the flows out
of it, a breakdown's values add up to the total, and a season adds up its months. Hiding
the small flows (1 to the threshold) is not enough, because a hidden flow can often be
worked out from its neighbours. So after the primary suppression we solve the system of
known sums exactly: a hidden cell is *derivable* when every solution of the linear system
of published relations gives it the same value, which is the case exactly when its unit
vector lies in the row space of the relations restricted to the hidden cells (its
component of every null-space vector is zero). While any hidden small count is
derivable, another shown cell that its derivation uses is hidden too (a hidden larger
count may be derivable: that tells nobody anything about a few children): the least wanted
first (flows between steps before the number of families at a step), then the smallest.
Finally every cell hidden only to protect another is shown again, most wanted and largest
first, whenever no small count becomes derivable by showing it; so the pattern is minimal
(no hidden cell could be shown on its own). Minimal is not always the fewest cells over
all patterns (that search is too costly), but on the small tables of
tests/unit/analysis/test_journeys_analysis.py it is, checked against every pattern.

Views are built in a fixed order so that every view of the same data hides the same cells:
a month's total table first, then the month's breakdown (total fixed), then a season's
total (months fixed), then the season's breakdown (everything before fixed). Differencing
two views (a season and two of its months, a breakdown value and the total) therefore
gives nothing the relations above did not already cover.

Known limit (as for any cell suppression): bounds are not protected. Two primary-suppressed
cells that add up to 2 must both be 1. The threshold is a setting for that reason.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
from scipy.linalg import eigh

SUPPRESSED = "c"
TOTAL = "total"

# --- the Early Help journey ---------------------------------------------------------------


@dataclass(frozen=True)
class Journey:
    """Steps in display order with their layer and label, and the transitions allowed."""

    name: str
    steps: tuple[tuple[str, int, str], ...]  # (step, layer, label)
    edges: tuple[tuple[str, str], ...]
    # Derived cells shown in the table: (name, label, parts that add up to it)
    derived: tuple[tuple[str, str, tuple[str, ...]], ...] = field(default=())

    @property
    def step_names(self) -> tuple[str, ...]:
        return tuple(s for s, _, _ in self.steps)

    @property
    def root(self) -> str:
        return self.steps[0][0]

    def label(self, step: str) -> str:
        return {s: lab for s, _, lab in self.steps}.get(step, step)

    def layer(self, step: str) -> int:
        return {s: lay for s, lay, _ in self.steps}[step]


_CLOSURES = (
    "needs_met",
    "stepped_down_universal",
    "declined_disengaged",
    "stepped_up_csc",
)
_RETURNS = ("back_within_3m", "back_4_6m", "back_7_12m", "not_back_12m")

EARLY_HELP = Journey(
    name="early_help",
    steps=(
        ("request", 0, "Request for Early Help"),
        ("assessment_started", 1, "Assessment started"),
        ("no_assessment", 1, "No assessment"),
        ("plan", 2, "Early Help plan"),
        ("no_plan", 2, "Assessment only, no plan"),
        ("needs_met", 3, "Closed: needs met"),
        ("stepped_down_universal", 3, "Closed: stepped down to universal services"),
        ("declined_disengaged", 3, "Closed: declined or disengaged"),
        ("stepped_up_csc", 3, "Stepped up to children's social care"),
        ("still_open", 3, "Still open"),
        ("back_within_3m", 4, "Came back within 3 months"),
        ("back_4_6m", 4, "Came back in months 4 to 6"),
        ("back_7_12m", 4, "Came back in months 7 to 12"),
        ("not_back_12m", 4, "Did not come back within 12 months"),
    ),
    edges=(
        ("request", "assessment_started"),
        ("request", "no_assessment"),
        ("assessment_started", "plan"),
        ("assessment_started", "no_plan"),
        *[("plan", c) for c in (*_CLOSURES, "still_open")],
        *[("no_plan", c) for c in (*_CLOSURES, "still_open")],
        *[("no_assessment", c) for c in (*_CLOSURES, "still_open")],
        *[(c, r) for c in _CLOSURES for r in _RETURNS],
    ),
    derived=(
        ("back_within_6m", "Came back within 6 months", ("back_within_3m", "back_4_6m")),
        ("back_within_12m", "Came back within 12 months", ("back_within_6m", "back_7_12m")),
    ),
)

# Equality breakdowns are shown on a shorter journey: the plan layer folded into
# "assessment started" and the three return bands into one. Groups are small, and the
# full journey would be mostly suppressed.
EARLY_HELP_SUMMARY = Journey(
    name="early_help_summary",
    steps=(
        ("request", 0, "Request for Early Help"),
        ("assessment_started", 1, "Assessment started"),
        ("no_assessment", 1, "No assessment"),
        ("needs_met", 2, "Closed: needs met"),
        ("stepped_down_universal", 2, "Closed: stepped down to universal services"),
        ("declined_disengaged", 2, "Closed: declined or disengaged"),
        ("stepped_up_csc", 2, "Stepped up to children's social care"),
        ("still_open", 2, "Still open"),
        ("came_back_12m", 3, "Came back within 12 months"),
        ("not_back_12m", 3, "Did not come back within 12 months"),
    ),
    edges=(
        ("request", "assessment_started"),
        ("request", "no_assessment"),
        *[("assessment_started", c) for c in (*_CLOSURES, "still_open")],
        *[("no_assessment", c) for c in (*_CLOSURES, "still_open")],
        *[(c, r) for c in _CLOSURES for r in ("came_back_12m", "not_back_12m")],
    ),
)
# Fine step -> the summary step it folds into.
SUMMARY_STEP = {
    "plan": "assessment_started",
    "no_plan": "assessment_started",
    "back_within_3m": "came_back_12m",
    "back_4_6m": "came_back_12m",
    "back_7_12m": "came_back_12m",
}

JOURNEYS: dict[str, Journey] = {EARLY_HELP.name: EARLY_HELP}


def summarise_flows(flows: pd.DataFrame) -> pd.DataFrame:
    """Fine Early Help flows (columns step, next_step, count, and any others to group by)
    folded onto the summary journey; flows inside a folded step disappear."""
    out = flows.copy()
    out["step"] = out["step"].map(lambda s: SUMMARY_STEP.get(s, s))
    out["next_step"] = out["next_step"].map(lambda s: SUMMARY_STEP.get(s, s))
    out = out[out["step"] != out["next_step"]]
    keys = [c for c in out.columns if c != "count"]
    return out.groupby(keys, as_index=False, sort=False)["count"].sum()


# --- the disclosure engine ------------------------------------------------------------------


Relation = tuple[int, tuple[int, ...]]  # cell[total] == sum(cell[parts])


def _relation_matrix(n_cells: int, relations: Sequence[Relation]) -> np.ndarray:
    matrix = np.zeros((len(relations), n_cells))
    for row, (total, parts) in enumerate(relations):
        matrix[row, total] += 1.0
        for part in parts:
            matrix[row, part] -= 1.0
    return matrix


def derivable_cells(
    hidden: np.ndarray, relations: Sequence[Relation], matrix: np.ndarray | None = None
) -> np.ndarray:
    """Positions of hidden cells whose value follows from the visible cells and the relations.

    ``hidden`` is a boolean array over all cells. A hidden cell is derivable when its
    component is zero in every vector of the null space of the relation matrix restricted
    to the hidden cells (then all solutions agree on it). The system splits into
    independent blocks (hidden cells linked through relations), solved one at a time.
    """
    positions = np.flatnonzero(hidden)
    if not len(positions) or not relations:
        return np.array([], dtype=int)
    if matrix is None:
        matrix = _relation_matrix(len(hidden), relations)
    sub = matrix[:, positions]
    sub = sub[np.any(sub != 0, axis=1)]
    if not len(sub):
        return np.array([], dtype=int)
    exposed: list[np.ndarray] = []
    for rows, columns in _blocks(sub):
        basis = _null_space(sub[np.ix_(rows, columns)])
        if basis.shape[1] == 0:
            exposed.append(positions[columns])
            continue
        free = np.linalg.norm(basis, axis=1) > 1e-6
        exposed.append(positions[columns][~free])
    return np.concatenate(exposed) if exposed else np.array([], dtype=int)


def _null_space(block: np.ndarray) -> np.ndarray:
    """Orthonormal basis of the null space, from the small Gram matrix (columns x columns).

    The relation matrices hold small integers, so squaring the condition number is
    harmless, and asking LAPACK only for the eigenvalues near zero is far quicker than a
    full SVD of a tall matrix.
    """
    gram = block.T @ block
    # Gershgorin: no eigenvalue exceeds the largest absolute row sum.
    scale = max(1.0, float(np.abs(gram).sum(axis=1).max()))
    limit = 1e-9 * scale
    try:
        _, vectors = eigh(gram, subset_by_value=(-np.inf, limit), driver="evr")
    except np.linalg.LinAlgError:
        # LAPACK's dsyevr occasionally stops with "Internal Error" on a valid matrix (seen
        # on a random 20-request journey): the full decomposition always answers.
        values, every = eigh(gram)
        vectors = every[:, values <= limit]
    return vectors


def _blocks(sub: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Row and column sets of the independent blocks of a relation matrix."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n_rows, n_cols = sub.shape
    r, c = np.nonzero(sub)
    # Bipartite graph: rows are nodes 0..n_rows-1, columns n_rows..n_rows+n_cols-1.
    graph = coo_matrix((np.ones(len(r)), (r, c + n_rows)), shape=(n_rows + n_cols, n_rows + n_cols))
    _, labels = connected_components(graph, directed=False)
    blocks = []
    for label in np.unique(labels[n_rows:]):
        rows = np.flatnonzero(labels[:n_rows] == label)
        cols = np.flatnonzero(labels[n_rows:] == label)
        blocks.append((rows, cols))
    return blocks


def protect_linked_cells(
    counts: np.ndarray,
    relations: Sequence[Relation],
    threshold: int = 5,
    fixed: np.ndarray | None = None,
    fixed_hidden: np.ndarray | None = None,
    auxiliary: np.ndarray | None = None,
    protect: np.ndarray | None = None,
    keep: np.ndarray | None = None,
) -> np.ndarray:
    """Which cells to hide so that no count from 1 to ``threshold`` is shown or derivable,
    hiding no more than that needs.

    Takes the counts of every cell (a flat array), the relations between them
    (``(total, parts)`` position tuples: cell[total] == sum of cell[parts]) and,
    optionally, cells whose hidden-or-shown status was decided earlier (``fixed``, with
    ``fixed_hidden`` saying which of those are hidden): they are never changed.
    ``auxiliary`` cells are never shown and need no protection (for example the sums that
    link two layouts of one table): they are unknowns of the system, nothing more.
    ``protect`` marks hidden cells that must stay impossible to work out even though they
    are not small (they hide small counts of another table).
    ``keep`` ranks cells by how much showing them matters (higher is hidden later and shown
    again first; for example a step's count over a flow between steps).

    Two passes. The first hides, for each small count that is shown or can be worked out,
    the smallest shown cell its derivation uses (``keep`` first, then the count). The
    second makes the pattern minimal: each cell hidden by the first pass is shown again,
    most wanted first (``keep``, then the largest count), whenever no small count becomes
    derivable by doing so. The result hides no cell that could be shown on its own.
    Returns a boolean array, True for hidden cells. Zero is never hidden for being small.
    """
    counts = np.asarray(counts, dtype=float)
    rank = np.zeros(len(counts)) if keep is None else np.asarray(keep, dtype=float)
    fixed = np.zeros(len(counts), dtype=bool) if fixed is None else np.asarray(fixed, bool)
    fixed_hidden = (
        np.zeros(len(counts), dtype=bool) if fixed_hidden is None else np.asarray(fixed_hidden)
    )
    auxiliary = (
        np.zeros(len(counts), dtype=bool) if auxiliary is None else np.asarray(auxiliary, bool)
    )
    fixed = fixed | auxiliary
    hidden = (fixed & fixed_hidden) | auxiliary
    small = (counts > 0) & (counts <= threshold)
    hidden |= ~fixed & small
    primary = hidden.copy()
    # Only small counts need protecting: a hidden larger count that can be worked out
    # reveals nothing about a few children (a chain to a small one is still caught).
    sensitive = small & hidden & ~auxiliary
    if protect is not None:
        sensitive |= np.asarray(protect, bool) & hidden
    neighbours = _neighbour_lists(len(counts), relations)
    members = [np.array([total, *parts]) for total, parts in relations]
    matrix = _relation_matrix(len(counts), relations)

    def pick(cells: np.ndarray) -> int:
        # Non-zero before zero (a zero protects nothing new), then the least wanted, then
        # the smallest.
        return int(min(cells, key=lambda n: (counts[n] <= 0, rank[n], counts[n], n)))

    while True:
        # Cheap first: no relation may have exactly one hidden cell.
        _cover_lone_cells(hidden, fixed, members, sensitive, pick)
        exposed = derivable_cells(hidden, relations, matrix)
        exposed = exposed[sensitive[exposed]]
        if not len(exposed):
            secondary = ~primary & ~fixed
            return _show_again(hidden, secondary, sensitive, counts, rank, relations, matrix)
        extra = set(_covers(exposed, hidden, fixed, matrix, pick))
        if not extra:
            extra = {_cover(cell, hidden, fixed, neighbours, pick) for cell in exposed} - {-1}
        if not extra:
            # Nothing that the exposed cells are worked out from can be hidden: hide every
            # free cell that shares a relation with any hidden cell (terminates: cells only
            # get hidden).
            extra = {n for cell in np.flatnonzero(hidden) for n in neighbours[cell]} - set(
                np.flatnonzero(hidden | fixed)
            )
            if not extra:
                return hidden
        hidden[list(extra)] = True


def _show_again(
    hidden: np.ndarray,
    secondary: np.ndarray,
    sensitive: np.ndarray,
    counts: np.ndarray,
    rank: np.ndarray,
    relations: Sequence[Relation],
    matrix: np.ndarray,
) -> np.ndarray:
    """``hidden`` with every secondary cell shown again that can be: most wanted first, then
    the largest. A cell stays hidden only if showing it would let a sensitive cell be
    worked out, so no single hidden secondary cell is superfluous at the end."""
    candidates = [int(c) for c in np.flatnonzero(hidden & secondary)]
    candidates.sort(key=lambda n: (-rank[n], -counts[n], n))
    for cell in candidates:
        hidden[cell] = False
        if _exposes(hidden, sensitive, relations, matrix):
            hidden[cell] = True
    return hidden


def _exposes(
    hidden: np.ndarray, sensitive: np.ndarray, relations: Sequence[Relation], matrix: np.ndarray
) -> bool:
    """Whether any hidden sensitive cell can be worked out from the shown cells."""
    positions = np.flatnonzero(hidden)
    if not len(positions):
        return False
    # A relation with exactly one hidden cell gives it away at once (the cheap test).
    sub = matrix[:, positions] != 0
    lone_rows = np.flatnonzero(sub.sum(axis=1) == 1)
    if len(lone_rows) and sensitive[positions[np.nonzero(sub[lone_rows])[1]]].any():
        return True
    exposed = derivable_cells(hidden, relations, matrix)
    return bool(sensitive[exposed].any())


def _covers(
    exposed: np.ndarray,
    hidden: np.ndarray,
    fixed: np.ndarray,
    matrix: np.ndarray,
    pick: Callable[[np.ndarray], int],
) -> list[int]:
    """For each exposed cell, the smallest free shown cell its value is worked out from.

    A derivable hidden cell j satisfies e_j = y^T A on the hidden columns for some
    combination y of relations; the shown cells with a non-zero weight in y^T A are the
    figures the derivation uses. Hiding one of them breaks that derivation.
    """
    positions = np.flatnonzero(hidden)
    column = {p: k for k, p in enumerate(positions)}
    targets = np.zeros((len(positions), len(exposed)))
    for k, cell in enumerate(exposed):
        targets[column[cell], k] = 1.0
    weights, *_ = np.linalg.lstsq(matrix[:, positions].T, targets, rcond=None)
    used = weights.T @ matrix  # one row per exposed cell, over all cells
    free = ~hidden & ~fixed
    picks = []
    for row in used:
        inputs = np.flatnonzero((np.abs(row) > 1e-7) & free)
        if len(inputs):
            picks.append(pick(inputs))
    return picks


def _cover_lone_cells(
    hidden: np.ndarray,
    fixed: np.ndarray,
    members: list[np.ndarray],
    sensitive: np.ndarray,
    pick: Callable[[np.ndarray], int],
) -> None:
    """Hide the smallest free cell of every relation whose only hidden cell is a small
    count (it would equal the relation's total minus the shown cells)."""
    changed = True
    while changed:
        changed = False
        for cells in members:
            lone = cells[hidden[cells]]
            if len(lone) != 1 or not sensitive[lone[0]]:
                continue
            free = cells[~hidden[cells] & ~fixed[cells]]
            if not len(free):
                continue
            hidden[pick(free)] = True
            changed = True


def _neighbour_lists(n_cells: int, relations: Sequence[Relation]) -> list[set[int]]:
    neighbours: list[set[int]] = [set() for _ in range(n_cells)]
    for total, parts in relations:
        members = {total, *parts}
        for member in members:
            neighbours[member] |= members - {member}
    return neighbours


def _cover(
    cell: int,
    hidden: np.ndarray,
    fixed: np.ndarray,
    neighbours: list[set[int]],
    pick: Callable[[np.ndarray], int],
    max_depth: int = 4,
) -> int:
    """The smallest shown cell that may be hidden, nearest to ``cell``, or -1.

    Searches outwards through cells that cannot be hidden (already hidden, or fixed): the
    relations that expose a cell run through them.
    """
    seen = {cell}
    frontier = {cell}
    for _ in range(max_depth):
        around = {n for c in frontier for n in neighbours[c]} - seen
        candidates = [n for n in around if not hidden[n] and not fixed[n]]
        if candidates:
            return pick(np.array(candidates))
        seen |= around
        frontier = around
        if not frontier:
            break
    return -1


# --- flow tables as cells -------------------------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    """Where each edge, step and derived figure of one flow table sits in a cell vector."""

    journey: Journey

    @property
    def names(self) -> list[tuple[str, str, str]]:
        """(kind, a, b): ('edge', step, next_step), ('step', step, ''), ('derived', name, '')."""
        return (
            [("edge", a, b) for a, b in self.journey.edges]
            + [("step", s, "") for s in self.journey.step_names]
            + [("derived", d, "") for d, _, _ in self.journey.derived]
        )

    @property
    def size(self) -> int:
        return len(self.journey.edges) + len(self.journey.steps) + len(self.journey.derived)

    def index(self) -> dict[tuple[str, str, str], int]:
        return {name: i for i, name in enumerate(self.names)}

    def keep(self) -> np.ndarray:
        """How much showing each cell matters: the people at each step (and the derived
        figures) before the flows between steps, which are hidden first."""
        return np.array([0.0 if kind == "edge" else 1.0 for kind, _, _ in self.names])

    def vector(self, flows: pd.DataFrame) -> np.ndarray:
        """Cell values of one table from flow rows (columns step, next_step, count)."""
        edge_count = {
            (a, b): float(c)
            for a, b, c in zip(flows["step"], flows["next_step"], flows["count"], strict=True)
        }
        edges = np.array([edge_count.get(e, 0.0) for e in self.journey.edges])
        values = dict(zip(self.journey.edges, edges, strict=True))
        steps = [_step_count(self.journey, s, values) for s in self.journey.step_names]
        step_values = dict(zip(self.journey.step_names, steps, strict=True))
        derived = []
        for name, _, parts in self.journey.derived:
            step_values[name] = sum(step_values[p] for p in parts)
            derived.append(step_values[name])
        return np.concatenate([edges, np.array(steps), np.array(derived)])

    def relations(self, offset: int) -> list[Relation]:
        """Every step equals the sum of its flows in and the sum of its flows out."""
        index = self.index()
        relations: list[Relation] = []
        for step in self.journey.step_names:
            total = offset + index[("step", step, "")]
            outgoing = [index[("edge", a, b)] for a, b in self.journey.edges if a == step]
            incoming = [index[("edge", a, b)] for a, b in self.journey.edges if b == step]
            for parts in (outgoing, incoming):
                if parts:
                    relations.append((total, tuple(offset + p for p in parts)))
        derived_names = {d for d, _, _ in self.journey.derived}
        for name, _, parts in self.journey.derived:
            positions = tuple(
                offset + index[("derived" if p in derived_names else "step", p, "")] for p in parts
            )
            relations.append((offset + index[("derived", name, "")], positions))
        return relations


def _step_count(journey: Journey, step: str, edges: dict[tuple[str, str], float]) -> float:
    """People at a step: the flows into it, or for the first step the flows out of it."""
    incoming = [v for (a, b), v in edges.items() if b == step]
    if incoming:
        return float(sum(incoming))
    return float(sum(v for (a, b), v in edges.items() if a == step))


def _stack_relations(layout: _Layout, tables: int) -> list[Relation]:
    return [r for t in range(tables) for r in layout.relations(t * layout.size)]


def _sum_relations(layout: _Layout, total_table: int, part_tables: Sequence[int]) -> list[Relation]:
    """Cell by cell: the total table is the sum of the part tables."""
    size = layout.size
    return [(total_table * size + k, tuple(t * size + k for t in part_tables)) for k in range(size)]


# --- building a view ------------------------------------------------------------------------


@dataclass
class JourneyView:
    """A suppressed flow table ready to show: flows, steps and derived figures.

    ``flows``: step, next_step, step_label, next_label, count (NaN when hidden), status
    ("c" or None), share (percent of the cohort, NaN when hidden).
    ``steps``: step, label, layer, count, status, share (derived figures included, with
    layer -1). ``cohort_size`` is the first step's count (NaN when hidden).
    """

    flows: pd.DataFrame
    steps: pd.DataFrame
    cohort_size: float
    cohorts: list[date]
    breakdown: str
    breakdown_value: str


def _table(counts: pd.DataFrame, cohort: date, value: str) -> pd.DataFrame:
    rows = counts[(counts["cohort_start"] == cohort) & (counts["breakdown_value"] == value)]
    return rows.groupby(["step", "next_step"], as_index=False)["count"].sum()


def _breakdown_values(counts: pd.DataFrame, breakdown: str) -> list[str]:
    return sorted(counts.loc[counts["breakdown"] == breakdown, "breakdown_value"].unique())


class _Protector:
    """Hidden-cell patterns in a fixed order (months, then seasons, then a season's
    breakdown), each decided once, so every view of the same data hides the same cells."""

    def __init__(self, counts: pd.DataFrame, threshold: int) -> None:
        self.counts = counts
        self.fine = _Layout(EARLY_HELP)
        self.summary = _Layout(EARLY_HELP_SUMMARY)
        self.threshold = threshold

    def month_total(self, cohort: date) -> tuple[np.ndarray, np.ndarray]:
        totals = self.counts[self.counts["breakdown"] == TOTAL]
        vector = self.fine.vector(_table(totals, cohort, TOTAL))
        hidden = protect_linked_cells(
            vector, self.fine.relations(0), self.threshold, keep=self.fine.keep()
        )
        return vector, hidden

    def _months_and_season(
        self, cohorts: list[date]
    ) -> tuple[np.ndarray, list[Relation], np.ndarray, np.ndarray]:
        """Cells, relations and fixed pattern of the months' tables and their sum."""
        months = [self.month_total(c) for c in cohorts]
        n = len(months)
        vector = np.concatenate([v for v, _ in months] + [np.sum([v for v, _ in months], 0)])
        relations = _stack_relations(self.fine, n + 1) + _sum_relations(self.fine, n, range(n))
        fixed = np.zeros(len(vector), dtype=bool)
        fixed[: n * self.fine.size] = True
        fixed_hidden = np.zeros(len(vector), dtype=bool)
        fixed_hidden[: n * self.fine.size] = np.concatenate([h for _, h in months])
        return vector, relations, fixed, fixed_hidden

    def season_total(self, cohorts: list[date]) -> tuple[np.ndarray, np.ndarray]:
        if len(cohorts) == 1:
            return self.month_total(cohorts[0])
        vector, relations, fixed, fixed_hidden = self._months_and_season(cohorts)
        keep = np.tile(self.fine.keep(), len(cohorts) + 1)
        hidden = protect_linked_cells(
            vector, relations, self.threshold, fixed, fixed_hidden, keep=keep
        )
        return vector[-self.fine.size :], hidden[-self.fine.size :]

    def season_breakdown(
        self, cohorts: list[date], breakdown: str, values: list[str]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Step counts of the summary journey for each value, with their pattern.

        A breakdown shows how many of each group reached each step (no flows between
        steps: with flows, the tables of small groups are linked in so many ways that
        protecting them hides nearly everything). The steps of the whole population are
        fixed first (hidden wherever they add up a hidden cell of the season's full table),
        then the values' steps are protected against them. The result is checked against
        the months' and the season's full tables; if anything could still be worked out,
        every value cell under a hidden whole-population step is hidden too, and as a last
        resort every value cell.
        """
        fine_vector, fine_relations, fine_fixed, fine_hidden = self._months_and_season(cohorts)
        fine_hidden[-self.fine.size :] = self.season_total(cohorts)[1]
        fine_fixed[-self.fine.size :] = True
        season_offset = len(fine_vector) - self.fine.size
        links = [
            (cell, tuple(season_offset + p for p in parts))
            for cell, parts in _step_links(self.fine)
        ]
        data = self.counts[
            (self.counts["breakdown"] == breakdown) & self.counts["cohort_start"].isin(cohorts)
        ]
        data = summarise_flows(data[["breakdown_value", "step", "next_step", "count"]])
        data = data.assign(cohort_start=cohorts[0])
        parts = [_step_vector(_table(data, cohorts[0], v)) for v in values]
        total = np.sum(parts, axis=0)
        size = len(SUMMARY_STEPS)
        # Hidden cells of the full tables that can be worked out anyway are public in
        # effect; the others must stay unknown, so the summary steps adding them up too.
        unknown_fine = fine_hidden & fine_fixed
        unknown_fine[derivable_cells(unknown_fine, fine_relations)] = False
        must_hide = np.array([any(unknown_fine[p] for p in ps) for _, ps in links])
        total_hidden = protect_linked_cells(
            total, _step_relations(0), self.threshold, must_hide, must_hide, protect=must_hide
        )
        vector = np.concatenate([total, *parts])
        relations = [r for t in range(len(values) + 1) for r in _step_relations(t * size)] + [
            (k, tuple(t * size + k for t in range(1, len(values) + 1))) for k in range(size)
        ]
        fixed = np.zeros(len(vector), dtype=bool)
        fixed[:size] = True
        start_hidden = np.zeros(len(vector), dtype=bool)
        start_hidden[:size] = total_hidden
        for attempt in range(3):
            if attempt == 1:  # value cells hidden wherever the whole population's are
                start_hidden[size:] |= np.tile(total_hidden, len(values))
            if attempt == 2:  # last resort: no value cell is shown
                start_hidden[size:] = vector[size:] != 0
                fixed[size:] = True
            hidden = protect_linked_cells(
                vector, relations, self.threshold, fixed, start_hidden, protect=start_hidden
            )
            joint = list(fine_relations) + _shift(links, 0, len(fine_vector))
            joint += _shift(relations, len(fine_vector), len(fine_vector))
            unknown = np.concatenate([fine_hidden & fine_fixed, np.ones(size, bool), hidden[size:]])
            exposed = derivable_cells(unknown, joint)
            counts = np.concatenate([fine_vector, vector])[exposed]
            small = (counts > 0) & (counts <= self.threshold)
            outside = (exposed < len(fine_vector)) | (exposed >= len(fine_vector) + size)
            if not (small & outside).any():
                break
        return vector, hidden


SUMMARY_STEPS = tuple(s for s, _, _ in EARLY_HELP_SUMMARY.steps)


def _step_vector(flows: pd.DataFrame) -> np.ndarray:
    """People at each summary step, from summary flows."""
    layout = _Layout(EARLY_HELP_SUMMARY)
    vector = layout.vector(flows)
    return vector[len(EARLY_HELP_SUMMARY.edges) :]


def _step_relations(offset: int) -> list[Relation]:
    """Requests split by assessment, by closure, and by coming back (everyone closed either
    came back within 12 months or did not; still-open episodes do neither)."""
    k = {s: offset + i for i, s in enumerate(SUMMARY_STEPS)}
    closures = ("needs_met", "stepped_down_universal", "declined_disengaged", "stepped_up_csc")
    return [
        (k["request"], (k["assessment_started"], k["no_assessment"])),
        (k["request"], tuple(k[c] for c in (*closures, "still_open"))),
        (k["request"], (k["still_open"], k["came_back_12m"], k["not_back_12m"])),
    ]


def _step_links(fine: _Layout) -> list[tuple[int, tuple[int, ...]]]:
    """Each summary step as a sum of cells of the full table (positions in ``fine``)."""
    index = fine.index()
    links = []
    for i, step in enumerate(SUMMARY_STEPS):
        if step == "came_back_12m":
            parts = [index[("derived", "back_within_12m", "")]]
        else:
            parts = [index[("step", step, "")]]
        links.append((i, tuple(parts)))
    return links


def _shift(relations: list[Relation], fine_offset: int, summary_offset: int) -> list[Relation]:
    """Move link relations: the total (a summary cell) by ``summary_offset``, parts (fine
    cells) by ``fine_offset``."""
    return [
        (total + summary_offset, tuple(p + fine_offset for p in parts))
        for total, parts in relations
    ]


def journey_view(
    counts: pd.DataFrame,
    cohorts: Sequence[date],
    breakdown: str = TOTAL,
    breakdown_value: str = TOTAL,
    threshold: int = 5,
) -> JourneyView:
    """The Early Help flow table of one or more monthly cohorts, small flows protected.

    Takes journey counts for one area (columns cohort_start, step, next_step, breakdown,
    breakdown_value, count) and the cohorts (first days of months) to show together. The
    whole population gets the full journey; a breakdown value gets the summary journey
    (``EARLY_HELP_SUMMARY``). Returns a :class:`JourneyView`; hidden cells carry NaN and
    status "c". The same data always give the same hidden cells, whichever view is asked
    for first, and no hidden cell can be worked out from any combination of views.
    """
    cohorts = sorted(set(cohorts))
    if not cohorts:
        raise ValueError("choose at least one cohort")
    if len(cohorts) > 1 and not is_season(cohorts):
        # Only months and whole seasons: overlapping groups could be differenced.
        raise ValueError("cohorts are shown one month at a time or as a whole season")
    if breakdown != TOTAL and len(cohorts) == 1:
        raise ValueError("equality breakdowns are shown for a season (three months) at a time")
    protector = _Protector(counts, threshold)
    if breakdown == TOTAL:
        vector, hidden = protector.season_total(cohorts)
        return _view_frames(protector.fine, vector, hidden, cohorts, TOTAL, TOTAL)
    values = _breakdown_values(counts, breakdown)
    if breakdown_value not in values:
        raise ValueError(f"no {breakdown} value {breakdown_value!r} in these counts")
    vector, hidden = protector.season_breakdown(cohorts, breakdown, values)
    size = len(SUMMARY_STEPS)
    table = values.index(breakdown_value) + 1
    own = slice(table * size, (table + 1) * size)
    return _step_view(vector[own], hidden[own], cohorts, breakdown, breakdown_value)


def _step_view(
    vector: np.ndarray, hidden: np.ndarray, cohorts: list[date], breakdown: str, value: str
) -> JourneyView:
    """A breakdown value's view: people at each summary step, no flows."""
    shown = np.where(hidden, np.nan, vector)
    root = shown[0]
    steps = pd.DataFrame(
        {
            "step": list(SUMMARY_STEPS),
            "label": [EARLY_HELP_SUMMARY.label(s) for s in SUMMARY_STEPS],
            "layer": [EARLY_HELP_SUMMARY.layer(s) for s in SUMMARY_STEPS],
            "count": shown,
            "status": [SUPPRESSED if h else None for h in hidden],
            "share": 100.0 * shown / root if root and not np.isnan(root) else np.nan,
        }
    )
    flows = pd.DataFrame(
        columns=["step", "next_step", "step_label", "next_label", "count", "status", "share"]
    )
    return JourneyView(flows, steps, float(root), cohorts, breakdown, value)


def _view_frames(
    layout: _Layout,
    vector: np.ndarray,
    hidden: np.ndarray,
    cohorts: list[date],
    breakdown: str,
    breakdown_value: str,
) -> JourneyView:
    journey = layout.journey
    shown = np.where(hidden, np.nan, vector)
    index = layout.index()
    root = shown[index[("step", journey.root, "")]]

    def share(value: float) -> float:
        if np.isnan(value) or np.isnan(root) or root <= 0:
            return np.nan
        return 100.0 * value / root

    def status(position: int) -> str | None:
        return SUPPRESSED if hidden[position] else None

    flows = pd.DataFrame(
        [
            {
                "step": a,
                "next_step": b,
                "step_label": journey.label(a),
                "next_label": journey.label(b),
                "count": shown[index[("edge", a, b)]],
                "status": status(index[("edge", a, b)]),
                "share": share(shown[index[("edge", a, b)]]),
            }
            for a, b in journey.edges
        ]
    )
    step_rows = [
        {
            "step": s,
            "label": label,
            "layer": layer,
            "count": shown[index[("step", s, "")]],
            "status": status(index[("step", s, "")]),
            "share": share(shown[index[("step", s, "")]]),
        }
        for s, layer, label in journey.steps
    ] + [
        {
            "step": name,
            "label": label,
            "layer": -1,
            "count": shown[index[("derived", name, "")]],
            "status": status(index[("derived", name, "")]),
            "share": share(shown[index[("derived", name, "")]]),
        }
        for name, label, _ in journey.derived
    ]
    # Flows that never happen (0, shown) are left out of the flow list but kept as steps.
    flows = flows[~((flows["count"] == 0) & flows["status"].isna())].reset_index(drop=True)
    return JourneyView(
        flows=flows,
        steps=pd.DataFrame(step_rows),
        cohort_size=float(root),
        cohorts=cohorts,
        breakdown=breakdown,
        breakdown_value=breakdown_value,
    )


# --- cohorts and seasons --------------------------------------------------------------------

SEASONS = (("Spring", (3, 4, 5)), ("Summer", (6, 7, 8)), ("Autumn", (9, 10, 11)))


def month_label(day: date) -> str:
    return day.strftime("%b %Y")


def season_of(day: date) -> tuple[str, date]:
    """The season a month belongs to and the first day of that season.

    Winter runs December to February and is named after its December ("Winter 2024/25").
    """
    for name, months in SEASONS:
        if day.month in months:
            return f"{name} {day.year}", date(day.year, months[0], 1)
    year = day.year if day.month == 12 else day.year - 1
    return f"Winter {year}/{(year + 1) % 100:02d}", date(year, 12, 1)


def is_season(cohorts: Sequence[date]) -> bool:
    """True for exactly the three months of one season."""
    months = sorted(set(cohorts))
    return len(months) == 3 and len({season_of(m) for m in months}) == 1


def cohort_choices(cohort_starts: Sequence[date]) -> list[dict[str, object]]:
    """Options for a cohort picker: each complete season (three months present) and each
    month, newest first. Each option: {"label", "value" (comma-separated ISO dates),
    "months" (list of dates), "kind" ("season" or "month")}."""
    months = sorted(set(cohort_starts))
    seasons: dict[tuple[str, date], list[date]] = {}
    for month in months:
        seasons.setdefault(season_of(month), []).append(month)
    options: list[dict[str, object]] = []
    for (label, start), members in seasons.items():
        if len(members) == 3:
            options.append(
                {
                    "label": f"{label} ({month_label(members[0])} to {month_label(members[-1])})",
                    "value": ",".join(m.isoformat() for m in members),
                    "months": members,
                    "kind": "season",
                    "start": start,
                }
            )
    options += [
        {
            "label": month_label(m),
            "value": m.isoformat(),
            "months": [m],
            "kind": "month",
            "start": m,
        }
        for m in months
    ]
    # Seasons first (a manager usually asks about "last spring"), newest first.
    options.sort(key=lambda o: (o["kind"] == "season", o["start"]), reverse=True)  # type: ignore[arg-type,return-value]
    return options


# --- birth cohorts (early years) and care leaver cohorts -----------------------------------


@dataclass(frozen=True)
class AlignedStep:
    """One step of a cohort journey: the indicator, when the cohort reaches it, and how the
    disadvantaged gap is measured there."""

    indicator: str
    label: str
    period_start: object  # function of the cohort's first year -> date
    gap: str  # "fsm" (eligible minus not eligible), or a sentence saying why there is none


def _financial_year_start(year: int) -> date:
    return date(year, 4, 1)


EARLY_YEARS_STEPS: tuple[AlignedStep, ...] = (
    AlignedStep(
        "asq3_communication",
        "ASQ-3 communication at the 2 to 2½ year review (at or above the expected level)",
        # Born Sep Y to Aug Y+1: most are reviewed in the financial year from April Y+3.
        lambda y: _financial_year_start(y + 3),
        "The ASQ-3 figures are not published by disadvantage.",
    ),
    AlignedStep(
        "two_year_takeup",
        "Funded early education at age 2 (eligible children taking it up)",
        # Counted in the January census when aged 2 on 31 December: January Y+4 for the
        # two thirds of the cohort born January to August.
        lambda y: date(y + 4, 1, 1),
        "Only disadvantaged children are eligible, so the figure is itself about them.",
    ),
    AlignedStep(
        "gld",
        "Good level of development at the end of Reception",
        # Reception in the school year they turn five: September Y+5 to August Y+6.
        lambda y: date(y + 5, 9, 1),
        "fsm",
    ),
)

CARE_LEAVER_STEPS: tuple[AlignedStep, ...] = (
    AlignedStep(
        "care_leavers_eet_17_18",
        "Aged 17 to 18: in education, employment or training",
        _financial_year_start,
        "",
    ),
    AlignedStep(
        "care_leavers_eet_19_21",
        "Aged 19 to 21: in education, employment or training",
        lambda y: _financial_year_start(y + 2),
        "",
    ),
    AlignedStep(
        "care_leavers_accommodation_19_21",
        "Aged 19 to 21: in suitable accommodation",
        lambda y: _financial_year_start(y + 2),
        "",
    ),
    AlignedStep(
        "staying_put",
        "Aged 19 or 20: staying put with former foster carers",
        lambda y: _financial_year_start(y + 2),
        "",
    ),
    AlignedStep(
        "care_leavers_not_in_touch",
        "Aged 19 to 21: the authority is not in touch",
        lambda y: _financial_year_start(y + 2),
        "",
    ),
)


def birth_cohort_label(first_year: int) -> str:
    """Children born September ``first_year`` to August the next year: "2018/19"."""
    return f"{first_year}/{(first_year + 1) % 100:02d}"


def align_cohorts(
    observations: pd.DataFrame,
    first_years: Sequence[int],
    steps: Sequence[AlignedStep] = EARLY_YEARS_STEPS,
) -> pd.DataFrame:
    """Line up each cohort's figures at each step, with the disadvantaged gap where published.

    Takes observation rows for one area (columns indicator, period_label, period_start,
    breakdown, breakdown_value, numerator, denominator, value, status) and the cohorts'
    first years. Returns one row per cohort and step: cohort, first_year, position,
    indicator, step_label, period_label (None when the cohort has no figure there yet),
    value, numerator, denominator, status, gap (percentage points, disadvantaged minus the
    rest; negative = behind), gap_lower, gap_upper and gap_note.
    """
    from analysis.gaps import newcombe_difference

    obs = observations.copy()
    obs["period_start"] = pd.to_datetime(obs["period_start"]).dt.date
    rows = []
    for first_year in first_years:
        for position, step in enumerate(steps):
            start = step.period_start(first_year)
            here = obs[(obs["indicator"] == step.indicator) & (obs["period_start"] == start)]
            total = here[here["breakdown"] == TOTAL]
            row: dict[str, object] = {
                "cohort": birth_cohort_label(first_year),
                "first_year": first_year,
                "position": position,
                "indicator": step.indicator,
                "step_label": step.label,
                "period_label": None,
                "value": np.nan,
                "numerator": np.nan,
                "denominator": np.nan,
                "status": None,
                "gap": np.nan,
                "gap_lower": np.nan,
                "gap_upper": np.nan,
                "gap_note": step.gap if step.gap != "fsm" else "",
            }
            if not total.empty:
                first = total.iloc[0]
                row.update(
                    period_label=first["period_label"],
                    value=first["value"],
                    numerator=first["numerator"],
                    denominator=first["denominator"],
                    status=first["status"] if isinstance(first["status"], str) else None,
                )
            if step.gap == "fsm":
                row.update(_fsm_gap(here, newcombe_difference))
            rows.append(row)
    return pd.DataFrame(rows)


def _fsm_gap(
    here: pd.DataFrame,
    newcombe_difference: Callable[..., tuple[float, float, float]],
) -> dict[str, object]:
    fsm = here[here["breakdown"] == "fsm"].set_index("breakdown_value")
    if not {"eligible", "not_eligible"} <= set(fsm.index):
        return {"gap_note": "No figure by free school meals for this year."}
    a, b = fsm.loc["eligible"], fsm.loc["not_eligible"]
    counts = [a["numerator"], a["denominator"], b["numerator"], b["denominator"]]
    if all(pd.notna(c) for c in counts):
        diff, lower, upper = newcombe_difference(*counts)
        return {
            "gap": diff,
            "gap_lower": lower,
            "gap_upper": upper,
            "gap_note": "Children eligible for free school meals minus the rest, with a 95% "
            "interval (Newcombe).",
        }
    if pd.notna(a["value"]) and pd.notna(b["value"]):
        return {
            "gap": float(a["value"]) - float(b["value"]),
            "gap_note": "Children eligible for free school meals minus the rest; no interval "
            "because counts are not published for this year.",
        }
    return {"gap_note": "The free school meals figures are suppressed or missing this year."}


def care_leaver_cohorts(observations: pd.DataFrame, first_years: Sequence[int]) -> pd.DataFrame:
    """The care leaver journey (17-18 then 19-21 two years later) for each cohort year.

    Same columns as :func:`align_cohorts`; the cohort label is the financial year in which
    the young people were 17 to 18 ("2021-22").
    """
    table = align_cohorts(observations, first_years, CARE_LEAVER_STEPS)
    table["cohort"] = [f"{y}-{(y + 1) % 100:02d}" for y in table["first_year"]]
    table["gap_note"] = ""
    return table


# --- pathways and their costs ------------------------------------------------------------------


def pathways(journey: Journey = EARLY_HELP) -> list[tuple[str, ...]]:
    """Every route from the first step to a step with no way out, in step order."""
    outgoing: dict[str, list[str]] = {}
    for a, b in journey.edges:
        outgoing.setdefault(a, []).append(b)
    routes: list[tuple[str, ...]] = []

    def walk(route: tuple[str, ...]) -> None:
        nexts = outgoing.get(route[-1], [])
        if not nexts:
            routes.append(route)
        for step in nexts:
            walk((*route, step))

    walk((journey.root,))
    return routes
