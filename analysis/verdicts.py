"""The strongest honest verdict on an area's figure, with or without counts.

With counts, the significance verdict against England (``analysis.comparison``) says
better, similar or worse. Without counts no interval can be drawn, but LAIT's benchmarking
still gives a fair verdict that needs none: the area's rank among the authorities with a
value, its quartile band (polarity saying which end is good) and the gap to England. "Not
compared" is left for figures that cannot even be ranked.

Pure functions: authority values come in as a Series indexed by area code.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from typing import Any

import pandas as pd

from analysis.benchmarks import NOT_RANKED, rank_and_quartile

SIGNIFICANT = {"better", "worse", "higher", "lower", "similar"}
# Band letters in words; indicators without a polarity say highest/lowest, not best/worst.
BAND_WORDS = {
    "A": "top quartile",
    "B": "second quartile",
    "C": "third quartile",
    "D": "bottom quartile",
    "A (highest)": "highest quartile",
    "D (lowest)": "lowest quartile",
}
# Tones order the Overview: what needs attention first. Each carries a symbol and a word.
TONES = ("attention", "watch", "neutral", "good", "none")
TONE_SYMBOLS = {"attention": "▼", "watch": "◆", "neutral": "●", "good": "▲", "none": "–"}
NO_COUNTS_REASON = "not tested for significance: the publisher gives percentages only"


@dataclass(frozen=True)
class Verdict:
    """One figure's verdict. ``rank``/``ranked``/``band`` as ``rank_and_quartile``;
    ``gap`` is the area's value minus England's (None without both); ``significance`` is
    the verdict against England when the figure has counts, else None; ``previous_*``
    describe the period before (None when there is none)."""

    period_label: str
    value: float | None
    england: float | None
    gap: float | None
    rank: int | None
    ranked: int
    band: str
    polarity: str
    unit: str = "percent"
    significance: str | None = None
    previous_period_label: str | None = None
    previous_rank: int | None = None
    previous_ranked: int | None = None
    previous_band: str | None = None

    @classmethod
    def from_dict(cls, document: dict[str, Any]) -> Verdict:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in document.items() if k in names})

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def ranked_ok(self) -> bool:
        return self.rank is not None

    @property
    def tone(self) -> str:
        """attention, watch, neutral, good or none (see ``TONES``)."""
        return verdict_tone(self)

    @property
    def word(self) -> str:
        return verdict_word(self)

    @property
    def symbol(self) -> str:
        return TONE_SYMBOLS[self.tone]


def _number(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def build_verdict(
    values: pd.Series,
    area_code: str,
    polarity: str,
    *,
    period_label: str,
    england: float | None,
    unit: str = "percent",
    significance: str | None = None,
    previous_values: pd.Series | None = None,
    previous_period_label: str | None = None,
) -> Verdict:
    """The verdict of ``area_code`` among ``values`` (authorities only, indexed by code).

    ``significance`` is the verdict against England from the area's interval ("not
    compared" or None when it has none); ``previous_values`` are the authorities' values
    in the period before, for the change in rank and band.
    """
    rank, ranked, band = rank_and_quartile(values, area_code, polarity)
    value = _number(values.get(area_code)) if area_code in values.index else None
    england_value = _number(england)
    gap = None if value is None or england_value is None else value - england_value
    previous: tuple[int | None, int | None, str | None] = (None, None, None)
    if previous_values is not None and len(previous_values):
        previous = rank_and_quartile(previous_values, area_code, polarity)
        if previous[0] is None:
            previous = (None, None, None)
    return Verdict(
        period_label=period_label,
        value=value,
        england=england_value,
        gap=gap,
        rank=rank,
        ranked=ranked,
        band=band,
        polarity=polarity,
        unit=unit,
        significance=significance if significance in SIGNIFICANT else None,
        previous_period_label=previous_period_label if previous[0] is not None else None,
        previous_rank=previous[0],
        previous_ranked=previous[1],
        previous_band=previous[2],
    )


def ordinal(number: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 112th, 146th."""
    if 10 <= number % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def gap_text(verdict: Verdict) -> str | None:
    """ "5.2 points below England" (points for percentages), or None without a gap."""
    if verdict.gap is None:
        return None
    size = abs(verdict.gap)
    if round(size, 1) == 0:
        return "the same as England"
    units = " points" if verdict.unit == "percent" else ""
    side = "above" if verdict.gap > 0 else "below"
    return f"{size:.1f}{units} {side} England"


def rank_text(verdict: Verdict) -> str | None:
    """ "146th of 153, bottom quartile", or None when the area is not ranked."""
    if verdict.rank is None:
        return None
    return (
        f"{ordinal(verdict.rank)} of {verdict.ranked}, {BAND_WORDS.get(verdict.band, verdict.band)}"
    )


def significance_text(verdict: Verdict) -> str:
    """The significance verdict against England in words, or why there is none."""
    words = {
        "better": "significantly better than England",
        "worse": "significantly worse than England",
        "higher": "significantly higher than England",
        "lower": "significantly lower than England",
        "similar": "not significantly different from England",
    }
    if verdict.significance is None:
        return NO_COUNTS_REASON
    return words[verdict.significance]


def change_text(verdict: Verdict) -> str | None:
    """Change in rank and band since the previous period, or None without one.

    Rank 1 is best, so a smaller rank is "up".
    """
    if verdict.rank is None or verdict.previous_rank is None:
        return None
    before = (
        f"{ordinal(verdict.previous_rank)} of {verdict.previous_ranked} in "
        f"{verdict.previous_period_label}"
    )
    moved = verdict.previous_rank - verdict.rank
    if moved > 0:
        text = f"up {moved} place{'s' if moved != 1 else ''} from {before}"
    elif moved < 0:
        text = f"down {-moved} place{'s' if moved != -1 else ''} from {before}"
    else:
        text = f"same rank as in {verdict.previous_period_label}"
    old_band = BAND_WORDS.get(verdict.previous_band or "", verdict.previous_band)
    new_band = BAND_WORDS.get(verdict.band, verdict.band)
    if verdict.previous_band == verdict.band:
        return f"{text}; still {new_band}"
    return f"{text}; was {old_band}, now {new_band}"


def verdict_sentence(verdict: Verdict) -> str:
    """The verdict in one plain line, for example "5.2 points below England; 146th of 153,
    bottom quartile; not tested for significance: the publisher gives percentages only".
    """
    if verdict.rank is None and verdict.significance is None:
        return "Not compared: " + (
            "no figure for this area"
            if verdict.value is None
            else "no other authority has a figure for the same period to rank against"
        )
    parts = [p for p in (gap_text(verdict), rank_text(verdict)) if p]
    parts.append(significance_text(verdict))
    change = change_text(verdict)
    if change:
        parts.append(change)
    text = "; ".join(parts)
    return text[0].upper() + text[1:]


def verdict_tone(verdict: Verdict) -> str:
    """attention (significantly worse, or bottom quartile without a test), watch (third
    quartile without a test), good (significantly better, or top quartile), neutral
    (similar, middle quartiles, or an indicator without polarity), none (not compared)."""
    if verdict.significance is not None:
        return {"worse": "attention", "better": "good"}.get(verdict.significance, "neutral")
    if verdict.rank is None:
        return "none"
    if verdict.polarity == "no_judgement":
        return "neutral"
    return {"D": "attention", "C": "watch", "A": "good"}.get(verdict.band, "neutral")


def verdict_word(verdict: Verdict) -> str:
    """A short label for a table cell: "Worse than England", "Bottom quartile"..."""
    if verdict.significance is not None:
        return {
            "better": "Better than England",
            "worse": "Worse than England",
            "higher": "Higher than England",
            "lower": "Lower than England",
            "similar": "Similar to England",
        }[verdict.significance]
    if verdict.rank is None:
        return "Not compared"
    band = BAND_WORDS.get(verdict.band, verdict.band)
    return band[0].upper() + band[1:]


def attention_order(verdict: Verdict | None) -> int:
    """Sort key: what needs attention first (``TONES`` order), not compared last."""
    if verdict is None:
        return len(TONES)
    return TONES.index(verdict.tone)


__all__ = [
    "BAND_WORDS",
    "NOT_RANKED",
    "TONES",
    "TONE_SYMBOLS",
    "Verdict",
    "attention_order",
    "build_verdict",
    "change_text",
    "gap_text",
    "ordinal",
    "rank_text",
    "verdict_sentence",
    "verdict_tone",
    "verdict_word",
]
