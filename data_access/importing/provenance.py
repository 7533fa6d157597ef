"""Where each figure came from, and what happens when two sources give the same figure.

Every import has a *source* (``EES``, ``LAIT``, ``Fingertips``, ``Local`` by default, or
a name the analyst gives), recorded on its batch and on every observation it writes.
When a row of the file meets a stored row with the same key (``classify``):

- same figures: ``unchanged`` (and a ``confirmed`` record when the source differs);
- the same figure within the rounding of the less precise of the two, and the file's row
  no richer (counts, interval) than the stored one: ``confirmed`` from another source,
  ``unchanged`` from the same one. A value-only row never replaces a row with counts;
- the same figure and the file's row richer: ``changed`` (the richer row wins, the old
  one goes to history);
- different figures from the same source: ``changed`` (the publisher's revision);
- "x" (not available) from another source: ``unchanged`` (it does not publish the figure);
- different figures from another source: a conflict. The analyst's precedence for the
  indicator (``set_precedence``) decides: ``conflict_replaced`` when the file's source
  ranks above the stored one's, else ``conflict_kept`` (nothing is overwritten silently).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from data_access.importing.distinct import map_distinct
from data_access.models import Indicator, SourcePrecedence

SOURCE_BY_FORMAT = {"ees": "EES", "lait": "LAIT", "fingertips": "Fingertips", "template": "Local"}

UNCHANGED, CONFIRMED, CHANGED = "unchanged", "confirmed", "changed"
CONFLICT_KEPT, CONFLICT_REPLACED = "conflict_kept", "conflict_replaced"
WRITES = frozenset({CHANGED, CONFLICT_REPLACED})

Precedence = dict[str, list[str]]  # indicator -> sources, first wins


def default_source(fmt: str) -> str:
    """The source an import format's figures come from unless the analyst names one."""
    return SOURCE_BY_FORMAT.get(fmt, fmt)


def clean_source(source: str | None) -> str | None:
    """A source name as stored: trimmed, at most 100 characters, None when blank."""
    text = (source or "").strip()[:100]
    return text or None


def precedence(session: Session, indicators: Sequence[str] | None = None) -> Precedence:
    """The analysts' precedence: indicator -> its sources in order (first wins)."""
    query = select(SourcePrecedence.indicator_id, SourcePrecedence.source).order_by(
        SourcePrecedence.indicator_id, SourcePrecedence.rank
    )
    if indicators is not None:
        query = query.where(SourcePrecedence.indicator_id.in_(list(indicators)))
    found: Precedence = {}
    for indicator, source in session.execute(query):
        found.setdefault(indicator, []).append(source)
    return found


def set_precedence(
    session: Session, indicator: str, sources: Sequence[str], *, set_by: str | None = None
) -> list[str]:
    """Replace ``indicator``'s precedence with ``sources`` (first wins; empty clears it).

    Raises ValueError for an indicator not in the catalogue or a source named twice.
    """
    if session.get(Indicator, indicator) is None:
        raise ValueError(f"'{indicator}' is not in the indicator catalogue.")
    names = [clean_source(s) for s in sources]
    ordered = [n for n in names if n]
    folded = [n.casefold() for n in ordered]
    if len(set(folded)) != len(folded):
        raise ValueError("Name each source once.")
    session.execute(delete(SourcePrecedence).where(SourcePrecedence.indicator_id == indicator))
    for rank, source in enumerate(ordered, start=1):
        session.add(
            SourcePrecedence(indicator_id=indicator, source=source, rank=rank, set_by=set_by)
        )
    session.flush()
    return ordered


def _decimals(values: np.ndarray) -> np.ndarray:
    """How many decimal places each value is written with (0 to 6; NaN gives 6)."""
    places = np.full(values.shape, 6, dtype=np.int64)
    for digits in range(5, -1, -1):
        rounded = np.round(values, digits)
        exact = np.abs(values - rounded) <= 1e-9 * np.maximum(1.0, np.abs(values))
        places = np.where(exact, digits, places)
    return places


def _agree(new: pd.Series, old: pd.Series) -> np.ndarray:
    """True where two figures are the same within the rounding of the less precise (or
    both missing)."""
    a, b = new.astype(float).to_numpy(), old.astype(float).to_numpy()
    both_missing = np.isnan(a) & np.isnan(b)
    places = np.minimum(_decimals(a), _decimals(b))
    tolerance = 0.5 * np.power(10.0, -places) + 1e-9
    with np.errstate(invalid="ignore"):
        close = np.abs(a - b) <= tolerance
    return both_missing | np.nan_to_num(close, nan=0).astype(bool)


def _richness(frame: pd.DataFrame, suffix: str = "") -> np.ndarray:
    """2 for counts (numerator and denominator), plus 1 for an interval."""
    counts = frame["numerator" + suffix].notna() & frame["denominator" + suffix].notna()
    interval = frame["lower_ci" + suffix].notna() & frame["upper_ci" + suffix].notna()
    return (2 * counts.astype(int) + interval.astype(int)).to_numpy()


def _status(series: pd.Series) -> pd.Series:
    """Symbols as text, "" for none (worked out once per distinct value)."""
    return map_distinct(series, lambda s: s if isinstance(s, str) else "", "").astype(str)


def _folded(series: pd.Series) -> pd.Series:
    """Source names case-folded, None for unknown (once per distinct value)."""
    return map_distinct(series, lambda s: s.casefold() if isinstance(s, str) else None)


def classify(
    merged: pd.DataFrame, changed: pd.Series, source: str | None, ranks: Precedence
) -> pd.Series:
    """What to do with each file row that meets a stored row (see the module's text).

    ``merged``: the file's canonical rows with the stored row's columns suffixed ``_old``
    (``source_old`` included); ``changed``: True where the figures, symbol or label differ.
    Vectorised; rows with the same figures from the same source (a file imported again)
    are settled first, so only the others are weighed.
    """
    index = merged.index
    result = pd.Series(UNCHANGED, index=index, dtype=object)
    if merged.empty:
        return result
    mine = source.casefold() if source else None
    old_source = _folded(merged["source_old"])
    same_source = (old_source == mine).to_numpy(dtype=bool) if mine else np.zeros(len(index), bool)
    differs = changed.to_numpy(dtype=bool)
    weigh = differs | ~same_source
    if not weigh.any():
        return result
    rows = merged[weigh]
    same_source, differs, old_source = same_source[weigh], differs[weigh], old_source[weigh]
    status_same = (_status(rows["status"]) == _status(rows["status_old"])).to_numpy()
    agree = status_same & _agree(rows["value"], rows["value_old"])
    for name in ("numerator", "denominator"):
        new, old = rows[name], rows[name + "_old"]
        either_missing = (new.isna() | old.isna()).to_numpy()
        agree &= either_missing | _agree(new, old)
    richer = _richness(rows) > _richness(rows, "_old")
    poorer = _richness(rows) < _richness(rows, "_old")
    outranks = _outranks(rows["indicator"], old_source, mine, ranks)
    # "x" (not available) from another source says only that it does not publish the figure.
    not_available = (_status(rows["status"]) == "x").to_numpy()
    decided = np.select(
        [
            ~differs & same_source,
            ~differs,
            ~same_source & not_available,
            same_source & agree & poorer,
            same_source,
            agree & richer,
            agree,
            outranks,
        ],
        [
            UNCHANGED,
            CONFIRMED,
            UNCHANGED,
            UNCHANGED,
            CHANGED,
            CHANGED,
            CONFIRMED,
            CONFLICT_REPLACED,
        ],  # fmt: skip
        default=CONFLICT_KEPT,
    )
    result[weigh] = decided
    return result


def _outranks(
    indicators: pd.Series, old_sources: pd.Series, mine: str | None, ranks: Precedence
) -> np.ndarray:
    """True where the importing source ranks above the stored row's for its indicator: both
    listed with the importing one first, or only the importing one listed."""
    if not mine or not ranks:
        return np.zeros(len(indicators), dtype=bool)
    folded = {i: [s.casefold() for s in sources] for i, sources in ranks.items()}

    def wins(indicator: str, old: str | None) -> bool:
        order = folded.get(indicator)
        if not order or mine not in order:
            return False
        return old not in order or order.index(mine) < order.index(old)

    pairs = pd.DataFrame({"i": indicators.to_numpy(), "o": old_sources.to_numpy()})
    distinct = pairs.drop_duplicates()
    verdict = {(i, o): wins(i, o) for i, o in distinct.itertuples(index=False)}
    return np.fromiter(
        (verdict[(i, o)] for i, o in pairs.itertuples(index=False)), dtype=bool, count=len(pairs)
    )
