"""Journeys and the costs scatter show each authority's figures as its own panel does:
suppressed over every breakdown, so a total hidden because of one of its cells stays hidden."""

from __future__ import annotations

import contextlib
from datetime import date

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import delete

from data_access.models import Observation
from data_access.observations import insert_observations, observations_frame

OLDHAM, ROCHDALE = "E08000004", "E08000005"
START, END = date(2030, 9, 1), date(2031, 8, 31)  # a year no real data reaches


def _row(area, numerator, denominator, breakdown="total", status=None):  # type: ignore[no-untyped-def]
    dimension, _, group = breakdown.partition(":")
    shown = status is None
    return {
        "indicator": "gld",
        "area_code": area,
        "period_label": "2030/31",
        "period_start": START,
        "period_end": END,
        "breakdown": dimension,
        "breakdown_value": group or "total",
        "numerator": numerator,
        "denominator": denominator,
        "value": 100 * numerator / denominator if shown else np.nan,
        "lower_ci": np.nan,
        "upper_ci": np.nan,
        "status": status,
    }


@pytest.fixture
def hidden_total(db):  # type: ignore[no-untyped-def]
    """Oldham's 2030/31 total (44 of 100) is large, but its sex breakdown has one small cell
    beside a 0 and a withheld cell, so secondary suppression hides the total."""
    rows = [
        _row(OLDHAM, 44.0, 100.0),
        _row(OLDHAM, 3.0, 50.0, "sex:female"),
        _row(OLDHAM, 0.0, 40.0, "sex:male"),
        _row(OLDHAM, np.nan, 10.0, "sex:not recorded", status="x"),
        _row(ROCHDALE, 60.0, 100.0),
    ]
    with db.write() as session:
        insert_observations(session, pd.DataFrame(rows))
    try:
        yield db
    finally:
        with db.write() as session:
            session.execute(delete(Observation).where(Observation.period_start == START))


@contextlib.contextmanager
def _in_request(server):  # type: ignore[no-untyped-def]
    with server.test_request_context():
        yield


def test_shown001_journeys_read_oldhams_total_as_its_panel_shows_it(server, hidden_total):
    from pages.journeys import shown_rows

    with _in_request(server), hidden_total.read() as session:
        raw = observations_frame(session, "gld", [OLDHAM], "total")
        shown = shown_rows(session, "gld", OLDHAM, "total")
        every = shown_rows(session, "gld", OLDHAM, None)
    raw_2030 = raw[raw["period_start"] == START]
    assert raw_2030["value"].tolist() == [44.0]  # stored, and not to be shown
    total = shown[shown["period_start"] == START]
    assert total["status"].tolist() == ["c"] and total["value"].isna().all()
    assert set(shown["breakdown"]) == {"total"}
    assert {"sex", "total"} <= set(every["breakdown"])
    cells = every[(every["period_start"] == START) & (every["breakdown"] == "sex")]
    assert not (cells["numerator"] == 3.0).any()


def test_shown002_costs_scatter_outcome_hides_what_the_panel_hides(server, hidden_total):
    from data_access.views import outcome_values

    with _in_request(server), hidden_total.read() as session:
        values = outcome_values(session, "gld", date(2030, 4, 1), 5).set_index("area_code")
    assert values.loc[OLDHAM, "status"] == "c" and np.isnan(values.loc[OLDHAM, "value"])
    assert values.loc[ROCHDALE, "value"] == 60.0
    assert set(values["period_start"]) == {START}
