"""period reports (运行分析报告, 季报) with their versions, key assurance periods (重保)

Revision ID: 0014_period_reports
Revises: 0010_reports
"""
import sqlalchemy as sa
from alembic import op

import agent.db

revision = "0014_period_reports"
down_revision = "0011_orders"
branch_labels = None
depends_on = None

UTC_DT = agent.db.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "period_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("scope", sa.String(length=200), nullable=False),
        sa.Column("period_start", UTC_DT, nullable=False),
        sa.Column("period_end", UTC_DT, nullable=False),
        sa.Column("due_at", UTC_DT, nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", UTC_DT, nullable=False),
        sa.Column("submitted_at", UTC_DT, nullable=True),
        sa.Column("submitted_by", sa.String(length=128), nullable=True),
        sa.Column("submitted_version", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_period_report")),
        sa.UniqueConstraint("kind", "scope", "period_start", "period_end", name=op.f("uq_period_report_kind")),
    )
    op.create_table(
        "period_report_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC_DT, nullable=False),
        sa.Column("author", sa.String(length=128), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["period_report.id"],
                                name=op.f("fk_period_report_version_report_id_period_report"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_period_report_version")),
        sa.UniqueConstraint("report_id", "version", name=op.f("uq_period_report_version_report_id")),
    )
    op.create_index(op.f("ix_period_report_version_report_id"), "period_report_version", ["report_id"])
    op.create_table(
        "key_assurance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("start", UTC_DT, nullable=False),
        sa.Column("end", UTC_DT, nullable=False),
        sa.Column("customers", sa.JSON(), nullable=False),
        sa.Column("circuits", sa.JSON(), nullable=False),
        sa.Column("contacts", sa.JSON(), nullable=False),
        sa.Column("poll_interval_seconds", sa.Float(), nullable=False),
        sa.Column("rx_margin_db", sa.Float(), nullable=False),
        sa.Column("warning_horizon_days", sa.Float(), nullable=False),
        sa.Column("created_at", UTC_DT, nullable=False),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.Column("cancelled_at", UTC_DT, nullable=True),
        sa.Column("notified_alarm_id", sa.Integer(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_key_assurance")),
    )
    op.create_index(op.f("ix_key_assurance_start"), "key_assurance", ["start"])
    op.create_index(op.f("ix_key_assurance_end"), "key_assurance", ["end"])


def downgrade() -> None:
    op.drop_index(op.f("ix_key_assurance_end"), table_name="key_assurance")
    op.drop_index(op.f("ix_key_assurance_start"), table_name="key_assurance")
    op.drop_table("key_assurance")
    op.drop_index(op.f("ix_period_report_version_report_id"), table_name="period_report_version")
    op.drop_table("period_report_version")
    op.drop_table("period_report")
