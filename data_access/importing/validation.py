"""Validation of staged rows before anything is written, with line-numbered problems.

A *staged* chunk is what a format makes of the file's rows: a DataFrame indexed by the
file's line number, with text columns

    indicator, area_code, [area_name], period_text or end_year, breakdown, breakdown_value,
    numerator, denominator, value, lower_ci, upper_ci, status

(missing optional columns are treated as blank). ``validate_staged`` parses and checks it
and returns canonical rows (``canonical.OBSERVATION_COLUMNS`` plus ``line``) for the rows
with no error, and the problems found. Warnings (an old area code mapped to the current
one) do not reject a row.
"""

from __future__ import annotations

import difflib
import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from data_access.importing.canonical import (
    BREAKDOWNS,
    OBSERVATION_COLUMNS,
    STATUS_SYMBOLS,
    TOTAL,
)
from data_access.importing.distinct import apply_distinct, factorized, map_distinct
from data_access.importing.periods import (
    EXPECTED_FORMS,
    parse_period_label,
    period_from_end_year,
)
from rules.files import csv_text
from rules.ranges import BASES, range_breaks

ERROR, WARNING = "error", "warning"

# code -> (title shown as the group heading, severity)
PROBLEM_TYPES: dict[str, tuple[str, str]] = {
    "formula": ("Cell looks like a spreadsheet formula", ERROR),
    "missing_value": ("Required cell is blank", ERROR),
    "unknown_area": ("Unknown area code", ERROR),
    "area_recoded": ("Old area code mapped to the current one", WARNING),
    "unknown_indicator": ("Unknown indicator", ERROR),
    "bad_period": ("Period in the wrong form", ERROR),
    "unknown_breakdown": ("Unknown breakdown", ERROR),
    "not_a_number": ("Not a number", ERROR),
    "unknown_symbol": ("Symbol not in the published list (c, k, low, u, x, z)", ERROR),
    "status_with_value": ("A symbol and a number in the same row", ERROR),
    "no_figure": ("No value, counts or symbol", ERROR),
    "negative_count": ("Negative count", ERROR),
    "negative_value": ("Negative value", ERROR),
    "numerator_gt_denominator": ("Numerator greater than denominator", ERROR),
    "percent_out_of_range": ("Percentage outside 0 to 100", ERROR),
    "rate_looks_like_count": ("Rate above its base: a count in a rate column?", ERROR),
    "rate_out_of_range": ("Rate outside its bounds", ERROR),
    "counts_disagree": ("Value does not equal numerator / denominator x base", ERROR),
    "not_whole": ("Count that is not a whole number", ERROR),
    "bad_interval": ("Interval does not contain the value", ERROR),
    "duplicate_row": ("Duplicate row in the file", ERROR),
    "not_mapped": ("Rows the mapping does not cover (skipped)", WARNING),
    "file": ("File problem", ERROR),
}

# Percentages that can pass 100 by definition: DfE divides children registered for funded
# early education by an estimate of those eligible, and the estimate can be lower.
MAY_EXCEED_100 = frozenset({"two_year_takeup", "three_four_takeup"})
# Units where numerator <= denominator must hold (a share or a rate of a population).
SHARE_UNITS = frozenset({"percent", "rate_per_10k"})
NON_NEGATIVE_UNITS = frozenset({"percent", "rate_per_10k", "count", "days"})
SCALE = BASES  # what numerator / denominator is multiplied by, per unit

KEY = ["indicator", "area_code", "breakdown", "breakdown_value", "period_start", "period_end"]
TEXT_FIELDS = ["numerator", "denominator", "value", "lower_ci", "upper_ci", "status"]
DEFAULT_CAP_PER_CODE = 2_000


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file, as the analyst will read it."""

    line: int | None
    column: str | None
    code: str
    message: str
    value: str | None = None
    severity: str = ERROR
    indicator: str | None = None  # the row's indicator as the file gives it

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def problem(
    code: str,
    line: int | None,
    column: str | None,
    message: str,
    value: object = None,
    indicator: object = None,
) -> Problem:
    """A Problem with the severity its code carries."""

    def text(item: object) -> str | None:
        missing = item is None or (isinstance(item, float) and np.isnan(item))
        return None if missing else str(item)

    return Problem(
        line, column, code, message, text(value), PROBLEM_TYPES[code][1], text(indicator)
    )


@dataclass
class ProblemLog:
    """Every problem counted; at most ``cap_per_code`` kept per code (bounded memory)."""

    cap_per_code: int = DEFAULT_CAP_PER_CODE
    problems: list[Problem] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)

    def add(self, item: Problem) -> None:
        self.counts[item.code] += 1
        if self.counts[item.code] <= self.cap_per_code:
            self.problems.append(item)

    def extend(self, items: list[Problem]) -> None:
        for item in items:
            self.add(item)

    def count(self, severity: str | None = None) -> int:
        return sum(
            n for code, n in self.counts.items() if severity in (None, PROBLEM_TYPES[code][1])
        )

    @property
    def has_errors(self) -> bool:
        return self.count(ERROR) > 0

    def to_frame(self) -> pd.DataFrame:
        """Columns: line, indicator, column, value, code, problem (group title), severity,
        message."""
        rows = [
            {
                "line": p.line,
                "indicator": p.indicator,
                "column": p.column,
                "code": p.code,
                "problem": PROBLEM_TYPES[p.code][0],
                "severity": p.severity,
                "message": p.message,
                "value": p.value,
            }
            for p in self.problems
        ]
        columns = ["line", "indicator", "column", "value", "code", "problem", "severity",
                   "message"]  # fmt: skip
        frame = pd.DataFrame(rows, columns=columns)
        frame["line"] = frame["line"].astype("Int64")
        return frame.sort_values(["severity", "code", "line"], kind="stable").reset_index(drop=True)

    def grouped(self) -> pd.DataFrame:
        """One row per problem type: code, problem, severity, count, first_lines (text)."""
        frame = self.to_frame()
        rows = []
        for code, total in sorted(
            self.counts.items(), key=lambda kv: (PROBLEM_TYPES[kv[0]][1], kv[0])
        ):
            lines = frame.loc[frame["code"] == code, "line"].dropna().astype(int).head(10)
            rows.append(
                {
                    "code": code,
                    "problem": PROBLEM_TYPES[code][0],
                    "severity": PROBLEM_TYPES[code][1],
                    "count": int(total),
                    "first_lines": ", ".join(str(x) for x in lines),
                }
            )
        return pd.DataFrame(rows, columns=["code", "problem", "severity", "count", "first_lines"])

    def csv_report(self) -> str:
        """The full report as CSV text, formula-like cells neutralised."""
        return csv_text(self.to_frame())

    def to_json(self) -> str:
        return json.dumps(
            {
                "cap_per_code": self.cap_per_code,
                "counts": dict(self.counts),
                "problems": [p.as_dict() for p in self.problems],
            }
        )

    @classmethod
    def from_json(cls, text: str) -> ProblemLog:
        data = json.loads(text)
        log = cls(cap_per_code=data.get("cap_per_code", DEFAULT_CAP_PER_CODE))
        log.problems = [Problem(**p) for p in data["problems"]]
        log.counts = Counter(data["counts"])
        return log


@dataclass(frozen=True)
class Reference:
    """What the validator checks against: areas, code changes and the indicator catalogue.

    ``areas``: code -> name; ``aliases``: old code -> current code; ``indicators``: id ->
    (unit, frequency, ci_method); ``la_numbers``: DfE LA number -> current code.
    """

    areas: dict[str, str]
    aliases: dict[str, str]
    indicators: dict[str, tuple[str, str, str]]
    la_numbers: dict[int, str]

    @classmethod
    def from_session(cls, session, data_dir: Path | None = None) -> Reference:  # type: ignore[no-untyped-def]
        from sqlalchemy import select

        from data_access.models import Area, Indicator
        from data_access.reference import DEFAULT_DATA_DIR, code_aliases, la_number_to_code

        data_dir = data_dir or DEFAULT_DATA_DIR
        areas = dict(session.execute(select(Area.code, Area.name)).all())
        indicators = {
            row.id: (row.unit, row.frequency, row.ci_method or "none")
            for row in session.execute(
                select(Indicator.id, Indicator.unit, Indicator.frequency, Indicator.ci_method)
            )
        }
        return cls(areas, code_aliases(data_dir), indicators, la_number_to_code(data_dir))

    @classmethod
    def from_files(cls, data_dir: Path | None = None) -> Reference:
        """The same reference built from the vendored files (no database; for tests)."""
        from data_access.reference import (
            DEFAULT_DATA_DIR,
            build_areas,
            code_aliases,
            la_number_to_code,
            load_indicator_catalogue,
        )

        data_dir = data_dir or DEFAULT_DATA_DIR
        areas = build_areas(data_dir)
        catalogue = load_indicator_catalogue(data_dir)
        indicators = {
            row.id: (row.unit, row.frequency, row.ci_method or "none")
            for row in catalogue.itertuples(index=False)
        }
        return cls(
            dict(zip(areas["code"], areas["name"], strict=True)),
            code_aliases(data_dir),
            indicators,
            la_number_to_code(data_dir),
        )

    @property
    def names_to_codes(self) -> dict[str, str]:
        return {name.lower(): code for code, name in self.areas.items()}

    def suggest_area(self, code: str | None, name: str | None = None) -> str:
        """' Did you mean ...?' text for an unknown code, using the name when the file has one."""
        if name:
            match = self.names_to_codes.get(str(name).strip().lower())
            if match:
                return f" Did you mean {match} ({self.areas[match]})?"
        if code:
            close = difflib.get_close_matches(str(code).upper(), list(self.areas), n=1, cutoff=0.8)
            if close:
                return f" Did you mean {close[0]} ({self.areas[close[0]]})?"
        return ""

    def suggest_indicator(self, indicator: str) -> str:
        close = difflib.get_close_matches(str(indicator).lower(), list(self.indicators), n=1)
        return f" Did you mean {close[0]}?" if close else ""


class DuplicateTracker:
    """Finds repeated observation keys across chunks with 64-bit hashes (bounded memory)."""

    def __init__(self) -> None:
        self._hashes = np.empty(0, dtype=np.uint64)
        self._lines = np.empty(0, dtype=np.int64)

    def first_lines(self, frame: pd.DataFrame) -> pd.Series:
        """For each row, the line where the same key was first seen (NA if new); remembers."""
        if frame.empty:
            return pd.Series(pd.NA, index=frame.index, dtype="Int64")
        # The key as text, converted once per distinct value (dates are the slow part).
        keys = pd.DataFrame({c: map_distinct(frame[c], str) for c in KEY})
        hashes = pd.util.hash_pandas_object(keys, index=False).to_numpy(dtype=np.uint64)
        lines = frame.index.to_numpy(dtype=np.int64)
        earlier = np.full(len(frame), -1, dtype=np.int64)
        if len(self._hashes):
            pos = np.searchsorted(self._hashes, hashes)
            pos = np.clip(pos, 0, len(self._hashes) - 1)
            hit = self._hashes[pos] == hashes
            earlier[hit] = self._lines[pos[hit]]
        # Within the chunk: the first line of each hash.
        first_in_chunk = pd.Series(lines).groupby(hashes).transform("min").to_numpy()
        within = (first_in_chunk != lines) & (earlier < 0)
        earlier[within] = first_in_chunk[within]
        new = earlier < 0
        new_hashes, new_index = np.unique(hashes[new], return_index=True)
        merged_hashes = np.concatenate([self._hashes, new_hashes])
        merged_lines = np.concatenate([self._lines, lines[new][new_index]])
        order = np.argsort(merged_hashes, kind="stable")
        self._hashes, self._lines = merged_hashes[order], merged_lines[order]
        result = pd.Series(earlier, index=frame.index).astype("Int64")
        return result.where(result >= 0, pd.NA)


def _text(staged: pd.DataFrame, column: str) -> pd.Series:
    """The column as objects with None for blanks (an all-None Series if absent)."""
    if column not in staged.columns:
        return pd.Series([None] * len(staged), index=staged.index, dtype=object)
    return map_distinct(staged[column], _blank_to_none)


def _blank_to_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


def _cleaned(func):  # type: ignore[no-untyped-def]
    """``series.map(func)`` over non-blank cells (blank ones None), once per distinct value,
    with the dtype ``Series.map`` would infer (str when every result is text)."""
    return lambda series: map_distinct(series, func).infer_objects()


_NUMBER = r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$"
_GROUPED = r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$"


def _numbers(text: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(float values, symbol or None, True where text is neither) for a text column.

    Accepts plain numbers, thousands separators ("1,234") and a trailing "%" (Excel).
    Parsed once per distinct text.
    """

    def parse(distinct: pd.Series) -> pd.DataFrame:
        values, symbols, bad = _parse_numbers(distinct)
        return pd.DataFrame({"value": values, "symbol": symbols, "bad": bad})

    if not text.notna().any():  # an absent or empty column (counts in most files)
        nothing = pd.Series([None] * len(text), index=text.index, dtype=object)
        return pd.Series(np.nan, index=text.index), nothing, pd.Series(False, index=text.index)
    parsed = apply_distinct(text, parse)
    return parsed["value"].astype(float), parsed["symbol"], parsed["bad"].astype(bool)


def _parse_numbers(text: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    cleaned = text.astype("string").str.strip()
    cleaned = cleaned.str.replace(r"%$", "", regex=True)
    grouped = cleaned.str.match(_GROUPED).fillna(False)
    cleaned = cleaned.where(~grouped, cleaned.str.replace(",", "", regex=False))
    is_number = cleaned.str.match(_NUMBER).fillna(False)
    values = pd.to_numeric(cleaned.where(is_number), errors="coerce").astype(float)
    lowered = cleaned.str.lower()
    is_symbol = lowered.isin(STATUS_SYMBOLS).fillna(False) & ~is_number
    symbols = lowered.where(is_symbol).astype(object)
    symbols = symbols.where(symbols.notna(), None)
    bad = text.notna() & ~is_number & ~is_symbol
    return values, symbols, bad.astype(bool)


class _Collector:
    """Problems per chunk plus the lines that carry an error."""

    def __init__(self, cap: int, line_of: np.ndarray) -> None:
        self.items: list[Problem] = []
        self.error_rows: set[int] = set()  # positions, not lines
        self._line_of = line_of
        self._cap = cap
        self._counts: Counter = Counter()
        self.overflow: Counter = Counter()
        self.indicator: pd.Series | None = None  # per position, once known

    def flag(self, code: str, mask: pd.Series, column: str | None, message, values=None) -> None:  # type: ignore[no-untyped-def]
        """Record ``code`` for every True row; ``message`` is text or row -> text."""
        if not mask.any():
            return
        rows = mask.index[mask.to_numpy()]
        if PROBLEM_TYPES[code][1] == ERROR:
            self.error_rows.update(int(x) for x in rows)
        room = max(self._cap - self._counts[code], 0)
        kept = rows[:room]
        self._counts[code] += len(rows)
        self.overflow[code] += len(rows) - len(kept)
        for row in kept:
            text = message(row) if callable(message) else message
            value = None if values is None else values.get(row)
            indicator = None if self.indicator is None else self.indicator.get(row)
            self.items.append(
                problem(code, int(self._line_of[row]), column, text, value, indicator)
            )


def validate_staged(
    staged: pd.DataFrame,
    reference: Reference,
    source_columns: dict[str, str] | None = None,
    duplicates: DuplicateTracker | None = None,
    error_lines: set[int] | None = None,
    cap: int = DEFAULT_CAP_PER_CODE,
) -> tuple[pd.DataFrame, list[Problem], Counter]:
    """Check a staged chunk; return (valid canonical rows + ``line``, problems, overflow).

    ``source_columns`` maps a canonical field to the file's column name for the report.
    ``error_lines`` are lines already known to be bad (formula cells): they are rejected.
    ``overflow`` counts problems found beyond ``cap`` per code (counted, not itemised).
    """
    cols = {f: f for f in ["indicator", "area_code", "period", *TEXT_FIELDS, "breakdown"]}
    cols.update(source_columns or {})
    cols.setdefault("breakdown_value", cols["breakdown"])
    # Work on positions: one file line can give several staged rows (wide EES files).
    line_of = staged.index.to_numpy(dtype=np.int64)
    staged = staged.reset_index(drop=True)
    found = _Collector(cap, line_of)
    if error_lines:
        bad = np.isin(line_of, np.fromiter(error_lines, dtype=np.int64))
        found.error_rows.update(int(x) for x in np.nonzero(bad)[0])
    index = staged.index
    texts: dict[str, pd.Series] = {}

    def text_of(column: str) -> pd.Series:
        # Each column's text is worked out once and shared by the checks below.
        if column not in texts:
            texts[column] = _text(staged, column)
        return texts[column]

    indicator = _cleaned(lambda v: str(v).strip())(text_of("indicator"))
    found.indicator = indicator
    area = _cleaned(lambda v: str(v).strip().upper())(text_of("area_code"))
    names = text_of("area_name")
    breakdown = map_distinct(text_of("breakdown"), lambda v: str(v).strip().lower(), TOTAL)
    breakdown = breakdown.astype(str)
    breakdown_value = _cleaned(lambda v: str(v).strip().lower())(text_of("breakdown_value"))
    breakdown_value = breakdown_value.where(breakdown != TOTAL, TOTAL)

    # Indicators.
    found.flag("missing_value", indicator.isna(), cols["indicator"], "The indicator is blank.")
    unknown_ind = indicator.notna() & ~indicator.isin(reference.indicators)
    found.flag(
        "unknown_indicator",
        unknown_ind,
        cols["indicator"],
        lambda line: (
            f"'{indicator[line]}' is not in the indicator catalogue."
            + reference.suggest_indicator(indicator[line])
        ),
        indicator,
    )
    unit = _cleaned(lambda i: reference.indicators.get(i, (None, None, None))[0])(indicator)
    frequency = _cleaned(lambda i: reference.indicators.get(i, (None, None, None))[1])(indicator)

    # Areas: old codes become current ones (with a warning), unknown ones are errors.
    found.flag("missing_value", area.isna(), cols["area_code"], "The area code is blank.")
    recoded = area.notna() & area.isin(reference.aliases)
    found.flag(
        "area_recoded",
        recoded,
        cols["area_code"],
        lambda line: (
            f"{area[line]} is now {reference.aliases[area[line]]} "
            f"({reference.areas.get(reference.aliases[area[line]], '')}); stored under the "
            "current code."
        ),
        area,
    )
    area = area.where(~recoded, _cleaned(lambda c: reference.aliases.get(c, c))(area))
    unknown_area = area.notna() & ~area.isin(reference.areas)
    found.flag(
        "unknown_area",
        unknown_area,
        cols["area_code"],
        lambda line: (
            f"'{area[line]}' is not a known England, region or local authority code."
            + reference.suggest_area(area[line], names.get(line))
        ),
        area,
    )

    # Periods, parsed under each indicator's frequency (distinct pairs only).
    periods = _parse_periods(text_of("period_text"), text_of("end_year"), frequency)
    period_source = text_of("period_text").where(
        text_of("period_text").notna(), text_of("end_year")
    )
    bad_period = indicator.notna() & ~unknown_ind & periods["period_label"].isna()
    found.flag(
        "bad_period",
        bad_period,
        cols["period"],
        lambda line: (
            "The period is not "
            + EXPECTED_FORMS.get(frequency[line], "a period Chorus knows")
            + f" (the indicator is {str(frequency[line]).replace('_', ' ')})."
        ),
        period_source,
    )

    # Breakdowns.
    bad_breakdown = ~breakdown.isin(BREAKDOWNS)
    found.flag(
        "unknown_breakdown",
        bad_breakdown,
        cols["breakdown"],
        lambda line: f"'{breakdown[line]}' is not one of {', '.join(sorted(BREAKDOWNS))}.",
        breakdown,
    )
    found.flag(
        "missing_value",
        ~bad_breakdown & breakdown_value.isna(),
        cols["breakdown_value"],
        "The breakdown value is blank.",
    )

    # Numbers and symbols.
    parsed = {}
    for name in ("numerator", "denominator", "value", "lower_ci", "upper_ci"):
        text = text_of(name)
        values, symbols, bad = _numbers(text)
        parsed[name] = (values, symbols)
        if name == "value":
            # Short text with no digit looks like a symbol; only bad cells need the test.
            looks_symbol = pd.Series(False, index=index)
            if bad.any():
                shown = text[bad].astype(str)
                short = shown.str.len() <= 5
                no_digit = ~shown.str.contains(r"\d", regex=True)
                looks_symbol[bad] = (short & no_digit).to_numpy(dtype=bool)
            found.flag(
                "unknown_symbol",
                looks_symbol,
                cols["value"],
                lambda line, t=text: f"'{t[line]}' is not a published symbol (c, k, low, u, x, z).",
                text,
            )
            bad = bad & ~looks_symbol
        found.flag(
            "not_a_number",
            bad,
            cols[name],
            lambda line, n=name, t=text: f"'{t[line]}' is not a number.",
            text,
        )
    status_text = text_of("status")
    status_lower = _cleaned(lambda s: str(s).strip().lower())(status_text)
    status_bad = status_lower.notna() & ~status_lower.isin(STATUS_SYMBOLS)
    found.flag(
        "unknown_symbol",
        status_bad,
        cols["status"],
        lambda line: f"'{status_text[line]}' is not a published symbol (c, k, low, u, x, z).",
        status_text,
    )
    numerator, denominator = parsed["numerator"][0], parsed["denominator"][0]
    value, value_symbol = parsed["value"]
    lower, upper = parsed["lower_ci"][0], parsed["upper_ci"][0]
    status = status_lower.where(~status_bad & status_lower.notna(), value_symbol)
    # A symbol published in place of a count ("c" for a suppressed numerator) is the row's
    # status when the row gives no value: suppressed at source, not an error.
    for name in ("numerator", "denominator"):
        counted_symbol = parsed[name][1]
        status = status.where(status.notna() | value.notna(), counted_symbol)
    found.flag(
        "status_with_value",
        status_lower.notna() & ~status_bad & value.notna(),
        cols["status"],
        "A row with a published symbol must leave the value blank.",
        status_text,
    )

    # Derive the value from counts where it is blank (percent and rates; counts).
    scale = unit.map(SCALE)
    derivable = value.isna() & status.isna() & numerator.notna() & denominator.gt(0)
    derived = (numerator / denominator * scale).where(derivable & scale.notna())
    value = value.where(value.notna(), derived)
    counted = value.isna() & status.isna() & numerator.notna() & (unit == "count")
    value = value.where(~counted, numerator)
    found.flag(
        "no_figure",
        value.isna()
        & status.isna()
        & ~value_symbol.notna()
        & ~parsed["value"][0].notna()
        & ~text_of("value").notna(),
        cols["value"],
        "The row has no value, no numerator and denominator to work it out from, and no symbol.",
    )

    # Plausibility.
    found.flag(
        "negative_count",
        numerator.lt(0),
        cols["numerator"],
        "Counts cannot be negative.",
        text_of("numerator"),
    )
    found.flag(
        "negative_count",
        denominator.lt(0),
        cols["denominator"],
        "Counts cannot be negative.",
        text_of("denominator"),
    )
    found.flag(
        "negative_value",
        value.lt(0) & unit.isin(NON_NEGATIVE_UNITS),
        cols["value"],
        lambda line: f"A {unit[line].replace('_', ' ')} cannot be negative.",
        text_of("value"),
    )
    exempt = indicator.isin(MAY_EXCEED_100)
    found.flag(
        "numerator_gt_denominator",
        numerator.gt(denominator) & unit.isin(SHARE_UNITS) & ~exempt,
        cols["numerator"],
        lambda line: (
            f"The numerator ({numerator[line]:g}) is greater than the denominator "
            f"({denominator[line]:g})."
        ),
        text_of("numerator"),
    )
    figures = {"numerator": numerator, "denominator": denominator, "value": value}
    for broken in range_breaks(unit, numerator, denominator, value, may_exceed_100=exempt):
        figure = figures[broken.column]
        rows = broken.bound.index
        written = text_of(broken.column)[rows]
        shown = written.where(written.notna(), figure[rows].map(lambda v: f"{v:,.10g}"))
        found.flag(
            broken.code,
            broken.mask,
            cols[broken.column],
            lambda row, b=broken, f=figure, c=broken.column: (
                f"{indicator[row]}: the {c} {f[row]:,.10g} {b.bound[row]}."
            ),
            shown,
        )
    has_interval = lower.notna() & upper.notna() & value.notna()
    found.flag(
        "bad_interval",
        has_interval & ((lower > value + 1e-9) | (upper < value - 1e-9)),
        cols["lower_ci"],
        lambda line: (
            f"The interval {lower[line]:g} to {upper[line]:g} does not contain {value[line]:g}."
        ),
    )

    canonical = pd.DataFrame(
        {
            "indicator": indicator,
            "area_code": area,
            "period_label": periods["period_label"],
            "period_start": periods["period_start"],
            "period_end": periods["period_end"],
            "breakdown": breakdown,
            "breakdown_value": breakdown_value,
            "numerator": numerator,
            "denominator": denominator,
            "value": value.where(status.isna()),
            "lower_ci": lower,
            "upper_ci": upper,
            "status": status,
        },
        index=index,
    )
    ok = ~index.isin(list(found.error_rows))
    candidates = canonical[ok]
    if duplicates is not None and not candidates.empty:
        by_line = candidates.set_axis(line_of[candidates.index.to_numpy()])
        first = duplicates.first_lines(by_line).set_axis(candidates.index)
        is_dup = first.notna()
        dup_mask = pd.Series(False, index=index)
        dup_mask.loc[is_dup[is_dup].index] = True
        found.flag(
            "duplicate_row",
            dup_mask,
            cols["indicator"],
            lambda line: f"The same indicator, area, period and breakdown as line {first[line]}.",
        )
        candidates = candidates[~is_dup]
    valid = candidates.copy()
    valid.insert(0, "line", line_of[valid.index.to_numpy()])
    valid = valid.set_axis(pd.RangeIndex(len(valid)))
    return valid[["line", *OBSERVATION_COLUMNS]], found.items, found.overflow


def _parse_periods(text: pd.Series, years: pd.Series, frequency: pd.Series) -> pd.DataFrame:
    """Period label/start/end per row from ``period_text`` or, where that is blank, ``end_year``.

    ``text`` and ``years`` are the staged columns as text (None for blanks); each distinct
    (kind, text, frequency) is parsed once.
    """
    is_text = text.notna().to_numpy()
    source = map_distinct(text.where(text.notna(), years), lambda v: str(v).strip() or None)
    parts = [is_text.astype(np.int64)]
    for column in (source, frequency):
        split = factorized(column)
        if split is None:  # mixed kinds of value: compare them as text
            split = factorized(column.map(repr))
        codes = split[0].astype(np.int64) + 1  # missing -> 0
        parts.append(codes)
    combined = np.zeros(len(text), dtype=np.int64)
    for codes in parts:
        combined = combined * (int(codes.max(initial=0)) + 1) + codes
    _, first, inverse = np.unique(combined, return_index=True, return_inverse=True)
    sources, frequencies = source.to_numpy(dtype=object), frequency.to_numpy(dtype=object)
    results = []
    for row in first.tolist():
        value, freq = sources[row], frequencies[row]
        result = None
        if value is not None and isinstance(freq, str):
            result = parse_period_label(value, freq) if is_text[row] else _by_end_year(value, freq)
        results.append(result or (None, None, None))
    columns = {}
    for position, name in enumerate(["period_label", "period_start", "period_end"]):
        distinct = np.empty(len(results), dtype=object)
        distinct[:] = [r[position] for r in results]
        columns[name] = distinct[inverse.reshape(-1)]
    return pd.DataFrame(columns, index=text.index, dtype=object)


def _by_end_year(end_year: object, frequency: str):  # type: ignore[no-untyped-def]
    try:
        year = int(str(end_year).strip())
    except ValueError:
        return None
    return period_from_end_year(frequency, year)
