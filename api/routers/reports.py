"""Fault reports (故障报告, rule 10): drafted from the ticket's record after resolution, edited by the
duty officer (every version kept), submitted (meets the report clock), exported as Markdown or PDF.
Also the working-day calendar's coverage, for the duty board's warning of a year without a schedule."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from agent.errors import InvalidInput, NotFound
from agent.policy import Permission
from agent.reports import (
    FaultReports,
    meta,
    optimisation,
    requests,
    to_markdown,
    to_pdf,
)
from agent.tickets import Actor
from api.deps import ServicesDep, SessionDep, TicketId, require
from api.problems import responses
from api.report_schemas import (
    CalendarCoverageOut,
    FaultReportAction,
    FaultReportEdit,
    FaultReportMetaOut,
    FaultReportOut,
    FaultReportVersionsOut,
    OptimisationProgressIn,
    OptimisationProposalsOut,
    OptimisationRequestIn,
    OptimisationRequestOut,
    YearCoverageOut,
)

router = APIRouter(prefix="/api/v1", tags=["reports"], responses=responses(401, 403, 422))
BASE = "/tickets/{ticket_id}/fault-report"
Version = Annotated[int | None, Query(ge=1, le=100000, description="a version number; the latest without")]


def _reports(services) -> FaultReports:
    return FaultReports(services.sla, services.settings.timezone, services.tickets)


def _out(report, version) -> FaultReportOut:
    return FaultReportOut.of(report, version)


@router.post(BASE, status_code=201, response_model=FaultReportOut, responses=responses(404, 409),
             summary="Draft the fault report from the record (after resolution); the existing one if drafted")
def draft(ticket_id: TicketId, response: Response, services: ServicesDep, session: SessionDep,
          actor: Actor = require(Permission.REPORT_EDIT)) -> FaultReportOut:
    ticket = services.tickets.get(session, ticket_id)
    report, created = _reports(services).draft(session, ticket, actor, services.clock.now())
    session.commit()
    if not created:
        response.status_code = 200
    return _out(report, report.current)


@router.get(BASE, response_model=FaultReportOut, responses=responses(404), summary="The fault report (latest or a given version)")
def one(ticket_id: TicketId, services: ServicesDep, session: SessionDep, version: Version = None,
        actor: Actor = require(Permission.READ)) -> FaultReportOut:
    reports = _reports(services)
    report = reports.latest(session, ticket_id)
    return _out(report, reports.version(report, version))


@router.get(BASE + "/versions", response_model=FaultReportVersionsOut, responses=responses(404),
            summary="Every version, oldest first")
def versions(ticket_id: TicketId, services: ServicesDep, session: SessionDep,
             actor: Actor = require(Permission.READ)) -> FaultReportVersionsOut:
    report = _reports(services).latest(session, ticket_id)
    return FaultReportVersionsOut(versions=[FaultReportMetaOut(**meta(report, v)) for v in report.versions])


@router.post(BASE + "/versions", status_code=201, response_model=FaultReportOut, responses=responses(404, 409),
             summary="Edit the report's texts: a new version (made on baseVersion, the current one)")
def edit(ticket_id: TicketId, body: FaultReportEdit, services: ServicesDep, session: SessionDep,
         actor: Actor = require(Permission.REPORT_EDIT)) -> FaultReportOut:
    reports = _reports(services)
    report = reports.latest(session, ticket_id)
    v = reports.edit(session, report, actor, services.clock.now(), body.base_version, body.changes(), body.note)
    session.commit()
    return _out(report, v)


@router.post(BASE + "/redraft", response_model=FaultReportOut, responses=responses(404, 409),
             summary="Re-read the record into a new version, keeping the officer's edited texts")
def redraft(ticket_id: TicketId, body: FaultReportAction, services: ServicesDep, session: SessionDep,
            actor: Actor = require(Permission.REPORT_EDIT)) -> FaultReportOut:
    reports = _reports(services)
    report = reports.latest(session, ticket_id)
    ticket = services.tickets.get(session, ticket_id)
    v = reports.redraft(session, report, ticket, actor, services.clock.now(), body.base_version)
    session.commit()
    return _out(report, v)


@router.post(BASE + "/submit", response_model=FaultReportOut, responses=responses(404, 409),
             summary="Submit the current version: meets the report clock (rule 10), journalled")
def submit(ticket_id: TicketId, body: FaultReportAction, services: ServicesDep, session: SessionDep,
           actor: Actor = require(Permission.REPORT_SUBMIT)) -> FaultReportOut:
    reports = _reports(services)
    report = reports.latest(session, ticket_id)
    ticket = services.tickets.get(session, ticket_id, for_update=True)
    reports.submit(session, report, ticket, actor, services.clock.now(), body.base_version, body.note)
    session.commit()
    return _out(report, report.current)


def _filename(report, version, ext: str) -> str:
    return f'attachment; filename="fault-report-{report.ticket_id}-v{version.version}.{ext}"'


@router.get(BASE + ".md", response_class=Response, summary="The report as Markdown (Chinese first)",
            responses={200: {"content": {"text/markdown": {"schema": {"type": "string"}}}}, **responses(404)})
def markdown(ticket_id: TicketId, services: ServicesDep, session: SessionDep, version: Version = None,
             actor: Actor = require(Permission.READ)) -> Response:
    reports = _reports(services)
    report = reports.latest(session, ticket_id)
    v = reports.version(report, version)
    return Response(to_markdown(v.content, meta(report, v)), media_type="text/markdown; charset=utf-8",
                    headers={"Content-Disposition": _filename(report, v, "md")})


@router.get(BASE + ".pdf", response_class=Response, summary="The report as PDF (Chinese first)",
            responses={200: {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}},
                       **responses(404, 503)})
def pdf(ticket_id: TicketId, services: ServicesDep, session: SessionDep, version: Version = None,
        actor: Actor = require(Permission.READ)) -> Response:
    reports = _reports(services)
    report = reports.latest(session, ticket_id)
    v = reports.version(report, version)
    return Response(to_pdf(v.content, meta(report, v)), media_type="application/pdf",
                    headers={"Content-Disposition": _filename(report, v, "pdf")})


@router.get("/reports/calendar", response_model=CalendarCoverageOut,
            summary="Where the working days of this year and the next come from; warnings for the duty board")
def calendar(request: Request, services: ServicesDep, actor: Actor = require(Permission.READ)) -> CalendarCoverageOut:
    cal = services.sla.calendar
    today: date = cal.local_date(services.clock.now())
    years = [YearCoverageOut(**cal.coverage(y).to_dict()) for y in (today.year, today.year + 1)]
    return CalendarCoverageOut(years=years, warnings=[YearCoverageOut(**c.to_dict()) for c in cal.board_warnings(today)])


# --- network optimisation (网络优化) ----------------------------------------------------------------
def _period(services, start: datetime | None, end: datetime | None) -> tuple[datetime, datetime]:
    end = end or services.clock.now()
    start = start or end - optimisation.DEFAULT_PERIOD
    if start.tzinfo is None or end.tzinfo is None:
        raise InvalidInput([{"loc": "from", "msg": "from and to need a timezone"}])
    if end <= start or end - start > timedelta(days=400):
        raise InvalidInput([{"loc": "to", "msg": "to must be after from, at most 400 days"}])
    return start, end


@router.get("/reports/optimisation", response_model=OptimisationProposalsOut,
            summary="Recurring faults per segment, port and customer, ranked, as optimisation proposals")
def proposals(services: ServicesDep, session: SessionDep, actor: Actor = require(Permission.READ),
              start: Annotated[datetime | None, Query(alias="from")] = None,
              end: Annotated[datetime | None, Query(alias="to")] = None) -> OptimisationProposalsOut:
    start, end = _period(services, start, end)
    found = optimisation.recurring(session, start, end)
    return OptimisationProposalsOut(start=start.isoformat(), end=end.isoformat(),
                                    proposals=[p.to_dict(rank=i + 1) for i, p in enumerate(found)])


@router.post("/reports/optimisation/requests", status_code=201, response_model=OptimisationRequestOut,
             responses=responses(404, 409), summary="Raise an optimisation request from a listed proposal (its evidence kept)")
def raise_request(body: OptimisationRequestIn, services: ServicesDep, session: SessionDep,
                  actor: Actor = require(Permission.OPTIMISATION_MANAGE)) -> OptimisationRequestOut:
    start, end = _period(services, body.start, body.end)
    proposal = next((p for p in optimisation.recurring(session, start, end) if p.key == body.key), None)
    if proposal is None:
        raise NotFound(f"no recurring fault {body.key} in {start.isoformat()} .. {end.isoformat()}")
    row = requests.raise_request(session, proposal, actor, services.clock.now(), body.needs_construction, body.note)
    session.commit()
    return OptimisationRequestOut.of(row)


@router.post("/reports/optimisation/requests/{request_id}/progress", response_model=OptimisationRequestOut,
             responses=responses(404), summary="Track a request: in progress, done or rejected; the construction decision")
def request_progress(request_id: Annotated[int, Path(ge=1, le=2**31 - 1)], body: OptimisationProgressIn,
                     services: ServicesDep, session: SessionDep,
                     actor: Actor = require(Permission.OPTIMISATION_MANAGE)) -> OptimisationRequestOut:
    row = requests.progress(session, request_id, actor, services.clock.now(), body.state, body.needs_construction,
                            body.note)
    session.commit()
    return OptimisationRequestOut.of(row)


@router.get("/reports/optimisation/requests", response_model=list[OptimisationRequestOut],
            summary="Every optimisation request with its history")
def request_listing(session: SessionDep, actor: Actor = require(Permission.READ)) -> list[OptimisationRequestOut]:
    return [OptimisationRequestOut.of(r) for r in requests.listing(session)]
