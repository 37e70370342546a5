"""The KPIs page (assessment rates per day, chart and table) and the cutovers list with the
province's approve button (shown and accepted only for the roles agent.policy gives CUTOVER_APPROVE)."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from sqlalchemy import select

from agent import cutovers
from agent.errors import FaultlineError
from agent.models import Ticket
from agent.policy import Permission, may
from api.deps import CutoverId, PageUserDep, ServicesDep
from api.pages.i18n import LANG_COOKIE, pick_language
from api.pages.posting import read_form
from api.pages.render import render
from api.schemas import CutoverOut

router = APIRouter(include_in_schema=False)


# Windows that end now. A window ending in the past is not offered: SlaEngine.kpis fails (IndexError in
# compute_clocks) when a still-open ticket arrived after the window's end (reported to the SLA owners).
PERIODS = (("today", None), ("7d", 7), ("30d", 30))


def _windows(services) -> list[tuple[str, datetime]]:
    zone = ZoneInfo(services.settings.timezone)
    now = services.clock.now()
    today = datetime.combine(now.astimezone(zone).date(), time(0), tzinfo=zone)
    return [(name, today if days is None else now - timedelta(days=days)) for name, days in PERIODS]


@router.get("/kpis")
def kpis_page(request: Request, services: ServicesDep, user: PageUserDep) -> Response:
    """The assessment rates for today so far (working-zone day), the last 7 and the last 30 days."""
    now = services.clock.now()
    periods = []
    with services.session_factory() as s:
        for name, start in _windows(services):
            periods.append((name, start, services.sla.kpis(s, start, now, now)))
    names = list(periods[0][2].kpis)
    lang = pick_language(request.cookies.get(LANG_COOKIE), None)
    chart = {"periods": [n for n in names],
             "labels": [periods[0][2].kpis[n].label_zh if lang == "zh" else n for n in names],
             "series": [{"label": p, "rates": [None if r.kpis[n].rate is None else round(r.kpis[n].rate * 100, 1)
                                               for n in names]} for p, _, r in periods]}
    return render(request, "kpis.html", user=user, periods=periods, names=names, chart=chart)


DRILL_LIMIT = 500


@router.get("/kpis/tickets")
def kpi_tickets(request: Request, services: ServicesDep, user: PageUserDep,
                period: Annotated[str, Query(pattern="^(today|7d|30d)$")],
                kpi: Annotated[str, Query(max_length=64)],
                outcome: Annotated[str, Query(pattern="^(on_time|late)$")] = "late") -> Response:
    """The tickets behind one figure of the KPI table: the obligations of that KPI decided in the period,
    on time or late (the same replay as the figure, so the count and the list agree)."""
    now = services.clock.now()
    start = dict(_windows(services))[period]
    with services.session_factory() as s:
        report = services.sla.kpis(s, start, now, now)
        if kpi not in report.kpis:
            return render(request, "error.html", status_code=404, user=user, message="not_found", detail=kpi)
        ids = report.behind.get(kpi, ([], []))[0 if outcome == "on_time" else 1]
        unique = sorted(set(ids))
        tickets = {t.id: t for t in s.scalars(select(Ticket).where(Ticket.id.in_(unique[:DRILL_LIMIT])))} if unique else {}
        rows = [{"id": t.id, "external_id": t.external_id, "circuit_id": t.circuit_id, "status": t.status,
                 "kind": t.kind, "reported_at": t.reported_at, "times": ids.count(t.id)} for t in
                (tickets[i] for i in unique[:DRILL_LIMIT] if i in tickets)]
    return render(request, "kpi_tickets.html", user=user, period=period, start=start, kpi=kpi,
                  label=report.kpis[kpi].label_zh, outcome=outcome, count=len(ids), rows=rows,
                  truncated=len(unique) > DRILL_LIMIT, figure=report.kpis[kpi])


@router.get("/cutovers")
def cutovers_page(request: Request, services: ServicesDep, user: PageUserDep, error: str | None = None) -> Response:
    with services.session_factory() as s:
        rows = [CutoverOut.of(r).model_dump(by_alias=True) for r in cutovers.listing(s)]  # the JSON route's model
    return render(request, "cutovers.html", user=user, cutovers=rows,
                  may_approve=may(user.actor.role, Permission.CUTOVER_APPROVE), error=error)


@router.post("/cutovers/{cutover_id}/approve")
async def approve_cutover(cutover_id: CutoverId, request: Request, services: ServicesDep, user: PageUserDep) -> Response:
    await read_form(request, user.csrf)
    if not may(user.actor.role, Permission.CUTOVER_APPROVE):
        return render(request, "error.html", status_code=403, user=user, message="forbidden",
                      detail=f"{user.actor.role.value}: {Permission.CUTOVER_APPROVE.value}")
    try:
        with services.session_factory() as s:
            cutovers.approve(s, cutover_id, user.actor, services.clock.now())
            s.commit()
    except FaultlineError as exc:
        return render(request, "error.html", status_code=exc.status, user=user, message="refused", detail=str(exc))
    return RedirectResponse("/cutovers", status_code=303)
