"""reports: fault reports with their versions (故障报告), the cutover approval chain (割接审批),
optimisation requests (网络优化)

Revision ID: 0010_reports
Revises: 0009_readings_history
"""
import sqlalchemy as sa
from alembic import op

import agent.db

revision = "0010_reports"
down_revision = "0009_readings_history"
branch_labels = None
depends_on = None

UTC_DT = agent.db.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "fault_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("resolution_seq", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", UTC_DT, nullable=False),
        sa.Column("submitted_at", UTC_DT, nullable=True),
        sa.Column("submitted_by", sa.String(length=128), nullable=True),
        sa.Column("submitted_version", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"], name=op.f("fk_fault_report_ticket_id_ticket")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fault_report")),
        sa.UniqueConstraint("ticket_id", "resolution_seq", name=op.f("uq_fault_report_ticket_id")),
    )
    op.create_index(op.f("ix_fault_report_ticket_id"), "fault_report", ["ticket_id"])
    op.create_table(
        "fault_report_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC_DT, nullable=False),
        sa.Column("author", sa.String(length=128), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["fault_report.id"], name=op.f("fk_fault_report_version_report_id_fault_report"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fault_report_version")),
        sa.UniqueConstraint("report_id", "version", name=op.f("uq_fault_report_version_report_id")),
    )
    op.create_index(op.f("ix_fault_report_version_report_id"), "fault_report_version", ["report_id"])

    with op.batch_alter_table("cutover") as batch:
        batch.add_column(sa.Column("state", sa.String(length=32), nullable=False, server_default="applied"))
        batch.add_column(sa.Column("branch", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("elements", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("affects_customers", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("international", sa.Boolean(), nullable=True))
    # cutovers approved before the chain existed stay approved (their windows keep excusing faults)
    op.execute("UPDATE cutover SET state = 'approved' WHERE approved_by IS NOT NULL")
    op.create_table(
        "cutover_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cutover_id", sa.Integer(), nullable=False),
        sa.Column("at", UTC_DT, nullable=False),
        sa.Column("step", sa.String(length=32), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("from_state", sa.String(length=32), nullable=False),
        sa.Column("to_state", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["cutover_id"], ["cutover.id"], name=op.f("fk_cutover_decision_cutover_id_cutover"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cutover_decision")),
    )
    op.create_index(op.f("ix_cutover_decision_cutover_id"), "cutover_decision", ["cutover_id"])
    op.create_table(
        "optimisation_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=400), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.JSON(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("needs_construction", sa.Boolean(), nullable=True),
        sa.Column("created_at", UTC_DT, nullable=False),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.Column("updated_at", UTC_DT, nullable=False),
        sa.Column("history", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_optimisation_request")),
    )
    op.create_index(op.f("ix_optimisation_request_key"), "optimisation_request", ["key"])


def downgrade() -> None:
    op.drop_index(op.f("ix_optimisation_request_key"), table_name="optimisation_request")
    op.drop_table("optimisation_request")
    op.drop_index(op.f("ix_cutover_decision_cutover_id"), table_name="cutover_decision")
    op.drop_table("cutover_decision")
    with op.batch_alter_table("cutover") as batch:
        for column in ("international", "affects_customers", "elements", "branch", "state"):
            batch.drop_column(column)
    op.drop_index(op.f("ix_fault_report_version_report_id"), table_name="fault_report_version")
    op.drop_table("fault_report_version")
    op.drop_index(op.f("ix_fault_report_ticket_id"), table_name="fault_report")
    op.drop_table("fault_report")
