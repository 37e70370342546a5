"""SLA views: the duty board's upcoming deadlines, the assessment KPIs, and recording the fault report."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Query, Request

from agent.policy import Permission
from agent.sla import SlaEngine
from agent.tickets import Actor
from api.deps import SessionDep, SettingsDep, TicketId, require
from api.problems import responses
from api.schemas import ClockOut, KpiReportOut, ReportOut, ReportSubmitted, UpcomingOut
from api.schemas.sla import UpcomingItem

router = APIRouter(prefix="/api/v1", tags=["sla"], responses=responses(401, 403, 422))

_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
MAX_WITHIN = timedelta(days=7)


def parse_within(text: str) -> timedelta:
    """'15m', '2h', '1h30m', '90s', '1d' -> timedelta (at most 7 days)."""
    m = _DURATION.match(text.strip())
    if not text.strip() or m is None or not any(m.groups()):
        raise ValueError(f"'{text}' is not a duration like 15m, 2h, 1h30m, 90s")
    d, h, mi, s = (int(g or 0) for g in m.groups())
    delta = timedelta(days=d, hours=h, minutes=mi, seconds=s)
    if not timedelta(0) < delta <= MAX_WITHIN:
        raise ValueError(f"'{text}' must be more than 0 and at most {MAX_WITHIN.days} days")
    return delta


def _engine(request: Request) -> SlaEngine:
    return request.app.state.services.sla


def _now(request: Request) -> datetime:
    return request.app.state.services.clock.now()


@router.get("/sla/upcoming", response_model=UpcomingOut, summary="Clocks falling due soon (duty board), soonest first")
def upcoming(request: Request, session: SessionDep, actor: Actor = require(Permission.READ),
             within: Annotated[str, Query(description="look-ahead, e.g. 15m, 2h, 1h30m")] = "15m",
             limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> UpcomingOut:
    try:
        delta = parse_within(within)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc
    now = _now(request)
    items = _engine(request).upcoming(session, now, delta, limit)
    return UpcomingOut(now=now, within=within, items=[UpcomingItem.of(u) for u in items])


def _aware(value: datetime, tz: str) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=ZoneInfo(tz))


@router.get("/kpis", response_model=KpiReportOut, summary="Timeliness KPIs (故障处理及时率 and the others) for obligations decided in [from, to)")
def kpis(request: Request, session: SessionDep, settings: SettingsDep,
         start: Annotated[datetime, Query(alias="from", description="ISO time; without offset: the working-day zone")],
         end: Annotated[datetime, Query(alias="to")], actor: Actor = require(Permission.READ)) -> KpiReportOut:
    start, end = _aware(start, settings.timezone), _aware(end, settings.timezone)
    if end <= start:
        raise HTTPException(422, f"'to' ({end.isoformat()}) must be after 'from' ({start.isoformat()})")
    if end - start > timedelta(days=400):
        raise HTTPException(422, "the window is limited to 400 days")
    return KpiReportOut.of(_engine(request).kpis(session, start, end, _now(request)))


@router.post("/sla/tickets/{ticket_id}/report", status_code=201, response_model=ReportOut, responses=responses(404, 409),
             summary="Record that the fault report (故障报告) was submitted (rule 10)")
def report_submitted(ticket_id: TicketId, body: ReportSubmitted, request: Request, session: SessionDep,
                     actor: Actor = require(Permission.REPORT_SUBMIT)) -> ReportOut:
    services = request.app.state.services
    ticket = services.tickets.get(session, ticket_id, for_update=True)
    services.tickets.submit_report(session, ticket, actor, body.reference, body.note)
    session.commit()
    sla, now = services.sla, _now(request)
    return ReportOut(ticket_id=str(ticket.id), clocks=[ClockOut.of(c) for c in sla.clocks_for(session, ticket.id, now)])

