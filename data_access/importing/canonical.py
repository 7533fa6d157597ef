"""The canonical observation table every importer produces.

One row is one published (or locally recorded) figure: an indicator, for an area, over a
period, for one breakdown cell. Importers are pure: they take file paths or DataFrames and
return DataFrames with exactly ``OBSERVATION_COLUMNS``; the database writer consumes them.

Columns:
    indicator        str   stable indicator id from data/indicators.csv
    area_code        str   current ONS GSS code (E92000001, E12..., E06/E08/E09/E10...)
    period_label     str   "2024/25", "2024-25", "Jan 2023", "2023", "Mar 2026", "Q1 2026"
    period_start     datetime.date
    period_end       datetime.date
    breakdown        str   one of BREAKDOWNS ("total" for the whole population)
    breakdown_value  str   "total" when breakdown is "total", else a slug such as "female"
    numerator        float count meeting the measure, NaN when not published
    denominator      float population the measure is taken over, NaN when not published
    value            float the published figure (percent, rate, count or pounds)
    lower_ci         float NaN here; intervals are computed in analysis/
    upper_ci         float NaN here
    status           None or a published symbol from STATUS_SYMBOLS (value is NaN then)
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime

import numpy as np
import pandas as pd

from rules.observations import NUMERIC_COLUMNS as NUMERIC_COLUMNS
from rules.observations import OBSERVATION_COLUMNS as OBSERVATION_COLUMNS

# Published symbols keep their meaning and are never turned into numbers:
# c confidential, k / low rounds to zero, u low reliability, x not available, z not applicable.
STATUS_SYMBOLS = frozenset({"c", "k", "low", "u", "x", "z"})

BREAKDOWNS = frozenset(
    {
        "total",
        "sex",
        "ethnicity",
        "fsm",
        "sen",
        "eal",
        "age_band",
        "imd_quintile",
        "uasc",
        "disability",
    }
)

TOTAL = "total"

_AREA_CODE = re.compile(r"^[EWSN]\d{8}$")

Period = tuple[str, date, date]


def academic_year(end_year: int) -> Period:
    """School year ending in ``end_year``: ("2024/25", 1 Sep 2024, 31 Aug 2025)."""
    return f"{end_year - 1}/{end_year % 100:02d}", date(end_year - 1, 9, 1), date(end_year, 8, 31)


def financial_year(end_year: int) -> Period:
    """Financial or DfE reporting year to 31 March: ("2024-25", 1 Apr 2024, 31 Mar 2025)."""
    return f"{end_year - 1}-{end_year % 100:02d}", date(end_year - 1, 4, 1), date(end_year, 3, 31)


def calendar_year(year: int) -> Period:
    """Calendar year: ("2023", 1 Jan 2023, 31 Dec 2023)."""
    return str(year), date(year, 1, 1), date(year, 12, 31)


def month_period(year: int, month: int) -> Period:
    """One calendar month: ("Mar 2026", 1 Mar 2026, 31 Mar 2026)."""
    last_day = calendar.monthrange(year, month)[1]
    return f"{calendar.month_abbr[month]} {year}", date(year, month, 1), date(year, month, last_day)


def january_census(year: int) -> Period:
    """January census: ("Jan 2023", 1 Jan 2023, 31 Jan 2023).

    The census is taken on one day in January; the month is used as the period so the
    label and dates match ``month_period(year, 1)``.
    """
    return month_period(year, 1)


def quarter_period(year: int, quarter: int) -> Period:
    """Calendar quarter: ("Q1 2026", 1 Jan 2026, 31 Mar 2026)."""
    if quarter not in (1, 2, 3, 4):
        raise ValueError(f"quarter must be 1-4, got {quarter}")
    first_month = 3 * (quarter - 1) + 1
    last_month = first_month + 2
    last_day = calendar.monthrange(year, last_month)[1]
    return f"Q{quarter} {year}", date(year, first_month, 1), date(year, last_month, last_day)


# Annual frequencies in data/indicators.csv -> how to turn a year into a period.
# "Year" is the end year as DfE and LAIT write it ("2025" = 2024/25 or year to 31 March 2025).
ANNUAL_PERIOD_BY_FREQUENCY = {
    "annual_academic": academic_year,
    "annual_financial": financial_year,
    "annual_reporting": financial_year,
    "annual_census": january_census,
    "annual_calendar": calendar_year,
}


def annual_period(frequency: str, end_year: int) -> Period:
    """The period for an annual ``frequency`` ending in ``end_year``."""
    try:
        return ANNUAL_PERIOD_BY_FREQUENCY[frequency](end_year)
    except KeyError:
        raise ValueError(f"not an annual frequency: {frequency!r}") from None


def empty_observations() -> pd.DataFrame:
    """An empty canonical DataFrame with the right columns and dtypes."""
    frame = pd.DataFrame({column: pd.Series(dtype=object) for column in OBSERVATION_COLUMNS})
    for column in NUMERIC_COLUMNS:
        frame[column] = frame[column].astype(float)
    return frame


def split_value_and_status(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Split published cells into (float values, status symbols).

    Takes a Series of strings as published ("63.1", "c", "u", "-", ""). Returns floats with
    NaN wherever the cell is not a number, and a status Series holding the symbol for
    published symbols ("-" from LAIT becomes "x"), None elsewhere. Blank cells are NaN with
    status None.
    """
    cleaned = text.astype("string").str.strip()
    values = pd.to_numeric(cleaned, errors="coerce").astype(float)
    symbol = cleaned.str.lower().replace({"-": "x"})
    is_symbol = values.isna() & symbol.isin(STATUS_SYMBOLS).fillna(False)
    status = pd.Series(np.where(is_symbol, symbol.fillna(""), None), index=text.index, dtype=object)
    return values, status


def finalise(frame: pd.DataFrame) -> pd.DataFrame:
    """Order columns, fill missing optional ones and set dtypes (no validation)."""
    out = frame.copy()
    for column in OBSERVATION_COLUMNS:
        if column not in out.columns:
            out[column] = np.nan if column in NUMERIC_COLUMNS else None
    out = out[OBSERVATION_COLUMNS].reset_index(drop=True)
    for column in NUMERIC_COLUMNS:
        out[column] = pd.to_numeric(out[column], errors="coerce").astype(float)
    out["status"] = out["status"].astype(object).where(out["status"].notna(), None)
    for column in ("indicator", "area_code", "period_label", "breakdown", "breakdown_value"):
        out[column] = out[column].astype(object)
    return out


def _is_plain_date(value: object) -> bool:
    # pd.Timestamp and datetime are date subclasses; the database column wants plain dates.
    return isinstance(value, date) and not isinstance(value, datetime)


def validate_canonical(df: pd.DataFrame) -> pd.DataFrame:
    """Check that ``df`` is a canonical observation table; return it unchanged.

    Raises ValueError naming the first problem: wrong columns, missing keys, bad area
    codes, periods that are not dates or run backwards, unknown breakdowns, "total"
    breakdowns whose value is not "total", unknown status symbols, a number stored next
    to a status symbol, or duplicate keys.
    """
    if list(df.columns) != OBSERVATION_COLUMNS:
        raise ValueError(f"columns must be {OBSERVATION_COLUMNS}, got {list(df.columns)}")
    if df.empty:
        return df
    for column in ("indicator", "area_code", "period_label", "breakdown", "breakdown_value"):
        if df[column].isna().any():
            raise ValueError(f"{column} has missing values")
    bad_codes = ~df["area_code"].astype(str).str.match(_AREA_CODE)
    if bad_codes.any():
        raise ValueError(f"bad area codes: {sorted(df.loc[bad_codes, 'area_code'].unique())[:5]}")
    for column in ("period_start", "period_end"):
        not_dates = ~df[column].map(_is_plain_date)
        if not_dates.any():
            raise ValueError(f"{column} must hold datetime.date values")
    if (df["period_start"] > df["period_end"]).any():
        raise ValueError("period_start after period_end")
    unknown = set(df["breakdown"]) - BREAKDOWNS
    if unknown:
        raise ValueError(f"unknown breakdowns: {sorted(unknown)}")
    is_total = df["breakdown"] == TOTAL
    if (df.loc[is_total, "breakdown_value"] != TOTAL).any():
        raise ValueError('breakdown "total" must have breakdown_value "total"')
    status = df["status"].dropna()
    unknown_status = set(status) - STATUS_SYMBOLS
    if unknown_status:
        raise ValueError(f"unknown status symbols: {sorted(unknown_status)}")
    if df.loc[df["status"].notna(), "value"].notna().any():
        raise ValueError("a row with a status symbol must have value NaN")
    for column in NUMERIC_COLUMNS:
        if not pd.api.types.is_float_dtype(df[column]):
            raise ValueError(f"{column} must be float")
    key = ["indicator", "area_code", "period_label", "breakdown", "breakdown_value"]
    if df.duplicated(key).any():
        raise ValueError("duplicate observation keys")
    return df
