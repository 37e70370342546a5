"""Inventory: import (admin), export without credentials, circuits and devices for reading."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from agent.errors import UnknownCircuit
from agent.inventory import dump_yaml, export_inventory, import_inventory
from agent.models import Circuit, Device
from agent.policy import Permission
from agent.tickets import Actor
from api.deps import CircuitId, SessionDep, require

router = APIRouter(prefix="/api/v1", tags=["inventory"])


@router.post("/inventory:import", summary="Import an inventory (YAML or JSON body); nothing is written on any error")
async def import_(request: Request, actor: Actor = require(Permission.INVENTORY_IMPORT)) -> dict[str, Any]:
    raw = await request.body()  # at most 20 MB: api/limits.py refuses a larger body with 413 while it arrives
    factory = request.app.state.services.session_factory

    def work() -> dict[str, int]:
        with factory() as session:
            counts = import_inventory(session, raw)
            session.commit()
            return counts

    from starlette.concurrency import run_in_threadpool

    return {"imported": await run_in_threadpool(work), "by": actor.name}


@router.get("/inventory:export", summary="The inventory as YAML, credentials omitted")
def export(session: SessionDep, actor: Actor = require(Permission.READ)) -> PlainTextResponse:
    return PlainTextResponse(dump_yaml(export_inventory(session, include_secrets=False)), media_type="application/yaml")


def _circuit_out(c: Circuit) -> dict[str, Any]:
    return {"id": c.id, "customer": {"id": c.customer_id, "name": c.customer.name}, "serviceType": c.service_type,
            "rateMbps": c.rate_mbps, "leadOffice": c.lead_office, "cooperatingOffice": c.cooperating_office,
            "segments": [{"index": s.index, "a": {"device": s.a_port.device.name, "port": s.a_port.name,
                                                  "siteKind": s.a_port.device.site.kind},
                          "z": {"device": s.z_port.device.name, "port": s.z_port.name, "siteKind": s.z_port.device.site.kind},
                          "lengthKm": s.length_km, "connectors": s.connectors, "splices": s.splices}
                         for s in c.segments]}


@router.get("/circuits", summary="Circuits with their paths")
def circuits(session: SessionDep, actor: Actor = require(Permission.READ)) -> list[dict[str, Any]]:
    rows = session.scalars(select(Circuit).options(selectinload(Circuit.segments)).order_by(Circuit.id))
    return [_circuit_out(c) for c in rows]


@router.get("/circuits/{circuit_id}", summary="One circuit with its path")
def circuit(circuit_id: CircuitId, session: SessionDep, actor: Actor = require(Permission.READ)) -> dict[str, Any]:
    c = session.get(Circuit, circuit_id)
    if c is None:
        raise UnknownCircuit(f"circuit {circuit_id} is not in the inventory")
    return _circuit_out(c)


@router.get("/devices", summary="Devices and ports (no credentials)")
def devices(session: SessionDep, actor: Actor = require(Permission.READ)) -> list[dict[str, Any]]:
    rows = session.scalars(select(Device).options(selectinload(Device.ports)).order_by(Device.name))
    return [{"name": d.name, "site": d.site_id, "platform": d.platform, "mgmtAddress": d.mgmt_address,
             "snmp": {"version": d.snmp_version, "port": d.snmp_port} if d.snmp_version else None,
             "cli": {"deviceType": d.cli_device_type, "port": d.cli_port} if d.cli_device_type else None,
             "ports": [{"name": p.name, "ifIndex": p.if_index, "transceiver": p.transceiver,
                        "wavelengthNm": p.wavelength_nm, "rxSensitivityDbm": p.rx_sensitivity_dbm,
                        "rxOverloadDbm": p.rx_overload_dbm} for p in d.ports]} for d in rows]
