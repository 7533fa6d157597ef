"""provenance: the source of every observation, confirmations and precedence per indicator

Revision ID: 0005_provenance
Revises: 0004_packs
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_provenance"
down_revision = "0004_packs"
branch_labels = None
depends_on = None

# The source each import format's figures come from (data_access.importing.provenance).
_SOURCE_OF_FORMAT = (
    "CASE format WHEN 'ees' THEN 'EES' WHEN 'lait' THEN 'LAIT' "
    "WHEN 'fingertips' THEN 'Fingertips' WHEN 'template' THEN 'Local' ELSE NULL END"
)


def upgrade() -> None:
    for column in (
        sa.Column("source", sa.String(100), nullable=True),
        sa.Column("publication", sa.String(300), nullable=True),
        sa.Column("release", sa.String(100), nullable=True),
    ):
        op.add_column("import_batches", column)
    op.add_column("observations", sa.Column("source", sa.String(100), nullable=True))
    op.add_column("observation_history", sa.Column("source", sa.String(100), nullable=True))
    op.create_table(
        "observation_confirmations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "observation_id",
            sa.Integer(),
            sa.ForeignKey("observations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("status", sa.String(8), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("observation_id", "source", name="uq_confirmation_source"),
    )
    op.create_index(
        "ix_observation_confirmations_observation_id",
        "observation_confirmations",
        ["observation_id"],
    )
    op.create_index(
        "ix_observation_confirmations_batch_id", "observation_confirmations", ["batch_id"]
    )
    op.create_table(
        "source_precedence",
        sa.Column(
            "indicator_id", sa.String(64), sa.ForeignKey("indicators.id"), primary_key=True
        ),
        sa.Column("source", sa.String(100), primary_key=True),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("set_by", sa.String(150), nullable=True),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
    )
    # Earlier batches: the source their format implies (the demo's mixed batch stays unknown).
    op.execute(f"UPDATE import_batches SET source = {_SOURCE_OF_FORMAT}")  # noqa: S608
    op.execute(
        "UPDATE observations SET source = (SELECT b.source FROM import_batches b "
        "WHERE b.id = observations.batch_id) WHERE batch_id IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_table("source_precedence")
    op.drop_index(
        "ix_observation_confirmations_batch_id", table_name="observation_confirmations"
    )
    op.drop_index(
        "ix_observation_confirmations_observation_id", table_name="observation_confirmations"
    )
    op.drop_table("observation_confirmations")
    with op.batch_alter_table("observation_history") as batch:
        batch.drop_column("source")
    with op.batch_alter_table("observations") as batch:
        batch.drop_column("source")
    with op.batch_alter_table("import_batches") as batch:
        batch.drop_column("release")
        batch.drop_column("publication")
        batch.drop_column("source")
