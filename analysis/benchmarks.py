"""Statistical-neighbour figures, ranks and quartile bands (the rules of DfE's LAIT).

- The neighbour figure is the simple (unweighted) mean of the neighbours that have a value.
  LAIT does this because neighbours are chosen for likeness, not size; weighting by
  population would let one big neighbour dominate.
- Rank 1 is the best authority given the indicator's polarity; ties share the best rank
  they span ("min" ranking, as in competition rankings 1, 2, 2, 4).
- Quartile bands divide the ranked authorities into four: band A holds the best quarter,
  then B, C, and D the worst quarter. Rank r among n falls in band floor(4 (r - 1) / n) + 1,
  so with 152 authorities ranks 1-38 are A and 115-152 are D, and a lone authority is A.
  For indicators without a polarity the ranking is by value, highest first, and the bands
  say so: "A (highest)", "B", "C", "D (lowest)".
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import pandas as pd

BANDS = ("A", "B", "C", "D")
NO_JUDGEMENT_BANDS = ("A (highest)", "B", "C", "D (lowest)")
BAND_MEANINGS: dict[str, str] = {
    "A": "best quarter of authorities",
    "B": "second quarter",
    "C": "third quarter",
    "D": "worst quarter of authorities",
    "A (highest)": "highest quarter of authorities",
    "D (lowest)": "lowest quarter of authorities",
}
NOT_RANKED = "not ranked"


def neighbour_mean(values: pd.Series, neighbour_codes: Iterable[str]) -> float:
    """Simple mean of the neighbours' values that are present; NaN if none has a value.

    ``values`` is indexed by area code (one value per area, same indicator and period).
    """
    codes = [code for code in neighbour_codes if code in values.index]
    present = pd.to_numeric(values.loc[codes], errors="coerce").dropna()
    return float(present.mean()) if len(present) else math.nan


def _check_rankable(values: pd.Series, polarity: str) -> None:
    if polarity not in ("high_is_good", "low_is_good", "no_judgement"):
        raise ValueError(f"unknown polarity {polarity!r}")
    if values.index.has_duplicates:
        raise ValueError("values must hold one value per area code")


def ranks_and_quartiles(values: pd.Series, polarity: str) -> pd.DataFrame:
    """:func:`rank_and_quartile` of every area at once (the explorer ranks all authorities).

    ``values`` is indexed by area code (comparable areas only, one value each). Returns a
    DataFrame on the same index with columns rank (Int64, NA where the area has no value),
    ranked (int, the count ranked) and band (text, "not ranked" where there is no value).
    """
    _check_rankable(values, polarity)
    numbers = pd.to_numeric(values, errors="coerce")
    n = int(numbers.notna().sum())
    ranks = numbers.rank(method="min", ascending=polarity == "low_is_good")
    bands = NO_JUDGEMENT_BANDS if polarity == "no_judgement" else BANDS
    band = pd.Series(NOT_RANKED, index=values.index, dtype=object)
    present = ranks.notna()
    if n:
        quartile = (4 * (ranks[present] - 1) // n).astype(int)
        band[present] = [bands[q] for q in quartile]
    return pd.DataFrame(
        {"rank": ranks.astype("Int64"), "ranked": n, "band": band}, index=values.index
    )


def rank_and_quartile(
    values: pd.Series, area_code: str, polarity: str
) -> tuple[int | None, int, str]:
    """Rank of ``area_code`` among all areas with a value, the count ranked, and its band.

    ``values`` is indexed by area code and should hold comparable areas only (for example
    all upper-tier local authorities, without England or regions). Returns
    (None, n, "not ranked") when the area has no value.
    """
    _check_rankable(values, polarity)
    present = pd.to_numeric(values, errors="coerce").dropna()
    n = len(present)
    if area_code not in present.index:
        return (None, n, NOT_RANKED)
    ascending = polarity == "low_is_good"  # low_is_good: the smallest value ranks first
    ranks = present.rank(method="min", ascending=ascending)
    rank = int(ranks.loc[area_code])
    quartile = 4 * (rank - 1) // n + 1
    bands = NO_JUDGEMENT_BANDS if polarity == "no_judgement" else BANDS
    return (rank, n, bands[quartile - 1])
