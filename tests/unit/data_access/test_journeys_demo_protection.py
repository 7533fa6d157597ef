"""Journeys protection on the illustrative Early Help counts: every season of several
hundred requests shows at least three quarters of its steps, and nothing small is shown
(issue 17: a season of 896 requests used to hide almost every step after "assessment
started")."""

from __future__ import annotations

import numpy as np

from analysis.journeys import TOTAL, cohort_choices, journey_view
from data_access.demo.journeys import _demo_journeys_cached


def test_jdemo001_seasons_of_several_hundred_requests_show_three_quarters_of_their_steps():
    journeys = _demo_journeys_cached()
    totals = journeys[journeys["breakdown"] == TOTAL]
    seen = []
    for area, counts in totals.groupby("area_code"):
        choices = cohort_choices(sorted(set(counts["cohort_start"])))
        for season in [c for c in choices if c["kind"] == "season"][:4]:
            view = journey_view(counts, season["months"], threshold=5)
            assert view.cohort_size >= 300
            shown = view.steps["status"].isna()
            seen.append((area, season["label"], int(shown.sum()), len(shown)))
            assert shown.sum() >= 0.75 * len(shown), seen[-1]
            figures = view.steps.loc[shown, "count"].to_numpy()
            assert not ((figures > 0) & (figures <= 5)).any()
    # Oldham's summer 2025 (896 requests) is among them.
    assert any(area == "E08000004" and "Summer 2025" in label for area, label, *_ in seen)
    assert np.mean([s / n for *_, s, n in seen]) > 0.9
