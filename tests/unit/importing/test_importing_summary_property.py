"""Property: every import summary adds up (read = committed + unchanged + skipped + rejected).

Hypothesis writes small files, in the Chorus template and in LAIT's long layout, from rows
that are valid, invalid in one of many ways (unknown area, bad period, words for numbers,
symbols in any column, out-of-range figures, duplicates, formulas) or not in the mapping,
and imports them from two sources into the same database, in both commit modes. Every
summary must account for each line of the file exactly once.
"""

from __future__ import annotations

import csv
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data_access.importing.commit import ALL_OR_NOTHING, VALID_ONLY, commit_prepared
from data_access.importing.pipeline import prepare_import
from data_access.importing.template import EXPORT_COLUMNS
from data_access.importing.validation import Reference

AREAS = ["E08000004", "E08000005", "E92000001", "E10000023", "E99999999", ""]
CELLS = ["", "0", "12", "40", "75", "75.0", "21.1", "140", "-3", "1,204", "ten", "c", "x",
         "low", "z", "n/a", "=1+1", "402400"]  # fmt: skip
TEMPLATE_ROW = st.tuples(
    st.sampled_from(["eh_assessments_timely", "eh_requests", "cin_rate", "gld", "nope"]),
    st.sampled_from(AREAS),
    st.sampled_from(["Jan 2026", "Feb 2026", "2024-25", "2023/24", "March"]),
    st.sampled_from([("total", "total"), ("sex", "female"), ("gender", "x"), ("sex", "")]),
    st.sampled_from(CELLS),
    st.sampled_from(CELLS),
    st.sampled_from(CELLS),
    st.sampled_from(["", "", "", "c", "x", "s"]),
)
LAIT_ROW = st.tuples(
    st.sampled_from(["FSP_NEW_GOODDEV", "CareLeaverEET", "StayingPut", "NOT_MAPPED", "X"]),
    st.sampled_from(["2023", "2024", "2025", "20x5"]),
    st.sampled_from([("Oldham", "353"), ("England", ""), ("Inner London", ""), ("Zz", "999")]),
    st.sampled_from(["63.1", "-", "c", "140", "", "abc", "=2"]),
)
SETTINGS = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _write(path: Path, header: list[str], rows: list[list[str]]) -> int:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return len(rows)


def _check(db, path: Path, fmt: str, lines: int, mode: str, source: str, work: Path) -> None:  # type: ignore[no-untyped-def]
    """Import ``path`` and check its summary accounts for each of its ``lines`` once, and
    that each problem on a line the format read names the line and its indicator."""
    with db.read() as session:
        reference = Reference.from_session(session)
    prepared = prepare_import(path, fmt, None, reference, work, source=source)
    assert not prepared.rejected, prepared.problems.to_frame()
    assert prepared.rows_read == lines
    assert prepared.rows_valid + prepared.rows_rejected + prepared.rows_skipped == lines
    with db.write() as session:
        result = commit_prepared(session, prepared, mode, created_by="property")
    counts = result.counts()
    assert counts["read"] == lines, counts
    assert (
        counts["committed"] + counts["unchanged"] + counts["skipped"] + counts["rejected"]
        == counts["read"]
    ), counts
    assert (
        counts["confirmed"] + counts["conflicts"] - counts["conflicts_replaced"]
        <= (counts["unchanged"])
    )
    frame = prepared.problems.to_frame()
    # Lines the mapping skips (LAIT's unmapped Short Descs) have no indicator to name.
    unnamed = ["not_mapped"] + (["formula"] if prepared.rows_skipped else [])
    row_problems = frame[~frame["code"].isin(unnamed)]
    assert row_problems["line"].notna().all(), row_problems
    assert row_problems["indicator"].notna().all(), row_problems


@SETTINGS
@given(
    rows=st.lists(TEMPLATE_ROW, min_size=1, max_size=12),
    mode=st.sampled_from([VALID_ONLY, ALL_OR_NOTHING]),
    source=st.sampled_from(["EES", "LAIT"]),
)
def test_sum001_template_summaries_add_up(any_db, tmp_path_factory, rows, mode, source):
    folder = tmp_path_factory.mktemp("sum")
    written = [
        [ind, area, period, cell[0], cell[1], num, den, value, status, "", ""]
        for ind, area, period, cell, num, den, value, status in rows
    ]
    lines = _write(folder / "in.csv", EXPORT_COLUMNS, written)
    _check(any_db, folder / "in.csv", "template", lines, mode, source, folder / "work")


@SETTINGS
@given(rows=st.lists(LAIT_ROW, min_size=1, max_size=12), source=st.sampled_from(["LAIT", "EES"]))
def test_sum002_lait_summaries_add_up_with_skipped_rows(any_db, tmp_path_factory, rows, source):
    folder = tmp_path_factory.mktemp("sum")
    header = ["Short Desc", "Data item", "Years", "LA and Regions", "Values", "LA Number",
              "Region"]  # fmt: skip
    written = [
        [desc, "item", year, area[0], value, area[1], "North West"]
        for desc, year, area, value in rows
    ]
    lines = _write(folder / "lait.csv", header, written)
    _check(any_db, folder / "lait.csv", "lait", lines, VALID_ONLY, source, folder / "work")
