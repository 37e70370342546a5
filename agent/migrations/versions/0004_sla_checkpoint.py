"""sla_checkpoint: progress replay checkpoint on the progress clock row (sla_clock.checkpoint_*)

The sweep replays a ticket from this checkpoint instead of from arrival (agent/sla/README.md).
Existing rows start without one (NULL): their next replay is a full one and writes it.

Revision ID: 0004_sla_checkpoint
Revises: 0003_telemetry
"""
import sqlalchemy as sa
from alembic import op

import agent.db

revision = "0004_sla_checkpoint"
down_revision = "0003_telemetry"
branch_labels = None
depends_on = None

UTC_DT = agent.db.UtcDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("sla_clock") as batch:
        batch.add_column(sa.Column("checkpoint_at", UTC_DT, nullable=True))
        batch.add_column(sa.Column("checkpoint_seq", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("checkpoint_events", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sla_clock") as batch:
        batch.drop_column("checkpoint_events")
        batch.drop_column("checkpoint_seq")
        batch.drop_column("checkpoint_at")
