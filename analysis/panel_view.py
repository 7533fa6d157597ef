"""The typed shapes of an indicator panel: what the view service builds and the panel draws.

Plain frozen dataclasses with no behaviour beyond conversion, so both ``data_access`` (which
fills them) and ``components`` (which draws them) can import them without importing each
other. ``PanelView.series`` is a series frame (columns as ``analysis.series`` describes);
``BreakdownSummary.groups`` has ``analysis.series.GROUP_COLUMNS``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

import pandas as pd

from analysis.verdicts import Verdict


@dataclass(frozen=True)
class IndicatorRecord:
    """One row of the indicator catalogue (fields as data/indicators.csv)."""

    id: str
    title: str
    short_title: str = ""
    theme: str = ""
    unit: str = ""
    polarity: str = ""
    frequency: str = ""
    source: str | None = None
    publisher_url: str | None = None
    definition: str | None = None
    caveats: str | None = None
    who_is_missing: str | None = None
    ci_method: str = "none"
    disclosure_rule: str | None = None
    last_update: str | None = None
    next_update: str | None = None
    illustrative: bool = False

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> IndicatorRecord:
        """The record of a catalogue row (extra keys are ignored)."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in row.items() if k in names})

    def as_dict(self) -> dict[str, Any]:
        """The catalogue row as a dict (for the data layer's functions that take one)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class AreaRecord:
    """An area and its parent (a region for an authority; None for England)."""

    code: str
    name: str
    parent_code: str | None = None
    parent_name: str | None = None


@dataclass(frozen=True)
class BreakdownSummary:
    """The groups of one breakdown in the latest period that has them, with the gap
    (``analysis.series.summarise_breakdown``)."""

    breakdown: str
    period_label: str | None = None
    groups: pd.DataFrame | None = None
    gap: dict[str, Any] | None = None
    counted_gap: dict[str, Any] | None = None
    unknown_share: float | None = None

    @classmethod
    def from_dict(cls, summary: Mapping[str, Any]) -> BreakdownSummary:
        return cls(
            breakdown=str(summary.get("breakdown") or "total"),
            period_label=summary.get("period_label"),
            groups=summary.get("groups"),
            gap=summary.get("gap"),
            counted_gap=summary.get("counted_gap"),
            unknown_share=summary.get("unknown_share"),
        )


@dataclass(frozen=True)
class PeriodOption:
    """A period the area has figures for (a choice in the panel's period controls)."""

    label: str
    start: str
    end: str


@dataclass(frozen=True)
class PanelView:
    """Everything a panel shows, suppressed, for one ``ViewRequest``.

    ``breakdown`` is the breakdown drawn (the requested one, or "total" when the area has
    no such breakdown); ``comparisons`` are ``analysis.series.latest_comparisons`` dicts;
    ``trend`` is a ``TREND_RESULTS`` word; ``comparator_options`` are ``{"label",
    "value"}`` choices; ``verdict`` is the figure's verdict against England with its rank
    and quartile among authorities (``analysis.verdicts``), None for a breakdown or an
    area that is not an authority.
    """

    indicator: IndicatorRecord
    area: AreaRecord
    series: pd.DataFrame
    breakdown: str
    comparisons: list[dict[str, Any]] = field(default_factory=list)
    counted_point: dict[str, Any] | None = None
    trend: str = "cannot be calculated"
    breakdown_summary: BreakdownSummary | None = None
    breakdown_options: list[str] = field(default_factory=list)
    comparator_options: list[dict[str, str]] = field(default_factory=list)
    period_options: list[PeriodOption] = field(default_factory=list)
    verdict: Verdict | None = None
    neighbour_options: list[dict[str, str]] = field(default_factory=list)
