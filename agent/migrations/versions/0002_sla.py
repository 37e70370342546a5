"""sla: clock history, clocks with an indexed next-due time, fired-milestone claims, webhook outbox

Revision ID: 0002_sla
Revises: 0001_backbone
"""
import sqlalchemy as sa
from alembic import op

import agent.db

revision = "0002_sla"
down_revision = "0001_backbone"
branch_labels = None
depends_on = None

UTC_DT = agent.db.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sla_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("at", UTC_DT, nullable=False),
        sa.Column("data", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"], name=op.f("fk_sla_event_ticket_id_ticket")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_event")),
    )
    op.create_index("ix_sla_event_ticket_at", "sla_event", ["ticket_id", "at"])

    op.create_table(
        "sla_clock",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("started_at", UTC_DT, nullable=False),
        sa.Column("due_at", UTC_DT, nullable=True),
        sa.Column("warn_at", UTC_DT, nullable=True),
        sa.Column("met_at", UTC_DT, nullable=True),
        sa.Column("breached_at", UTC_DT, nullable=True),
        sa.Column("remaining_seconds", sa.Float(), nullable=True),
        sa.Column("next_due_at", UTC_DT, nullable=True),
        sa.Column("next_milestone", sa.String(length=16), nullable=True),
        sa.Column("updated_at", UTC_DT, nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"], name=op.f("fk_sla_clock_ticket_id_ticket")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_clock")),
        sa.UniqueConstraint("ticket_id", "kind", name=op.f("uq_sla_clock_ticket_id")),
    )
    op.create_index("ix_sla_clock_next_due_at", "sla_clock", ["next_due_at"])
    op.create_index("ix_sla_clock_state_due", "sla_clock", ["state", "due_at"])

    op.create_table(
        "sla_fired",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("clock", sa.String(length=24), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("milestone", sa.String(length=16), nullable=False),
        sa.Column("due_at", UTC_DT, nullable=False),
        sa.Column("fired_at", UTC_DT, nullable=False),
        sa.Column("fired_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"], name=op.f("fk_sla_fired_ticket_id_ticket")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_fired")),
        sa.UniqueConstraint("ticket_id", "clock", "seq", "milestone", name="uq_sla_fired_key"),
    )

    op.create_table(
        "sla_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", UTC_DT, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTC_DT, nullable=True),
        sa.Column("delivered_at", UTC_DT, nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_outbox")),
        sa.UniqueConstraint("idempotency_key", "url", name="uq_sla_outbox_key_url"),
    )
    op.create_index("ix_sla_outbox_next_attempt_at", "sla_outbox", ["next_attempt_at"])


def downgrade() -> None:
    op.drop_index("ix_sla_outbox_next_attempt_at", table_name="sla_outbox")
    op.drop_table("sla_outbox")
    op.drop_table("sla_fired")
    op.drop_index("ix_sla_clock_state_due", table_name="sla_clock")
    op.drop_index("ix_sla_clock_next_due_at", table_name="sla_clock")
    op.drop_table("sla_clock")
    op.drop_index("ix_sla_event_ticket_at", table_name="sla_event")
    op.drop_table("sla_event")
