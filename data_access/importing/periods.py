"""Period labels people type or publishers print -> Chorus's canonical periods.

Each indicator has a frequency (data/indicators.csv); the same text means different
periods under different frequencies ("2024/25" is a school year for EYFSP and the year to
31 March for children in need), so parsing always takes the frequency. Anything that is
not one of the accepted forms returns None: the validator reports it as a period in the
wrong form rather than guessing.
"""

from __future__ import annotations

import calendar
import re
from functools import lru_cache

from data_access.importing.canonical import (
    Period,
    academic_year,
    annual_period,
    calendar_year,
    financial_year,
    january_census,
    month_period,
    quarter_period,
)

MIN_YEAR, MAX_YEAR = 1990, 2100

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_name) if name})
_MONTHS["sept"] = 9

_SPLIT_YEAR = re.compile(r"^(\d{4})\s*[/-]\s*(\d{2}|\d{4})$")  # 2024/25, 2024-25, 2024/2025
_EES_SPLIT = re.compile(r"^(\d{4})(\d{2})$")  # 202425
_YEAR = re.compile(r"^(\d{4})$")
_MONTH_NAME = re.compile(r"^([A-Za-z]+)\.?\s+(\d{4})$")  # Mar 2026, March 2026
_MONTH_ISO = re.compile(r"^(\d{4})-(\d{1,2})(?:-\d{1,2})?$")  # 2026-03, 2026-03-01
_MONTH_SLASH = re.compile(r"^(\d{1,2})/(\d{4})$")  # 03/2026
_QUARTER = re.compile(r"^Q([1-4])\s+(\d{4})$|^(\d{4})\s*-?\s*Q([1-4])$", re.IGNORECASE)

EXPECTED_FORMS = {
    "monthly": "a month such as 'Mar 2026' or '2026-03'",
    "quarterly": "a quarter such as 'Q1 2026'",
    "annual_academic": "a school year such as '2024/25'",
    "annual_financial": "a financial year such as '2024-25'",
    "annual_reporting": "a year to 31 March such as '2024-25'",
    "annual_census": "a January census such as 'Jan 2025' or '2025'",
    "annual_calendar": "a calendar year such as '2023'",
}


def _split_end_year(text: str) -> int | None:
    match = _SPLIT_YEAR.match(text) or _EES_SPLIT.match(text)
    if not match:
        return None
    start, end = int(match.group(1)), match.group(2)
    end_year = int(end) if len(end) == 4 else (start // 100) * 100 + int(end)
    if end_year != start + 1:
        return None
    return end_year


def _in_range(year: int) -> bool:
    return MIN_YEAR <= year <= MAX_YEAR


@lru_cache(maxsize=4096)
def parse_period_label(text: str, frequency: str) -> Period | None:
    """(label, start, end) for ``text`` under ``frequency``, or None if not an accepted form."""
    text = str(text).strip()
    if not text:
        return None
    if frequency == "monthly":
        return _parse_month(text)
    if frequency == "quarterly":
        match = _QUARTER.match(text)
        if not match:
            return None
        quarter = int(match.group(1) or match.group(4))
        year = int(match.group(2) or match.group(3))
        return quarter_period(year, quarter) if _in_range(year) else None
    if frequency == "annual_census":
        year_match = _YEAR.match(text)
        if year_match:
            year = int(year_match.group(1))
            return january_census(year) if _in_range(year) else None
        month = _parse_month(text)
        return month if month and month[1].month == 1 else None
    if frequency == "annual_calendar":
        year_match = _YEAR.match(text)
        year = int(year_match.group(1)) if year_match else 0
        return calendar_year(year) if _in_range(year) else None
    if frequency in ("annual_academic", "annual_financial", "annual_reporting"):
        end_year = _split_end_year(text)
        if end_year is None or not _in_range(end_year):
            return None
        return (
            academic_year(end_year) if frequency == "annual_academic" else financial_year(end_year)
        )
    return None


def _parse_month(text: str) -> Period | None:
    year = month = None
    if match := _MONTH_NAME.match(text):
        month = _MONTHS.get(match.group(1).lower())
        year = int(match.group(2))
    elif match := _MONTH_ISO.match(text):
        year, month = int(match.group(1)), int(match.group(2))
    elif match := _MONTH_SLASH.match(text):
        month, year = int(match.group(1)), int(match.group(2))
    if not month or not year or not 1 <= month <= 12 or not _in_range(year):
        return None
    return month_period(year, month)


def period_from_end_year(frequency: str, end_year: int) -> Period | None:
    """The annual period ending in ``end_year`` (EES and LAIT "2025"), None if not annual."""
    try:
        return annual_period(frequency, end_year) if _in_range(end_year) else None
    except ValueError:
        return None
