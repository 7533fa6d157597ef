"""polls and actions: a question step of a Learning Network session run as a poll, each
participant's vote set, and the actions a session agrees (owner organisation, due date)

Revision ID: 0006b_polls_actions
Revises: 0006_indicator_catalogue
"""

import sqlalchemy as sa
from alembic import op

revision = "0006b_polls_actions"
down_revision = "0006_indicator_catalogue"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ln_polls",
        sa.Column(
            "step_id",
            sa.Integer(),
            sa.ForeignKey("ln_steps.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "session_id",
            sa.Integer(),
            sa.ForeignKey("ln_sessions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("options", sa.Text(), nullable=False),
        sa.Column("is_open", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_ln_polls_session_id", "ln_polls", ["session_id"])
    op.create_table(
        "ln_votes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "step_id",
            sa.Integer(),
            sa.ForeignKey("ln_polls.step_id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column(
            "organisation_id", sa.Integer(), sa.ForeignKey("organisations.id"), nullable=False
        ),
        sa.Column("choices", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("step_id", "user_id", name="uq_ln_vote_user"),
    )
    op.create_index("ix_ln_votes_step_id", "ln_votes", ["step_id"])
    op.create_table(
        "ln_actions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "session_id",
            sa.Integer(),
            sa.ForeignKey("ln_sessions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("text", sa.String(1000), nullable=False),
        sa.Column(
            "owner_organisation_id",
            sa.Integer(),
            sa.ForeignKey("organisations.id"),
            nullable=False,
        ),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("source_kind", sa.String(16), nullable=True),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_by", sa.Integer(), nullable=True),
    )
    op.create_index("ix_ln_actions_session_id", "ln_actions", ["session_id"])
    op.create_index(
        "ix_ln_actions_owner_organisation_id", "ln_actions", ["owner_organisation_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_ln_actions_owner_organisation_id", table_name="ln_actions")
    op.drop_index("ix_ln_actions_session_id", table_name="ln_actions")
    op.drop_table("ln_actions")
    op.drop_index("ix_ln_votes_step_id", table_name="ln_votes")
    op.drop_table("ln_votes")
    op.drop_index("ix_ln_polls_session_id", table_name="ln_polls")
    op.drop_table("ln_polls")
