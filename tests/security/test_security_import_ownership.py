"""Object-level authority on imports: local figures are written only by their own area's
organisation; another organisation's revision of published figures is shown to the area,
which can roll back its own area's part.

Observations are shared by the whole test session: these tests write only periods in 2033
and roll their batches back at the end.
"""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, update

from data_access.models import ImportBatch, Observation, ObservationHistory

OLDHAM, ROCHDALE = "E08000004", "E08000005"
HEADER = "indicator,area_code,period,breakdown,breakdown_value,numerator,denominator,value,status\n"


def _record(db, username):  # type: ignore[no-untyped-def]
    from data_access.users import user_with_hash

    with db.read() as session:
        record, _ = user_with_hash(session, username)
    return record


def _import(db, tmp_path, text, username=None, mode="valid_only", organisation_code=None):  # type: ignore[no-untyped-def]
    from data_access.importing.service import import_file

    path = tmp_path / "upload.csv"
    path.write_text(HEADER + text)
    user = _record(db, username) if username else None
    _, result = import_file(
        db,
        path,
        "template",
        mode=mode,
        user=user,
        created_by=None if user else "cli",
        organisation_code=organisation_code,
    )
    return result


def _value(db, indicator, area, period="Oct 2033"):  # type: ignore[no-untyped-def]
    with db.read() as session:
        return session.execute(
            select(Observation.value).where(
                Observation.indicator_id == indicator,
                Observation.area_code == area,
                Observation.period_label == period,
                Observation.breakdown == "total",
            )
        ).scalar()


@pytest.fixture
def clean_2033(db):  # type: ignore[no-untyped-def]
    yield
    with db.write() as session:
        ids = select(Observation.id).where(Observation.period_label.like("%2033%"))
        session.execute(
            delete(ObservationHistory).where(ObservationHistory.observation_id.in_(ids))
        )
        session.execute(delete(Observation).where(Observation.period_label.like("%2033%")))
        # Batches outlive the test's organisations, which the next test re-creates.
        uploads = ImportBatch.filename == "upload.csv"
        session.execute(update(ImportBatch).where(uploads).values(organisation_id=None))


def test_own001_an_analyst_cannot_overwrite_another_authoritys_local_figures(
    db, users, tmp_path, clean_2033
):
    own = _import(
        db,
        tmp_path,
        f"eh_requests,{OLDHAM},Oct 2033,total,total,,,363,\n",
        users["oldham_analyst"].username,
    )
    assert own.rows_inserted == 1
    attack = _import(
        db,
        tmp_path,
        f"eh_requests,{OLDHAM},Oct 2033,total,total,,,9999,\n",
        users["rochdale_analyst"].username,
    )
    assert _value(db, "eh_requests", OLDHAM) == 363
    assert attack.rows_changed == 0 and attack.rows_rejected == 1
    assert "another authority's area" in attack.message
    # All or nothing refuses the whole file when any row is someone else's.
    mixed = (
        f"eh_requests,{ROCHDALE},Oct 2033,total,total,,,50,\n"
        f"eh_requests,{OLDHAM},Oct 2033,total,total,,,9999,\n"
    )
    refused = _import(db, tmp_path, mixed, users["rochdale_analyst"].username, "all_or_nothing")
    assert refused.status == "rejected"
    assert _value(db, "eh_requests", ROCHDALE) is None
    # Valid only writes Rochdale's own row and refuses Oldham's.
    partial = _import(db, tmp_path, mixed, users["rochdale_analyst"].username)
    assert partial.rows_inserted == 1 and _value(db, "eh_requests", ROCHDALE) == 50
    assert _value(db, "eh_requests", OLDHAM) == 363


def test_own002_the_command_line_applies_the_rule_when_it_acts_for_an_organisation(
    db, users, tmp_path, clean_2033
):
    row = f"eh_requests,{OLDHAM},Oct 2033,total,total,,,10,\n"
    refused = _import(db, tmp_path, row, organisation_code=ROCHDALE)
    assert refused.rows_inserted == 0 and _value(db, "eh_requests", OLDHAM) is None
    operator = _import(db, tmp_path, row)  # no organisation: the operator loads anything
    assert operator.rows_inserted == 1


def test_own003_a_revision_of_published_figures_is_shown_to_the_area_and_can_be_undone_there(
    db, users, tmp_path, clean_2033
):
    from data_access.importing.commit import RollbackRefused, recent_batches, rollback_batch

    row = "cin_rate,{area},2033-34,total,total,,,{value},\n"
    first = _import(
        db,
        tmp_path,
        row.format(area=OLDHAM, value=300) + row.format(area=ROCHDALE, value=400),
        users["oldham_analyst"].username,
    )
    assert first.rows_inserted == 2
    # Published figures: any analyst may import them, for any area.
    revision = _import(
        db,
        tmp_path,
        row.format(area=OLDHAM, value=310) + row.format(area=ROCHDALE, value=410),
        users["rochdale_analyst"].username,
    )
    assert revision.rows_changed == 2
    oldham = _record(db, users["oldham_analyst"].username)
    manchester = _record(db, users["manchester_analyst"].username)
    with db.read() as session:
        shown = recent_batches(
            session, organisation_id=oldham.organisation_id, area_code=oldham.organisation_code
        )["id"].tolist()
        elsewhere = recent_batches(
            session,
            organisation_id=manchester.organisation_id,
            area_code=manchester.organisation_code,
        )["id"].tolist()
    assert revision.batch_id in shown and revision.batch_id not in elsewhere
    with db.write() as session, pytest.raises(RollbackRefused):
        rollback_batch(
            session,
            revision.batch_id,
            user=manchester,
            organisation_id=manchester.organisation_id,
            area_code=manchester.organisation_code,
        )
    with db.write() as session:
        undone = rollback_batch(
            session,
            revision.batch_id,
            user=oldham,
            organisation_id=oldham.organisation_id,
            area_code=oldham.organisation_code,
        )
    assert undone.restored == 1
    assert _value(db, "cin_rate", OLDHAM, "2033-34") == 300
    assert _value(db, "cin_rate", ROCHDALE, "2033-34") == 410  # Rochdale's own part stays


def test_own004_the_voice_import_and_the_figure_import_ask_the_same_rule():
    import inspect

    from data_access import voice
    from data_access.importing import commit

    assert "owns_area" in inspect.getsource(voice.import_voice_csv)
    assert "may_write_figure" in inspect.getsource(commit)
