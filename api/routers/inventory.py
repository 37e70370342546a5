"""Inventory: import (admin), export without credentials, circuits and devices for reading."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from starlette.concurrency import run_in_threadpool

from agent.errors import UnknownCircuit
from agent.inventory import dump_yaml, export_inventory, import_inventory
from agent.models import Circuit, Device
from agent.policy import Permission
from agent.tickets import Actor
from api.deps import CircuitId, SessionDep, require
from api.problems import responses
from api.schemas import CircuitOut, DeviceOut, ImportOut

router = APIRouter(prefix="/api/v1", tags=["inventory"], responses=responses(401, 403))


@router.post("/inventory:import", response_model=ImportOut, responses=responses(422),
             openapi_extra={"requestBody": {"required": True, "description": "docs/inventory-format.md", "content": {
                 "application/yaml": {"schema": {"type": "string"}}, "application/json": {"schema": {"type": "object"}}}}},
             summary="Import an inventory (YAML or JSON body); nothing is written on any error")
async def import_(request: Request, actor: Actor = require(Permission.INVENTORY_IMPORT)) -> ImportOut:
    raw = await request.body()  # at most 20 MB: api/limits.py refuses a larger body with 413 while it arrives
    factory = request.app.state.services.session_factory

    def work() -> dict[str, int]:
        with factory() as session:
            counts = import_inventory(session, raw)
            session.commit()
            return counts

    return ImportOut(imported=await run_in_threadpool(work), by=actor.name)


@router.get("/inventory:export", response_class=PlainTextResponse,
            responses={200: {"description": "the inventory file (docs/inventory-format.md), credentials omitted",
                             "content": {"application/yaml": {"schema": {"type": "string"}}}}},
            summary="The inventory as YAML, credentials omitted")
def export(session: SessionDep, actor: Actor = require(Permission.READ)) -> PlainTextResponse:
    return PlainTextResponse(dump_yaml(export_inventory(session, include_secrets=False)), media_type="application/yaml")


@router.get("/circuits", response_model=list[CircuitOut], summary="Circuits with their paths")
def circuits(session: SessionDep, actor: Actor = require(Permission.READ)) -> list[CircuitOut]:
    rows = session.scalars(select(Circuit).options(selectinload(Circuit.segments)).order_by(Circuit.id))
    return [CircuitOut.of(c) for c in rows]


@router.get("/circuits/{circuit_id}", response_model=CircuitOut, responses=responses(404, 422),
            summary="One circuit with its path")
def circuit(circuit_id: CircuitId, session: SessionDep, actor: Actor = require(Permission.READ)) -> CircuitOut:
    c = session.get(Circuit, circuit_id)
    if c is None:
        raise UnknownCircuit(f"circuit {circuit_id} is not in the inventory")
    return CircuitOut.of(c)


@router.get("/devices", response_model=list[DeviceOut], summary="Devices and ports (no credentials)")
def devices(session: SessionDep, actor: Actor = require(Permission.READ)) -> list[DeviceOut]:
    rows = session.scalars(select(Device).options(selectinload(Device.ports)).order_by(Device.name))
    return [DeviceOut.of(d) for d in rows]
