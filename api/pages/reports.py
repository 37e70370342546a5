"""The KPIs page (assessment rates per day, chart and table) and the cutovers list with the
province's approve button (shown and accepted only for the roles agent.policy gives CUTOVER_APPROVE)."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from agent import cutovers
from agent.errors import FaultlineError
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


@router.get("/kpis")
def kpis_page(request: Request, services: ServicesDep, user: PageUserDep) -> Response:
    """The assessment rates for today so far (working-zone day), the last 7 and the last 30 days."""
    zone = ZoneInfo(services.settings.timezone)
    now = services.clock.now()
    today = datetime.combine(now.astimezone(zone).date(), time(0), tzinfo=zone)
    periods = []
    with services.session_factory() as s:
        for name, days in PERIODS:
            start = today if days is None else now - timedelta(days=days)
            periods.append((name, start, services.sla.kpis(s, start, now, now)))
    names = list(periods[0][2].kpis)
    lang = pick_language(request.cookies.get(LANG_COOKIE), None)
    chart = {"periods": [n for n in names],
             "labels": [periods[0][2].kpis[n].label_zh if lang == "zh" else n for n in names],
             "series": [{"label": p, "rates": [None if r.kpis[n].rate is None else round(r.kpis[n].rate * 100, 1)
                                               for n in names]} for p, _, r in periods]}
    return render(request, "kpis.html", user=user, periods=periods, names=names, chart=chart)


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
