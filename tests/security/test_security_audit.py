"""Promises about the audit log: append-only in the database itself (SQLite and
PostgreSQL), no passwords in it, every admin change recorded, retention by command only."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import delete, select, text, update

from data_access.audit import audit_events_frame, audit_purge_allowed, purge_audit_events
from data_access.models import AuditEvent
from data_access.users import write_audit


def _add_event(database, when: datetime | None = None, org: str = "E08000004") -> None:  # type: ignore[no-untyped-def]
    with database.write() as s:
        s.add(
            AuditEvent(
                action="test.event",
                organisation_code=org,
                username="someone",
                outcome="success",
                occurred_at=when or datetime.now(UTC),
            )
        )


def test_sec070_update_and_delete_are_refused_by_the_database(any_db):
    _add_event(any_db)
    with pytest.raises(Exception, match="append-only"), any_db.write() as s:
        s.execute(update(AuditEvent).values(action="edited"))
    with pytest.raises(Exception, match="append-only"), any_db.write() as s:
        s.execute(delete(AuditEvent))
    with pytest.raises(Exception, match="append-only"), any_db.write() as s:
        s.execute(text("DELETE FROM audit_events"))
    with any_db.read() as s:
        assert s.scalars(select(AuditEvent.action)).all() == ["test.event"]


@pytest.mark.parametrize("any_db", ["postgresql"], indirect=True)  # SQLite has no TRUNCATE
def test_sec071_truncate_is_refused_on_postgresql(any_db):
    _add_event(any_db)
    with pytest.raises(Exception, match="append-only"), any_db.write() as s:
        s.execute(text("TRUNCATE audit_events"))


def test_sec072_the_purge_opt_in_lasts_only_for_its_transaction(any_db):
    _add_event(any_db)
    _add_event(any_db)
    with any_db.write() as s, audit_purge_allowed(s):
        s.execute(delete(AuditEvent).where(AuditEvent.id == s.scalar(select(AuditEvent.id))))
    # A later transaction is refused again.
    with pytest.raises(Exception, match="append-only"), any_db.write() as s:
        s.execute(delete(AuditEvent))
    with any_db.read() as s:
        assert len(s.scalars(select(AuditEvent.id)).all()) == 1


def test_sec073_retention_deletes_only_old_events(any_db):
    old = datetime.now(UTC) - timedelta(days=400)
    _add_event(any_db, old)
    _add_event(any_db)
    with any_db.write() as s:
        assert purge_audit_events(s, 365) == 1
    with any_db.read() as s:
        assert len(s.scalars(select(AuditEvent.id)).all()) == 1


def test_sec074_audit_search_is_per_organisation_and_literal(any_db):
    _add_event(any_db, org="E08000004")
    _add_event(any_db, org="E08000005")
    with any_db.read() as s:
        assert len(audit_events_frame(s, "E08000004")) == 1
        assert audit_events_frame(s, "E08000004", search="%").empty  # % is a literal
        assert len(audit_events_frame(s, "E08000004", search="test.ev")) == 1


def test_sec075_retention_command_applies_both_rules(server, db, users):
    from data_access.models import Organisation, VoiceItem

    _add_event(db, datetime.now(UTC) - timedelta(days=3000))
    with db.write() as s:
        org = s.scalar(select(Organisation).where(Organisation.code == "E08000004"))
        for review in (date.today() - timedelta(days=200), date.today() + timedelta(days=30)):
            s.add(
                VoiceItem(
                    text="An illustrative quote.",
                    speaker_role="young_person",
                    area_code="E08000004",
                    organisation_id=org.id,
                    service="early_help",
                    method="survey",
                    consent_scope="organisation",
                    review_date=review,
                )
            )
    result = server.test_cli_runner().invoke(args=["apply-retention"])
    assert result.exit_code == 0, result.output
    assert "Deleted 1 audit events" in result.output
    assert "1 voice items" in result.output
    with db.read() as s:
        assert len(s.scalars(select(VoiceItem.id)).all()) == 1
        actions = s.scalars(select(AuditEvent.action)).all()
    assert "retention.apply" in actions


def test_sec076_admin_actions_are_audited_without_secrets(server, db, users, audit_rows):
    runner = server.test_cli_runner()
    assert runner.invoke(args=["set-role", "oldham.viewer", "analyst"]).exit_code == 0
    reset = runner.invoke(args=["reset-password", "oldham.viewer"])
    assert reset.exit_code == 0
    new_password = reset.output.rsplit(":", 1)[1].strip()
    assert runner.invoke(args=["deactivate-user", "oldham.viewer"]).exit_code == 0
    assert runner.invoke(args=["deactivate-user", "oldham.viewer", "--reactivate"]).exit_code == 0
    events = audit_rows()
    actions = [e.action for e in events]
    for expected in ("user.role", "user.password_reset", "user.deactivate", "user.activate"):
        assert expected in actions
    for event in events:
        for field in (event.detail, event.object_id, event.username, event.action):
            assert new_password not in (field or "")
            assert users["oldham_viewer"].password not in (field or "")


def test_sec077_cli_user_commands_report_unknown_users(server, users):
    result = server.test_cli_runner().invoke(args=["deactivate-user", "nobody.here"])
    assert result.exit_code != 0
    assert "No user called" in result.output


def test_sec078_write_audit_records_address_and_utc_time(any_db):
    with any_db.write() as s:
        write_audit(s, "test.addr", username="x", address="203.0.113.5")
    with any_db.read() as s:
        address, occurred = s.execute(
            select(AuditEvent.address, AuditEvent.occurred_at).where(
                AuditEvent.action == "test.addr"
            )
        ).one()
    assert address == "203.0.113.5"
    occurred = occurred if occurred.tzinfo else occurred.replace(tzinfo=UTC)
    assert abs((datetime.now(UTC) - occurred).total_seconds()) < 300
