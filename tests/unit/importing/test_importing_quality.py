"""Data quality measures on small made-up observation frames, and the report on both databases."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from data_access.importing import quality


def _rows(cells: list[tuple]) -> pd.DataFrame:
    """(period_label, start, breakdown, value, numerator, denominator, status) tuples."""
    frame = pd.DataFrame(
        cells,
        columns=["period_label", "period_start", "breakdown", "breakdown_value", "value",
                 "numerator", "denominator", "status"],
    )  # fmt: skip
    return frame.astype({"value": float, "numerator": float, "denominator": float})


def test_dq001_completeness_counts_cells_against_england():
    start = date(2024, 9, 1)
    england = _rows([
        ("2024/25", start, "total", "total", 68.0, 1, 2, None),
        ("2024/25", start, "sex", "male", 60.0, 1, 2, None),
        ("2024/25", start, "sex", "female", 70.0, 1, 2, None),
        ("2023/24", date(2023, 9, 1), "total", "total", 67.0, 1, 2, None),
    ])  # fmt: skip
    area = _rows([
        ("2024/25", start, "total", "total", 63.0, 1, 2, None),
        ("2024/25", start, "sex", "male", np.nan, np.nan, np.nan, "c"),
        ("2024/25", start, "sex", "female", 65.0, 1, 2, None),
    ])  # fmt: skip
    out = quality.completeness(area, england).set_index("period_label")
    assert out.loc["2023/24", "total"] == "missing"
    assert out.loc["2024/25", "total"] == "figure"
    assert (out.loc["2024/25", "cells_present"], out.loc["2024/25", "cells_expected"]) == (2, 3)


def test_dq002_unknown_share_uses_group_sizes():
    start = date(2024, 9, 1)
    area = _rows([
        ("2024/25", start, "ethnicity", "white", 60.0, 60, 100, None),
        ("2024/25", start, "ethnicity", "asian", 50.0, 25, 50, None),
        ("2024/25", start, "ethnicity", "unclassified", 40.0, 20, 50, None),
        ("2024/25", start, "sex", "male", 50.0, 50, 100, None),
    ])  # fmt: skip
    out = quality.unknown_shares(area).set_index("breakdown")
    assert out.loc["ethnicity", "share_unknown"] == 0.25
    assert out.loc["sex", "share_unknown"] == 0.0


def test_dq003_suppressed_cells_are_listed_with_their_symbols():
    start = date(2024, 9, 1)
    area = _rows([
        ("2024/25", start, "sex", "male", np.nan, np.nan, np.nan, "c"),
        ("2024/25", start, "sex", "female", np.nan, np.nan, np.nan, "u"),
        ("2024/25", start, "total", "total", 50.0, 1, 2, None),
    ])  # fmt: skip
    out = quality.suppressed_cells(area)
    assert out.to_dict("records") == [
        {
            "period_label": "2024/25",
            "breakdown": "sex",
            "cells": 2,
            "suppressed": 2,
            "symbols": "c u",
        }
    ]


def test_dq004_missing_and_late_periods_follow_the_frequency():
    rows = _rows([
        ("Jan 2026", date(2026, 1, 1), "total", "total", 1.0, None, None, None),
        ("Mar 2026", date(2026, 3, 1), "total", "total", 1.0, None, None, None),
    ])  # fmt: skip
    out = quality.missing_periods(rows, "monthly", today=date(2026, 8, 15))
    assert out[["period_label", "state"]].values.tolist() == [
        ["Feb 2026", "missing"], ["Apr 2026", "missing"], ["May 2026", "late"],
    ]  # fmt: skip
    annual = _rows([("2022/23", date(2022, 9, 1), "total", "total", 1.0, None, None, None)])
    out = quality.missing_periods(annual, "annual_academic", today=date(2025, 11, 1))
    assert out["period_label"].tolist() == ["2023/24"]
    assert out["state"].tolist() == ["late"]


def test_dq005_report_lists_revisions_on_both_databases(any_db, tmp_path):
    from importing_files import write_template

    from data_access.importing.commit import commit_prepared
    from data_access.importing.pipeline import prepare_import
    from data_access.importing.validation import Reference

    row = ["eh_requests", "E08000004", "Jan 2026", "total", "total", "", "", 10, ""]
    with any_db.read() as session:
        reference = Reference.from_session(session)
    for number, value in enumerate((10, 12)):
        path = write_template(tmp_path / f"{number}.csv", [row[:7] + [value, ""]])
        prepared = prepare_import(path, "template", None, reference, tmp_path / f"w{number}")
        with any_db.write() as session:
            commit_prepared(session, prepared, created_by="test")
    with any_db.read() as session:
        report = quality.quality_report(session, "eh_requests", "E08000004", date(2026, 2, 1))
    revisions = report["revisions"]
    assert revisions[["old_value", "new_value"]].values.tolist() == [[10.0, 12.0]]
    assert revisions["file"].tolist() == ["1.csv"]
    assert report["completeness"]["total"].tolist() == ["figure"]


def _import_rows(any_db, tmp_path, batches):  # type: ignore[no-untyped-def]
    """Commit each list of template rows as one import, in order."""
    from importing_files import write_template

    from data_access.importing.commit import commit_prepared
    from data_access.importing.pipeline import prepare_import
    from data_access.importing.validation import Reference

    with any_db.read() as session:
        reference = Reference.from_session(session)
    for number, rows in enumerate(batches):
        path = write_template(tmp_path / f"{number}.csv", rows)
        prepared = prepare_import(path, "template", None, reference, tmp_path / f"w{number}")
        with any_db.write() as session:
            commit_prepared(session, prepared, created_by="test")


def test_dq006_revisions_never_show_a_small_count(any_db, tmp_path):
    total = ["eh_requests", "E08000004", "Jan 2026", "total", "total", "", ""]
    other = ["eh_requests", "E08000004", "Feb 2026", "total", "total", "", ""]
    # Jan: 3 requests revised to 12 (the old figure is small); Feb: 10 revised to 4
    # (suppressed now, so neither figure is shown).
    _import_rows(
        any_db,
        tmp_path,
        [[[*total, 3, ""], [*other, 10, ""]], [[*total, 12, ""], [*other, 4, ""]]],
    )
    with any_db.read() as session:
        report = quality.quality_report(session, "eh_requests", "E08000004", date(2026, 3, 1))
    revisions = report["revisions"].set_index("period_label")
    assert list(revisions.columns) == [
        "replaced_at", "breakdown", "breakdown_value", "old_value", "new_value",
        "old_status", "new_status", "batch", "file",
    ]  # fmt: skip
    jan, feb = revisions.loc["Jan 2026"], revisions.loc["Feb 2026"]
    assert pd.isna(jan["old_value"]) and jan["old_status"] == "c"
    assert jan["new_value"] == 12.0 and pd.isna(jan["new_status"])
    assert pd.isna(feb["old_value"]) and pd.isna(feb["new_value"])
    assert feb["old_status"] == "c" and feb["new_status"] == "c"
    # The suppressed cells table counts Chorus's own suppression too.
    suppressed = report["suppressed"]
    assert "c" in " ".join(suppressed["symbols"])


def test_dq007_a_small_unknown_group_is_not_counted_out_loud(any_db, tmp_path):
    base = ["eh_assessments_timely", "E08000004", "Jan 2026"]
    rows = [
        [*base, "total", "total", 42, 53, "", ""],
        [*base, "ethnicity", "white", 40, 50, "", ""],
        [*base, "ethnicity", "unknown", 2, 3, "", ""],
    ]
    _import_rows(any_db, tmp_path, [rows])
    with any_db.read() as session:
        report = quality.quality_report(session, "eh_assessments_timely", "E08000004")
    unknown = report["unknown"]
    assert unknown["breakdown"].tolist() == ["ethnicity"]
    # Three children of unknown ethnicity would be a disclosure: the count is withheld.
    assert not (unknown["unknown"] == 3).any()
    assert unknown["share_unknown"].isna().all()
