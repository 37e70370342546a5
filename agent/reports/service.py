"""Fault reports kept with their versions: draft from the record, edit, redraft, submit.

Submitting meets the report clock (rule 10) through the same ``TicketService.submit_report`` as
``POST /api/v1/sla/tickets/{id}/report``: the policy check, a ``report_submitted`` journal entry and
the SLA event, in the same transaction. The caller's unit of work commits.
"""
from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from agent.errors import InvalidInput, NotFound
from agent.models import FaultReport, FaultReportVersion, Ticket
from agent.reports.errors import ReportConflict, ReportNotOwed, ReportSubmitted
from agent.reports.fault import EDITABLE, draft
from agent.reports.record import load_record
from agent.sla import ClockKind, ClockView, SlaEngine
from agent.tickets import Actor, TicketService

log = logging.getLogger("faultline.reports")

DRAFT, SUBMITTED = "draft", "submitted"
MAX_TEXT = 20000
AUTHOR = "faultline"  # the author of a report drafted by the agent at resolution
REFRESHING = ("confirm_restoration", "close")  # facts of the report that come after the resolution


class FaultReports:
    def __init__(self, sla: SlaEngine, timezone: str, tickets: TicketService) -> None:
        self.sla, self.timezone, self.tickets = sla, timezone, tickets

    # --- reading ----------------------------------------------------------------------------------
    def latest(self, session: Session, ticket_id: int) -> FaultReport:
        row = session.scalar(select(FaultReport).options(selectinload(FaultReport.versions))
                             .where(FaultReport.ticket_id == ticket_id)
                             .order_by(FaultReport.resolution_seq.desc()).limit(1))
        if row is None:
            raise NotFound(f"ticket {ticket_id} has no fault report yet (draft one after resolution)")
        return row

    def version(self, report: FaultReport, number: int | None) -> FaultReportVersion:
        if number is None:
            return report.current
        found = next((v for v in report.versions if v.version == number), None)
        if found is None:
            raise NotFound(f"fault report {report.id} has no version {number} (1..{report.current.version})")
        return found

    def _owed(self, session: Session, ticket: Ticket, now: datetime) -> ClockView:
        tc = self.sla.compute(session, ticket.id, now)
        clock = tc.clock(ClockKind.REPORT) if tc is not None else None
        if clock is None:
            raise ReportNotOwed(f"ticket {ticket.id} is {ticket.status}: a fault report is owed once it is resolved")
        return clock

    # --- writing ----------------------------------------------------------------------------------
    def draft(self, session: Session, ticket: Ticket, actor: Actor, now: datetime) -> tuple[FaultReport, bool]:
        """The report of the ticket's current resolution, drafted from the record if there is none yet;
        (report, created)."""
        clock = self._owed(session, ticket, now)
        existing = session.scalar(select(FaultReport).options(selectinload(FaultReport.versions)).where(
            FaultReport.ticket_id == ticket.id, FaultReport.resolution_seq == clock.seq))
        if existing is not None:
            return existing, False
        record = load_record(session, ticket, self.sla, now, self.timezone)
        content = draft(record)
        report = FaultReport(ticket_id=ticket.id, resolution_seq=clock.seq, state=DRAFT, created_at=now)
        report.versions.append(FaultReportVersion(version=1, created_at=now, author=actor.name, origin="drafted",
                                                  note="由记录生成 / drafted from the record", content=content))
        session.add(report)
        session.flush()
        return report, True

    def after_action(self, session: Session, ticket: Ticket, actor: Actor, action: str) -> None:
        """``TicketService.after_action``: at "resolve" the report is drafted from the record; the
        restoration confirmed and the return (confirm_restoration, close) come after the resolution, so
        a report still in draft is redrafted then (a new version; the officer's edited texts kept)."""
        if action == "resolve":
            self.draft_at_resolution(session, ticket, actor)
        elif action in REFRESHING:
            self.refresh(session, ticket, actor, action)

    def refresh(self, session: Session, ticket: Ticket, actor: Actor, action: str) -> FaultReportVersion | None:
        now = self.tickets.clock.now()
        try:
            with _savepoint(session):
                return self._refresh(session, ticket, actor, action, now)
        except Exception:
            log.exception("ticket %s %s: the fault report could not be redrafted automatically", ticket.id, action)
            return None

    def _refresh(self, session: Session, ticket: Ticket, actor: Actor, action: str, now: datetime
                 ) -> FaultReportVersion | None:
        clock = self._owed(session, ticket, now)
        report = session.scalar(select(FaultReport).options(selectinload(FaultReport.versions)).where(
            FaultReport.ticket_id == ticket.id, FaultReport.resolution_seq == clock.seq))
        if report is None or report.state != DRAFT:
            return None
        v = self.redraft(session, report, ticket, Actor(AUTHOR, actor.role), now, report.current.version)
        v.note = f"{action} 后由记录重新生成 / redrafted from the record after {action} (by {actor.name})"
        session.flush()
        return v

    def draft_at_resolution(self, session: Session, ticket: Ticket, actor: Actor) -> FaultReport | None:
        """``TicketService.after_action`` at "resolve": the report of this resolution drafted from the
        record, in the resolving transaction. Idempotent (one report per resolution). A fault of the
        drafting is logged loudly with the ticket and never undoes the resolution (on PostgreSQL the
        drafting runs in a savepoint, so a failed statement does not abort the transaction; SQLite
        rolls back only the statement): the officer drafts on request then."""
        now = ticket.resolved_at or self.tickets.clock.now()
        try:
            with _savepoint(session):
                return self._draft_at(session, ticket, actor, now)
        except Exception:
            log.exception("ticket %s resolved: the fault report could not be drafted automatically "
                          "(draft it with POST /api/v1/tickets/%s/fault-report)", ticket.id, ticket.id)
            return None

    def _draft_at(self, session: Session, ticket: Ticket, actor: Actor, now: datetime) -> FaultReport | None:
        clock = self._owed(session, ticket, now)
        existing = session.scalar(select(FaultReport.id).where(
            FaultReport.ticket_id == ticket.id, FaultReport.resolution_seq == clock.seq))
        if existing is not None:
            return None
        content = draft(load_record(session, ticket, self.sla, now, self.timezone))
        report = FaultReport(ticket_id=ticket.id, resolution_seq=clock.seq, state=DRAFT, created_at=now)
        report.versions.append(FaultReportVersion(
            version=1, created_at=now, author=AUTHOR, origin="drafted",
            note=f"修复时由记录自动生成 / drafted from the record at resolution (resolved by {actor.name})",
            content=content))
        session.add(report)
        session.flush()
        log.info("ticket %s resolved: fault report %s drafted (resolution %s)", ticket.id, report.id, clock.seq)
        return report

    def _writable(self, report: FaultReport, base_version: int) -> None:
        if report.state == SUBMITTED:
            raise ReportSubmitted(f"fault report {report.id} was submitted at {report.submitted_at.isoformat()} "
                                  f"(version {report.submitted_version}): it is the record now")
        if base_version != report.current.version:
            raise ReportConflict(f"the edit was made on version {base_version}; the current version is "
                                 f"{report.current.version}: reload and edit again")

    def edit(self, session: Session, report: FaultReport, actor: Actor, now: datetime, base_version: int,
             changes: dict[str, str], note: str | None = None) -> FaultReportVersion:
        """A new version with the officer's texts; the facts from the record are not editable."""
        self._writable(report, base_version)
        wrong = [k for k in changes if k not in EDITABLE]
        if wrong:
            raise InvalidInput([{"loc": k, "msg": f"not editable (only {', '.join(EDITABLE)}): facts come from the record"}
                                for k in wrong])
        if not changes:
            raise InvalidInput([{"loc": "body", "msg": "nothing to change"}])
        too_long = [k for k, v in changes.items() if len(v) > MAX_TEXT]
        if too_long:
            raise InvalidInput([{"loc": k, "msg": f"at most {MAX_TEXT} characters"} for k in too_long])
        content = {**report.current.content, **changes}
        return self._add(report, now, actor, "edited", note, content)

    def redraft(self, session: Session, report: FaultReport, ticket: Ticket, actor: Actor, now: datetime,
                base_version: int) -> FaultReportVersion:
        """Re-read the record (a leader escalated, a loop test finished since) and keep the officer's texts."""
        self._writable(report, base_version)
        fresh = draft(load_record(session, ticket, self.sla, now, self.timezone))
        edited = {k: report.current.content.get(k) for k in EDITABLE if any(v.origin == "edited" for v in report.versions)}
        return self._add(report, now, actor, "redrafted", "由记录重新生成 / redrafted from the record", {**fresh, **edited})

    def _add(self, report: FaultReport, now: datetime, actor: Actor, origin: str, note: str | None,
             content: dict[str, Any]) -> FaultReportVersion:
        v = FaultReportVersion(version=report.current.version + 1, created_at=now, author=actor.name, origin=origin,
                               note=note, content=content)
        report.versions.append(v)
        return v

    def submit(self, session: Session, report: FaultReport, ticket: Ticket, actor: Actor, now: datetime,
               base_version: int, note: str | None = None) -> FaultReport:
        """Hand the current version in: the report clock is met (or met late) now."""
        self._writable(report, base_version)
        clock = self._owed(session, ticket, now)
        if clock.seq != report.resolution_seq:
            raise ReportNotOwed(f"fault report {report.id} reports resolution {report.resolution_seq}; the ticket was "
                                f"reopened and resolved again since: draft the report of resolution {clock.seq}")
        if clock.met_at is not None:
            raise ReportNotOwed(f"the fault report of ticket {ticket.id} was recorded as submitted at "
                                f"{clock.met_at.isoformat()} already")
        reference = f"fault-report:{report.id}:v{report.current.version}"
        self.tickets.submit_report(session, ticket, actor, reference, note)
        report.state, report.submitted_at, report.submitted_by = SUBMITTED, now, actor.name
        report.submitted_version = report.current.version
        return report


@contextmanager
def _savepoint(session: Session) -> Iterator[None]:
    """A savepoint on PostgreSQL (a failed statement aborts the whole transaction there); nothing on
    SQLite, whose driver does not keep savepoints apart from its own transaction handling and where a
    failed statement is rolled back alone."""
    if session.get_bind().dialect.name == "postgresql":
        with session.begin_nested():
            yield
    else:
        yield


def meta(report: FaultReport, version: FaultReportVersion) -> dict[str, Any]:
    return {"reportId": report.id, "ticketId": report.ticket_id, "resolutionSeq": report.resolution_seq,
            "state": report.state if version.version == (report.submitted_version or version.version) else DRAFT,
            "version": version.version, "latestVersion": report.current.version, "origin": version.origin,
            "author": version.author, "createdAt": version.created_at.isoformat(), "note": version.note,
            "submittedAt": report.submitted_at.isoformat() if report.submitted_at else None,
            "submittedBy": report.submitted_by, "submittedVersion": report.submitted_version}
