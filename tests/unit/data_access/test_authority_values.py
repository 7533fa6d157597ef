"""The explorer's map values: every authority's whole-population figure for one period,
suppressed exactly as that authority's own panel suppresses it."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from data_access import indicators_query as iq
from data_access.observations import insert_observations

OLDHAM, ROCHDALE, BURY = "E08000004", "E08000005", "E08000002"
YEARS = {
    2023: ("2023/24", date(2023, 9, 1), date(2024, 8, 31)),
    2024: ("2024/25", date(2024, 9, 1), date(2025, 8, 31)),
    2025: ("2025/26", date(2025, 9, 1), date(2026, 8, 31)),
}


def _row(area, year, numerator, denominator, breakdown="total", value=None, status=None):  # type: ignore[no-untyped-def]
    label, start, end = YEARS[year]
    dimension, _, group = breakdown.partition(":")
    return {
        "indicator": "gld",
        "area_code": area,
        "period_label": label,
        "period_start": start,
        "period_end": end,
        "breakdown": dimension,
        "breakdown_value": group or "total",
        "numerator": numerator,
        "denominator": denominator,
        "value": 100 * numerator / denominator if value is None and status is None else value,
        "lower_ci": np.nan,
        "upper_ci": np.nan,
        "status": status,
    }


def _seed(database) -> None:  # type: ignore[no-untyped-def]
    rows = [
        # 2024/25: Oldham's total is large, but its sex breakdown has one small cell beside
        # a 0 and a cell the publisher withheld ("x"), so its panel hides the total too.
        _row(OLDHAM, 2024, 44.0, 100.0),
        _row(OLDHAM, 2024, 3.0, 50.0, "sex:female"),
        _row(OLDHAM, 2024, 0.0, 40.0, "sex:male"),
        _row(OLDHAM, 2024, np.nan, 10.0, "sex:not recorded", status="x"),
        _row(ROCHDALE, 2024, 60.0, 100.0),
        _row(ROCHDALE, 2024, 30.0, 50.0, "sex:female"),
        _row(ROCHDALE, 2024, 30.0, 50.0, "sex:male"),
        _row(BURY, 2024, 70.0, 100.0),
        # 2023/24: all shown.
        _row(OLDHAM, 2023, 50.0, 100.0),
        _row(ROCHDALE, 2023, 55.0, 100.0),
        # 2025/26: only a small count, suppressed: the map falls back to 2024/25.
        _row(BURY, 2025, 4.0, 100.0),
    ]
    with database.write() as session:
        insert_observations(session, pd.DataFrame(rows))


def test_map002_a_total_hidden_by_its_breakdown_is_hidden_on_the_map(any_db):
    _seed(any_db)
    with any_db.read() as session:
        indicator = iq.indicator_record(session, "gld")
        mapped = iq.authority_values(session, indicator, None, 5).set_index("area_code")
        panel = iq.suppressed_rows(session, indicator, [OLDHAM], 5)
    oldham_total = panel[(panel["breakdown"] == "total") & (panel["period_label"] == "2024/25")]
    assert oldham_total["status"].tolist() == ["c"]  # what Oldham's own panel shows

    assert set(mapped["period_label"]) == {"2024/25"}
    assert mapped.loc[OLDHAM, "status"] == "c"
    assert np.isnan(mapped.loc[OLDHAM, "value"])
    assert pd.isna(mapped.loc[OLDHAM, "rank"])
    assert mapped.loc[ROCHDALE, "value"] == 60.0 and mapped.loc[BURY, "value"] == 70.0
    # Ranked among the two shown figures only (high is good for GLD).
    assert mapped.loc[BURY, "rank"] == 1 and mapped.loc[ROCHDALE, "rank"] == 2
    assert set(mapped["ranked"]) == {2}


def test_map003_a_chosen_period_or_an_end_date_picks_that_period(any_db):
    _seed(any_db)
    with any_db.read() as session:
        indicator = iq.indicator_record(session, "gld")
        ended = iq.authority_values(session, indicator, None, 5, "2025-06-30")
        chosen = iq.authority_values(session, indicator, "2025-09-01", 5)
        nothing = iq.authority_values(session, indicator, None, 5, "2020-01-01")
    assert set(ended["period_label"]) == {"2023/24"}
    assert dict(zip(ended["area_code"], ended["value"], strict=True)) == {
        OLDHAM: 50.0,
        ROCHDALE: 55.0,
    }
    # Asked for by name, a period is shown even when every figure in it is hidden.
    assert chosen["period_label"].tolist() == ["2025/26"]
    assert chosen["status"].tolist() == ["c"]
    assert nothing.empty
    assert list(nothing.columns) == [
        "area_code",
        "area_name",
        "period_label",
        "period_start",
        "value",
        "status",
        "rank",
        "ranked",
        "band",
    ]


def test_map004_a_count_given_only_as_its_figure_is_suppressed(any_db):
    """Early Help requests are a count: a file may give only the figure (value 4, no
    numerator), and 4 requests is as disclosive as a numerator of 4."""
    rows = []
    for area, value in ((OLDHAM, 4.0), (ROCHDALE, 40.0)):
        row = _row(area, 2024, np.nan, np.nan, value=value)
        rows.append({**row, "indicator": "eh_requests"})
    with any_db.write() as session:
        insert_observations(session, pd.DataFrame(rows))
    with any_db.read() as session:
        indicator = iq.indicator_record(session, "eh_requests")
        panel = iq.suppressed_rows(session, indicator, [OLDHAM, ROCHDALE], 5)
        mapped = iq.authority_values(session, indicator, None, 5).set_index("area_code")
    panel = panel.set_index("area_code")
    assert panel.loc[OLDHAM, "status"] == "c" and np.isnan(panel.loc[OLDHAM, "value"])
    assert panel.loc[ROCHDALE, "value"] == 40.0 and panel.loc[ROCHDALE, "numerator"] == 40.0
    assert mapped.loc[OLDHAM, "status"] == "c" and np.isnan(mapped.loc[OLDHAM, "value"])
