"""Reports of a period (issue 16): the operation report (运行分析报告) per customer and the quarterly report
(季报) per branch, drafted from the data with versions and exported as Markdown / PDF; every
assessment rate (考核) per period and branch with its cases; key-assurance periods (重保)."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from agent.errors import InvalidInput
from agent.orders.rates import OrderRateCases
from agent.policy import Permission
from agent.reports import assessment
from agent.reports.period import OPERATION, QUARTERLY, local_day_bounds, quarter_bounds
from agent.reports.period_render import to_markdown, to_pdf
from agent.reports.period_service import PeriodReports, period_meta
from agent.telemetry import assurance
from agent.tickets import Actor
from api.deps import DB_INT_MAX, ServicesDep, SessionDep, require
from api.period_schemas import (
    AssessmentOut,
    KeyAssuranceIn,
    KeyAssuranceOut,
    OperationReportIn,
    PeriodReportAction,
    PeriodReportEdit,
    PeriodReportListOut,
    PeriodReportMetaOut,
    PeriodReportOut,
    QuarterlyReportIn,
)
from api.problems import responses

router = APIRouter(prefix="/api/v1/reports", tags=["reports"], responses=responses(401, 403, 422))
ReportId = Annotated[int, Path(ge=1, le=DB_INT_MAX, description="the report's id")]
AssuranceId = Annotated[int, Path(ge=1, le=DB_INT_MAX, description="the key-assurance period's id")]
Version = Annotated[int | None, Query(ge=1, le=100000, description="a version number; the latest without")]
Scope = Annotated[str | None, Query(min_length=1, max_length=200)]


def _reports(services) -> PeriodReports:
    return PeriodReports(services.sla, services.settings.timezone)


def _out(report, version) -> PeriodReportOut:
    return PeriodReportOut.of(report, version)


@router.post("/operation", status_code=201, response_model=PeriodReportOut, responses=responses(404, 409),
             summary="Draft the operation report (运行分析报告) of a customer and period; the existing one if drafted")
def draft_operation(body: OperationReportIn, response: Response, services: ServicesDep, session: SessionDep,
                    actor: Actor = require(Permission.PERIOD_REPORT_EDIT)) -> PeriodReportOut:
    start, end = local_day_bounds(body.start, body.end, services.settings.timezone)
    report, created = _reports(services).draft(session, OPERATION, body.customer_id, start, end, actor,
                                               services.clock.now())
    session.commit()
    if not created:
        response.status_code = 200
    return _out(report, report.current)


@router.post("/quarterly", status_code=201, response_model=PeriodReportOut, responses=responses(404, 409),
             summary="Draft the quarterly report (季报) of a branch; the existing one if drafted")
def draft_quarterly(body: QuarterlyReportIn, response: Response, services: ServicesDep, session: SessionDep,
                    actor: Actor = require(Permission.PERIOD_REPORT_EDIT)) -> PeriodReportOut:
    start, end = quarter_bounds(body.year, body.quarter, services.settings.timezone)
    report, created = _reports(services).draft(session, QUARTERLY, body.branch, start, end, actor,
                                               services.clock.now(), year=body.year, quarter=body.quarter)
    session.commit()
    if not created:
        response.status_code = 200
    return _out(report, report.current)


def _kind_routes(kind: str) -> None:
    base = f"/{kind}"
    what = "operation report" if kind == OPERATION else "quarterly report"

    # the exports first: "/{report_id}" would take "5.md" and refuse it as no integer
    def _filename(report, v, ext: str) -> str:
        return f'attachment; filename="{kind}-report-{report.id}-v{v.version}.{ext}"'

    @router.get(base + "/{report_id}.md", response_class=Response, name=f"markdown_{kind}",
                summary=f"The {what} as Markdown (Chinese first)",
                responses={200: {"content": {"text/markdown": {"schema": {"type": "string"}}}}, **responses(404)})
    def markdown(report_id: ReportId, services: ServicesDep, session: SessionDep, version: Version = None,
                 actor: Actor = require(Permission.READ)) -> Response:
        reports = _reports(services)
        report = reports.get(session, report_id, kind)
        v = reports.version(report, version)
        return Response(to_markdown(v.content, period_meta(report, v)), media_type="text/markdown; charset=utf-8",
                        headers={"Content-Disposition": _filename(report, v, "md")})

    @router.get(base + "/{report_id}.pdf", response_class=Response, name=f"pdf_{kind}",
                summary=f"The {what} as PDF (Chinese first)",
                responses={200: {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}},
                           **responses(404, 503)})
    def pdf(report_id: ReportId, services: ServicesDep, session: SessionDep, version: Version = None,
            actor: Actor = require(Permission.READ)) -> Response:
        reports = _reports(services)
        report = reports.get(session, report_id, kind)
        v = reports.version(report, version)
        return Response(to_pdf(v.content, period_meta(report, v)), media_type="application/pdf",
                        headers={"Content-Disposition": _filename(report, v, "pdf")})


    @router.get(base, response_model=PeriodReportListOut, name=f"list_{kind}",
                summary=f"The {what}s, newest period first (latest version of each)")
    def listing(services: ServicesDep, session: SessionDep, scope: Scope = None,
                actor: Actor = require(Permission.READ)) -> PeriodReportListOut:
        rows = _reports(services).list(session, kind, scope)
        return PeriodReportListOut(reports=[PeriodReportMetaOut(**period_meta(r, r.current)) for r in rows])

    @router.get(base + "/{report_id}", response_model=PeriodReportOut, responses=responses(404), name=f"get_{kind}",
                summary=f"One {what} (latest or a given version)")
    def one(report_id: ReportId, services: ServicesDep, session: SessionDep, version: Version = None,
            actor: Actor = require(Permission.READ)) -> PeriodReportOut:
        reports = _reports(services)
        report = reports.get(session, report_id, kind)
        return _out(report, reports.version(report, version))

    @router.get(base + "/{report_id}/versions", response_model=PeriodReportListOut, responses=responses(404),
                name=f"versions_{kind}", summary=f"Every version of the {what}, oldest first")
    def versions(report_id: ReportId, services: ServicesDep, session: SessionDep,
                 actor: Actor = require(Permission.READ)) -> PeriodReportListOut:
        report = _reports(services).get(session, report_id, kind)
        return PeriodReportListOut(reports=[PeriodReportMetaOut(**period_meta(report, v)) for v in report.versions])

    @router.post(base + "/{report_id}/versions", status_code=201, response_model=PeriodReportOut,
                 responses=responses(404, 409), name=f"edit_{kind}",
                 summary=f"Edit the {what}'s texts: a new version made on baseVersion")
    def edit(report_id: ReportId, body: PeriodReportEdit, services: ServicesDep, session: SessionDep,
             actor: Actor = require(Permission.PERIOD_REPORT_EDIT)) -> PeriodReportOut:
        reports = _reports(services)
        report = reports.get(session, report_id, kind)
        v = reports.edit(report, actor, services.clock.now(), body.base_version, body.texts, body.note)
        session.commit()
        return _out(report, v)

    @router.post(base + "/{report_id}/redraft", response_model=PeriodReportOut, responses=responses(404, 409),
                 name=f"redraft_{kind}", summary=f"Re-read the period's data into a new version, texts kept")
    def redraft(report_id: ReportId, body: PeriodReportAction, services: ServicesDep, session: SessionDep,
                actor: Actor = require(Permission.PERIOD_REPORT_EDIT)) -> PeriodReportOut:
        reports = _reports(services)
        report = reports.get(session, report_id, kind)
        v = reports.redraft(session, report, actor, services.clock.now(), body.base_version)
        session.commit()
        return _out(report, v)

    @router.post(base + "/{report_id}/submit", response_model=PeriodReportOut, responses=responses(404, 409),
                 name=f"submit_{kind}", summary=f"Submit the {what}'s current version (timeliness counted)")
    def submit(report_id: ReportId, body: PeriodReportAction, services: ServicesDep, session: SessionDep,
               actor: Actor = require(Permission.PERIOD_REPORT_SUBMIT)) -> PeriodReportOut:
        reports = _reports(services)
        report = reports.get(session, report_id, kind)
        reports.submit(report, actor, services.clock.now(), body.base_version)
        session.commit()
        return _out(report, report.current)

for _kind in (OPERATION, QUARTERLY):
    _kind_routes(_kind)


# --- assessment (考核) ---------------------------------------------------------------------------------
@router.get("/assessment", response_model=AssessmentOut,
            summary="Every assessment rate (考核) of the period, for one branch or all, with the cases behind each")
def assessment_rates(start: Annotated[datetime, Query(alias="from", description="with its timezone")],
                     end: Annotated[datetime, Query(alias="to", description="exclusive")],
                     services: ServicesDep, session: SessionDep, actor: Actor = require(Permission.READ),
                     branch: Scope = None) -> AssessmentOut:
    if start.tzinfo is None or end.tzinfo is None:
        raise InvalidInput([{"loc": "from", "msg": "from and to need a timezone"}])
    if end <= start or (end - start).days > 400:
        raise InvalidInput([{"loc": "to", "msg": "to must be after from, at most 400 days"}])
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    got = assessment.assess(session, services.sla, start, end, services.clock.now(), branch, OrderRateCases())
    body = got.to_dict()
    body["start"], body["end"] = body.pop("from"), body.pop("to")
    return AssessmentOut.model_validate(body)


# --- key assurance (重保) ------------------------------------------------------------------------------
@router.post("/key-assurance", status_code=201, response_model=KeyAssuranceOut,
             summary="Set up a key-assurance period for named customers or circuits (tighter polling, warnings, notices)")
def create_assurance(body: KeyAssuranceIn, services: ServicesDep, session: SessionDep,
                     actor: Actor = require(Permission.ASSURANCE_MANAGE)) -> KeyAssuranceOut:
    now = services.clock.now()
    row = assurance.create(session, name=body.name, start=body.start, end=body.end, customers=body.customers,
                           circuits=body.circuits, contacts=[c.model_dump(exclude_none=True) for c in body.contacts],
                           poll_interval_seconds=body.poll_interval_seconds, rx_margin_db=body.rx_margin_db,
                           warning_horizon_days=body.warning_horizon_days, actor=actor.name, now=now)
    out = KeyAssuranceOut.model_validate(assurance.to_dict(row, now, session))
    session.commit()
    return out


@router.get("/key-assurance", response_model=list[KeyAssuranceOut],
            summary="The key-assurance periods to come and running (all=true: the past and cancelled too)")
def list_assurance(services: ServicesDep, session: SessionDep, actor: Actor = require(Permission.READ),
                   all: Annotated[bool, Query()] = False) -> list[KeyAssuranceOut]:  # noqa: A002
    now = services.clock.now()
    return [KeyAssuranceOut.model_validate(assurance.to_dict(r, now)) for r in assurance.listed(session, now, all)]


@router.get("/key-assurance/{assurance_id}", response_model=KeyAssuranceOut, responses=responses(404),
            summary="One key-assurance period with the circuits and devices it covers")
def one_assurance(assurance_id: AssuranceId, services: ServicesDep, session: SessionDep,
                  actor: Actor = require(Permission.READ)) -> KeyAssuranceOut:
    return KeyAssuranceOut.model_validate(assurance.to_dict(assurance.get(session, assurance_id), services.clock.now(),
                                                            session))


@router.post("/key-assurance/{assurance_id}/cancel", response_model=KeyAssuranceOut, responses=responses(404),
             summary="End a key-assurance period now")
def cancel_assurance(assurance_id: AssuranceId, services: ServicesDep, session: SessionDep,
                     actor: Actor = require(Permission.ASSURANCE_MANAGE)) -> KeyAssuranceOut:
    now = services.clock.now()
    row = assurance.cancel(session, assurance_id, now)
    out = KeyAssuranceOut.model_validate(assurance.to_dict(row, now))
    session.commit()
    return out
