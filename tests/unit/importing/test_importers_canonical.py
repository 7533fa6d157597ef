"""The canonical observation table: period helpers, symbol handling and validation."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from data_access.importing.canonical import (
    OBSERVATION_COLUMNS,
    academic_year,
    annual_period,
    empty_observations,
    finalise,
    financial_year,
    january_census,
    month_period,
    quarter_period,
    split_value_and_status,
    validate_canonical,
)


def _row(**overrides: object) -> dict[str, object]:
    row: dict[str, object] = {
        "indicator": "gld",
        "area_code": "E08000004",
        "period_label": "2024/25",
        "period_start": date(2024, 9, 1),
        "period_end": date(2025, 8, 31),
        "breakdown": "total",
        "breakdown_value": "total",
        "numerator": 631.0,
        "denominator": 1000.0,
        "value": 63.1,
        "status": None,
    }
    row.update(overrides)
    return row


def _frame(*rows: dict[str, object]) -> pd.DataFrame:
    return finalise(pd.DataFrame(list(rows)))


def test_can001_academic_year_runs_september_to_august() -> None:
    assert academic_year(2025) == ("2024/25", date(2024, 9, 1), date(2025, 8, 31))
    assert academic_year(2000)[0] == "1999/00"


def test_can002_financial_year_runs_april_to_march() -> None:
    assert financial_year(2025) == ("2024-25", date(2024, 4, 1), date(2025, 3, 31))
    assert financial_year(2010)[0] == "2009-10"


def test_can003_month_period_knows_month_lengths() -> None:
    assert month_period(2026, 3) == ("Mar 2026", date(2026, 3, 1), date(2026, 3, 31))
    assert month_period(2024, 2)[2] == date(2024, 2, 29)
    assert month_period(2025, 2)[2] == date(2025, 2, 28)


def test_can004_census_and_quarter_periods() -> None:
    assert january_census(2023) == ("Jan 2023", date(2023, 1, 1), date(2023, 1, 31))
    assert quarter_period(2026, 2) == ("Q2 2026", date(2026, 4, 1), date(2026, 6, 30))
    with pytest.raises(ValueError):
        quarter_period(2026, 5)


def test_can005_annual_period_follows_catalogue_frequency() -> None:
    assert annual_period("annual_academic", 2025)[0] == "2024/25"
    assert annual_period("annual_reporting", 2025)[0] == "2024-25"
    assert annual_period("annual_financial", 2025)[0] == "2024-25"
    assert annual_period("annual_census", 2025)[0] == "Jan 2025"
    with pytest.raises(ValueError):
        annual_period("monthly", 2025)


def test_can006_empty_observations_has_the_contract_columns() -> None:
    empty = empty_observations()
    assert list(empty.columns) == OBSERVATION_COLUMNS
    assert empty.empty
    assert validate_canonical(empty) is empty
    assert empty["value"].dtype == float


def test_can007_symbols_become_status_and_never_numbers() -> None:
    text = pd.Series(["63.1", "c", "u", "-", "low", "", "k", "z", "x", "0"])
    values, status = split_value_and_status(text)
    assert values.iloc[0] == pytest.approx(63.1)
    assert values.iloc[9] == 0.0
    assert values.iloc[1:9].isna().all()
    assert status.tolist() == [None, "c", "u", "x", "low", None, "k", "z", "x", None]


def test_can008_valid_rows_pass_validation() -> None:
    suppressed = _row(breakdown="sex", breakdown_value="female", value=np.nan, status="c")
    frame = _frame(_row(), suppressed)
    assert validate_canonical(frame) is frame


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"status": "c"}, "status symbol"),
        ({"status": "suppressed", "value": np.nan}, "unknown status"),
        ({"breakdown_value": "female"}, 'breakdown "total"'),
        ({"breakdown": "colour", "breakdown_value": "red"}, "unknown breakdowns"),
        ({"area_code": "Oldham"}, "bad area codes"),
        ({"period_start": pd.Timestamp("2024-09-01")}, "datetime.date"),
        ({"period_start": date(2026, 1, 1)}, "after period_end"),
        ({"indicator": None}, "indicator has missing"),
    ],
)
def test_can009_validation_names_the_problem(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        validate_canonical(_frame(_row(**overrides)))


def test_can010_validation_rejects_duplicate_keys_and_wrong_columns() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        validate_canonical(_frame(_row(), _row(value=60.0)))
    with pytest.raises(ValueError, match="columns"):
        validate_canonical(_frame(_row()).drop(columns=["status"]))
