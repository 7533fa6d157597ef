"""Provenance and precedence when two sources give the same figure (SQLite and PostgreSQL).

Oldham's re-referrals 2024-25 come from EES with counts (887 of 4,196) and a 95% interval;
LAIT publishes the same figure as a value only. The counted row must survive, and a
differing figure from another source must be reported, not written, unless the analyst's
precedence for the indicator puts that source first.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from data_access.importing.commit import batch_report, rollback_batch
from data_access.importing.provenance import precedence, set_precedence
from data_access.importing.service import import_file
from data_access.importing.template import EXPORT_COLUMNS
from data_access.models import (
    ImportBatch,
    Observation,
    ObservationConfirmation,
    ObservationHistory,
)

OLDHAM = "E08000004"
COUNTED = ["cin_rereferral", OLDHAM, "2024-25", "total", "total", 887, 4196, "", "", 19.9, 22.4]


def _value_only(value: object) -> list[object]:
    return ["cin_rereferral", OLDHAM, "2024-25", "total", "total", "", "", value, "", "", ""]


def _import(db, tmp_path: Path, rows, source: str, name: str):  # type: ignore[no-untyped-def]
    path = tmp_path / name
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([EXPORT_COLUMNS, *rows])
    return import_file(db, path, "template", source=source, created_by="test")[1]


def _stored(db) -> Observation:  # type: ignore[no-untyped-def]
    with db.read() as session:
        row = session.execute(
            select(Observation).where(
                Observation.indicator_id == "cin_rereferral", Observation.area_code == OLDHAM
            )
        ).scalar_one()
        session.expunge(row)
        return row


def _count(db, model) -> int:  # type: ignore[no-untyped-def]
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_prov001_value_only_row_confirms_the_counted_one(any_db, tmp_path):
    first = _import(any_db, tmp_path, [COUNTED], "EES", "ees.csv")
    assert (first.status, first.rows_inserted) == ("committed", 1)
    stored = _stored(any_db)
    assert (stored.numerator, stored.denominator) == (887.0, 4196.0)
    assert (stored.source, stored.batch_id) == ("EES", first.batch_id)

    second = _import(any_db, tmp_path, [_value_only("21.1")], "LAIT", "lait.csv")
    assert (second.status, second.rows_changed, second.rows_confirmed) == ("unchanged", 0, 1)
    assert "confirmed by LAIT" in second.message
    with any_db.read() as session:
        report = batch_report(session, second.batch_id)
    assert report["confirmations"][0]["outcome"] == "confirmed"
    assert report["confirmations"][0]["stored_source"] == "EES"
    kept = _stored(any_db)
    assert (kept.numerator, kept.denominator, kept.lower_ci, kept.upper_ci) == (
        887.0, 4196.0, 19.9, 22.4,
    )  # fmt: skip
    assert (kept.source, kept.batch_id) == ("EES", first.batch_id)
    with any_db.read() as session:
        batch = session.get(ImportBatch, second.batch_id)
        assert (batch.source, batch.filename) == ("LAIT", "lait.csv")
        confirmation = session.execute(select(ObservationConfirmation)).scalar_one()
        assert (confirmation.source, confirmation.batch_id) == ("LAIT", second.batch_id)
    # Importing the same source again is idempotent: one confirmation, nothing written.
    again = _import(any_db, tmp_path, [_value_only("21.1")], "LAIT", "lait2.csv")
    assert (again.status, again.rows_inserted, again.rows_changed) == ("unchanged", 0, 0)
    assert _count(any_db, ObservationConfirmation) == 1
    assert _count(any_db, ObservationHistory) == 0


def test_prov002_a_different_figure_is_a_conflict_and_the_stored_one_stays(any_db, tmp_path):
    _import(any_db, tmp_path, [COUNTED], "EES", "ees.csv")
    second = _import(any_db, tmp_path, [_value_only("24.6")], "LAIT", "lait.csv")
    assert (second.status, second.rows_changed, second.rows_conflicting) == ("unchanged", 0, 1)
    conflict = second.conflicts[0]
    assert conflict["outcome"] == "kept"
    assert conflict["stored"]["value"] == pytest.approx(100 * 887 / 4196)
    assert conflict["stored"]["numerator"] == 887.0
    assert conflict["file"]["value"] == 24.6
    assert (conflict["stored_source"], conflict["file_source"]) == ("EES", "LAIT")
    assert "24.6" in conflict["message"] and "887 of 4196" in conflict["message"]
    with any_db.read() as session:
        stored = json.loads(session.get(ImportBatch, second.batch_id).report)
    assert stored["conflicts"][0]["file"]["value"] == 24.6
    assert _stored(any_db).numerator == 887.0
    assert _count(any_db, ObservationHistory) == 0


def test_prov003_precedence_lets_the_second_source_replace_and_history_keeps_the_first(
    any_db, tmp_path
):
    first = _import(any_db, tmp_path, [COUNTED], "EES", "ees.csv")
    with any_db.write() as session:
        set_precedence(session, "cin_rereferral", ["LAIT", "EES"], set_by="test")
    with any_db.read() as session:
        assert precedence(session) == {"cin_rereferral": ["LAIT", "EES"]}
    second = _import(any_db, tmp_path, [_value_only("24.6")], "LAIT", "lait.csv")
    assert (second.status, second.rows_changed, second.rows_conflicts_replaced) == (
        "committed", 1, 1,
    )  # fmt: skip
    assert second.conflicts[0]["outcome"] == "replaced"
    now = _stored(any_db)
    assert (now.value, now.numerator, now.source) == (24.6, None, "LAIT")
    with any_db.read() as session:
        history = session.execute(select(ObservationHistory)).scalar_one()
        session.expunge(history)
    assert (history.numerator, history.denominator, history.source) == (887.0, 4196.0, "EES")
    assert (history.lower_ci, history.upper_ci) == (19.9, 22.4)
    assert history.batch_id == first.batch_id
    # Rolling the batch back restores the first source's row.
    with any_db.write() as session:
        rollback_batch(session, second.batch_id, username="test")
    back = _stored(any_db)
    assert (back.numerator, back.source) == (887.0, "EES")


def test_prov004_a_richer_row_replaces_a_value_only_one(any_db, tmp_path):
    _import(any_db, tmp_path, [_value_only("21.1")], "LAIT", "lait.csv")
    second = _import(any_db, tmp_path, [COUNTED], "EES", "ees.csv")
    assert (second.status, second.rows_changed, second.rows_conflicting) == ("committed", 1, 0)
    now = _stored(any_db)
    assert (now.numerator, now.source) == (887.0, "EES")


def test_prov005_same_source_revision_still_replaces(any_db, tmp_path):
    _import(any_db, tmp_path, [_value_only("21.1")], "LAIT", "lait.csv")
    second = _import(any_db, tmp_path, [_value_only("22.0")], "LAIT", "lait2.csv")
    assert (second.status, second.rows_changed, second.rows_conflicting) == ("committed", 1, 0)
    assert _stored(any_db).value == 22.0


def test_prov006_not_available_from_another_source_is_no_conflict(any_db, tmp_path):
    _import(any_db, tmp_path, [COUNTED], "EES", "ees.csv")
    row = ["cin_rereferral", OLDHAM, "2024-25", "total", "total", "", "", "", "x", "", ""]
    second = _import(any_db, tmp_path, [row], "LAIT", "lait.csv")
    assert (second.status, second.rows_conflicting, second.rows_unchanged) == ("unchanged", 0, 1)
    assert _stored(any_db).numerator == 887.0


def test_prov007_precedence_is_set_from_the_command_line(server, db):
    from data_access.importing.provenance import precedence as read_precedence

    runner = server.test_cli_runner()
    result = runner.invoke(args=["set-precedence", "cin_rereferral", "EES", "LAIT"])
    assert result.exit_code == 0, result.output
    assert "EES over LAIT" in result.output
    with db.read() as session:
        assert read_precedence(session, ["cin_rereferral"]) == {"cin_rereferral": ["EES", "LAIT"]}
    refused = runner.invoke(args=["set-precedence", "no_such_indicator", "EES"])
    assert refused.exit_code != 0 and "not in the indicator catalogue" in refused.output
    cleared = runner.invoke(args=["set-precedence", "cin_rereferral"])
    assert cleared.exit_code == 0 and "no precedence" in cleared.output
    with db.read() as session:
        assert read_precedence(session, ["cin_rereferral"]) == {}
