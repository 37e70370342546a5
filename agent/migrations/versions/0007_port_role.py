"""port role: a device's uplink / egress ports, checked for congestion beyond the circuit's own segments

Revision ID: 0007_port_role
Revises: 0006_loop_guard
"""
import sqlalchemy as sa
from alembic import op

revision = "0007_port_role"
down_revision = "0006_loop_guard"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("port") as batch:
        batch.add_column(sa.Column("role", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("port") as batch:
        batch.drop_column("role")
