"""packs: every monthly pack generated, kept so an earlier month's can be opened again

Revision ID: 0004_packs
Revises: 0003_security
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_packs"
down_revision = "0003_security"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "packs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "organisation_id", sa.Integer(), sa.ForeignKey("organisations.id"), nullable=False
        ),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("indicators", sa.Text(), nullable=False),
        sa.Column("figures", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=True),
    )
    op.create_index("ix_packs_organisation_id", "packs", ["organisation_id"])


def downgrade() -> None:
    op.drop_index("ix_packs_organisation_id", table_name="packs")
    op.drop_table("packs")
