"""Grouping: after a diagnosis is stored, and after an alarm is stored, decide which service problem
the ticket or alarm belongs to (``agent.problems.rules`` decides, ``agent.problems.store`` records).

After a diagnosis that names an element carrying several circuits, the open problem on it (or one
opened now) takes the ticket, and every other open ticket on those circuits whose own diagnosis agrees;
one that disagrees is kept apart with its reason. A ticket whose diagnosis names nothing shared is
still checked against the open problems on its path, so that it is either joined (inconclusive while
the root is alarmed) or kept apart with the reason shown. A ticket an officer unlinked is never
relinked automatically; a ticket not yet diagnosed waits for its own diagnosis.

After a raise that shows an element dark on a fibre that carries several circuits, a problem is opened
at once (before any ticket); later alarms on the element and symptoms on the affected circuits' other
ports join it as consequences of the root alarm; when every root alarm has cleared, resolution is
proposed.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from agent.enums import ProblemLinkState, ProblemStatus
from agent.models import Alarm, ProblemAlarm, ServiceProblem, Ticket
from agent.problems import rules
from agent.problems import store as st
from agent.problems.elements import Element
from agent.tickets import OPEN

log = logging.getLogger("faultline.problems")
_OPEN_TICKETS = frozenset(s.value for s in OPEN)


@dataclass(frozen=True)
class Grouped:
    problem_id: int | None
    linked: tuple[int, ...] = ()
    excluded: tuple[int, ...] = ()
    opened: bool = False


def _consider(session: Session, problem: ServiceProblem, ticket: Ticket, now: datetime,
              reading: rules.Reading | None = None) -> bool | None:
    """Decide one ticket on the problem's root path; True linked, False kept apart, None left alone."""
    if ticket.status not in _OPEN_TICKETS:
        return None
    row = st.link_of(session, problem.id, ticket.id)
    if row is not None and row.state in (ProblemLinkState.LINKED.value, ProblemLinkState.UNLINKED.value):
        return None  # already a child, or an officer took it out: their decision stands
    other = st.linked_problem(session, ticket.id)
    if other is not None and other.id != problem.id:
        return None  # a child of another problem (an officer may move it)
    root = st.root_of(problem)
    if reading is None:
        diag = st.latest_diagnosis(session, ticket.id)
        if diag is None:
            return None  # its own triage will decide
        reading = rules.read_diagnosis({**diag.data, "verdict": diag.verdict}, st.path_hops(session, ticket.circuit_id))
    decision = rules.agreement(reading, root, root_alarm_active=bool(st.active_alarms_on(session, root)))
    state = ProblemLinkState.LINKED if decision.join else ProblemLinkState.EXCLUDED
    if row is not None and row.state == state.value and row.reason == decision.reason_en:
        return decision.join  # the same decision again (a re-triage): no second journal entry
    st.set_link(session, problem, ticket, state, how="automatic", reason_zh=decision.reason_zh,
                reason_en=decision.reason_en, at=now)
    return decision.join


def _sweep(session: Session, problem: ServiceProblem, now: datetime, skip: int | None = None) -> tuple[list[int], list[int]]:
    """Every open ticket on a circuit through the problem's root, decided by its own diagnosis."""
    linked, excluded = [], []
    for t in st.open_tickets_on(session, st.circuits_using(session, st.root_of(problem))):
        if t.id == skip:
            continue
        outcome = _consider(session, problem, t, now)
        if outcome is True:
            linked.append(t.id)
        elif outcome is False:
            excluded.append(t.id)
    return linked, excluded


def on_diagnosis(session: Session, ticket_id: int, now: datetime) -> Grouped:
    """Group a ticket after its diagnosis was stored (the caller commits)."""
    ticket = session.get(Ticket, ticket_id)
    diag = st.latest_diagnosis(session, ticket_id)
    if ticket is None or diag is None or ticket.status not in _OPEN_TICKETS:
        return Grouped(None)
    hops = st.path_hops(session, ticket.circuit_id)
    reading = rules.read_diagnosis({**diag.data, "verdict": diag.verdict}, hops)
    problem, opened = None, False
    if reading.names_element and reading.element is not None:
        problem = st.open_problem_touching(session, reading.element)
        if problem is None:
            circuits = st.circuits_using(session, reading.element)
            if len(circuits) >= rules.SHARED_MIN_CIRCUITS:
                problem = _open(session, reading.element, reading.verdict, "diagnosis", ticket.reported_at, now,
                                len(circuits), f"ticket #{ticket.id} ({ticket.circuit_id}): {diag.verdict} on "
                                               f"{reading.element.label}, shared by {len(circuits)} circuits")
                opened = True
    if problem is not None:
        mine = _consider(session, problem, ticket, now, reading)
        linked, excluded = _sweep(session, problem, now, skip=ticket.id)
        if mine is True:
            linked.insert(0, ticket.id)
        elif mine is False:
            excluded.insert(0, ticket.id)
        return Grouped(problem.id, tuple(linked), tuple(excluded), opened)
    # Its diagnosis names nothing shared: the open problems on its path still hear why it stays apart.
    apart: list[int] = []
    for p in st.open_problems(session):
        if rules.on_path(st.root_of(p), hops):
            outcome = _consider(session, p, ticket, now, reading)
            if outcome is True:
                return Grouped(p.id, (ticket.id,))
            if outcome is False:
                apart.append(p.id)
    return Grouped(None, (), (ticket.id,) if apart else ())


def _open(session: Session, element: Element, category: str, origin: str, first_alert: datetime, now: datetime,
          circuits: int, description: str) -> ServiceProblem:
    problem = st.create_problem(session, element, category=category, origin=origin, first_alert=first_alert,
                                now=now, description=description, circuits=circuits)
    for alarm in st.active_alarms_on(session, element):
        st.add_alarm(session, problem, alarm, at=now)
    log.info("service problem %s opened on %s (%s, %d circuits)", problem.id, element.label, origin, circuits)
    return problem


def on_alarm(session: Session, alarm_id: int, change: str, now: datetime) -> Grouped:
    """After an alarm row was raised or cleared (the caller commits)."""
    alarm = session.get(Alarm, alarm_id)
    if alarm is None or alarm.port_name is None:
        return Grouped(None)
    if change == "cleared":
        return _cleared(session, alarm, now)
    if change != "raised" or alarm.probable_cause not in rules.SYMPTOM_CAUSES:
        return Grouped(None)
    element = st.segment_of_port(session, alarm.device_name, alarm.port_name) or Element.of_port(
        alarm.device_name, alarm.port_name)
    problem = st.open_problem_touching(session, element)
    if problem is not None and st.root_of(problem).touches(element):
        st.add_alarm(session, problem, alarm, at=now)
        return Grouped(problem.id)
    # A symptom on another port of a circuit the open problem already darkens: its consequence.
    for p in st.open_problems(session):
        if now - p.first_alert_at > rules.CONSEQUENCE_WINDOW:
            continue
        if element.ports & st.ports_of_circuits(session, st.circuits_using(session, st.root_of(p))):
            st.add_alarm(session, p, alarm, at=now)
            return Grouped(p.id)
    if alarm.probable_cause not in rules.DARK_CAUSES:
        return Grouped(None)
    circuits = st.circuits_using(session, element)
    if len(circuits) < rules.SHARED_MIN_CIRCUITS:
        return Grouped(None)
    problem = _open(session, element, alarm.probable_cause, "alarm", alarm.raised_at, now, len(circuits),
                    f"{alarm.probable_cause} on {alarm.device_name} {alarm.port_name}: {element.label} carries "
                    f"{len(circuits)} circuits")
    linked, excluded = _sweep(session, problem, now)  # tickets that were already open on those circuits
    return Grouped(problem.id, tuple(linked), tuple(excluded), True)


def _cleared(session: Session, alarm: Alarm, now: datetime) -> Grouped:
    from sqlalchemy import select

    rows = session.scalars(select(ProblemAlarm).where(ProblemAlarm.alarm_id == alarm.id, ProblemAlarm.is_root.is_(True))).all()
    for row in rows:
        problem = session.get(ServiceProblem, row.problem_id)
        if problem is None or problem.status not in {s.value for s in ProblemStatus.open()}:
            continue
        roots = session.scalars(select(Alarm).join(ProblemAlarm, ProblemAlarm.alarm_id == Alarm.id)
                                .where(ProblemAlarm.problem_id == problem.id, ProblemAlarm.is_root.is_(True))).all()
        if all(a.state == "cleared" for a in roots) and problem.resolution_proposed_at is None:
            problem.resolution_proposed_at = now
            st.record(session, problem, now, "resolution_proposed",
                      f"根告警已清除，建议修复并确认恢复 / the root alarm cleared on {st.root_of(problem).label}: "
                      "resolve the problem; each ticket still confirms its own restoration",
                      {"alarm_id": alarm.id})
            return Grouped(problem.id)
    return Grouped(None)
