"""Network optimisation (网络优化) from the analysis of faults: recurring faults found in the stored
diagnoses and alarms, proposed as ranked optimisation requests with their evidence.

The source (售后服务, 网络优化): the customer response center analyses the faults of enterprise
customers and raises optimisation requests; the branch's O&M decides whether new construction is
needed (then an engineering task) or O&M optimises it; the center tracks it to the end.

What recurs (``RULES``, data): the same physical segment suspected by several diagnoses (a segment is
its two ports, so circuits sharing a fiber count together), a port with alarms in several different
weeks (flapping weekly), one customer's repeated customer-side faults. ``find_recurring`` is pure;
``load_facts`` reads one period from the database.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from agent.models import Alarm, Circuit, Diagnosis, Segment, Ticket

CUSTOMER_SIDE_VERDICTS = frozenset({"customer_premises_down", "historical_alarms_dispatch_customer_end",
                                    "customer_rate_limit"})
CUSTOMER_SIDE_WORDS = ("电源", "掉电", "停电", "power", "用户侧", "用户端", "customer side", "cpe")
NOT_A_FAULT = frozenset({"no_fault_found", "no_alarm_request_return", "within_approved_cutover",
                         "inconclusive_unreachable", "inconclusive_readings_disagree", "missing_handover_data"})


class ProposalKind(StrEnum):
    SEGMENT = "segment"  # the same segment degraded or cut again and again
    PORT = "port"  # a port with alarms week after week
    CUSTOMER = "customer"  # one customer's repeated customer-side faults


@dataclass(frozen=True)
class Rule:
    kind: ProposalKind
    at_least: int  # occurrences (tickets; for a port: distinct weeks with alarms)
    zh: str
    en: str


RULES = {
    ProposalKind.SEGMENT: Rule(ProposalKind.SEGMENT, 3, "同一段落 {n} 次故障（{span}）：整治或更换该段光纤/跳纤，必要时新建保护路由",
                               "{n} faults on the same segment ({span}): repair or replace its fiber, consider a protected route"),
    ProposalKind.PORT: Rule(ProposalKind.PORT, 3, "端口在 {n} 个不同的周内告警（{span}）：检查光模块、跳纤和对端设备",
                            "alarms on the port in {n} different weeks ({span}): check the transceiver, patch cord and far end"),
    ProposalKind.CUSTOMER: Rule(ProposalKind.CUSTOMER, 3, "客户侧 {n} 次故障（{span}）：客户经理与用户沟通供电/设备整改",
                                "{n} customer-side faults ({span}): the customer manager takes up power or equipment with the customer"),
}


@dataclass(frozen=True)
class FaultFact:
    """One diagnosed fault, as the optimisation analysis needs it."""

    ticket_id: int
    at: datetime
    circuit_id: str
    customer_id: str | None
    verdict: str
    segment: tuple[str, str] | None = None  # its two ports, "device port", sorted
    cause: str = ""


@dataclass(frozen=True)
class AlarmFact:
    device: str
    port: str
    at: datetime
    alarm_type: str


@dataclass(frozen=True)
class Proposal:
    kind: ProposalKind
    key: str
    subject: dict[str, Any]
    tickets: tuple[int, ...]
    occurrences: int
    first_at: datetime
    last_at: datetime
    verdicts: dict[str, int] = field(default_factory=dict)
    circuits: tuple[str, ...] = ()
    text_zh: str = ""
    text_en: str = ""

    def to_dict(self, rank: int) -> dict[str, Any]:
        return {"rank": rank, "kind": self.kind.value, "key": self.key, "subject": self.subject,
                "tickets": [str(t) for t in self.tickets], "occurrences": self.occurrences,
                "firstAt": self.first_at.isoformat(), "lastAt": self.last_at.isoformat(),
                "verdicts": self.verdicts, "circuits": list(self.circuits), "textZh": self.text_zh,
                "textEn": self.text_en}


def _span(first: datetime, last: datetime) -> str:
    return f"{first:%Y-%m-%d} .. {last:%Y-%m-%d}"


def _proposal(kind: ProposalKind, key: str, subject: dict, facts: list[FaultFact], n: int,
              first: datetime, last: datetime) -> Proposal:
    rule = RULES[kind]
    verdicts: dict[str, int] = defaultdict(int)
    for f in facts:
        verdicts[f.verdict] += 1
    return Proposal(kind, key, subject, tuple(sorted({f.ticket_id for f in facts})), n, first, last, dict(verdicts),
                    tuple(sorted({f.circuit_id for f in facts})),
                    rule.zh.format(n=n, span=_span(first, last)), rule.en.format(n=n, span=_span(first, last)))


def find_recurring(faults: Iterable[FaultFact], alarms: Iterable[AlarmFact] = (),
                   rules: dict[ProposalKind, Rule] = RULES) -> list[Proposal]:
    """Every recurrence that meets its rule, ranked: most occurrences first, then the most recent."""
    faults = [f for f in faults if f.verdict not in NOT_A_FAULT]
    out: list[Proposal] = []
    by_segment: dict[tuple[str, str], list[FaultFact]] = defaultdict(list)
    by_customer: dict[str, list[FaultFact]] = defaultdict(list)
    for f in faults:
        if f.segment is not None:
            by_segment[f.segment].append(f)
        customer_side = f.verdict in CUSTOMER_SIDE_VERDICTS or any(w in f.cause.lower() for w in CUSTOMER_SIDE_WORDS)
        if f.customer_id and customer_side:
            by_customer[f.customer_id].append(f)
    for (a, z), facts in by_segment.items():
        if len({f.ticket_id for f in facts}) >= rules[ProposalKind.SEGMENT].at_least:
            times = [f.at for f in facts]
            out.append(_proposal(ProposalKind.SEGMENT, f"segment:{a}|{z}", {"a": a, "z": z}, facts,
                                 len({f.ticket_id for f in facts}), min(times), max(times)))
    for customer, facts in by_customer.items():
        if len({f.ticket_id for f in facts}) >= rules[ProposalKind.CUSTOMER].at_least:
            times = [f.at for f in facts]
            out.append(_proposal(ProposalKind.CUSTOMER, f"customer:{customer}", {"customer": customer}, facts,
                                 len({f.ticket_id for f in facts}), min(times), max(times)))
    weeks: dict[tuple[str, str], set[tuple[int, int]]] = defaultdict(set)
    seen: dict[tuple[str, str], list[datetime]] = defaultdict(list)
    for a in alarms:
        weeks[(a.device, a.port)].add(tuple(a.at.isocalendar())[:2])
        seen[(a.device, a.port)].append(a.at)
    for (device, port), wk in weeks.items():
        if len(wk) >= rules[ProposalKind.PORT].at_least:
            on_port = [f for f in faults if f.segment and f"{device} {port}" in f.segment]
            out.append(_proposal(ProposalKind.PORT, f"port:{device} {port}", {"device": device, "port": port},
                                 on_port, len(wk), min(seen[(device, port)]), max(seen[(device, port)])))
    return sorted(out, key=lambda p: (-p.occurrences, -p.last_at.timestamp(), p.key))


def load_facts(session: Session, start: datetime, end: datetime) -> tuple[list[FaultFact], list[AlarmFact]]:
    """The tickets created in [start, end) with their last diagnosis, and the alarms raised then."""
    tickets = session.scalars(select(Ticket).where(Ticket.created_at >= start, Ticket.created_at < end)).all()
    ids = [t.id for t in tickets]
    last: dict[int, Diagnosis] = {}
    if ids:
        for d in session.scalars(select(Diagnosis).where(Diagnosis.ticket_id.in_(ids))
                                 .order_by(Diagnosis.created_at, Diagnosis.id)):
            last[d.ticket_id] = d  # the latest wins: a loop localisation supersedes triage
    circuits = {c.id: c for c in session.scalars(
        select(Circuit).options(selectinload(Circuit.segments).selectinload(Segment.a_port),
                                selectinload(Circuit.segments).selectinload(Segment.z_port))
        .where(Circuit.id.in_({t.circuit_id for t in tickets})))} if tickets else {}
    facts = []
    for t in tickets:
        d = last.get(t.id)
        if d is None:
            continue
        circuit = circuits.get(t.circuit_id)
        facts.append(FaultFact(t.id, t.created_at, t.circuit_id, circuit.customer_id if circuit else None, d.verdict,
                               _segment(circuit, d), t.resolution_cause or t.close_cause or ""))
    alarms = [AlarmFact(a.device_name, a.port_name, a.raised_at, a.alarm_type) for a in session.scalars(
        select(Alarm).where(Alarm.raised_at >= start, Alarm.raised_at < end, Alarm.port_name.is_not(None)))]
    return facts, alarms


def _segment(circuit: Circuit | None, d: Diagnosis) -> tuple[str, str] | None:
    suspected = (d.data or {}).get("suspected_segments") or []
    if circuit is None or not suspected or not isinstance(suspected[0], dict):
        return None
    index = suspected[0].get("index")
    seg = next((s for s in circuit.segments if s.index == index), None)
    if seg is None:
        return None
    ends = sorted((f"{seg.a_port.device.name} {seg.a_port.name}", f"{seg.z_port.device.name} {seg.z_port.name}"))
    return ends[0], ends[1]


def recurring(session: Session, start: datetime, end: datetime) -> list[Proposal]:
    return find_recurring(*load_facts(session, start, end))


DEFAULT_PERIOD = timedelta(days=90)
