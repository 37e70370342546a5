"""cutover: planned cutover windows (割接) and the circuits they affect

Revision ID: 0005_cutover
Revises: 0004_sla_checkpoint
"""
import sqlalchemy as sa
from alembic import op

import agent.db

revision = "0005_cutover"
down_revision = "0004_sla_checkpoint"
branch_labels = None
depends_on = None

UTC_DT = agent.db.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "cutover",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("starts_at", UTC_DT, nullable=False),
        sa.Column("ends_at", UTC_DT, nullable=False),
        sa.Column("created_at", UTC_DT, nullable=False),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.Column("approved_by", sa.String(length=128), nullable=True),
        sa.Column("approved_at", UTC_DT, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cutover")),
        sa.UniqueConstraint("reference", name=op.f("uq_cutover_reference")),
    )
    op.create_index(op.f("ix_cutover_starts_at"), "cutover", ["starts_at"])
    op.create_index(op.f("ix_cutover_ends_at"), "cutover", ["ends_at"])
    op.create_table(
        "cutover_circuit",
        sa.Column("cutover_id", sa.Integer(), nullable=False),
        sa.Column("circuit_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["cutover_id"], ["cutover.id"], name=op.f("fk_cutover_circuit_cutover_id_cutover"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("cutover_id", "circuit_id", name=op.f("pk_cutover_circuit")),
    )
    op.create_index(op.f("ix_cutover_circuit_circuit_id"), "cutover_circuit", ["circuit_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_cutover_circuit_circuit_id"), table_name="cutover_circuit")
    op.drop_table("cutover_circuit")
    op.drop_index(op.f("ix_cutover_ends_at"), table_name="cutover")
    op.drop_index(op.f("ix_cutover_starts_at"), table_name="cutover")
    op.drop_table("cutover")
