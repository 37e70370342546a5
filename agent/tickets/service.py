"""Ticket intake and lifecycle (TMF621 states, MEF 124 reopen), every action journalled.

State mapping (docs/tickets.md): arrival -> acknowledged (the sign clock runs until 签收, an event);
signed -> inProgress (a pending suspension request stays inProgress); approved suspension (挂起) -> held;
repaired with a cause -> resolved; returned upstream with a clear cause (返单) -> closed; reopened by a
repeat fault or on request -> reopened (worked like inProgress).

The allowed actions are one table (``ACTIONS``, in agent/tickets/lifecycle.py with the other pure rules): the
states each action starts from and the roles that may perform it. The service changes the row,
appends the journal entry and tells the SLA engine, all in the caller's transaction.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from agent import journal
from agent.clock import Clock
from agent.enums import (
    IntakeOutcome,
    JournalKind,
    ObservedImpact,
    Role,
    Symptom,
    TicketKind,
)
from agent.enums import TicketStatus as S
from agent.errors import (
    Forbidden,
    InvalidInput,
    InvalidTransition,
    NotFound,
    Unavailable,
)
from agent.models import Circuit, ExternalIdentifier, Participant, Suspension, Ticket
from agent.policy import Permission, may
from agent.settings import Settings
from agent.sla.model import SlaEventKind as K
from agent.tickets.lifecycle import (  # noqa: F401 - OPEN re-exported for callers
    ACTIONS,
    MIN_CAUSE_CHARS,
    OPEN,
    RESTORATION_METHODS,
    UNACCEPTABLE_CAUSES,
    WORKING,
    Action,
    allowed_actions,
    is_night,
)


def _field_error(field: str, msg: str, kind: str) -> InvalidInput:
    return InvalidInput([{"loc": field, "msg": msg, "type": kind}])


class SlaHook(Protocol):
    def on_ticket_event(self, session: Session, ticket: Ticket, event: K, at: datetime,
                        data: dict[str, Any] | None = None) -> None: ...


@dataclass(frozen=True)
class Actor:
    name: str
    role: Role


@dataclass(frozen=True)
class Intake:
    external_id: str
    kind: TicketKind
    symptom: Symptom
    circuit_id: str
    reported_at: datetime
    description: str = ""
    reporter_contact: str | None = None
    observed_impact: ObservedImpact = ObservedImpact.UNKNOWN
    severity: str | None = None
    channel: str | None = None


class TicketService:
    INTAKE_ATTEMPTS = 8

    def __init__(self, settings: Settings, clock: Clock, sla: SlaHook | None = None) -> None:
        self.settings, self.clock, self.sla = settings, clock, sla
        # Called with the ticket id after a committed intake that needs a diagnosis (created, reopened):
        # the triage queue subscribes here, so every intake path (API, upstream webhook) schedules it.
        self.on_new_fault: list[Callable[[int], None]] = []
        # Called with (session, ticket, actor, action) inside the action's transaction, after it is
        # journalled and the SLA clocks recorded it: the fault report is drafted at "resolve" and kept
        # up to date until the ticket is returned (agent/reports). A subscriber must be idempotent and
        # must not raise for a fault of its own (it logs it).
        self.after_action: list[Callable[[Session, Ticket, Actor, str], None]] = []

    def receive(self, session: Session, req: Intake, actor: Actor) -> tuple[Ticket, IntakeOutcome]:
        """Intake, committed: a lost race with a concurrent post of the same upstream id (unique
        constraint) or SQLite's writer lock is rolled back and looked at again, the winner's ticket
        is the answer. Raises ``Unavailable`` when the store stays busy."""
        for _attempt in range(self.INTAKE_ATTEMPTS):
            try:
                ticket, outcome = self.intake(session, req, actor)
                session.commit()
                break
            except (IntegrityError, OperationalError):
                session.rollback()
        else:
            raise Unavailable("the ticket store is busy; retry the intake", retry_after=1)
        if outcome in (IntakeOutcome.CREATED, IntakeOutcome.REOPENED):
            for subscriber in self.on_new_fault:
                subscriber(ticket.id)
        return ticket, outcome

    # -- intake -------------------------------------------------------------------------------
    def find_by_external_id(self, session: Session, external_id: str) -> Ticket | None:
        ext = session.scalar(select(ExternalIdentifier).where(ExternalIdentifier.external_id == external_id))
        return ext.ticket if ext else None

    def intake(self, session: Session, req: Intake, actor: Actor) -> tuple[Ticket, IntakeOutcome]:
        """Create a ticket; returns (ticket, outcome) with outcome created | existing | reopened.

        The same upstream id always yields the same ticket. A repeat fault on a circuit whose last
        ticket was resolved within the reopen window reopens that ticket (MEF 124) instead of
        creating a duplicate. Concurrent posts of one id are settled by the unique constraint: the
        caller retries a lost race by looking the id up (``receive`` does).
        """
        existing = self.find_by_external_id(session, req.external_id)
        if existing is not None:
            return existing, IntakeOutcome.EXISTING
        now = self.clock.now()
        repeat = self._recent_ticket_on_circuit(session, req.circuit_id, now)
        if repeat is not None and self._claim_reopen(session, repeat):
            session.add(ExternalIdentifier(ticket_id=repeat.id, external_id=req.external_id, created_at=now))
            self._reset_resolution(repeat)
            self._transition(session, repeat, "reopen", actor, S.REOPENED,
                             f"同一电路重复故障，重开工单 / repeat fault on {req.circuit_id} within "
                             f"{self.settings.reopen_window_hours} h: reopened by upstream ticket {req.external_id}",
                             {"external_id": req.external_id, "description": req.description}, event=K.REOPENED)
            return repeat, IntakeOutcome.REOPENED

        circuit_known = session.get(Circuit, req.circuit_id) is not None
        ticket = Ticket(
            external_id=req.external_id, kind=req.kind.value, symptom=req.symptom.value, circuit_id=req.circuit_id,
            circuit_known=circuit_known, status=S.ACKNOWLEDGED.value, status_changed_at=now,
            description=req.description, reporter_contact=req.reporter_contact,
            observed_impact=req.observed_impact.value, severity=req.severity, channel=req.channel,
            reported_at=req.reported_at, created_at=now, updated_at=now,
        )
        session.add(ticket)
        session.flush()
        session.add(ExternalIdentifier(ticket_id=ticket.id, external_id=req.external_id, created_at=now))
        journal.append(session, ticket.id, at=now, kind=JournalKind.CREATED, author=actor.name, role=actor.role.value,
                       text=f"工单到达 / ticket received from upstream: {req.external_id} ({req.kind.value}, "
                            f"{req.symptom.value}) on circuit {req.circuit_id}",
                       data={"external_id": req.external_id, "kind": req.kind.value, "symptom": req.symptom.value,
                             "circuit_id": req.circuit_id, "reported_at": req.reported_at.isoformat(),
                             "observed_impact": req.observed_impact.value, "reporter_contact": req.reporter_contact})
        if not circuit_known:
            journal.append(session, ticket.id, at=now, kind=JournalKind.UNKNOWN_CIRCUIT,
                           text=f"电路 {req.circuit_id} 不在资源库中，无法自动诊断，请核对电路编号或补录交接资料 / "
                                f"circuit {req.circuit_id} is not in the inventory: automatic triage cannot run; "
                                "check the circuit id or complete the hand-over data (missing data is a fault to fix)",
                           data={"circuit_id": req.circuit_id})
        if req.reporter_contact:
            self._participant(session, ticket, req.reporter_contact, "reporter", None, now)
        self._notify_sla(session, ticket, K.CREATED, now)
        session.flush()
        return ticket, IntakeOutcome.CREATED

    def _recent_ticket_on_circuit(self, session: Session, circuit_id: str, now: datetime) -> Ticket | None:
        since = now - timedelta(hours=self.settings.reopen_window_hours)
        return session.scalar(
            select(Ticket).where(Ticket.circuit_id == circuit_id, Ticket.status.in_([S.RESOLVED, S.CLOSED]),
                                 Ticket.resolved_at >= since).order_by(Ticket.resolved_at.desc()).limit(1)
        )

    @staticmethod
    def _claim_reopen(session: Session, ticket: Ticket) -> bool:
        """Take the repeat-fault reopen of ``ticket`` for this transaction, or learn that another one did.

        The look-up above is a plain read: two intakes of different upstream ids on one circuit can both
        see the ticket resolved. A conditional UPDATE on the state just read settles it on both backends
        (PostgreSQL waits for the row lock and re-checks the condition; SQLite lets one writer in at a
        time), so exactly one reopens and the other files a new ticket, as if they had come one by one.
        """
        claimed = session.execute(
            update(Ticket).where(Ticket.id == ticket.id, Ticket.status == ticket.status,
                                 Ticket.reopen_count == ticket.reopen_count)
            .values(status=S.REOPENED.value).execution_options(synchronize_session=False)
        ).rowcount
        return claimed == 1

    # -- lifecycle ------------------------------------------------------------------------------
    def get(self, session: Session, ticket_id: int, *, for_update: bool = False) -> Ticket:
        """The ticket; ``for_update``: locked for this transaction, so that concurrent actions on it
        run one after the other and each sees the state the previous one left (no double 签收)."""
        stmt = select(Ticket).where(Ticket.id == ticket_id)
        if for_update:
            stmt = stmt.with_for_update()
            if session.get_bind().dialect.name == "sqlite":
                # SQLite has no row locks (FOR UPDATE is dropped) and pysqlite opens the transaction
                # only at the first write: write first (a no-op on the row) so this transaction holds
                # the database's write lock before it reads the state it will act on.
                session.execute(update(Ticket).where(Ticket.id == ticket_id).values(id=Ticket.id)
                                .execution_options(synchronize_session=False))
        ticket = session.scalar(stmt)
        if ticket is None:
            raise NotFound(f"ticket {ticket_id} not found")
        return ticket

    def _check(self, ticket: Ticket, action: str, actor: Actor) -> Action:
        act = ACTIONS[action]
        if actor.role not in act.roles:
            raise Forbidden(f"role {actor.role.value} may not {action} ({act.label_zh}); "
                            f"allowed roles: {', '.join(sorted(r.value for r in act.roles))}")
        if S(ticket.status) not in act.from_states:
            raise InvalidTransition(action, ticket.status, allowed_actions(ticket, actor.role))
        return act

    def _transition(self, session: Session, ticket: Ticket, action: str, actor: Actor, to: S | None,
                    text: str, data: dict[str, Any] | None = None, event: K | None = None) -> None:
        now = self.clock.now()
        before = ticket.status
        if to is not None and to.value != before:
            ticket.status, ticket.status_changed_at, ticket.status_change_reason = to.value, now, text[:500]
        ticket.updated_at = now
        payload = {"action": action, "from": before, "to": ticket.status, **(data or {})}
        journal.append(session, ticket.id, at=now, kind=action, author=actor.name, role=actor.role.value,
                       text=text, data=payload)
        self._notify_sla(session, ticket, event or ACTIONS[action].sla_event, now, payload)
        for subscriber in self.after_action:
            subscriber(session, ticket, actor, action)

    def _notify_sla(self, session: Session, ticket: Ticket, event: K, at: datetime,
                    data: dict[str, Any] | None = None) -> None:
        if self.sla is not None:
            session.flush()
            self.sla.on_ticket_event(session, ticket, event, at, data)

    def _participant(self, session: Session, ticket: Ticket, name: str, party_role: str,
                     organisation: str | None, at: datetime, contact: str | None = None) -> None:
        """Record a participant once per (name, role) — rule 8: everyone involved is on the record."""
        if any(p.name == name and p.party_role == party_role for p in ticket.participants):
            return
        p = Participant(ticket_id=ticket.id, name=name, party_role=party_role, organisation=organisation,
                        contact=contact, added_at=at)
        session.add(p)
        ticket.participants.append(p)

    @staticmethod
    def _require_cause(cause: str, what: str, field: str = "cause") -> str:
        """A clear cause (rule 5): a blank, too short or "circuit not accepted" text is bad input (422)."""
        cause = (cause or "").strip()
        if len(cause) < MIN_CAUSE_CHARS:
            raise _field_error(field, f"{what} needs a clear {field} (at least {MIN_CAUSE_CHARS} characters)",
                               "cause_unclear")
        if any(bad in cause.lower() for bad in UNACCEPTABLE_CAUSES):
            raise _field_error(field, f"'{cause}' is not an acceptable {field}: a circuit not accepted "
                                      "or missing hand-over data is treated as a fault to fix", "cause_unacceptable")
        return cause

    def sign(self, session: Session, ticket: Ticket, actor: Actor, note: str | None = None) -> Ticket:
        """签收: the duty officer takes the ticket (rule 1)."""
        self._check(ticket, "sign", actor)
        now = self.clock.now()
        ticket.signed_at, ticket.signed_by = now, actor.name
        self._participant(session, ticket, actor.name, "duty_staff", None, now)
        self._transition(session, ticket, "sign", actor, S.IN_PROGRESS,
                         f"{actor.name} 签收 / signed" + (f": {note}" if note else ""))
        return ticket

    def dispatch(self, session: Session, ticket: Ticket, actor: Actor, specialty: str, contractor: str,
                 note: str | None = None) -> Ticket:
        """派单 to the specialty and the contractor together (rule 2)."""
        self._check(ticket, "dispatch", actor)
        blank = [{"loc": f, "msg": "dispatch names both the specialty and the contractor (rule 2)", "type": "blank"}
                 for f, v in (("specialty", specialty), ("contractor", contractor)) if not v.strip()]
        if blank:
            raise InvalidInput(blank)
        now = self.clock.now()
        first = ticket.dispatched_at is None
        ticket.dispatched_at = ticket.dispatched_at or now
        ticket.specialty, ticket.contractor = specialty, contractor
        self._participant(session, ticket, contractor, "contractor", specialty, now)
        self._transition(session, ticket, "dispatch", actor, None,
                         f"派单至专业 {specialty} 及代维 {contractor} / dispatched to {specialty} and {contractor}"
                         + (f": {note}" if note else ""),
                         {"specialty": specialty, "contractor": contractor, "first": first})
        return ticket

    def record_contact(self, session: Session, ticket: Ticket, actor: Actor, customer_person: str,
                       result: str, contact: str | None = None) -> Ticket:
        """The maintainer's contact with the reporting customer, and its result (rule 3)."""
        self._check(ticket, "contact", actor)
        if ticket.dispatched_at is None:
            raise InvalidTransition("contact", ticket.status, allowed_actions(ticket, actor.role),
                                    "record the customer contact after dispatch")
        now = self.clock.now()
        ticket.customer_contacted_at = ticket.customer_contacted_at or now
        self._participant(session, ticket, customer_person, "customer", None, now, contact)
        self._transition(session, ticket, "contact", actor, None,
                         f"已联系用户 {customer_person}: {result}", {"customer_person": customer_person, "result": result},
                         event=K.CUSTOMER_CONTACTED)
        return ticket

    def add_progress(self, session: Session, ticket: Ticket, actor: Actor, text: str,
                     participants: list[dict[str, str]] | None = None) -> Ticket:
        """追加进展 (rule 4); names cooperating staff or others who joined (rule 8)."""
        self._check(ticket, "progress", actor)
        if not text.strip():
            raise _field_error("text", "progress needs a text", "blank")
        now = self.clock.now()
        ticket.last_progress_at = now
        for p in participants or []:
            self._participant(session, ticket, p["name"], p.get("role", "cooperating_staff"), p.get("organisation"), now)
        self._transition(session, ticket, "progress", actor, None, text, {"participants": participants or []})
        return ticket

    def request_suspension(self, session: Session, ticket: Ticket, actor: Actor, reason: str,
                           local_fault: bool, customer_consent: bool) -> Suspension:
        """申请挂起 (rule 6): a local fault needs the customer's consent; the clock runs until approved."""
        self._check(ticket, "request_suspension", actor)
        if ticket.pending_suspension is not None:
            raise InvalidTransition("request_suspension", ticket.status, allowed_actions(ticket, actor.role),
                                    "a suspension request is already pending")
        if local_fault and not customer_consent:
            raise InvalidTransition("request_suspension", ticket.status, allowed_actions(ticket, actor.role),
                                    "suspending a local fault needs the customer's consent (rule 6)")
        self._require_cause(reason, "request_suspension", "reason")
        now = self.clock.now()
        susp = Suspension(ticket_id=ticket.id, requested_at=now, requested_by=actor.name, reason=reason,
                          local_fault=local_fault, customer_consent=customer_consent)
        session.add(susp)
        ticket.suspensions.append(susp)
        self._transition(session, ticket, "request_suspension", actor, None, f"申请挂起 / suspension requested: {reason}",
                         {"reason": reason, "local_fault": local_fault, "customer_consent": customer_consent},
                         event=K.SUSPENSION_REQUESTED)
        return susp

    def decide_suspension(self, session: Session, ticket: Ticket, actor: Actor, approve: bool,
                          note: str | None = None) -> Suspension:
        """省公司 approves or rejects (rule 6); only an approved suspension holds the ticket and pauses clocks."""
        action = "approve_suspension" if approve else "reject_suspension"
        self._check(ticket, action, actor)
        susp = ticket.pending_suspension
        if susp is None:
            raise InvalidTransition(action, ticket.status, allowed_actions(ticket, actor.role), "no suspension request is pending")
        now = self.clock.now()
        susp.decision, susp.decided_at, susp.decided_by, susp.decision_note = (
            "approved" if approve else "rejected", now, actor.name, note)
        self._participant(session, ticket, actor.name, "province_duty", None, now)
        self._transition(session, ticket, action, actor, S.HELD if approve else None,
                         ("批准挂起 / suspension approved" if approve else "驳回挂起 / suspension rejected")
                         + (f": {note}" if note else ""), {"suspension_id": susp.id, "note": note},
                         event=K.SUSPENSION_APPROVED if approve else K.SUSPENSION_REJECTED)
        return susp

    def resume(self, session: Session, ticket: Ticket, actor: Actor, note: str | None = None) -> Ticket:
        self._check(ticket, "resume", actor)
        susp = ticket.active_suspension
        now = self.clock.now()
        if susp is not None:
            susp.resumed_at = now
        self._transition(session, ticket, "resume", actor, S.IN_PROGRESS, "解除挂起 / resumed" + (f": {note}" if note else ""),
                         {"suspension_id": susp.id if susp else None}, event=K.RESUMED)
        return ticket

    def submit_report(self, session: Session, ticket: Ticket, actor: Actor, reference: str,
                      note: str | None = None) -> None:
        """Record that the fault report (故障报告) was handed in (rule 10): journalled, and the report
        clock met. Only while a report is owed (after resolution, once). No commit: the caller's."""
        if not may(actor.role, Permission.REPORT_SUBMIT):
            raise Forbidden(f"role {actor.role.value} may not submit fault reports")
        now = self.clock.now()
        report = self.sla.owed_report(session, ticket.id, now) if self.sla is not None else None
        if report is None:
            raise InvalidTransition("submit_report", ticket.status, allowed_actions(ticket, actor.role),
                                    detail="no fault report is owed for this ticket now (it is owed after resolution, once)")
        journal.append(session, ticket.id, at=now, kind=JournalKind.REPORT_SUBMITTED, author=actor.name,
                       role=actor.role.value,
                       text=f"故障报告已提交 / fault report submitted: {reference}" + (f" ({note})" if note else ""),
                       data={"reference": reference, "reportDueAt": report.due_at.isoformat() if report.due_at else None})
        self.sla.record_event(session, ticket.id, K.REPORT_SUBMITTED, now, {"reference": reference})

    def resolve(self, session: Session, ticket: Ticket, actor: Actor, cause: str) -> Ticket:
        self._check(ticket, "resolve", actor)
        cause = self._require_cause(cause, "resolve")
        now = self.clock.now()
        ticket.resolved_at, ticket.resolution_cause = now, cause
        self._transition(session, ticket, "resolve", actor, S.RESOLVED, f"故障已修复 / resolved: {cause}", {"cause": cause},
                         event=K.RESOLVED)
        return ticket

    def confirm_restoration(self, session: Session, ticket: Ticket, actor: Actor, method: str,
                            confirmed_by: str, note: str | None = None, customer_unreachable: bool = False) -> Ticket:
        """Rule 9: customer service confirms with the customer; only at night or when the customer cannot
        be reached does the NMS alarm-cleared check (网管确认告警消除) stand in. The journal names the basis."""
        self._check(ticket, "confirm_restoration", actor)
        if method not in RESTORATION_METHODS:
            raise _field_error("method", "method must be customer_service or noc_alarm_cleared", "enum")
        now = self.clock.now()
        st = self.settings
        local = now.astimezone(ZoneInfo(st.timezone))
        night = is_night(now, st.timezone, st.night_start, st.night_end)
        if method == "customer_service":
            basis = "customer_service"
        elif night:
            basis = "night"
        elif customer_unreachable:
            basis = "customer_unreachable"
        else:
            raise _field_error(
                "method", f"noc_alarm_cleared confirms restoration only at night ({st.night_start:%H:%M}-"
                          f"{st.night_end:%H:%M} {st.timezone}) or when the customer cannot be reached; it is "
                          f"{local:%H:%M} there: have customer service confirm with the customer, or set "
                          "customerUnreachable (rule 9)", "restoration_basis")
        ticket.restoration_confirmed_at, ticket.restoration_confirmation = now, method
        self._participant(session, ticket, confirmed_by, "customer_service" if method == "customer_service" else "noc", None, now)
        basis_zh = {"customer_service": "客服与用户确认", "night": "夜间网管确认告警消除",
                    "customer_unreachable": "用户联系不上，网管确认告警消除"}[basis]
        self._transition(session, ticket, "confirm_restoration", actor, None,
                         f"恢复已确认（{basis_zh}）by {confirmed_by}" + (f": {note}" if note else ""),
                         {"method": method, "basis": basis, "confirmed_by": confirmed_by,
                          "customer_unreachable": customer_unreachable, "local_time": local.isoformat()},
                         event=K.RESTORATION_CONFIRMED)
        return ticket

    def close(self, session: Session, ticket: Ticket, actor: Actor, cause: str) -> Ticket:
        """返单 with a clear cause (rule 5). A repaired fault needs restoration confirmed first (rule 9);
        an assist-check with nothing found may be returned without a repair."""
        self._check(ticket, "close", actor)
        cause = self._require_cause(cause, "close")
        if S(ticket.status) == S.RESOLVED and ticket.restoration_confirmed_at is None:
            raise InvalidTransition("close", ticket.status, allowed_actions(ticket, actor.role),
                                    "close is refused until restoration is confirmed (rule 9)")
        if S(ticket.status) in WORKING and ticket.kind != TicketKind.ASSIST_CHECK:
            raise InvalidTransition("close", ticket.status, allowed_actions(ticket, actor.role),
                                    "an interruption ticket is resolved and its restoration confirmed before return")
        now = self.clock.now()
        ticket.closed_at, ticket.close_cause = now, cause
        self._transition(session, ticket, "close", actor, S.CLOSED, f"返单 / returned: {cause}", {"cause": cause}, event=K.CLOSED)
        return ticket

    def reopen(self, session: Session, ticket: Ticket, actor: Actor, reason: str) -> Ticket:
        self._check(ticket, "reopen", actor)
        self._require_cause(reason, "reopen", "reason")
        self._reset_resolution(ticket)
        self._transition(session, ticket, "reopen", actor, S.REOPENED, f"重开 / reopened: {reason}", {"reason": reason},
                         event=K.REOPENED)
        return ticket

    @staticmethod
    def _reset_resolution(ticket: Ticket) -> None:
        ticket.reopen_count += 1
        ticket.resolved_at = ticket.resolution_cause = None
        ticket.restoration_confirmed_at = ticket.restoration_confirmation = None
        ticket.closed_at = ticket.close_cause = None
