"""Service problems in the database: the inventory questions grouping asks (which circuits use an
element, a circuit's path as elements), and the records it writes (problem, links, alarms, journals).
Nothing here commits: the caller's unit of work does."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased, selectinload

from agent import journal
from agent.enums import JournalKind, ProblemLinkState, ProblemStatus
from agent.models import (
    Alarm,
    Circuit,
    Device,
    Diagnosis,
    Port,
    ProblemAlarm,
    ProblemJournalEntry,
    ProblemTicket,
    Segment,
    ServiceProblem,
    Ticket,
)
from agent.problems.elements import Element, ElementKind, from_key
from agent.tickets import OPEN

SYSTEM = ("faultline", "system")
OPEN_TICKET_STATES = tuple(s.value for s in OPEN)
OPEN_PROBLEM_STATES = tuple(s.value for s in ProblemStatus.open())


# -- the inventory as elements ------------------------------------------------------------------------
def path_hops(session: Session, circuit_id: str) -> tuple[Element, ...]:
    """The circuit's segments as elements, in path order (empty for an unknown circuit)."""
    pa, pz, da, dz = aliased(Port), aliased(Port), aliased(Device), aliased(Device)
    rows = session.execute(
        select(da.name, pa.name, dz.name, pz.name).select_from(Segment)
        .join(pa, Segment.a_port_id == pa.id).join(da, pa.device_id == da.id)
        .join(pz, Segment.z_port_id == pz.id).join(dz, pz.device_id == dz.id)
        .where(Segment.circuit_id == circuit_id).order_by(Segment.index)).all()
    return tuple(Element.segment(*r) for r in rows)


def _port_ids(session: Session, ports: Iterable[tuple[str, str]]) -> list[int]:
    ids = []
    for device, port in ports:
        pid = session.scalar(select(Port.id).join(Device, Port.device_id == Device.id)
                             .where(Device.name == device, Port.name == port))
        if pid is not None:
            ids.append(pid)
    return ids


def circuits_using(session: Session, element: Element) -> list[str]:
    """Every circuit whose path uses the element: the same fibre (either direction), a segment ending at
    the port, a segment on the device; an uplink/egress port carries every circuit of its device."""
    if element.kind is ElementKind.DEVICE:
        dev_ports = select(Port.id).join(Device, Port.device_id == Device.id).where(Device.name == element.device)
        cond = or_(Segment.a_port_id.in_(dev_ports), Segment.z_port_id.in_(dev_ports))
    elif element.kind is ElementKind.SEGMENT:
        ids = _port_ids(session, [(element.device, element.port), (element.far_device, element.far_port)])
        if len(ids) != 2:
            return []
        a, z = ids
        cond = or_((Segment.a_port_id == a) & (Segment.z_port_id == z), (Segment.a_port_id == z) & (Segment.z_port_id == a))
    else:
        port = session.scalar(select(Port).join(Device, Port.device_id == Device.id)
                              .where(Device.name == element.device, Port.name == element.port))
        if port is None:
            return []
        cond = or_(Segment.a_port_id == port.id, Segment.z_port_id == port.id)
        if port.role in ("uplink", "egress"):
            dev_ports = select(Port.id).where(Port.device_id == port.device_id)
            cond = or_(cond, Segment.a_port_id.in_(dev_ports), Segment.z_port_id.in_(dev_ports))
    return sorted(set(session.scalars(select(Segment.circuit_id).where(cond)).all()))


def ports_of_circuits(session: Session, circuit_ids: Sequence[str]) -> set[tuple[str, str]]:
    """Every (device, port) on the paths of these circuits, in one query."""
    if not circuit_ids:
        return set()
    out: set[tuple[str, str]] = set()
    for column in (Segment.a_port_id, Segment.z_port_id):
        out |= {(d, p) for d, p in session.execute(
            select(Device.name, Port.name).select_from(Segment).join(Port, column == Port.id)
            .join(Device, Port.device_id == Device.id).where(Segment.circuit_id.in_(list(circuit_ids)))).all()}
    return out


def segment_of_port(session: Session, device: str, port: str) -> Element | None:
    """The fibre a port terminates (from any circuit's segment over it); None when no segment ends there."""
    pa, pz, da, dz = aliased(Port), aliased(Port), aliased(Device), aliased(Device)
    row = session.execute(
        select(da.name, pa.name, dz.name, pz.name).select_from(Segment)
        .join(pa, Segment.a_port_id == pa.id).join(da, pa.device_id == da.id)
        .join(pz, Segment.z_port_id == pz.id).join(dz, pz.device_id == dz.id)
        .where(or_((da.name == device) & (pa.name == port), (dz.name == device) & (pz.name == port)))
        .order_by(Segment.id).limit(1)).first()
    return Element.segment(*row) if row else None


def affected(session: Session, circuit_ids: Sequence[str]) -> list[Circuit]:
    if not circuit_ids:
        return []
    return list(session.scalars(select(Circuit).where(Circuit.id.in_(list(circuit_ids)))
                                .options(selectinload(Circuit.customer)).order_by(Circuit.id)).all())


def open_tickets_on(session: Session, circuit_ids: Sequence[str]) -> list[Ticket]:
    if not circuit_ids:
        return []
    return list(session.scalars(select(Ticket).where(Ticket.circuit_id.in_(list(circuit_ids)),
                                                    Ticket.status.in_(OPEN_TICKET_STATES)).order_by(Ticket.id)).all())


def latest_diagnosis(session: Session, ticket_id: int) -> Diagnosis | None:
    return session.scalar(select(Diagnosis).where(Diagnosis.ticket_id == ticket_id).order_by(Diagnosis.id.desc()).limit(1))


def active_alarms_on(session: Session, element: Element) -> list[Alarm]:
    rows = session.scalars(select(Alarm).where(Alarm.state == "raised", Alarm.device_name.in_(list(element.devices)))
                           .order_by(Alarm.raised_at, Alarm.id)).all()
    if element.kind is ElementKind.DEVICE:
        return list(rows)
    return [a for a in rows if (a.device_name, a.port_name) in element.ports]


# -- problems ---------------------------------------------------------------------------------------
def open_problems(session: Session) -> list[ServiceProblem]:
    return list(session.scalars(select(ServiceProblem).where(ServiceProblem.status.in_(OPEN_PROBLEM_STATES))
                                .order_by(ServiceProblem.id)).all())


def open_problem_touching(session: Session, element: Element) -> ServiceProblem | None:
    """The open problem whose root is this element or the same cause (the oldest when several)."""
    exact = session.scalar(select(ServiceProblem).where(ServiceProblem.root_key == element.key,
                                                        ServiceProblem.status.in_(OPEN_PROBLEM_STATES)))
    if exact is not None:
        return exact
    return next((p for p in open_problems(session) if root_of(p).touches(element)), None)


def root_of(problem: ServiceProblem) -> Element:
    return from_key(problem.root_key)


def create_problem(session: Session, element: Element, *, category: str, origin: str, first_alert: datetime,
                   now: datetime, description: str, circuits: int) -> ServiceProblem:
    p = ServiceProblem(
        name=f"{element.kind.value} {element.label}"[:200], description=description, category=category,
        status=ProblemStatus.SUBMITTED.value, status_changed_at=now, status_change_reason=description[:500],
        root_kind=element.kind.value, root_key=element.key, root_device=element.device, root_port=element.port,
        far_device=element.far_device, far_port=element.far_port, origin=origin, first_alert_at=first_alert,
        created_at=now, updated_at=now)
    session.add(p)
    session.flush()  # the partial unique index decides a race for the same root here
    record(session, p, now, "created", f"故障问题建立：{element.label}，影响 {circuits} 条电路 / service problem opened on "
                                       f"{element.label}: {circuits} circuits use it ({origin}: {category})",
           {"root": element.to_dict(), "origin": origin, "category": category, "affectedCircuits": circuits})
    return p


def record(session: Session, problem: ServiceProblem, at: datetime, kind: str, text: str,
           data: dict[str, Any] | None = None, *, author: str = SYSTEM[0], role: str = SYSTEM[1]) -> None:
    """One entry of the problem's own journal (trackingRecord)."""
    session.add(ProblemJournalEntry(problem_id=problem.id, at=at, author=author, role=role, kind=kind, text=text,
                                    data=data))
    problem.updated_at = at


def link_of(session: Session, problem_id: int, ticket_id: int) -> ProblemTicket | None:
    return session.scalar(select(ProblemTicket).where(ProblemTicket.problem_id == problem_id,
                                                      ProblemTicket.ticket_id == ticket_id))


def linked_problem(session: Session, ticket_id: int) -> ServiceProblem | None:
    return session.scalar(select(ServiceProblem).join(ProblemTicket, ProblemTicket.problem_id == ServiceProblem.id)
                          .where(ProblemTicket.ticket_id == ticket_id,
                                 ProblemTicket.state == ProblemLinkState.LINKED.value))


def children(session: Session, problem: ServiceProblem) -> list[Ticket]:
    return list(session.scalars(select(Ticket).join(ProblemTicket, ProblemTicket.ticket_id == Ticket.id)
                                .where(ProblemTicket.problem_id == problem.id,
                                       ProblemTicket.state == ProblemLinkState.LINKED.value)
                                .order_by(Ticket.id)).all())


def set_link(session: Session, problem: ServiceProblem, ticket: Ticket, state: ProblemLinkState, *, how: str,
             reason_zh: str, reason_en: str, at: datetime, author: str = SYSTEM[0], role: str = SYSTEM[1]) -> ProblemTicket:
    """Link, unlink or keep apart, journalled on the ticket and on the problem."""
    row = link_of(session, problem.id, ticket.id)
    if row is None:
        row = ProblemTicket(problem_id=problem.id, ticket_id=ticket.id, state=state.value, how=how,
                            reason=reason_en, at=at, by=author)
        session.add(row)
    else:
        row.state, row.how, row.reason, row.at, row.by = state.value, how, reason_en, at, author
    session.flush()  # one linked problem per ticket: the partial unique index answers here
    root = root_of(problem)
    data = {"problem_id": problem.id, "href": f"/api/v1/problems/{problem.id}", "root": root.to_dict(),
            "how": how, "reason": reason_en}
    kind, zh, en = {
        ProblemLinkState.LINKED: (JournalKind.PROBLEM_LINKED, "并入故障问题", "linked to service problem"),
        ProblemLinkState.UNLINKED: (JournalKind.PROBLEM_UNLINKED, "移出故障问题", "unlinked from service problem"),
        ProblemLinkState.EXCLUDED: (JournalKind.PROBLEM_NOT_GROUPED, "未并入故障问题", "not grouped with service problem"),
    }[state]
    journal.append(session, ticket.id, at=at, kind=kind, author=author, role=role,
                   text=f"{zh} #{problem.id}（{root.label}）：{reason_zh} / {en} #{problem.id} ({root.label}): {reason_en}",
                   data=data)
    record(session, problem, at, f"ticket_{state.value}",
           f"工单 #{ticket.id}（{ticket.circuit_id}）{zh}：{reason_zh} / ticket #{ticket.id} ({ticket.circuit_id}) "
           f"{state.value}: {reason_en}", {"ticket_id": ticket.id, "circuit_id": ticket.circuit_id, "how": how,
                                            "reason": reason_en}, author=author, role=role)
    return row


def add_alarm(session: Session, problem: ServiceProblem, alarm: Alarm, *, at: datetime) -> ProblemAlarm:
    """An underlying alarm: the first on the root element is the root cause, later ones its consequences
    (the far end of the fibre, ports of the affected circuits going down with it). The alarm row says so
    too (``data``), for its TMF642 view (isRootCause, parentAlarm)."""
    existing = session.scalar(select(ProblemAlarm).where(ProblemAlarm.problem_id == problem.id,
                                                         ProblemAlarm.alarm_id == alarm.id))
    if existing is not None:
        return existing
    root_alarm = session.scalar(select(ProblemAlarm).where(ProblemAlarm.problem_id == problem.id,
                                                           ProblemAlarm.is_root.is_(True)).order_by(ProblemAlarm.id).limit(1))
    on_root = (alarm.device_name, alarm.port_name) in root_of(problem).ports or (
        root_of(problem).kind is ElementKind.DEVICE and alarm.device_name == problem.root_device)
    is_root = root_alarm is None and on_root
    parent = None if is_root or root_alarm is None else root_alarm.alarm_id
    row = ProblemAlarm(problem_id=problem.id, alarm_id=alarm.id, is_root=is_root, parent_alarm_id=parent, added_at=at)
    session.add(row)
    alarm.data = {**(alarm.data or {}), "problem_id": problem.id, "is_root_cause": is_root, "parent_alarm_id": parent}
    if alarm.raised_at < problem.first_alert_at:
        problem.first_alert_at = alarm.raised_at
    obj = f"{alarm.device_name} {alarm.port_name or ''}".strip()
    record(session, problem, at, "alarm_root" if is_root else "alarm_consequence",
           (f"根告警：{obj} {alarm.probable_cause} / root alarm: {obj} {alarm.probable_cause}" if is_root else
            f"衍生告警：{obj} {alarm.probable_cause}（由告警 #{parent} 引起）/ consequence: {obj} {alarm.probable_cause}"
            + (f" of alarm #{parent}" if parent else "")),
           {"alarm_id": alarm.id, "is_root_cause": is_root, "parent_alarm_id": parent})
    session.flush()
    return row
