"""The explorer's map of every authority shows what each authority's own panel shows."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.mark.parametrize("threshold", [5, 30, 200])
@pytest.mark.parametrize(
    "indicator_id",
    # Published (with and without counts) and illustrative monthly figures with breakdowns.
    ["gld", "care_leavers_eet_19_21", "eh_requests", "eh_assessments_timely", "eh_stepup_csc"],
)
def test_map001_map_values_equal_the_panels_suppressed_totals(db, indicator_id, threshold):
    """Secondary suppression can hide a total because of a cell in one of its breakdowns,
    so the map cannot suppress totals alone: a figure hidden on the panel must be hidden
    on the map too (and nothing hidden on the map that the panel shows)."""
    from data_access import indicators_query as iq

    with db.read() as session:
        indicator = iq.indicator_record(session, indicator_id)
        mapped = iq.authority_values(session, indicator, None, threshold)
        codes = iq.local_authorities(session)["code"].tolist()
        rows = iq.suppressed_rows(session, indicator, codes, threshold)
    if mapped.empty:
        # Nothing to map only when no authority's panel shows a whole-population figure.
        assert rows.loc[rows["breakdown"] == "total", "value"].isna().all()
        return
    period = mapped["period_start"].iloc[0]
    shown = rows[(rows["breakdown"] == "total") & rows["value"].notna()]
    assert period == shown["period_start"].max()  # the newest period with a figure shown
    codes = mapped["area_code"].tolist()
    totals = rows[(rows["breakdown"] == "total") & (rows["period_start"] == period)]
    panel = totals.set_index("area_code")
    assert set(panel.index) == set(codes)
    for row in mapped.itertuples(index=False):
        own = panel.loc[row.area_code]
        assert (row.status or None) == (own["status"] or None), row.area_code
        if np.isnan(own["value"]):
            assert row.value is None or np.isnan(row.value), row.area_code
        else:
            assert row.value == pytest.approx(own["value"]), row.area_code
