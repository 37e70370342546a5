"""Polled telemetry (性能采集): the optical power series of every port, for the Rx-trend early warning."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from agent.db import Base


class OpticalSample(Base):
    """One poll of one port: Rx/Tx power (dBm, None when the device gave none) and oper status."""

    __tablename__ = "optical_sample"
    __table_args__ = (Index("ix_optical_sample_port_time", "device_name", "port_name", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    device_name: Mapped[str] = mapped_column(String(128))
    port_name: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(index=True)
    rx_dbm: Mapped[float | None] = mapped_column(Float)
    tx_dbm: Mapped[float | None] = mapped_column(Float)
    oper: Mapped[str | None] = mapped_column(String(24))
