"""Revision-aware commit, idempotency, all-or-nothing and rollback on SQLite and PostgreSQL."""

from __future__ import annotations

import pandas as pd
import pytest
from importing_files import write_template
from sqlalchemy import func, select

from data_access.importing.commit import (
    ALL_OR_NOTHING,
    RollbackRefused,
    commit_prepared,
    rollback_batch,
)
from data_access.importing.export import export_csv, export_frame
from data_access.importing.pipeline import prepare_import
from data_access.importing.validation import Reference
from data_access.models import ImportBatch, Observation, ObservationHistory
from data_access.observations import current_data_version, observations_frame

OLDHAM, ROCHDALE = "E08000004", "E08000005"
ROWS = [
    ["eh_assessments_timely", OLDHAM, "Jan 2026", "total", "total", 30, 40, "", ""],
    ["eh_assessments_timely", OLDHAM, "Feb 2026", "total", "total", 33, 40, "", ""],
    ["eh_assessments_timely", ROCHDALE, "Jan 2026", "total", "total", "", "", "", "c"],
]


def _import(db, tmp_path, rows, name="a.csv", mode="valid_only"):  # type: ignore[no-untyped-def]
    with db.read() as session:
        reference = Reference.from_session(session)
    path = write_template(tmp_path / name, rows)
    prepared = prepare_import(path, "template", None, reference, tmp_path / f"work-{name}")
    with db.write() as session:
        return commit_prepared(session, prepared, mode, created_by="test")


def _count(db, model) -> int:  # type: ignore[no-untyped-def]
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(model))


def _values(db) -> dict:  # type: ignore[no-untyped-def]
    with db.read() as session:
        frame = observations_frame(session, "eh_assessments_timely")
    return {
        (r.area_code, r.period_label): (
            None if pd.isna(r.value) else r.value,
            r.status if isinstance(r.status, str) else None,
        )
        for r in frame.itertuples(index=False)
    }


def test_com001_first_import_inserts_and_bumps_the_version(any_db, tmp_path):
    with any_db.read() as session:
        before = current_data_version(session)
    result = _import(any_db, tmp_path, ROWS)
    assert (result.status, result.rows_inserted, result.rows_changed) == ("committed", 3, 0)
    assert result.data_version == before + 1
    assert _values(any_db)[(OLDHAM, "Jan 2026")] == (75.0, None)
    assert _values(any_db)[(ROCHDALE, "Jan 2026")][1] == "c"


def test_com002_same_file_twice_changes_nothing(any_db, tmp_path):
    _import(any_db, tmp_path, ROWS)
    with any_db.read() as session:
        version = current_data_version(session)
    again = _import(any_db, tmp_path, ROWS, name="b.csv")
    assert (again.status, again.rows_inserted, again.rows_changed, again.rows_unchanged) == (
        "unchanged", 0, 0, 3,
    )  # fmt: skip
    assert again.data_version == version
    assert _count(any_db, Observation) == 3 and _count(any_db, ObservationHistory) == 0
    assert _count(any_db, ImportBatch) == 2  # the batch is recorded either way


def test_com003_revisions_replace_figures_and_keep_history(any_db, tmp_path):
    first = _import(any_db, tmp_path, ROWS)
    revised = [ROWS[0][:5] + [32, 40, "", ""], ROWS[1], ROWS[2][:5] + [12, 40, "", ""]]
    second = _import(any_db, tmp_path, revised, name="b.csv")
    assert (second.status, second.rows_changed, second.rows_unchanged) == ("committed", 2, 1)
    assert second.data_version == first.data_version + 1
    changes = {(c["area_code"], c["period"]): c for c in second.changes}
    assert changes[(OLDHAM, "Jan 2026")]["old_value"] == 75.0
    assert changes[(OLDHAM, "Jan 2026")]["new_value"] == 80.0
    assert changes[(ROCHDALE, "Jan 2026")]["old_status"] == "c"
    with any_db.read() as session:
        history = session.execute(
            select(
                ObservationHistory.value,
                ObservationHistory.replaced_by_batch_id,
                ObservationHistory.batch_id,
            )
        ).all()
    assert {h.value for h in history} == {75.0, None}
    assert {h.replaced_by_batch_id for h in history} == {second.batch_id}
    assert {h.batch_id for h in history} == {first.batch_id}
    assert _values(any_db)[(OLDHAM, "Jan 2026")] == (80.0, None)


def test_com004_all_or_nothing_writes_nothing_but_records_the_batch(any_db, tmp_path):
    broken = ROWS + [
        ["eh_assessments_timely", "E99999999", "Jan 2026", "total", "total", 1, 2, "", ""]
    ]
    result = _import(any_db, tmp_path, broken, mode=ALL_OR_NOTHING)
    assert result.status == "rejected" and result.rows_inserted == 0
    assert _count(any_db, Observation) == 0
    with any_db.read() as session:
        batch = session.get(ImportBatch, result.batch_id)
        assert batch.status == "rejected" and batch.rows_rejected == 1
        assert "unknown_area" in batch.report
    partial = _import(any_db, tmp_path, broken, name="b.csv")
    assert (partial.status, partial.rows_inserted) == ("partial", 3)


def test_com005_rollback_restores_revised_rows_and_removes_new_ones(any_db, tmp_path):
    _import(any_db, tmp_path, ROWS)
    before = _values(any_db)
    extra = ["eh_assessments_timely", OLDHAM, "Mar 2026", "total", "total", 1, 4, "", ""]
    revised = [ROWS[0][:5] + [20, 40, "", ""], extra]
    second = _import(any_db, tmp_path, revised, name="b.csv")
    assert second.rows_changed == 1 and second.rows_inserted == 1
    with any_db.write() as session:
        undone = rollback_batch(session, second.batch_id, username="test")
    assert (undone.deleted, undone.restored) == (1, 1)
    assert undone.data_version == second.data_version + 1
    assert _values(any_db) == before
    assert _count(any_db, ObservationHistory) == 0
    with any_db.write() as session, pytest.raises(RollbackRefused, match="rolled back"):
        rollback_batch(session, second.batch_id)


def test_com006_rollback_waits_for_later_revisions(any_db, tmp_path):
    first = _import(any_db, tmp_path, ROWS)
    second = _import(any_db, tmp_path, [ROWS[0][:5] + [20, 40, "", ""]], name="b.csv")
    with (
        any_db.write() as session,
        pytest.raises(RollbackRefused, match=f"roll back {second.batch_id}"),
    ):
        rollback_batch(session, first.batch_id)
    with any_db.write() as session:
        rollback_batch(session, second.batch_id)
    with any_db.write() as session:
        rollback_batch(session, first.batch_id)
    assert _count(any_db, Observation) == 0


def test_com007_export_then_reimport_changes_nothing(any_db, tmp_path):
    rows = ROWS + [["eh_assessments_timely", OLDHAM, "Jan 2026", "sex", "female", 7, 9, "", ""]]
    _import(any_db, tmp_path, rows)
    with any_db.read() as session:
        frame = export_frame(session, "eh_assessments_timely")
    assert len(frame) == 4 and frame["lower_ci"].notna().sum() == 3
    path = tmp_path / "export.csv"
    path.write_text(export_csv(frame))
    with any_db.read() as session:
        reference = Reference.from_session(session)
    prepared = prepare_import(path, "template", None, reference, tmp_path / "re")
    assert not prepared.problems.counts
    with any_db.write() as session:
        result = commit_prepared(session, prepared, created_by="test")
    assert (result.status, result.rows_unchanged) == ("unchanged", 4)


def test_com008_export_neutralises_formula_text(any_db):
    frame = pd.DataFrame({"indicator": ['=HYPERLINK("x")'], "value": [-1.5], "status": ["-"]})
    text = export_csv(frame)
    assert "'=HYPERLINK" in text and "-1.5" in text and ",-\n" in text


def test_com009_the_page_rolls_back_only_its_own_organisations_batches(any_db, tmp_path):
    from data_access.models import Organisation

    result = _import(any_db, tmp_path, ROWS)
    with any_db.write() as session:
        org = Organisation(code="E08000004", name="Oldham")
        session.add(org)
        session.flush()
        other = org.id + 1000
    with any_db.write() as session, pytest.raises(RollbackRefused, match="your organisation"):
        rollback_batch(session, result.batch_id, organisation_id=other)
    assert _count(any_db, Observation) == 3
