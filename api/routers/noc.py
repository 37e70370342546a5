"""The NOC's health views (网管): every circuit graded from the latest polls, worst first; a circuit's
readings history (raw or hourly by range); its ports' early warnings with projected dates; the polls'
own records. Read-only, any role; graded by the process that polls (the API only reads the tables)."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query
from sqlalchemy import func, select, tuple_

from agent.inventory.targets import resolve_circuit
from agent.models import CircuitHealthRow, PollRun, PortTrend
from agent.models.telemetry import METRICS
from agent.telemetry.history import Resolution, choose_resolution, read_hourly, read_raw
from api.deps import CircuitId, Offset, Reader, ServicesDep, SessionDep
from api.noc_schemas import (
    CircuitGradeOut,
    CircuitGradePage,
    EarlyWarningOut,
    PollRunOut,
    ReadingPointOut,
    ReadingSeriesOut,
    ReadingsOut,
)
from api.problems import responses

router = APIRouter(prefix="/api/v1", tags=["noc"], responses=responses(401, 403, 422))

_DEVICE = r"^[A-Za-z0-9._\-]+$"
_PORT = r"^[0-9]*[A-Za-z][A-Za-z0-9/.:_\-]*$"
UNITS = {"rx_dbm": "dBm", "tx_dbm": "dBm", "in_mbps": "Mbps", "out_mbps": "Mbps", "crc_per_s": "1/s",
         "in_errors_per_s": "1/s"}
MAX_POINTS = 20000
Grade = Literal["down", "degraded", "unknown", "ok"]


def _grade_out(r: CircuitHealthRow) -> CircuitGradeOut:
    return CircuitGradeOut(circuitId=r.circuit_id, customer=r.customer, grade=r.grade, verdict=r.verdict,
                           reasons=r.reasons, segments=r.segments, earlyWarningAt=r.early_warning_at,
                           gradedAt=r.graded_at, since=r.since, href=f"/api/v1/circuit-health/{r.circuit_id}")


@router.get("/circuit-health", summary="Every circuit's health grade from the latest polls, worst first")
def circuit_health(session: SessionDep, actor: Reader,
                   health: Annotated[list[Grade] | None, Query(description="only these grades (repeat the parameter)")] = None,
                   customer: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
                   warning: Annotated[bool | None, Query(description="true: only circuits with an early warning")] = None,
                   limit: Annotated[int, Query(ge=1, le=500)] = 50, offset: Offset = 0) -> CircuitGradePage:
    h = CircuitHealthRow
    where = []
    if health:
        where.append(h.grade.in_(health))
    if customer:
        where.append(h.customer == customer)
    if warning is not None:
        where.append(h.early_warning_at.is_not(None) if warning else h.early_warning_at.is_(None))
    total = session.scalar(select(func.count()).select_from(h).where(*where))
    rows = session.scalars(select(h).where(*where).order_by(h.rank, h.circuit_id).offset(offset).limit(limit)).all()
    return CircuitGradePage(total=total or 0, offset=offset, limit=limit, items=[_grade_out(r) for r in rows])


@router.get("/circuit-health/{circuit_id}", summary="One circuit's health grade with its reasons and segments",
            responses=responses(404))  # 404: not graded (not in the inventory, or no poll yet)
def circuit_health_one(circuit_id: CircuitId, session: SessionDep, actor: Reader) -> CircuitGradeOut:
    row = session.get(CircuitHealthRow, circuit_id)
    if row is None:
        raise HTTPException(404, f"circuit {circuit_id} has no health grade (not in the inventory, or not polled yet)")
    return _grade_out(row)


@router.get("/circuits/{circuit_id}/readings", responses=responses(404),
            summary="The readings history of a circuit's ports: raw samples or hourly min/avg/max by range")
def readings(circuit_id: CircuitId, session: SessionDep, services: ServicesDep, actor: Reader,
             kind: Annotated[Literal[METRICS], Query(description="the metric")] = "rx_dbm",  # type: ignore[valid-type]
             device: Annotated[str | None, Query(max_length=128, pattern=_DEVICE)] = None,
             port: Annotated[str | None, Query(max_length=128, pattern=_PORT)] = None,
             start: Annotated[datetime | None, Query(alias="from", description="default: 24 h before `to`")] = None,
             end: Annotated[datetime | None, Query(alias="to", description="default: now")] = None,
             resolution: Resolution = Resolution.AUTO) -> ReadingsOut:
    now = services.clock.now()
    end = end or now
    if (start or end).tzinfo is None or end.tzinfo is None:
        raise HTTPException(422, "from and to need a timezone (e.g. 2026-11-01T00:00:00Z)")
    try:
        start = start or end - timedelta(hours=24)
    except OverflowError:
        raise HTTPException(422, "`to` is too early to look 24 h back from") from None
    if start.tzinfo is None:
        raise HTTPException(422, "from and to need a timezone (e.g. 2026-11-01T00:00:00Z)")
    if end < start:
        raise HTTPException(422, "`to` is before `from`")
    resolved = resolve_circuit(session, circuit_id)
    ports = [end_.key for _, end_ in resolved.path.ports()]
    ports = list(dict.fromkeys(p for p in ports if (device is None or p[0] == device) and (port is None or p[1] == port)))
    if (device or port) and not ports:
        raise HTTPException(404, f"{device or ''} {port or ''} is not a port of circuit {circuit_id}".strip())
    chosen = choose_resolution(resolution, start, end, now, timedelta(days=services.settings.poll_retention_days))
    read = read_raw if chosen == Resolution.RAW else read_hourly
    series = []
    for dev, name in ports:
        points = read(session, dev, name, kind, start, end, MAX_POINTS)
        series.append(ReadingSeriesOut(device=dev, port=name, kind=kind, unit=UNITS[kind], resolution=chosen.value,
                                       points=[ReadingPointOut(**vars(p)) for p in points]))
    return ReadingsOut(circuitId=circuit_id, start=start, end=end, series=series)


@router.get("/circuits/{circuit_id}/early-warnings", responses=responses(404),
            summary="The early warnings of a circuit's ports: robust trend, projected crossing dates, flagged in the horizon")
def early_warnings(circuit_id: CircuitId, session: SessionDep, actor: Reader) -> list[EarlyWarningOut]:
    resolved = resolve_circuit(session, circuit_id)
    ports = list(dict.fromkeys(e.key for _, e in resolved.path.ports()))
    rows = session.scalars(select(PortTrend).where(tuple_(PortTrend.device_name, PortTrend.port_name).in_(ports))
                           .order_by(PortTrend.device_name, PortTrend.port_name, PortTrend.metric)).all()
    return [EarlyWarningOut(device=r.device_name, port=r.port_name, metric=r.metric, slopePerDay=r.slope_per_day,
                            level=r.level, points=r.points, since=r.since, until=r.until, restartedAt=r.restarted_at,
                            crossings=r.crossings, firstCrossing=r.first_crossing, flagged=r.flagged,
                            computedAt=r.computed_at) for r in rows]


@router.get("/polls", summary="The latest polls: duration, values, failures per device")
def polls(session: SessionDep, actor: Reader, limit: Annotated[int, Query(ge=1, le=200)] = 20) -> list[PollRunOut]:
    rows = session.scalars(select(PollRun).order_by(PollRun.id.desc()).limit(limit)).all()
    return [PollRunOut(id=r.id, startedAt=r.started_at, wants=r.wants.split(","), durationSeconds=r.duration_s,
                       devices=r.devices, samples=r.samples, failed=r.failed, failures=r.failures,
                       slowestDevices=dict(sorted(r.device_seconds.items(), key=lambda kv: -kv[1])[:10]))
            for r in rows]
