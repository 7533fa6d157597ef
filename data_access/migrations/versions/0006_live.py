"""live: Learning Network sessions followed on participants' screens

Revision ID: 0006_live
Revises: 0006b_polls_actions
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_live"
down_revision = "0006b_polls_actions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ln_live",
        sa.Column("session_id", sa.Integer(), sa.ForeignKey("ln_sessions.id"), primary_key=True),
        sa.Column("join_code", sa.String(6), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("step_index", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("allow_anonymous", sa.Boolean(), nullable=False),
        sa.Column("show_contributions", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("join_code", name="uq_ln_live_join_code"),
    )
    op.create_table(
        "ln_participants",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("session_id", sa.Integer(), sa.ForeignKey("ln_sessions.id"), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column(
            "organisation_id", sa.Integer(), sa.ForeignKey("organisations.id"), nullable=False
        ),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("session_id", "user_id", name="uq_ln_participant"),
    )
    op.create_index("ix_ln_participants_session_id", "ln_participants", ["session_id"])
    op.create_table(
        "ln_contribution_keys",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("client_key", sa.String(64), nullable=False),
        sa.Column("session_id", sa.Integer(), sa.ForeignKey("ln_sessions.id"), nullable=False),
        sa.Column("annotation_id", sa.Integer(), sa.ForeignKey("annotations.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("user_id", "client_key", name="uq_ln_contribution_key"),
    )


def downgrade() -> None:
    op.drop_table("ln_contribution_keys")
    op.drop_index("ix_ln_participants_session_id", table_name="ln_participants")
    op.drop_table("ln_participants")
    op.drop_table("ln_live")
