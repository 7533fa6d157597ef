"""indicator catalogue: analysts' own indicators, published by an admin

Revision ID: 0006_indicator_catalogue
Revises: 0005_provenance

``published``: an indicator added by an analyst is kept out of every list until an admin
publishes it (the indicators already in the catalogue are published). ``denominator_counts_people``:
whether disclosure control protects the indicator's denominator and its complement; null
means "as its unit says" (rules.disclosure). ``added_by``: who added it.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_indicator_catalogue"
down_revision = "0005_provenance"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "indicators",
        sa.Column("published", sa.Boolean(), nullable=False, server_default=sa.true()),
    )
    op.add_column(
        "indicators", sa.Column("denominator_counts_people", sa.Boolean(), nullable=True)
    )
    op.add_column("indicators", sa.Column("added_by", sa.String(150), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("indicators") as batch:
        batch.drop_column("added_by")
        batch.drop_column("denominator_counts_people")
        batch.drop_column("published")
