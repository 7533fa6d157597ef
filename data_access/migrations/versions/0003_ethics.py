"""voice_withdrawals (withdrawal references, stored hashed) and ethics_checks

Revision ID: 0003_ethics
Revises: 0003_production
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_ethics"
down_revision = "0003_production"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "voice_withdrawals",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("reference_hash", sa.String(64), nullable=False, unique=True),
        sa.Column(
            "voice_item_id",
            sa.Integer(),
            sa.ForeignKey("voice_items.id"),
            nullable=False,
            unique=True,
        ),
        sa.Column(
            "organisation_id", sa.Integer(), sa.ForeignKey("organisations.id"), nullable=False
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confirmed_by", sa.Integer(), nullable=True),
    )
    op.create_index(
        "ix_voice_withdrawals_organisation_id", "voice_withdrawals", ["organisation_id"]
    )
    op.create_index("ix_voice_withdrawals_requested_at", "voice_withdrawals", ["requested_at"])
    op.create_table(
        "ethics_checks",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "organisation_id", sa.Integer(), sa.ForeignKey("organisations.id"), nullable=False
        ),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("reviewer_name", sa.String(200), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_ethics_checks_organisation_id", "ethics_checks", ["organisation_id"])


def downgrade() -> None:
    op.drop_index("ix_ethics_checks_organisation_id", table_name="ethics_checks")
    op.drop_table("ethics_checks")
    op.drop_index("ix_voice_withdrawals_requested_at", table_name="voice_withdrawals")
    op.drop_index("ix_voice_withdrawals_organisation_id", table_name="voice_withdrawals")
    op.drop_table("voice_withdrawals")
