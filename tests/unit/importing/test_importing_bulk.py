"""The bulk paths of the import: per-distinct-value work, lookups per breakdown cell, COPY."""

from __future__ import annotations

import pandas as pd
from importing_files import write_template
from sqlalchemy import select

from data_access.importing.commit import commit_prepared
from data_access.importing.distinct import map_distinct
from data_access.importing.pipeline import prepare_import
from data_access.importing.validation import Reference
from data_access.models import Observation, ObservationHistory

AREAS = ["E08000004", "E08000005", "E08000006"]
CELLS = [("total", "total"), ("sex", "female"), ("sex", "male")]
MONTHS = ["Jan 2026", "Feb 2026", "Mar 2026"]


def _rows(bump: int = 0) -> list[list[object]]:
    """27 rows over three cells, areas and months; ``bump`` changes the first numerator."""
    rows = []
    for breakdown, value in CELLS:
        for area in AREAS:
            for month in MONTHS:
                rows.append(
                    ["eh_assessments_timely", area, month, breakdown, value, 30, 40, "", ""]
                )
    rows[0][5] += bump
    return rows


def _import(db, tmp_path, rows, name, chunk_rows=50_000):  # type: ignore[no-untyped-def]
    with db.read() as session:
        reference = Reference.from_session(session)
    path = write_template(tmp_path / name, rows)
    prepared = prepare_import(
        path, "template", None, reference, tmp_path / f"work-{name}", chunk_rows=chunk_rows
    )
    with db.write() as session:
        return commit_prepared(session, prepared, created_by="test")


def test_impk001_distinct_values_keep_kinds_apart():
    mixed = pd.Series([1, "1", 1.0, True, None, " 1 "], dtype=object)
    assert map_distinct(mixed, str, "blank").tolist() == ["1", "1", "1.0", "True", "blank", " 1 "]
    text = pd.Series(["b", None, "a", "b", float("nan")], dtype=object, index=[5, 6, 7, 8, 9])
    upper = map_distinct(text, str.upper)
    assert upper.tolist() == ["B", None, "A", "B", None]
    assert list(upper.index) == [5, 6, 7, 8, 9]


def test_impk002_small_chunks_over_many_cells_import_once(any_db, tmp_path):
    first = _import(any_db, tmp_path, _rows(), "a.csv", chunk_rows=4)
    assert (first.rows_inserted, first.rows_changed) == (27, 0)
    again = _import(any_db, tmp_path, _rows(), "b.csv", chunk_rows=5)
    assert again.status == "unchanged" and again.rows_unchanged == 27
    revised = _import(any_db, tmp_path, _rows(bump=3), "c.csv", chunk_rows=7)
    assert (revised.rows_inserted, revised.rows_changed, revised.rows_unchanged) == (0, 1, 26)
    with any_db.read() as session:
        history = session.scalars(select(ObservationHistory.numerator)).all()
        count = len(session.scalars(select(Observation.id)).all())
    assert history == [30.0] and count == 27


def test_impk003_text_with_tabs_backslashes_and_quotes_is_stored_as_read(any_db, tmp_path):
    value = 'white \\ "irish"\tother'
    rows = [["eh_assessments_timely", AREAS[0], "Jan 2026", "ethnicity", value, 3, 4, "", ""]]
    assert _import(any_db, tmp_path, rows, "a.csv").rows_inserted == 1
    with any_db.read() as session:
        stored = session.scalars(select(Observation.breakdown_value)).all()
    assert stored == [value]
    assert _import(any_db, tmp_path, rows, "b.csv").status == "unchanged"
