"""readings history: status and rates on each polled sample, the hourly roll-up, early-warning trends,
circuit health grades and their changes, and the poll's own record

Revision ID: 0009_readings_history
Revises: 0008_service_problems
"""
import sqlalchemy as sa
from alembic import op

import agent.db

revision = "0009_readings_history"
down_revision = "0008_service_problems"
branch_labels = None
depends_on = None

UTC_DT = agent.db.UtcDateTime(timezone=True)
METRICS = ("rx_dbm", "tx_dbm", "in_mbps", "out_mbps", "crc_per_s", "in_errors_per_s")  # as agent.models.telemetry
NEW_SAMPLE_COLUMNS = (("admin", sa.String(length=24)), ("in_mbps", sa.Float()), ("out_mbps", sa.Float()),
                      ("crc_per_s", sa.Float()), ("in_errors_per_s", sa.Float()))


def upgrade() -> None:
    with op.batch_alter_table("optical_sample") as batch:
        for name, kind in NEW_SAMPLE_COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))

    per_metric = []
    for m in METRICS:
        per_metric += [sa.Column(f"{m}_n", sa.Integer(), nullable=False), sa.Column(f"{m}_min", sa.Float(), nullable=True),
                       sa.Column(f"{m}_max", sa.Float(), nullable=True), sa.Column(f"{m}_sum", sa.Float(), nullable=True)]
    op.create_table(
        "reading_hourly",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("device_name", sa.String(length=128), nullable=False),
        sa.Column("port_name", sa.String(length=128), nullable=False),
        sa.Column("hour", UTC_DT, nullable=False),
        sa.Column("samples", sa.Integer(), nullable=False),
        sa.Column("oper_down", sa.Integer(), nullable=False),
        *per_metric,
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reading_hourly")),
    )
    op.create_index("ix_reading_hourly_port_hour", "reading_hourly", ["device_name", "port_name", "hour"], unique=True)
    op.create_index("ix_reading_hourly_hour", "reading_hourly", ["hour"])

    op.create_table(
        "port_trend",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("device_name", sa.String(length=128), nullable=False),
        sa.Column("port_name", sa.String(length=128), nullable=False),
        sa.Column("metric", sa.String(length=24), nullable=False),
        sa.Column("slope_per_day", sa.Float(), nullable=False),
        sa.Column("level", sa.Float(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("since", UTC_DT, nullable=False),
        sa.Column("until", UTC_DT, nullable=False),
        sa.Column("restarted_at", UTC_DT, nullable=True),
        sa.Column("crossings", sa.JSON(), nullable=False),
        sa.Column("first_crossing", UTC_DT, nullable=True),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("computed_at", UTC_DT, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_port_trend")),
    )
    op.create_index("ix_port_trend_port_metric", "port_trend", ["device_name", "port_name", "metric"], unique=True)

    op.create_table(
        "circuit_health",
        sa.Column("circuit_id", sa.String(length=64), nullable=False),
        sa.Column("customer", sa.String(length=200), nullable=False),
        sa.Column("grade", sa.String(length=16), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("verdict", sa.String(length=64), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("segments", sa.JSON(), nullable=False),
        sa.Column("early_warning_at", UTC_DT, nullable=True),
        sa.Column("graded_at", UTC_DT, nullable=False),
        sa.Column("since", UTC_DT, nullable=False),
        sa.PrimaryKeyConstraint("circuit_id", name=op.f("pk_circuit_health")),
    )
    op.create_index("ix_circuit_health_rank", "circuit_health", ["rank", "circuit_id"])
    op.create_index(op.f("ix_circuit_health_customer"), "circuit_health", ["customer"])

    op.create_table(
        "health_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("circuit_id", sa.String(length=64), nullable=False),
        sa.Column("at", UTC_DT, nullable=False),
        sa.Column("from_grade", sa.String(length=16), nullable=True),
        sa.Column("to_grade", sa.String(length=16), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_health_event")),
    )
    op.create_index("ix_health_event_circuit_at", "health_event", ["circuit_id", "at"])

    op.create_table(
        "poll_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", UTC_DT, nullable=False),
        sa.Column("wants", sa.String(length=100), nullable=False),
        sa.Column("duration_s", sa.Float(), nullable=False),
        sa.Column("devices", sa.Integer(), nullable=False),
        sa.Column("samples", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("failures", sa.JSON(), nullable=False),
        sa.Column("device_seconds", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_poll_run")),
    )
    op.create_index(op.f("ix_poll_run_started_at"), "poll_run", ["started_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_poll_run_started_at"), table_name="poll_run")
    op.drop_table("poll_run")
    op.drop_index("ix_health_event_circuit_at", table_name="health_event")
    op.drop_table("health_event")
    op.drop_index(op.f("ix_circuit_health_customer"), table_name="circuit_health")
    op.drop_index("ix_circuit_health_rank", table_name="circuit_health")
    op.drop_table("circuit_health")
    op.drop_index("ix_port_trend_port_metric", table_name="port_trend")
    op.drop_table("port_trend")
    op.drop_index("ix_reading_hourly_hour", table_name="reading_hourly")
    op.drop_index("ix_reading_hourly_port_hour", table_name="reading_hourly")
    op.drop_table("reading_hourly")
    with op.batch_alter_table("optical_sample") as batch:
        for name, _ in reversed(NEW_SAMPLE_COLUMNS):
            batch.drop_column(name)
