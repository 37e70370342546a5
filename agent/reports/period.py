"""Reports of a period (issue 16), drafted from the data of the period:

- the **operation report** (运行分析报告) of one customer: availability per circuit, the faults and
  their causes, fault time, light-level trends and early warnings, SLA compliance;
- the **quarterly report** (季报) of one branch's customer response center, with the source's sections
  (四, 季报制度): basic information of the response system and of the group customers, the network
  services provided, market support projects, the main work done, typical cases, problems and
  suggestions, next quarter's plan. The measurable sections are filled from the data; every section
  has a text the officer writes (``texts``), and the sections without data are text only.

Availability of a circuit over a period: 1 - outage / period, the outage being the union of its
interruption tickets' intervals (arrival to repair, or to the period's end while open) less their
approved suspensions (the SLA's fault time), clipped to the period (``outage_seconds``, pure).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from agent.errors import InvalidInput, NotFound
from agent.inventory.targets import resolve_circuit
from agent.models import (
    Circuit,
    Customer,
    Cutover,
    Diagnosis,
    FaultReport,
    KeyAssurance,
    OptimisationRequest,
    Participant,
    PeriodReport,
    PortTrend,
    Suspension,
    Ticket,
)
from agent.reports import optimisation
from agent.sla import SlaEngine
from agent.sla import store as sla_store
from agent.sla.kpis import compute_kpis
from agent.telemetry.history import series_for_trend
from diagnosis.trend import theil_sen

SCHEMA = 1
OPERATION, QUARTERLY = "operation", "quarterly"
KINDS = (OPERATION, QUARTERLY)
OPERATION_TEXTS = ("summary", "analysis", "suggestions", "remarks")
QUARTERLY_SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("responseSystem", "一、客户响应体系的基本信息", "Basic information of the response system"),
    ("customers", "二、集团客户的基础信息", "Basic information of the group customers"),
    ("networkServices", "三、集团客户网络服务提供情况", "Network services provided"),
    ("marketSupport", "四、市场网络支撑项目情况", "Market support projects"),
    ("mainWork", "五、日常主要工作完成情况", "Main work done"),
    ("typicalCases", "六、典型案例分析", "Typical cases"),
    ("problems", "七、问题及建议", "Problems and suggestions"),
    ("nextPlan", "八、下季度工作计划", "Next quarter's plan"),
)
EDITABLE = {OPERATION: OPERATION_TEXTS, QUARTERLY: tuple(k for k, _, _ in QUARTERLY_SECTIONS)}
MAX_PERIOD = timedelta(days=400)
TYPICAL_CASES = 3


# --- pure -------------------------------------------------------------------------------------------
def outage_seconds(intervals: Iterable[tuple[datetime, datetime]], start: datetime, end: datetime) -> float:
    """Seconds of [start, end) covered by the union of the intervals (overlaps counted once)."""
    clipped = sorted((max(a, start), min(b, end)) for a, b in intervals if b > start and a < end and b > a)
    total, cur_a, cur_b = 0.0, None, None
    for a, b in clipped:
        if cur_b is None or a > cur_b:
            if cur_b is not None:
                total += (cur_b - cur_a).total_seconds()
            cur_a, cur_b = a, b
        else:
            cur_b = max(cur_b, b)
    if cur_b is not None:
        total += (cur_b - cur_a).total_seconds()
    return total


def minus(interval: tuple[datetime, datetime], holes: Iterable[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """``interval`` less the holes (approved suspensions)."""
    parts = [interval]
    for ha, hb in sorted(holes):
        nxt = []
        for a, b in parts:
            if hb <= a or ha >= b:
                nxt.append((a, b))
                continue
            if ha > a:
                nxt.append((a, ha))
            if hb < b:
                nxt.append((hb, b))
        parts = nxt
    return parts


def availability(outage: float, period_seconds: float) -> float | None:
    return None if period_seconds <= 0 else max(0.0, 1.0 - outage / period_seconds)


def pct(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f}%"


def dur(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    s = int(round(seconds))
    return f"{s // 3600}h{s % 3600 // 60:02d}m{s % 60:02d}s"


def quarter_bounds(year: int, quarter: int, tz: str) -> tuple[datetime, datetime]:
    """The quarter [start, end) in local time, as UTC."""
    if not 1 <= quarter <= 4:
        raise InvalidInput([{"loc": "quarter", "msg": "quarter is 1..4"}])
    z = ZoneInfo(tz)
    first = date(year, 3 * quarter - 2, 1)
    nxt = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return (datetime.combine(first, time(0), tzinfo=z).astimezone(UTC),
            datetime.combine(nxt, time(0), tzinfo=z).astimezone(UTC))


def local_day_bounds(first: date, last: date, tz: str) -> tuple[datetime, datetime]:
    """[first 00:00, the day after last 00:00) local, as UTC."""
    if last < first:
        raise InvalidInput([{"loc": "to", "msg": "the period ends before it starts"}])
    z = ZoneInfo(tz)
    start = datetime.combine(first, time(0), tzinfo=z).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=z).astimezone(UTC)
    if end - start > MAX_PERIOD:
        raise InvalidInput([{"loc": "to", "msg": f"a period is at most {MAX_PERIOD.days} days"}])
    return start, end


# --- reading the period ---------------------------------------------------------------------------
def _iso(t: datetime | None) -> str | None:
    return t.isoformat() if t else None


def _fault_rows(session: Session, sla: SlaEngine, circuit_ids: list[str], start: datetime, end: datetime,
                now: datetime) -> list[dict[str, Any]]:
    """Tickets on the circuits open at some time in [start, end), with their outage in the period."""
    if not circuit_ids:
        return []
    horizon = min(end, now)
    tickets = list(session.scalars(select(Ticket).where(
        Ticket.circuit_id.in_(circuit_ids), Ticket.created_at < end,
        (Ticket.resolved_at.is_(None)) | (Ticket.resolved_at > start)).order_by(Ticket.created_at, Ticket.id)))
    if not tickets:
        return []
    ids = [t.id for t in tickets]
    susp: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for s in session.scalars(select(Suspension).where(Suspension.ticket_id.in_(ids), Suspension.decision == "approved")):
        if s.decided_at is not None:
            susp[s.ticket_id].append((s.decided_at, s.resumed_at or horizon))
    verdicts: dict[int, str] = {}
    for tid, verdict in session.execute(select(Diagnosis.ticket_id, Diagnosis.verdict).where(
            Diagnosis.ticket_id.in_(ids)).order_by(Diagnosis.created_at, Diagnosis.id)):
        verdicts[tid] = verdict  # the latest
    out = []
    for t in tickets:
        until = t.resolved_at or horizon
        intervals = minus((t.created_at, until), susp[t.id]) if t.kind == "interruption" else []
        tc = sla.compute(session, t.id, now)
        out.append({"ticketId": t.id, "externalId": t.external_id, "circuitId": t.circuit_id, "kind": t.kind,
                    "symptom": t.symptom, "status": t.status, "arrival": _iso(t.created_at), "restored": _iso(t.resolved_at),
                    "faultSeconds": tc.fault_seconds if tc else None,
                    "outageSeconds": outage_seconds(intervals, start, end),
                    "intervals": [[_iso(a), _iso(b)] for a, b in intervals],
                    "cause": t.resolution_cause or t.close_cause, "verdict": verdicts.get(t.id, "undiagnosed")})
    return out


def _circuit_rows(circuits: list[Circuit], faults: list[dict[str, Any]], start: datetime, end: datetime
                  ) -> list[dict[str, Any]]:
    period = (end - start).total_seconds()
    rows = []
    for c in circuits:
        mine = [f for f in faults if f["circuitId"] == c.id]
        intervals = [(datetime.fromisoformat(a), datetime.fromisoformat(b)) for f in mine for a, b in f["intervals"]]
        out = outage_seconds(intervals, start, end)
        rows.append({"id": c.id, "serviceType": c.service_type, "rateMbps": c.rate_mbps, "leadOffice": c.lead_office,
                     "faults": len(mine), "interruptions": sum(1 for f in mine if f["kind"] == "interruption"),
                     "outageSeconds": out, "availability": availability(out, period)})
    return rows


def _causes(faults: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by: dict[str, dict[str, Any]] = {}
    for f in faults:
        row = by.setdefault(f["verdict"], {"verdict": f["verdict"], "count": 0, "faultSeconds": 0.0, "tickets": []})
        row["count"] += 1
        row["faultSeconds"] += f["faultSeconds"] or 0.0
        row["tickets"].append(f["ticketId"])
    return sorted(by.values(), key=lambda r: (-r["count"], r["verdict"]))


def _optical(session: Session, circuits: list[Circuit], start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Per circuit port: Rx min/avg/max over the period, its Theil-Sen slope (dB/day) over the period,
    and the stored early-warning trend of the port (agent/telemetry/warning.py)."""
    ends: dict[tuple[str, str], str] = {}
    for c in circuits:
        try:
            path = resolve_circuit(session, c.id).path
        except Exception:  # noqa: BLE001 - a circuit the inventory cannot resolve has no ports to report
            continue
        for _, e in path.ports():
            ends.setdefault(e.key, c.id)
    if not ends:
        return []
    series = series_for_trend(session, ends, "rx_dbm", start)
    trends: dict[tuple[str, str], dict[str, PortTrend]] = defaultdict(dict)
    for pt in session.scalars(select(PortTrend)):
        if (pt.device_name, pt.port_name) in ends:
            trends[(pt.device_name, pt.port_name)][pt.metric] = pt
    rows = []
    for key in sorted(ends):
        points = [(t, v) for t, v in series.get(key, []) if start <= t < end]
        rx: dict[str, Any] = {"n": len(points)}
        if points:
            values = [v for _, v in points]
            line = theil_sen([(t - points[0][0]).total_seconds() / 86400 for t, _ in points], values)
            rx |= {"min": min(values), "avg": sum(values) / len(values), "max": max(values),
                   "first": values[0], "last": values[-1], "slopePerDay": line[0] if line else None}
        stored = [{"metric": m, "slopePerDay": pt.slope_per_day, "level": pt.level, "flagged": pt.flagged,
                   "firstCrossing": _iso(pt.first_crossing), "computedAt": _iso(pt.computed_at)}
                  for m, pt in sorted(trends.get(key, {}).items())]
        rows.append({"circuitId": ends[key], "device": key[0], "port": key[1], "rx": rx, "trends": stored,
                     "flagged": any(s["flagged"] for s in stored)})
    return rows


def _sla(session: Session, sla: SlaEngine, ticket_ids: list[int], start: datetime, end: datetime, now: datetime
         ) -> dict[str, Any]:
    hist = sla_store.histories(session, ticket_ids)
    report = compute_kpis((hist[i] for i in sorted(ticket_ids) if hist.get(i)), sla.rules_for, sla.calendar,
                          start, end, min(end, now))
    return {name: {"labelZh": k.label_zh, "onTime": k.on_time, "late": k.late, "total": k.total, "rate": k.rate}
            for name, k in report.kpis.items()}


def _period(start: datetime, end: datetime, tz: str) -> dict[str, Any]:
    z = ZoneInfo(tz)
    return {"from": start.isoformat(), "to": end.isoformat(), "fromLocal": start.astimezone(z).date().isoformat(),
            "toLocal": (end.astimezone(z) - timedelta(seconds=1)).date().isoformat(),
            "seconds": (end - start).total_seconds()}


def operation_content(session: Session, sla: SlaEngine, customer_id: str, start: datetime, end: datetime,
                      now: datetime, tz: str) -> dict[str, Any]:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(f"customer {customer_id} is not in the inventory")
    circuits = list(session.scalars(select(Circuit).where(Circuit.customer_id == customer_id).order_by(Circuit.id)))
    faults = _fault_rows(session, sla, [c.id for c in circuits], start, end, now)
    rows = _circuit_rows(circuits, faults, start, end)
    optical = _optical(session, circuits, start, end)
    fault_seconds = sum(f["faultSeconds"] or 0.0 for f in faults)
    return {
        "schema": SCHEMA, "kind": OPERATION, "timezone": tz, "draftedAt": now.isoformat(),
        "customer": {"id": customer.id, "name": customer.name},
        "branch": next((c.lead_office for c in circuits if c.lead_office), None),
        "period": _period(start, end, tz), "circuits": rows, "faults": faults, "causes": _causes(faults),
        "faultTime": {"count": len(faults), "seconds": fault_seconds, "text": dur(fault_seconds)},
        "optical": optical, "earlyWarnings": [o for o in optical if o["flagged"]],
        "sla": _sla(session, sla, [f["ticketId"] for f in faults], start, end, now),
        "texts": {k: "" for k in OPERATION_TEXTS},
    }


def quarterly_content(session: Session, sla: SlaEngine, branch: str, start: datetime, end: datetime, now: datetime,
                      tz: str, year: int, quarter: int) -> dict[str, Any]:
    circuits = list(session.scalars(select(Circuit).where(Circuit.lead_office == branch).order_by(Circuit.id)))
    if not circuits:
        raise NotFound(f"no circuit of the inventory has the lead office (branch) {branch!r}")
    cids = [c.id for c in circuits]
    faults = _fault_rows(session, sla, cids, start, end, now)
    rows = _circuit_rows(circuits, faults, start, end)
    names = dict(session.execute(select(Customer.id, Customer.name).where(
        Customer.id.in_({c.customer_id for c in circuits}))).all())
    customers = []
    for cust_id in sorted(names):
        mine = [r for r in rows if any(c.id == r["id"] and c.customer_id == cust_id for c in circuits)]
        avail = [r["availability"] for r in mine if r["availability"] is not None]
        customers.append({"id": cust_id, "name": names[cust_id], "circuits": len(mine),
                          "services": sorted({r["serviceType"] for r in mine}),
                          "tier": sla.cfg.customer_tiers.get(cust_id, "default"),
                          "faults": sum(r["faults"] for r in mine),
                          "outageSeconds": sum(r["outageSeconds"] for r in mine),
                          "availability": sum(avail) / len(avail) if avail else None})
    ticket_ids = [f["ticketId"] for f in faults]
    in_period = lambda col: (col >= start) & (col < end)  # noqa: E731
    count = lambda model, *where: session.scalar(select(func.count()).select_from(model).where(*where)) or 0  # noqa: E731
    duty = sorted(set(session.scalars(select(Participant.name).where(
        Participant.ticket_id.in_(ticket_ids), Participant.party_role == "duty_staff")))) if ticket_ids else []
    contractors = sorted({p for p in session.scalars(select(Participant.name).where(
        Participant.ticket_id.in_(ticket_ids), Participant.party_role == "contractor"))}) if ticket_ids else []
    main = {
        "ticketsReceived": count(Ticket, Ticket.circuit_id.in_(cids), in_period(Ticket.created_at)),
        "ticketsResolved": count(Ticket, Ticket.circuit_id.in_(cids), in_period(Ticket.resolved_at)),
        "faultReportsSubmitted": count(FaultReport, FaultReport.ticket_id.in_(select(Ticket.id).where(
            Ticket.circuit_id.in_(cids))), in_period(FaultReport.submitted_at)),
        "operationReportsSubmitted": count(PeriodReport, PeriodReport.kind == OPERATION,
                                           PeriodReport.scope.in_(list(names)), in_period(PeriodReport.submitted_at)),
        "optimisationRequestsRaised": count(OptimisationRequest, in_period(OptimisationRequest.created_at)),
        "keyAssurancePeriods": count(KeyAssurance, KeyAssurance.start < end, KeyAssurance.end > start),
        "cutoversApplied": count(Cutover, Cutover.branch == branch, in_period(Cutover.starts_at)),
    }
    typical = sorted((f for f in faults if f["faultSeconds"]), key=lambda f: -f["faultSeconds"])[:TYPICAL_CASES]
    problems = [p.to_dict(rank=i + 1) for i, p in enumerate(optimisation.recurring(session, start, end))
                if set(p.circuits) & set(cids)]
    sections = {
        "responseSystem": {"branch": branch, "dutyStaff": duty, "contractors": contractors},
        "customers": {"customers": customers},
        "networkServices": {"circuits": rows, "faultTime": {"count": len(faults), "seconds": sum(
            f["faultSeconds"] or 0.0 for f in faults)}, "causes": _causes(faults),
                            "sla": _sla(session, sla, ticket_ids, start, end, now)},
        "marketSupport": {},  # circuit orders are another part (agent/orders): the officer writes it
        "mainWork": main,
        "typicalCases": {"candidates": typical},
        "problems": {"recurring": problems},
        "nextPlan": {},
    }
    return {"schema": SCHEMA, "kind": QUARTERLY, "timezone": tz, "draftedAt": now.isoformat(), "branch": branch,
            "year": year, "quarter": quarter, "period": _period(start, end, tz), "sections": sections,
            "texts": {k: "" for k in EDITABLE[QUARTERLY]}}
