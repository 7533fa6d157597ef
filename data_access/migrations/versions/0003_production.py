"""Import jobs and their files in the database, so any machine can carry an import on

Revision ID: 0003_production
Revises: 0002_audit_append_only

Uploads, checked imports and job state used to live in CACHE_DIR/imports on the machine
that received the upload; a second web server or a worker with its own CACHE_DIR could not
find them. import_jobs holds the owner, the status (JSON) and a heartbeat;
import_job_files the upload and the prepared import's files (BYTEA on PostgreSQL).
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_production"
down_revision = "0002_audit_append_only"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_jobs",
        sa.Column("token", sa.String(32), primary_key=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(300), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("files_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("heartbeat_at", sa.Float(), nullable=False),
    )
    op.create_index("ix_import_jobs_user_id", "import_jobs", ["user_id"])
    op.create_table(
        "import_job_files",
        sa.Column(
            "job_token",
            sa.String(32),
            sa.ForeignKey("import_jobs.token", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("content", sa.LargeBinary(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("import_job_files")
    op.drop_index("ix_import_jobs_user_id", table_name="import_jobs")
    op.drop_table("import_jobs")
