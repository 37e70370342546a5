"""service problems (TMF656): one record per cause with its child tickets, underlying alarms and its
own journal; one open problem per root element and one problem per ticket, as partial unique indexes

Revision ID: 0008_service_problems
Revises: 0007_port_role
"""
import sqlalchemy as sa
from alembic import op

import agent.db

revision = "0008_service_problems"
down_revision = "0007_port_role"
branch_labels = None
depends_on = None

UTC_DT = agent.db.UtcDateTime(timezone=True)
# agent.enums.ProblemStatus.open() as of this revision: frozen here on purpose.
OPEN = "status IN ('submitted', 'acknowledged', 'inProgress')"
LINKED = "state = 'linked'"


def upgrade() -> None:
    op.create_table(
        "service_problem",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("status_changed_at", UTC_DT, nullable=False),
        sa.Column("status_change_reason", sa.Text(), nullable=True),
        sa.Column("root_kind", sa.String(length=16), nullable=False),
        sa.Column("root_key", sa.String(length=300), nullable=False),
        sa.Column("root_device", sa.String(length=128), nullable=False),
        sa.Column("root_port", sa.String(length=128), nullable=True),
        sa.Column("far_device", sa.String(length=128), nullable=True),
        sa.Column("far_port", sa.String(length=128), nullable=True),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("first_alert_at", UTC_DT, nullable=False),
        sa.Column("created_at", UTC_DT, nullable=False),
        sa.Column("updated_at", UTC_DT, nullable=False),
        sa.Column("acknowledged_at", UTC_DT, nullable=True),
        sa.Column("acknowledged_by", sa.String(length=128), nullable=True),
        sa.Column("resolution_proposed_at", UTC_DT, nullable=True),
        sa.Column("resolved_at", UTC_DT, nullable=True),
        sa.Column("resolved_by", sa.String(length=128), nullable=True),
        sa.Column("resolution_cause", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_problem")),
    )
    with op.batch_alter_table("service_problem", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_service_problem_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_service_problem_root_key"), ["root_key"], unique=False)
    op.create_index("uq_service_problem_open_root", "service_problem", ["root_key"], unique=True,
                    sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))

    op.create_table(
        "service_problem_ticket",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("problem_id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("how", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", UTC_DT, nullable=False),
        sa.Column("by", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(["problem_id"], ["service_problem.id"],
                                name=op.f("fk_service_problem_ticket_problem_id_service_problem")),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"], name=op.f("fk_service_problem_ticket_ticket_id_ticket")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_problem_ticket")),
        sa.UniqueConstraint("problem_id", "ticket_id", name=op.f("uq_service_problem_ticket_problem_id")),
    )
    with op.batch_alter_table("service_problem_ticket", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_service_problem_ticket_problem_id"), ["problem_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_service_problem_ticket_ticket_id"), ["ticket_id"], unique=False)
    op.create_index("uq_service_problem_ticket_linked", "service_problem_ticket", ["ticket_id"], unique=True,
                    sqlite_where=sa.text(LINKED), postgresql_where=sa.text(LINKED))

    op.create_table(
        "service_problem_alarm",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("problem_id", sa.Integer(), nullable=False),
        sa.Column("alarm_id", sa.Integer(), nullable=False),
        sa.Column("is_root", sa.Boolean(), nullable=False),
        sa.Column("parent_alarm_id", sa.Integer(), nullable=True),
        sa.Column("added_at", UTC_DT, nullable=False),
        sa.ForeignKeyConstraint(["alarm_id"], ["alarm.id"], name=op.f("fk_service_problem_alarm_alarm_id_alarm")),
        sa.ForeignKeyConstraint(["problem_id"], ["service_problem.id"],
                                name=op.f("fk_service_problem_alarm_problem_id_service_problem")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_problem_alarm")),
        sa.UniqueConstraint("problem_id", "alarm_id", name=op.f("uq_service_problem_alarm_problem_id")),
    )
    with op.batch_alter_table("service_problem_alarm", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_service_problem_alarm_problem_id"), ["problem_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_service_problem_alarm_alarm_id"), ["alarm_id"], unique=False)

    op.create_table(
        "service_problem_journal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("problem_id", sa.Integer(), nullable=False),
        sa.Column("at", UTC_DT, nullable=False),
        sa.Column("author", sa.String(length=128), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=48), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["problem_id"], ["service_problem.id"],
                                name=op.f("fk_service_problem_journal_problem_id_service_problem")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_problem_journal")),
    )
    with op.batch_alter_table("service_problem_journal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_service_problem_journal_problem_id"), ["problem_id"], unique=False)


def downgrade() -> None:
    op.drop_table("service_problem_journal")
    op.drop_table("service_problem_alarm")
    op.drop_index("uq_service_problem_ticket_linked", table_name="service_problem_ticket")
    op.drop_table("service_problem_ticket")
    op.drop_index("uq_service_problem_open_root", table_name="service_problem")
    op.drop_table("service_problem")
