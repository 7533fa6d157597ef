"""Journey counts in the import template's journey format: read and check, nothing stored.

One row is one flow of one monthly cohort between two steps, for one breakdown cell:

    cohort,step,next_step,breakdown,breakdown_value,count
    Apr 2025,request,assessment_started,total,total,812

``cohort`` is the month the requests came in ("Apr 2025", "April 2025", "2025-04" or a
date in that month). Optional columns ``journey`` and ``area_code`` may carry the journey
(default early_help) and the authority's GSS code. Counts are whole numbers of children
or families, never below zero. Rows are refused, with their line number in the file
(the header is line 1), when a step or transition is unknown, a count is not a whole
number or negative, a row repeats another, or the flows out of a step add up to more than
the flows into it (more children leaving a step than reached it). Nothing is loaded when
any row is refused.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from analysis.journeys import JOURNEYS, TOTAL, Journey
from analysis.periods import parse_period
from data_access.importing.canonical import BREAKDOWNS

REQUIRED_COLUMNS = ("cohort", "step", "next_step", "breakdown", "breakdown_value", "count")
OPTIONAL_COLUMNS = ("journey", "area_code")
JOURNEY_COLUMNS = [
    "journey",
    "area_code",
    "cohort_label",
    "cohort_start",
    "step",
    "next_step",
    "breakdown",
    "breakdown_value",
    "count",
    "line",
]


@dataclass(frozen=True)
class Problem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


class JourneyImportError(ValueError):
    """The file was refused; ``problems`` lists every reason with its line number."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems[:10]))
        self.problems = problems


def read_journey_csv(source: str | Path | bytes | io.IOBase) -> pd.DataFrame:
    """The file's rows as text, with a ``line`` column (file line numbers, header = 1)."""
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    raw = pd.read_csv(source, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    raw.columns = [str(c).strip().lower() for c in raw.columns]
    raw = raw.apply(lambda column: column.str.strip())
    raw["line"] = range(2, len(raw) + 2)
    return raw


def _cohort_month(text: str) -> date:
    try:
        return date.fromisoformat(text).replace(day=1)
    except ValueError:
        pass
    start, end = parse_period(text)
    if (end - start).days > 31:
        raise ValueError("a cohort is one month, such as 'Apr 2025' or '2025-04'")
    return start


def _row_problems(row: pd.Series, journey: Journey) -> list[str]:
    problems = []
    steps = set(journey.step_names)
    for column in ("step", "next_step"):
        if row[column] not in steps:
            problems.append(f"unknown {column} {row[column]!r} for the {journey.name} journey")
    if row["step"] in steps and row["next_step"] in steps:
        if (row["step"], row["next_step"]) not in set(journey.edges):
            problems.append(f"no transition from {row['step']!r} to {row['next_step']!r}")
    if row["breakdown"] not in BREAKDOWNS:
        problems.append(f"unknown breakdown {row['breakdown']!r}")
    elif row["breakdown"] == TOTAL and row["breakdown_value"] != TOTAL:
        problems.append("breakdown_value must be 'total' when breakdown is 'total'")
    elif not row["breakdown_value"]:
        problems.append("breakdown_value is empty")
    count = pd.to_numeric(row["count"], errors="coerce")
    if pd.isna(count) or float(count) != int(count):
        problems.append(f"count {row['count']!r} is not a whole number")
    elif count < 0:
        problems.append(f"count {row['count']} is negative")
    return problems


def validate_journey_rows(
    raw: pd.DataFrame, area_code: str | None = None, journey_name: str | None = None
) -> pd.DataFrame:
    """Check rows read by :func:`read_journey_csv`; return them in the journey_counts shape.

    Returns columns ``JOURNEY_COLUMNS`` (cohort_start a date, count an int). Raises
    JourneyImportError listing every problem with its line number; nothing is returned
    then. ``area_code`` and ``journey_name`` fill in when the file has no such column.
    """
    missing = [c for c in REQUIRED_COLUMNS if c not in raw.columns]
    if missing:
        raise JourneyImportError([Problem(1, f"missing column(s): {', '.join(missing)}")])
    if raw.empty:
        raise JourneyImportError([Problem(0, "the file has no rows")])
    frame = raw.copy()
    problems: list[Problem] = []
    frame["journey"] = _fill(frame, "journey", journey_name or "early_help")
    frame["area_code"] = _fill(frame, "area_code", area_code or "")
    cohort_starts: list[date | None] = []
    for row in frame.itertuples(index=False):
        try:
            cohort_starts.append(_cohort_month(row.cohort))
        except ValueError as exc:
            problems.append(Problem(row.line, f"cohort {row.cohort!r}: {exc}"))
            cohort_starts.append(None)
    frame["cohort_start"] = cohort_starts
    for _, row in frame.iterrows():
        journey = JOURNEYS.get(row["journey"])
        if journey is None:
            problems.append(Problem(row["line"], f"unknown journey {row['journey']!r}"))
            continue
        if not row["area_code"]:
            problems.append(Problem(row["line"], "no area_code (give --area or a column)"))
        problems += [Problem(row["line"], m) for m in _row_problems(row, journey)]
    if problems:
        raise JourneyImportError(sorted(problems, key=lambda p: p.line))
    frame["count"] = pd.to_numeric(frame["count"]).astype(int)
    frame["cohort_label"] = [d.strftime("%b %Y") for d in frame["cohort_start"]]
    problems = _duplicate_problems(frame) + _overflow_problems(frame)
    if problems:
        raise JourneyImportError(sorted(problems, key=lambda p: p.line))
    return frame[JOURNEY_COLUMNS].reset_index(drop=True)


def _fill(frame: pd.DataFrame, column: str, default: str) -> pd.Series:
    if column in frame.columns:
        return frame[column].where(frame[column] != "", default)
    return pd.Series(default, index=frame.index)


_KEYS = ["journey", "area_code", "cohort_start", "breakdown", "breakdown_value"]


def _duplicate_problems(frame: pd.DataFrame) -> list[Problem]:
    keys = [*_KEYS, "step", "next_step"]
    repeated = frame[frame.duplicated(keys, keep="first")]
    first_line = frame.drop_duplicates(keys).set_index(keys)["line"]
    return [
        Problem(
            row.line,
            f"repeats line {first_line.loc[tuple(getattr(row, k) for k in keys)]} "
            f"({row.step} -> {row.next_step}, {row.cohort_label}, {row.breakdown_value})",
        )
        for row in repeated.itertuples(index=False)
    ]


def _overflow_problems(frame: pd.DataFrame) -> list[Problem]:
    """Flows out of a step that add up to more than the flows into it."""
    problems = []
    for key, table in frame.groupby(_KEYS, sort=False):
        inflow = table.groupby("next_step")["count"].sum()
        outflow = table.groupby("step")["count"].sum()
        for step, out in outflow.items():
            if step not in inflow.index:
                continue  # the first step: nothing flows into it
            if out > inflow[step]:
                lines = table.loc[table["step"] == step, "line"].tolist()
                problems.append(
                    Problem(
                        min(lines),
                        f"flows out of {step!r} add up to {out}, more than the {inflow[step]} "
                        f"who reached it ({key[2].strftime('%b %Y')}, {key[3]} "
                        f"{key[4]}; lines {', '.join(map(str, lines))})",
                    )
                )
    return problems
