"""Before the fault (售前, 售中): resource checks (资源核查) with their check items, circuit orders
(电路调单) with their steps, limit periods, delay requests (延期申请) and acceptance tests (测试报竣),
and one journal of both (every step recorded, like the ticket journal). Rules live in agent/orders and
agent/checks."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from agent.db import Base


class ResourceCheck(Base):
    """A resource check request (资源核查单) from the group customer department and what came of it."""

    __tablename__ = "resource_check"

    id: Mapped[int] = mapped_column(primary_key=True)
    upstream_id: Mapped[str | None] = mapped_column(String(128), unique=True)
    customer: Mapped[str] = mapped_column(String(200))
    a_site: Mapped[str] = mapped_column(String(200))
    z_site: Mapped[str] = mapped_column(String(200))
    service_type: Mapped[str] = mapped_column(String(32))
    rate_mbps: Mapped[float] = mapped_column(Float)
    wanted_date: Mapped[str | None] = mapped_column(String(10))  # ISO date the customer wants
    access_device: Mapped[str | None] = mapped_column(String(128))  # the proposed access device
    proposal: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # access fibre km, path over existing segments
    state: Mapped[str] = mapped_column(String(16))  # requested | distributed | collected | fed_back
    requested_at: Mapped[datetime]
    requested_by: Mapped[str] = mapped_column(String(128))
    distribute_due_at: Mapped[datetime]
    due_at: Mapped[datetime]  # the result fed back (资源核查及时率)
    distributed_at: Mapped[datetime | None]
    fed_back_at: Mapped[datetime | None]
    fits: Mapped[bool | None]
    reasons: Mapped[list[str] | None] = mapped_column(JSON)
    measurement: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the measured answer (port, why, readings)
    ledger: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the ledger row (台帐) once fed back

    items: Mapped[list[ResourceCheckItem]] = relationship(
        back_populates="check", cascade="all, delete-orphan", order_by="ResourceCheckItem.id")


class ResourceCheckItem(Base):
    """One department's check item (核查单): sent, chased (催办), answered."""

    __tablename__ = "resource_check_item"
    __table_args__ = (UniqueConstraint("check_id", "department"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    check_id: Mapped[int] = mapped_column(ForeignKey("resource_check.id", ondelete="CASCADE"), index=True)
    department: Mapped[str] = mapped_column(String(64))
    sent_at: Mapped[datetime]
    due_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]
    answered_by: Mapped[str | None] = mapped_column(String(128))
    fits: Mapped[bool | None]
    answer: Mapped[str | None] = mapped_column(Text)
    chase_count: Mapped[int] = mapped_column(Integer, default=0)
    last_chased_at: Mapped[datetime | None]

    check: Mapped[ResourceCheck] = relationship(back_populates="items")


class CircuitOrder(Base):
    """A circuit order (电路调单) from the province, idempotent on its upstream id."""

    __tablename__ = "circuit_order"

    id: Mapped[int] = mapped_column(primary_key=True)
    upstream_id: Mapped[str] = mapped_column(String(128), unique=True)
    revision: Mapped[int] = mapped_column(Integer, default=1)  # a changed order (变更调单) raises it
    circuit_id: Mapped[str] = mapped_column(String(64), index=True)
    customer_id: Mapped[str] = mapped_column(String(64))
    customer_name: Mapped[str] = mapped_column(String(200))
    service_type: Mapped[str] = mapped_column(String(32))
    rate_mbps: Mapped[float] = mapped_column(Float)
    office_role: Mapped[str] = mapped_column(String(16))  # lead (主调局) | cooperating (被调局)
    lead_office: Mapped[str | None] = mapped_column(String(200))
    cooperating_office: Mapped[str | None] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(16))  # in_progress | completed | cancelled
    received_at: Mapped[datetime]
    original_due_at: Mapped[datetime]
    due_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
    overtimes: Mapped[int] = mapped_column(Integer, default=0)
    resource_check_id: Mapped[int | None] = mapped_column(ForeignKey("resource_check.id"))
    design: Mapped[dict[str, Any]] = mapped_column(JSON)  # the circuit's path as ordered (segments, ports)
    ledger: Mapped[dict[str, Any]] = mapped_column(JSON)  # 调单台帐

    steps: Mapped[list[OrderStep]] = relationship(back_populates="order", cascade="all, delete-orphan",
                                                  order_by="OrderStep.seq")
    periods: Mapped[list[OrderLimitPeriod]] = relationship(back_populates="order", cascade="all, delete-orphan",
                                                           order_by="OrderLimitPeriod.seq")
    delay_requests: Mapped[list[DelayRequest]] = relationship(back_populates="order", cascade="all, delete-orphan",
                                                              order_by="DelayRequest.id")
    tests: Mapped[list[AcceptanceTest]] = relationship(back_populates="order", cascade="all, delete-orphan",
                                                       order_by="AcceptanceTest.id")


class OrderStep(Base):
    __tablename__ = "order_step"
    __table_args__ = (UniqueConstraint("order_id", "step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("circuit_order.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    step: Mapped[str] = mapped_column(String(32))
    department: Mapped[str] = mapped_column(String(32))
    starts_at: Mapped[datetime]
    warn_at: Mapped[datetime]
    due_at: Mapped[datetime]
    done_at: Mapped[datetime | None]
    done_by: Mapped[str | None] = mapped_column(String(128))
    note: Mapped[str | None] = mapped_column(Text)
    warned_at: Mapped[datetime | None]  # the warning (预警) was given
    escalated_at: Mapped[datetime | None]  # overdue, escalated

    order: Mapped[CircuitOrder] = relationship(back_populates="steps")


class OrderLimitPeriod(Base):
    """Each limit the order had: the original, an approved delay, a changed order (变更调单)."""

    __tablename__ = "order_limit_period"
    __table_args__ = (UniqueConstraint("order_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("circuit_order.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    due_at: Mapped[datetime]
    origin: Mapped[str] = mapped_column(String(16))  # original | delay | changed_order
    excused: Mapped[bool] = mapped_column(default=False)  # a timely customer delay request, pending or approved
    overtime_counted_at: Mapped[datetime | None]

    order: Mapped[CircuitOrder] = relationship(back_populates="periods")


class DelayRequest(Base):
    """A delay request (延期申请) and its way up the chain and back."""

    __tablename__ = "delay_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("circuit_order.id", ondelete="CASCADE"), index=True)
    cause: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    filed_at: Mapped[datetime]
    filed_by: Mapped[str] = mapped_column(String(128))
    limit_at: Mapped[datetime]  # the order's limit when it was filed
    requested_due_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(16))  # refused | filed | submitted | approved | rejected
    refusal: Mapped[str | None] = mapped_column(String(32))
    approved_due_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(128))
    chain: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # each hop: who, when, where

    order: Mapped[CircuitOrder] = relationship(back_populates="delay_requests")


class AcceptanceTest(Base):
    """A test report (测试报告), local (本地) or end-to-end (全程), filled from live measurements."""

    __tablename__ = "acceptance_test"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("circuit_order.id", ondelete="CASCADE"), index=True)
    scope: Mapped[str] = mapped_column(String(16))  # local | end_to_end
    template: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))  # measuring | passed | failed | error | completed
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    window_seconds: Mapped[float] = mapped_column(Float)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    indicators: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    readings: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    tester: Mapped[str | None] = mapped_column(String(128))
    tester_signed_at: Mapped[datetime | None]
    customer_signer: Mapped[str | None] = mapped_column(String(128))
    customer_signed_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]

    order: Mapped[CircuitOrder] = relationship(back_populates="tests")


class ActivationJournalEntry(Base):
    """The record of a resource check or an order: every step, who, when (append-only)."""

    __tablename__ = "activation_journal"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("circuit_order.id", ondelete="CASCADE"), index=True)
    check_id: Mapped[int | None] = mapped_column(ForeignKey("resource_check.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime]
    author: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(48))
    text: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
