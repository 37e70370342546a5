"""The TMF656 ServiceProblem view of a problem (camelCase), with faultline's additions named in
docs/problems.md: the root element, the affected circuits with their customers and contacts (from the
inventory now, every circuit whose path uses the root), the children's state and earliest escalation."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.enums import ProblemLinkState
from agent.models import Alarm, ProblemAlarm, ProblemTicket, ServiceProblem, Ticket
from agent.problems import store as st
from agent.problems.work import allowed_problem_actions


def summary(p: ServiceProblem, affected_count: int | None = None) -> dict[str, Any]:
    root = st.root_of(p)
    body: dict[str, Any] = {
        "id": str(p.id), "href": f"/api/v1/problems/{p.id}", "@type": "ServiceProblem", "name": p.name,
        "description": p.description, "category": p.category, "status": p.status,
        "statusChangeDate": p.status_changed_at, "statusChangeReason": p.status_change_reason,
        "originatingSystem": p.origin, "firstAlert": {"date": p.first_alert_at, "source": p.origin},
        "timeRaised": p.created_at, "timeChanged": p.updated_at, "resolutionDate": p.resolved_at,
        "rootCauseResource": [{"id": root.key, "@referredType": root.kind.value, **root.to_dict()}],
        "acknowledged": {"at": p.acknowledged_at, "by": p.acknowledged_by} if p.acknowledged_at else None,
        "resolutionProposedDate": p.resolution_proposed_at, "resolutionCause": p.resolution_cause,
        "allowedActions": allowed_problem_actions(p),
    }
    if affected_count is not None:
        body["affectedNumberOfServices"] = affected_count
    return body


def detail(session: Session, p: ServiceProblem, clocks_for, now: datetime) -> dict[str, Any]:
    """``clocks_for(session, ticket_id, now)``: the SLA engine's clocks of a ticket."""
    circuits = st.affected(session, st.circuits_using(session, st.root_of(p)))
    body = summary(p, len(circuits))
    body["affectedService"] = [{"id": c.id, "@referredType": "Circuit", "serviceType": c.service_type,
                                "rateMbps": c.rate_mbps, "customer": {"id": c.customer.id, "name": c.customer.name,
                                                                      "contact": c.customer.contact}}
                               for c in circuits]
    customers: dict[str, dict[str, Any]] = {}
    for c in circuits:
        entry = customers.setdefault(c.customer.id, {"id": c.customer.id, "name": c.customer.name,
                                                     "contact": c.customer.contact, "circuits": []})
        entry["circuits"].append(c.id)
    body["affectedCustomer"] = list(customers.values())
    links = session.execute(select(ProblemTicket, Ticket).join(Ticket, ProblemTicket.ticket_id == Ticket.id)
                            .where(ProblemTicket.problem_id == p.id).order_by(ProblemTicket.id)).all()
    associated, apart, earliest = [], [], None
    for link, t in links:
        item = {"id": str(t.id), "href": f"/api/v1/tickets/{t.id}", "@referredType": "TroubleTicket",
                "circuitId": t.circuit_id, "status": t.status, "linkState": link.state, "how": link.how,
                "reason": link.reason, "date": link.at, "by": link.by}
        if link.state == ProblemLinkState.LINKED.value:
            escalation = _earliest_escalation(clocks_for(session, t.id, now))
            item["nextEscalation"] = escalation
            if escalation and (earliest is None or escalation["dueDate"] < earliest["dueDate"]):
                earliest = {**escalation, "ticket": str(t.id)}
            associated.append(item)
        else:
            apart.append(item)
    body["associatedTroubleTicket"] = associated
    body["notGroupedTroubleTicket"] = apart
    body["earliestEscalation"] = earliest
    alarm_rows = session.execute(select(ProblemAlarm, Alarm).join(Alarm, ProblemAlarm.alarm_id == Alarm.id)
                                 .where(ProblemAlarm.problem_id == p.id).order_by(ProblemAlarm.id)).all()
    body["underlyingAlarm"] = [{"id": str(a.id), "href": f"/api/v1/alarms/{a.id}", "@referredType": "Alarm",
                                "alarmedObject": f"{a.device_name}:{a.port_name}" if a.port_name else a.device_name,
                                "probableCause": a.probable_cause, "state": a.state, "alarmRaisedTime": a.raised_at,
                                "alarmClearedTime": a.cleared_at, "isRootCause": pa.is_root,
                                "parentAlarm": [{"id": str(pa.parent_alarm_id)}] if pa.parent_alarm_id else []}
                               for pa, a in alarm_rows]
    body["trackingRecord"] = [{"id": j.id, "date": j.at, "author": j.author, "role": j.role, "kind": j.kind,
                               "text": j.text, "data": j.data} for j in p.journal]
    return body


def _earliest_escalation(clocks) -> dict[str, Any] | None:
    """Rule 7 fires per ticket as today; the problem shows the soonest still-running escalation."""
    due = [c for c in clocks if str(c.kind).startswith("escalation") and c.due_at is not None and c.met_at is None]
    if not due:
        return None
    c = min(due, key=lambda c: c.due_at)
    return {"clock": str(c.kind), "dueDate": c.due_at, "state": str(c.state)}
