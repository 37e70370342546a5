"""telemetry: the polled optical power series (optical_sample)

Revision ID: 0003_telemetry
Revises: 0002_sla
"""
import sqlalchemy as sa
from alembic import op

import agent.db

revision = "0003_telemetry"
down_revision = "0002_sla"
branch_labels = None
depends_on = None

UTC_DT = agent.db.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "optical_sample",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("device_name", sa.String(length=128), nullable=False),
        sa.Column("port_name", sa.String(length=128), nullable=False),
        sa.Column("at", UTC_DT, nullable=False),
        sa.Column("rx_dbm", sa.Float(), nullable=True),
        sa.Column("tx_dbm", sa.Float(), nullable=True),
        sa.Column("oper", sa.String(length=24), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_optical_sample")),
    )
    op.create_index("ix_optical_sample_port_time", "optical_sample", ["device_name", "port_name", "at"])
    op.create_index(op.f("ix_optical_sample_at"), "optical_sample", ["at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_optical_sample_at"), table_name="optical_sample")
    op.drop_index("ix_optical_sample_port_time", table_name="optical_sample")
    op.drop_table("optical_sample")
