"""The circuit-order part of the assessment (四 考核制度): the cases behind resource-check timeliness
(资源核查及时率), activation timeliness (业务开通及时率) and activation cycle time (业务开通周期), in
the shape ``agent.reports.assessment.OrderRates`` asks for (the same rules as ``rules.kpis``: a check
is decided when fed back or once past its due time; an order when completed, on time with no overtime;
the cycle in days from receipt to completion). A case's branch is the order's lead office (主调局)."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from agent.models import CircuitOrder, ResourceCheck
from agent.orders import rules
from agent.reports.assessment import Case, deadline_case


class OrderRateCases:
    """``OrderRates`` read from the orders and checks tables."""

    def resource_check_cases(self, session: Session, start: datetime, end: datetime, now: datetime) -> list[Case]:
        out = []
        for c in session.scalars(select(ResourceCheck)):
            case = deadline_case(f"resource-check:{c.id}", None, c.due_at, c.fed_back_at, start, end, now,
                                 checkId=c.id, upstreamId=c.upstream_id, customer=c.customer)
            if case is not None:
                out.append(case)
        return out

    def _completed(self, session: Session, start: datetime, end: datetime, now: datetime):
        orders = session.scalars(select(CircuitOrder).where(
            CircuitOrder.completed_at.is_not(None), CircuitOrder.completed_at >= start, CircuitOrder.completed_at < end,
            CircuitOrder.completed_at <= now).options(selectinload(CircuitOrder.periods)))
        for o in orders:
            over = rules.missed_limits([rules.LimitPeriod(p.due_at, p.excused) for p in o.periods], o.completed_at, now)
            yield o, over

    def activation_cases(self, session: Session, start: datetime, end: datetime, now: datetime) -> list[Case]:
        return [Case(f"order:{o.id}", o.lead_office, o.completed_at, over == 0, o.due_at, o.completed_at,
                     detail={"orderId": o.id, "upstreamId": o.upstream_id, "circuitId": o.circuit_id, "overtimes": over})
                for o, over in self._completed(session, start, end, now)]

    def activation_cycle_cases(self, session: Session, start: datetime, end: datetime, now: datetime) -> list[Case]:
        return [Case(f"order:{o.id}", o.lead_office, o.completed_at, over == 0, o.due_at, o.completed_at,
                     value=round((o.completed_at - o.received_at) / timedelta(days=1), 3),
                     detail={"orderId": o.id, "upstreamId": o.upstream_id, "circuitId": o.circuit_id})
                for o, over in self._completed(session, start, end, now)]
