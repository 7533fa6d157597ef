"""Period labels as publishers write them, turned into start and end dates.

Recognised labels (case and surrounding spaces ignored):

- "2024/25", "2024-25", "2024/2025", "202425" (the form in DfE EES files): a two-year period
  starting in 2024. Its months depend on the kind of year: financial (April-March, the
  default), academic (September-August) or any start month given.
- "2024": calendar year.
- "Mar 2026", "March 2026", "2026-03": a calendar month.
- "Q1 2026", "2026 Q1": a calendar quarter.

``period_text`` is the one rule for how a period is written wherever it reaches a screen or
a file: one format per frequency, whatever form the publisher or an importer stored.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

YEAR_START_MONTH = {"financial": 4, "academic": 9, "calendar": 1}
_MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_abbr) if name}
_MONTHS.update({name.lower(): n for n, name in enumerate(calendar.month_name) if name})
_MONTHS["sept"] = 9

_SPLIT_YEAR = re.compile(r"^(\d{4})\s*[/-]\s*(\d{2}|\d{4})$")
_EES_YEAR = re.compile(r"^(\d{4})(\d{2})$")
_YEAR = re.compile(r"^(\d{4})$")
_MONTH_YEAR = re.compile(r"^([a-z]+)\.?\s+(\d{4})$")
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(?:q([1-4])\s+(\d{4})|(\d{4})\s+q([1-4]))$")


def parse_period(label: str, year_type: str = "financial") -> tuple[date, date]:
    """Start and end dates (inclusive) of a period label; raises ValueError if unknown.

    ``year_type`` applies to two-year labels such as "2024/25": "financial", "academic" or
    "calendar" (which treats "2024/25" as two calendar years).
    """
    text = str(label).strip().lower()
    split = _SPLIT_YEAR.match(text) or _EES_YEAR.match(text)
    # "2011-12" is the year 2011/12, not December 2011: consecutive years win.
    if split and _is_consecutive(int(split.group(1)), split.group(2)):
        return _split_year(int(split.group(1)), split.group(2), year_type, label)
    if match := _ISO_MONTH.match(text):
        return _month(int(match.group(1)), int(match.group(2)))
    if split:
        raise ValueError(f"period label {label!r} does not span consecutive years")
    if match := _YEAR.match(text):
        year = int(match.group(1))
        return date(year, 1, 1), date(year, 12, 31)
    if match := _MONTH_YEAR.match(text):
        month = _MONTHS.get(match.group(1))
        if month is None:
            raise ValueError(f"unknown month in period label {label!r}")
        return _month(int(match.group(2)), month)
    if match := _QUARTER.match(text):
        quarter = int(match.group(1) or match.group(4))
        year = int(match.group(2) or match.group(3))
        first_month = 3 * (quarter - 1) + 1
        return date(year, first_month, 1), _month(year, first_month + 2)[1]
    raise ValueError(f"unrecognised period label {label!r}")


def _month(year: int, month: int) -> tuple[date, date]:
    if not 1 <= month <= 12:
        raise ValueError(f"month {month} out of range")
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _end_year(start_year: int, end_text: str) -> int:
    if len(end_text) == 4:
        return int(end_text)
    end_year = (start_year // 100) * 100 + int(end_text)
    return end_year + 100 if end_year < start_year else end_year  # "1999/00"


def _is_consecutive(start_year: int, end_text: str) -> bool:
    return _end_year(start_year, end_text) == start_year + 1


def _split_year(start_year: int, end_text: str, year_type: str, label: str) -> tuple[date, date]:
    end_year = _end_year(start_year, end_text)
    if year_type not in YEAR_START_MONTH:
        raise ValueError(f"year_type must be one of {tuple(YEAR_START_MONTH)}")
    start_month = YEAR_START_MONTH[year_type]
    if start_month == 1:
        return date(start_year, 1, 1), date(end_year, 12, 31)
    start = date(start_year, start_month, 1)
    end_month = start_month - 1
    return start, date(end_year, end_month, calendar.monthrange(end_year, end_month)[1])


def period_sort_key(label: str, year_type: str = "financial") -> tuple[date, date]:
    """Key that sorts period labels in time order (by start date, then end date).

    Unrecognised labels sort last (at date.max) rather than raising, so a table with one
    odd label still sorts.
    """
    try:
        return parse_period(label, year_type)
    except ValueError:
        return (date.max, date.max)


def period_text(label: object) -> str:
    """A period label written the one way Chorus shows it, whatever form it was stored in.

    - academic, financial and reporting years as in DfE statistics: "2024/25" (stored as
      "2024-25", "2024/2025" or "202425");
    - months: "Mar 2026" (stored as "March 2026" or "2026-03"), so a January census is
      "Jan 2025";
    - quarters: "Q1 2026"; calendar years: "2025".

    Anything else (a note's "no period", a range already written out) is returned as it
    came, stripped; None and NaN give "".
    """
    if label is None or (isinstance(label, float) and label != label):
        return ""
    text = str(label).strip()
    lowered = text.lower()
    split = _SPLIT_YEAR.match(lowered) or _EES_YEAR.match(lowered)
    if split and _is_consecutive(int(split.group(1)), split.group(2)):
        start = int(split.group(1))
        return f"{start}/{(start + 1) % 100:02d}"
    if match := _ISO_MONTH.match(lowered):
        number = int(match.group(2))
        if 1 <= number <= 12:
            return f"{calendar.month_abbr[number]} {match.group(1)}"
    if match := _MONTH_YEAR.match(lowered):
        named = _MONTHS.get(match.group(1))
        if named is not None:
            return f"{calendar.month_abbr[named]} {match.group(2)}"
    if match := _QUARTER.match(lowered):
        return f"Q{match.group(1) or match.group(4)} {match.group(2) or match.group(3)}"
    return text
