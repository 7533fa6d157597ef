"""Journeys protection on the illustrative Early Help counts: cells hidden and shown.

For every site, every whole season and every month, the protected table of everyone
(``analysis.journeys.journey_view``): steps shown of the steps in the table, flows hidden
of the flows, and the seconds each view took. ``python -m bench.journeysbench`` prints a
table and a summary; ``bench.run`` can call :func:`journeys_protection`.
"""

from __future__ import annotations

import time
from datetime import date

import pandas as pd

from analysis.journeys import TOTAL, cohort_choices, journey_view


def journeys_protection(threshold: int = 5) -> pd.DataFrame:
    """One row per view: area_code, cohort, kind (season or month), requests, steps_shown,
    steps, flows_hidden, flows, cells_hidden, cells_shown, seconds."""
    from data_access.demo.journeys import _demo_journeys_cached

    journeys = _demo_journeys_cached()
    totals = journeys[journeys["breakdown"] == TOTAL]
    rows = []
    for area, counts in totals.groupby("area_code"):
        for choice in cohort_choices(sorted(set(counts["cohort_start"]))):
            started = time.perf_counter()
            months: list[date] = list(choice["months"])  # type: ignore[call-overload]
            view = journey_view(counts, months, threshold=threshold)
            seconds = time.perf_counter() - started
            steps_hidden = int(view.steps["status"].notna().sum())
            flows_hidden = int(view.flows["status"].notna().sum())
            rows.append(
                {
                    "area_code": area,
                    "cohort": choice["label"],
                    "kind": choice["kind"],
                    "requests": view.cohort_size,
                    "steps_shown": len(view.steps) - steps_hidden,
                    "steps": len(view.steps),
                    "flows_hidden": flows_hidden,
                    "flows": len(view.flows),
                    "cells_hidden": steps_hidden + flows_hidden,
                    "cells_shown": len(view.steps) + len(view.flows) - steps_hidden - flows_hidden,
                    "seconds": round(seconds, 3),
                }
            )
    return pd.DataFrame(rows)


def summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per kind of view: views, cells hidden and shown in all, the share of steps shown
    (mean and worst) and the slowest view."""
    return table.groupby("kind").agg(
        views=("cohort", "size"),
        cells_hidden=("cells_hidden", "sum"),
        cells_shown=("cells_shown", "sum"),
        steps_shown_mean=("steps_shown", lambda s: round(float((s / 16).mean()), 3)),
        steps_shown_worst=("steps_shown", "min"),
        slowest_seconds=("seconds", "max"),
    )


if __name__ == "__main__":
    result = journeys_protection()
    with pd.option_context("display.width", 200, "display.max_rows", 500):
        print(result[result["kind"] == "season"].to_string(index=False))
        print()
        print(summary(result).to_string())
