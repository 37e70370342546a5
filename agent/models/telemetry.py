"""Polled telemetry (性能采集): the readings history of every polled port, its hourly roll-up, the
early-warning trends, the circuits' health grades and their changes, and each poll's own record.

Raw samples are kept ``poll_retention_days``; the hourly min/avg/max (``ReadingHourly``) for
``readings_hourly_retention_days``. The table of raw samples keeps its first name (``optical_sample``,
``OpticalSample``): it began as the optical series and the console and triage read it by that name.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from agent.db import Base

# The metrics of a sample, in the order the API names them (``kind=``); each is a column of
# ``OpticalSample`` and has ``<metric>_min/_max/_sum/_n`` columns in ``ReadingHourly``.
METRICS: tuple[str, ...] = ("rx_dbm", "tx_dbm", "in_mbps", "out_mbps", "crc_per_s", "in_errors_per_s")


class OpticalSample(Base):
    """One poll of one port: Rx/Tx power (dBm, None when the device gave none), status, and the rates
    over the interval since the port's previous poll (None on the first poll or a measurement fault)."""

    __tablename__ = "optical_sample"
    __table_args__ = (Index("ix_optical_sample_port_time", "device_name", "port_name", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    device_name: Mapped[str] = mapped_column(String(128))
    port_name: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(index=True)
    rx_dbm: Mapped[float | None] = mapped_column(Float)
    tx_dbm: Mapped[float | None] = mapped_column(Float)
    oper: Mapped[str | None] = mapped_column(String(24))
    admin: Mapped[str | None] = mapped_column(String(24))
    in_mbps: Mapped[float | None] = mapped_column(Float)
    out_mbps: Mapped[float | None] = mapped_column(Float)
    crc_per_s: Mapped[float | None] = mapped_column(Float)
    in_errors_per_s: Mapped[float | None] = mapped_column(Float)


class ReadingHourly(Base):
    """One port's samples of one clock hour, per metric: count, min, max and sum (avg = sum / n, exact
    to the float; a sum, not an average, so that it can be checked and merged)."""

    __tablename__ = "reading_hourly"
    __table_args__ = (Index("ix_reading_hourly_port_hour", "device_name", "port_name", "hour", unique=True),
                      Index("ix_reading_hourly_hour", "hour"))

    id: Mapped[int] = mapped_column(primary_key=True)
    device_name: Mapped[str] = mapped_column(String(128))
    port_name: Mapped[str] = mapped_column(String(128))
    hour: Mapped[datetime]  # the start of the hour, UTC
    samples: Mapped[int] = mapped_column(Integer)
    oper_down: Mapped[int] = mapped_column(Integer)  # samples with the port not up
    rx_dbm_n: Mapped[int] = mapped_column(Integer)
    rx_dbm_min: Mapped[float | None] = mapped_column(Float)
    rx_dbm_max: Mapped[float | None] = mapped_column(Float)
    rx_dbm_sum: Mapped[float | None] = mapped_column(Float)
    tx_dbm_n: Mapped[int] = mapped_column(Integer)
    tx_dbm_min: Mapped[float | None] = mapped_column(Float)
    tx_dbm_max: Mapped[float | None] = mapped_column(Float)
    tx_dbm_sum: Mapped[float | None] = mapped_column(Float)
    in_mbps_n: Mapped[int] = mapped_column(Integer)
    in_mbps_min: Mapped[float | None] = mapped_column(Float)
    in_mbps_max: Mapped[float | None] = mapped_column(Float)
    in_mbps_sum: Mapped[float | None] = mapped_column(Float)
    out_mbps_n: Mapped[int] = mapped_column(Integer)
    out_mbps_min: Mapped[float | None] = mapped_column(Float)
    out_mbps_max: Mapped[float | None] = mapped_column(Float)
    out_mbps_sum: Mapped[float | None] = mapped_column(Float)
    crc_per_s_n: Mapped[int] = mapped_column(Integer)
    crc_per_s_min: Mapped[float | None] = mapped_column(Float)
    crc_per_s_max: Mapped[float | None] = mapped_column(Float)
    crc_per_s_sum: Mapped[float | None] = mapped_column(Float)
    in_errors_per_s_n: Mapped[int] = mapped_column(Integer)
    in_errors_per_s_min: Mapped[float | None] = mapped_column(Float)
    in_errors_per_s_max: Mapped[float | None] = mapped_column(Float)
    in_errors_per_s_sum: Mapped[float | None] = mapped_column(Float)


class PortTrend(Base):
    """The early warning of one port and metric as last computed: the robust trend since its last
    restart and the projected crossing of each limit (``crossings``: [{limit, value, from, at}])."""

    __tablename__ = "port_trend"
    __table_args__ = (Index("ix_port_trend_port_metric", "device_name", "port_name", "metric", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    device_name: Mapped[str] = mapped_column(String(128))
    port_name: Mapped[str] = mapped_column(String(128))
    metric: Mapped[str] = mapped_column(String(24))
    slope_per_day: Mapped[float] = mapped_column(Float)
    level: Mapped[float] = mapped_column(Float)
    points: Mapped[int] = mapped_column(Integer)
    since: Mapped[datetime]
    until: Mapped[datetime]
    restarted_at: Mapped[datetime | None]
    crossings: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    first_crossing: Mapped[datetime | None]
    flagged: Mapped[bool] = mapped_column(Boolean)
    computed_at: Mapped[datetime]


class CircuitHealthRow(Base):
    """A circuit's latest grade (one row per circuit), with its reasons and per-segment grades."""

    __tablename__ = "circuit_health"
    __table_args__ = (Index("ix_circuit_health_rank", "rank", "circuit_id"),)

    circuit_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    customer: Mapped[str] = mapped_column(String(200), index=True)
    grade: Mapped[str] = mapped_column(String(16))
    rank: Mapped[int] = mapped_column(Integer)  # 0 = worst (down) .. 3 = ok: the list's sort key
    verdict: Mapped[str] = mapped_column(String(64))
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    segments: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    early_warning_at: Mapped[datetime | None]  # the soonest projected crossing inside the horizon
    graded_at: Mapped[datetime]
    since: Mapped[datetime]  # when the circuit took this grade


class HealthEvent(Base):
    """A circuit changing grade (the readings' change of state), kept apart from any ticket journal."""

    __tablename__ = "health_event"
    __table_args__ = (Index("ix_health_event_circuit_at", "circuit_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    circuit_id: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]
    from_grade: Mapped[str | None] = mapped_column(String(16))  # None: first graded
    to_grade: Mapped[str] = mapped_column(String(16))
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


class PollRun(Base):
    """One poll of the inventory: when, how long, how much, and why each failed device gave nothing."""

    __tablename__ = "poll_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(index=True)
    wants: Mapped[str] = mapped_column(String(100))  # the reading kinds of this poll, comma-separated
    duration_s: Mapped[float] = mapped_column(Float)
    devices: Mapped[int] = mapped_column(Integer)
    samples: Mapped[int] = mapped_column(Integer)
    failed: Mapped[int] = mapped_column(Integer)
    failures: Mapped[dict[str, str]] = mapped_column(JSON)  # device -> why
    device_seconds: Mapped[dict[str, float]] = mapped_column(JSON)  # device -> its survey's duration
    note: Mapped[str | None] = mapped_column(Text)
