"""What every format hands the pipeline: staged chunks (see ``validation``)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from data_access.importing.safety import FileRejected, RawChunk
from data_access.importing.validation import Problem, problem


@dataclass
class StagedChunk:
    """Staged rows of one chunk, indexed by line, with what the format already found.

    ``source_columns``: canonical field -> the file's column (for the report).
    ``error_lines``: lines with a formula cell (rejected). ``skipped``: rows the mapping
    does not cover. ``rows_read``: data rows of the file in this chunk.
    """

    staged: pd.DataFrame
    source_columns: dict[str, str]
    rows_read: int
    error_lines: set[int] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)
    skipped: int = 0


def formula_problems(chunk: RawChunk) -> tuple[set[int], list[Problem]]:
    """Lines holding formula-like cells and one problem per cell."""
    lines: set[int] = set()
    problems = []
    for line, column, value in chunk.formula_cells:
        lines.add(line)
        problems.append(
            problem(
                "formula",
                line,
                column,
                "Cells starting with =, +, -, @ (or a tab) run as formulas in spreadsheets; "
                "this row was not imported.",
                value[:200],
            )
        )
    return lines, problems


def require_columns(columns: list[str], needed: list[str], what: str) -> None:
    """Raise FileRejected naming the columns a format needs and the file lacks."""
    missing = [c for c in needed if c not in columns]
    if missing:
        raise FileRejected(
            "columns",
            f"This does not look like {what}: it has no column "
            f"{', '.join(repr(m) for m in missing)}. "
            f"Its columns are: {', '.join(columns[:30])}{' ...' if len(columns) > 30 else ''}.",
        )


class SkipCounter:
    """One 'not mapped' warning per distinct reason, with a count and the first line."""

    def __init__(self) -> None:
        self.first_line: dict[str, int] = {}
        self.counts: Counter = Counter()

    def add(self, reasons: pd.Series) -> None:
        """``reasons``: text per skipped row, indexed by line."""
        for reason, lines in reasons.groupby(reasons, sort=False).groups.items():
            self.counts[reason] += len(lines)
            self.first_line.setdefault(reason, int(min(lines)))

    def problems(self) -> list[Problem]:
        return [
            problem(
                "not_mapped",
                self.first_line[reason],
                None,
                f"{reason}: {count:,} row{'s' if count != 1 else ''} skipped.",
            )
            for reason, count in self.counts.items()
        ]


def end_of_file(skips: SkipCounter) -> StagedChunk:
    """An empty last chunk carrying the end-of-file warnings (rows the mapping skipped)."""
    return StagedChunk(pd.DataFrame(), {}, 0, problems=skips.problems())
