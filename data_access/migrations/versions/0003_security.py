"""voice_theme_owners: which organisation created a codebook theme

Revision ID: 0003_security
Revises: 0002_audit_append_only

Themes without a row are the shared codebook (changed by admins only); a theme an
analyst creates belongs to their organisation, whose analysts may change it.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_security"
down_revision = "0003_ethics"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "voice_theme_owners",
        sa.Column("theme_id", sa.String(length=64), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["theme_id"], ["voice_themes.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"]),
        sa.PrimaryKeyConstraint("theme_id"),
    )
    with op.batch_alter_table("voice_theme_owners") as batch_op:
        batch_op.create_index(
            "ix_voice_theme_owners_organisation_id", ["organisation_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("voice_theme_owners")
