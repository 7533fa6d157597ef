"""audit_events is append-only: triggers refuse UPDATE, and DELETE without an opt-in

Revision ID: 0002_audit_append_only
Revises: 0001

Deletes are allowed only inside a transaction that opted in (the retention command and
the test reset, through data_access.audit.audit_purge_allowed): on PostgreSQL the
transaction-local setting chorus.allow_audit_purge = 'on'; on SQLite a row in
audit_purge_permits that exists only inside the deleting transaction.
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_audit_append_only"
down_revision = "0001"
branch_labels = None
depends_on = None

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION chorus_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'TRUNCATE')
       AND coalesce(current_setting('chorus.allow_audit_purge', true), '') = 'on' THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_FUNCTION)
        op.execute(
            "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
            "FOR EACH ROW EXECUTE FUNCTION chorus_audit_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
            "FOR EACH STATEMENT EXECUTE FUNCTION chorus_audit_append_only()"
        )
        return
    op.create_table("audit_purge_permits", sa.Column("granted", sa.Integer(), nullable=False))
    op.execute(
        "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
        "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: UPDATE refused'); END"
    )
    op.execute(
        "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
        "WHEN NOT EXISTS (SELECT 1 FROM audit_purge_permits) "
        "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: DELETE refused'); END"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events")
        op.execute("DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS chorus_audit_append_only()")
        return
    op.execute("DROP TRIGGER IF EXISTS audit_events_no_delete")
    op.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
    op.drop_table("audit_purge_permits")
