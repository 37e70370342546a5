"""The circuit page (NOC) and the alarms page: the path with the latest diagnosed values, the active
alarms on the path's ports, the open tickets, and each port's Rx history with its module thresholds."""
from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from agent.alarms.store import query_alarms
from agent.errors import UnknownCircuit
from agent.inventory.targets import resolve_circuit
from agent.models import Alarm, Diagnosis, Ticket
from agent.models.telemetry import OpticalSample
from api.deps import CircuitId, PageUserDep, ServicesDep
from api.pages.board_view import BoardFilters, board_rows
from api.pages.path_view import path_of
from api.pages.render import render

router = APIRouter(include_in_schema=False)

MAX_CHART_POINTS = 1000  # per port: the retention window thinned evenly, the latest reading always kept


def latest_diagnosis(session: Session, circuit_id: str) -> dict[str, Any] | None:
    row = session.scalar(select(Diagnosis).join(Ticket, Ticket.id == Diagnosis.ticket_id)
                         .where(Ticket.circuit_id == circuit_id).order_by(Diagnosis.id.desc()).limit(1))
    if row is None:
        return None
    return {"id": row.id, "ticket_id": row.ticket_id, "createdAt": row.created_at, "verdict": row.verdict, **row.data}


def rx_history(session: Session, ports: list[tuple[str, str]], since) -> dict[str, list[tuple[int, float]]]:
    """'device port' -> [(epoch ms, Rx dBm)], oldest first, from the stored optical samples."""
    if not ports:
        return {}
    rows = session.execute(select(OpticalSample.device_name, OpticalSample.port_name, OpticalSample.at,
                                  OpticalSample.rx_dbm)
                           .where(tuple_(OpticalSample.device_name, OpticalSample.port_name).in_(ports),
                                  OpticalSample.at >= since, OpticalSample.rx_dbm.is_not(None))
                           .order_by(OpticalSample.at, OpticalSample.id)).all()
    series: dict[str, list[tuple[int, float]]] = {}
    for device, port, at, rx in rows:
        series.setdefault(f"{device} {port}", []).append((int(at.timestamp() * 1000), rx))
    for key, points in series.items():
        step = -(-len(points) // MAX_CHART_POINTS)
        if step > 1:
            series[key] = points[::step] + ([points[-1]] if (len(points) - 1) % step else [])
    return series


@router.get("/circuits/{circuit_id}")
def circuit_page(circuit_id: CircuitId, request: Request, services: ServicesDep, user: PageUserDep) -> Response:
    now = services.clock.now()
    with services.session_factory() as s:
        try:
            resolved = resolve_circuit(s, circuit_id)
        except UnknownCircuit as exc:
            return render(request, "error.html", status_code=404, user=user, message="not_found", detail=str(exc))
        diagnosis = latest_diagnosis(s, circuit_id)
        path = path_of(s, circuit_id, diagnosis)
        ports = sorted({(e.device, e.port) for seg in resolved.path.segments for e in (seg.a, seg.z)})
        thresholds = {f"{e.device} {e.port}": {"sensitivity": e.rx_sensitivity_dbm, "overload": e.rx_overload_dbm}
                      for seg in resolved.path.segments for e in (seg.a, seg.z)}
        since = now - timedelta(days=services.settings.poll_retention_days)
        history = rx_history(s, ports, since)
        alarms = s.scalars(select(Alarm).where(tuple_(Alarm.device_name, Alarm.port_name).in_(ports),
                                               Alarm.state == "raised").order_by(Alarm.raised_at.desc())).all()
        tickets = [r for r in board_rows(s, services.sla, now, BoardFilters(circuit=circuit_id)) if r.circuit_id == circuit_id]
    trend = [e for e in (diagnosis or {}).get("evidence", []) if e.get("name") == "rx_trend_db_per_day"]
    return render(request, "circuit.html", user=user, circuit=resolved.path, path=path, diagnosis=diagnosis,
                  history=history, thresholds=thresholds, alarms=alarms, tickets=tickets, trend=trend)


@router.get("/alarms")
def alarms_page(request: Request, services: ServicesDep, user: PageUserDep,
                active: Annotated[str, Query(pattern="^(active|cleared|all)$")] = "active",
                device: Annotated[str | None, Query(max_length=128)] = None) -> Response:
    with services.session_factory() as s:
        rows = query_alarms(s, device=device or None, active={"active": True, "cleared": False}.get(active), limit=500)
    return render(request, "alarms.html", user=user, alarms=rows, active=active, device=device or "")
