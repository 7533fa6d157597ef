"""Voice coverage: who is speaking compared with who is served.

For each group (an age band, an ethnic group, ...) the share of voice items is set against
the group's share of the service population. The representation ratio is voice share
divided by population share: 1 means heard in proportion, 0.5 means heard half as often as
the group's size suggests. A group is flagged under-represented when the ratio is below
``under_ratio`` (0.8 by default, the "four-fifths" rule of thumb used for adverse impact),
including groups with no voice at all.

Small voice counts (1 to the disclosure threshold) are suppressed in the output: the count,
the share and the ratio are NaN and ``suppressed`` is True. The under-represented flag is
still given, because hiding that a group is barely heard would defeat the purpose, and a
yes/no cannot be turned back into a count. As in disclosure control, if exactly one group is
suppressed the next-smallest group is suppressed too, so that it cannot be worked out from
the total.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

COVERAGE_COLUMNS = [
    "group",
    "voice_count",
    "voice_share",
    "population",
    "population_share",
    "representation_ratio",
    "under_represented",
    "suppressed",
]


def voice_coverage(
    voice_counts: pd.DataFrame,
    population: pd.DataFrame,
    threshold: int = 5,
    under_ratio: float = 0.8,
) -> pd.DataFrame:
    """Compare voice counts with population by group.

    Takes ``voice_counts`` with columns ``group``, ``voice_count`` and ``population`` with
    columns ``group``, ``population`` (one row per group). Every group in either frame
    appears once, in population order; a group missing from ``voice_counts`` has a voice
    count of 0. Returns ``COVERAGE_COLUMNS``; shares are percentages (0-100) of the totals.
    """
    # Population order first (it is the service's own list), then any group heard but not
    # in the population table; an outer merge would sort the groups alphabetically.
    voices = voice_counts[["group", "voice_count"]]
    merged = population[["group", "population"]].merge(voices, on="group", how="left")
    extra = voices[~voices["group"].isin(population["group"])]
    merged = pd.concat([merged, extra], ignore_index=True) if len(extra) else merged
    merged["voice_count"] = pd.to_numeric(merged["voice_count"], errors="coerce").fillna(0)
    merged["population"] = pd.to_numeric(merged["population"], errors="coerce")
    total_voice = merged["voice_count"].sum()
    total_population = merged["population"].sum()
    merged["voice_share"] = _share(merged["voice_count"], total_voice)
    merged["population_share"] = _share(merged["population"], total_population)
    population_share = merged["population_share"].where(merged["population_share"] > 0)
    merged["representation_ratio"] = merged["voice_share"] / population_share
    merged["under_represented"] = (merged["representation_ratio"] < under_ratio).astype(bool)
    merged["suppressed"] = _suppression_flags(merged["voice_count"], threshold)
    hidden = merged["suppressed"]
    merged.loc[hidden, ["voice_count", "voice_share", "representation_ratio"]] = np.nan
    return merged[COVERAGE_COLUMNS].reset_index(drop=True)


def _share(counts: pd.Series, total: float) -> pd.Series:
    if not total > 0:
        return pd.Series(np.nan, index=counts.index)
    return 100 * counts / total


def _suppression_flags(counts: pd.Series, threshold: int) -> pd.Series:
    small = (counts > 0) & (counts <= threshold)
    if small.sum() == 1:
        # One hidden count could be recovered as the total minus the others.
        others = counts[~small & (counts > 0)].sort_values(kind="stable")
        if len(others):
            small.loc[others.index[0]] = True
    return small
