"""Period reports kept with their versions (the operation report 运行分析报告, the quarterly report 季报):
drafted from the period's data, the texts edited (each edit a new version), redrafted (the data
re-read, the texts kept), submitted against the due date (the end of the N-th working day after the
period: settings ``sla.operation_report_working_days`` / ``sla.quarterly_report_working_days``).
Whether each was on time is counted by the assessment (agent/reports/assessment.py). The caller's
unit of work commits.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from agent.errors import InvalidInput, NotFound
from agent.models import PeriodReport, PeriodReportVersion
from agent.reports.errors import ReportConflict, ReportNotOwed, ReportSubmitted
from agent.reports.period import EDITABLE, OPERATION, operation_content, quarterly_content
from agent.sla import SlaEngine
from agent.tickets import Actor

DRAFT, SUBMITTED = "draft", "submitted"
MAX_TEXT = 20000


class PeriodReports:
    def __init__(self, sla: SlaEngine, timezone: str) -> None:
        self.sla, self.timezone = sla, timezone

    def due(self, kind: str, end: datetime) -> datetime:
        cfg = self.sla.cfg
        days = cfg.operation_report_working_days if kind == OPERATION else cfg.quarterly_report_working_days
        return self.sla.calendar.report_due(end - timedelta(microseconds=1), days)

    def _content(self, session: Session, kind: str, scope: str, start: datetime, end: datetime, now: datetime,
                 extra: dict[str, Any]) -> dict[str, Any]:
        if kind == OPERATION:
            return operation_content(session, self.sla, scope, start, end, now, self.timezone)
        return quarterly_content(session, self.sla, scope, start, end, now, self.timezone, extra["year"], extra["quarter"])

    def draft(self, session: Session, kind: str, scope: str, start: datetime, end: datetime, actor: Actor,
              now: datetime, **extra: Any) -> tuple[PeriodReport, bool]:
        """The report of (kind, scope, period), drafted from the data if there is none yet; (report, created)."""
        if now < end:
            raise ReportNotOwed(f"the period ends {end.isoformat()}: its {kind} report is drafted once it is over")
        existing = self.find(session, kind, scope, start, end)
        if existing is not None:
            return existing, False
        content = self._content(session, kind, scope, start, end, now, extra)
        report = PeriodReport(kind=kind, scope=scope, period_start=start, period_end=end, due_at=self.due(kind, end),
                              state=DRAFT, created_at=now)
        report.versions.append(PeriodReportVersion(version=1, created_at=now, author=actor.name, origin="drafted",
                                                   note="由数据生成 / drafted from the period's data", content=content))
        session.add(report)
        session.flush()
        return report, True

    def find(self, session: Session, kind: str, scope: str, start: datetime, end: datetime) -> PeriodReport | None:
        return session.scalar(select(PeriodReport).options(selectinload(PeriodReport.versions)).where(
            PeriodReport.kind == kind, PeriodReport.scope == scope, PeriodReport.period_start == start,
            PeriodReport.period_end == end))

    def get(self, session: Session, report_id: int, kind: str | None = None) -> PeriodReport:
        row = session.scalar(select(PeriodReport).options(selectinload(PeriodReport.versions))
                             .where(PeriodReport.id == report_id))
        if row is None or (kind is not None and row.kind != kind):
            raise NotFound(f"no {kind or 'period'} report {report_id}")
        return row

    def list(self, session: Session, kind: str, scope: str | None = None) -> list[PeriodReport]:
        q = select(PeriodReport).options(selectinload(PeriodReport.versions)).where(PeriodReport.kind == kind)
        if scope is not None:
            q = q.where(PeriodReport.scope == scope)
        return list(session.scalars(q.order_by(PeriodReport.period_start.desc(), PeriodReport.id.desc()).limit(500)))

    @staticmethod
    def version(report: PeriodReport, number: int | None) -> PeriodReportVersion:
        if number is None:
            return report.current
        found = next((v for v in report.versions if v.version == number), None)
        if found is None:
            raise NotFound(f"report {report.id} has no version {number} (1..{report.current.version})")
        return found

    @staticmethod
    def _writable(report: PeriodReport, base_version: int) -> None:
        if report.state == SUBMITTED:
            raise ReportSubmitted(f"report {report.id} was submitted at {report.submitted_at.isoformat()} "
                                  f"(version {report.submitted_version}): it is the record now")
        if base_version != report.current.version:
            raise ReportConflict(f"the edit was made on version {base_version}; the current version is "
                                 f"{report.current.version}: reload and edit again")

    def edit(self, report: PeriodReport, actor: Actor, now: datetime, base_version: int, texts: dict[str, str],
             note: str | None = None) -> PeriodReportVersion:
        self._writable(report, base_version)
        allowed = EDITABLE[report.kind]
        wrong = [k for k in texts if k not in allowed]
        if wrong:
            raise InvalidInput([{"loc": f"texts.{k}", "msg": f"not a text of this report (one of {', '.join(allowed)}): "
                                                             "the measured sections come from the data"} for k in wrong])
        if not texts:
            raise InvalidInput([{"loc": "texts", "msg": "nothing to change"}])
        long = [k for k, v in texts.items() if len(v) > MAX_TEXT]
        if long:
            raise InvalidInput([{"loc": f"texts.{k}", "msg": f"at most {MAX_TEXT} characters"} for k in long])
        content = {**report.current.content, "texts": {**report.current.content.get("texts", {}), **texts}}
        return self._add(report, now, actor, "edited", note, content)

    def redraft(self, session: Session, report: PeriodReport, actor: Actor, now: datetime, base_version: int
                ) -> PeriodReportVersion:
        """Re-read the period's data (a late ticket, a new reading) and keep the officer's texts."""
        self._writable(report, base_version)
        old = report.current.content
        fresh = self._content(session, report.kind, report.scope, report.period_start, report.period_end, now,
                              {"year": old.get("year"), "quarter": old.get("quarter")})
        fresh["texts"] = dict(old.get("texts", {}))
        return self._add(report, now, actor, "redrafted", "由数据重新生成 / redrafted from the data", fresh)

    @staticmethod
    def _add(report: PeriodReport, now: datetime, actor: Actor, origin: str, note: str | None,
             content: dict[str, Any]) -> PeriodReportVersion:
        v = PeriodReportVersion(version=report.current.version + 1, created_at=now, author=actor.name, origin=origin,
                                note=note, content=content)
        report.versions.append(v)
        return v

    def submit(self, report: PeriodReport, actor: Actor, now: datetime, base_version: int) -> PeriodReport:
        self._writable(report, base_version)
        report.state, report.submitted_at, report.submitted_by = SUBMITTED, now, actor.name
        report.submitted_version = report.current.version
        return report


def period_meta(report: PeriodReport, version: PeriodReportVersion) -> dict[str, Any]:
    late = None
    if report.submitted_at is not None:
        late = report.submitted_at > report.due_at
    return {"reportId": report.id, "kind": report.kind, "scope": report.scope,
            "periodStart": report.period_start.isoformat(), "periodEnd": report.period_end.isoformat(),
            "dueAt": report.due_at.isoformat(),
            "state": report.state if version.version == (report.submitted_version or version.version) else DRAFT,
            "version": version.version, "latestVersion": report.current.version, "origin": version.origin,
            "author": version.author, "createdAt": version.created_at.isoformat(), "note": version.note,
            "submittedAt": report.submitted_at.isoformat() if report.submitted_at else None,
            "submittedBy": report.submitted_by, "submittedVersion": report.submitted_version,
            "submittedLate": late}
