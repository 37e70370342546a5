"""Planned cutovers (割接): registered by duty staff, approved by the province (or an admin); triage
treats faults inside an approved window on an affected circuit as planned, not new."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from agent import cutovers
from agent.policy import Permission, may
from agent.tickets import Actor
from api.deps import CutoverId, SessionDep, require

router = APIRouter(prefix="/api/v1/cutovers", tags=["cutovers"])


class CutoverCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reference: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:/\-]+$")
    description: str = Field("", max_length=4000)
    circuits: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(min_length=1, max_length=500)
    start: AwareDatetime
    end: AwareDatetime
    approved: bool = Field(False, description="already approved: only the province or an admin may say so")


@router.post("", status_code=201, summary="Register a planned cutover window on the circuits it affects")
def register(body: CutoverCreate, request: Request, session: SessionDep,
             actor: Actor = require(Permission.CUTOVER_REGISTER)) -> dict[str, Any]:
    if body.approved and not may(actor.role, Permission.CUTOVER_APPROVE):
        raise HTTPException(403, "only the province or an admin approves a cutover")
    row = cutovers.register(session, cutovers.CutoverIn(
        reference=body.reference, starts_at=body.start, ends_at=body.end, circuits=tuple(body.circuits),
        description=body.description, approved=body.approved), actor, request.app.state.services.clock.now())
    session.commit()
    return cutovers.cutover_out(row)


@router.post("/{cutover_id}/approve", summary="Approve a registered cutover (province or admin)")
def approve(cutover_id: CutoverId, request: Request, session: SessionDep,
            actor: Actor = require(Permission.CUTOVER_APPROVE)) -> dict[str, Any]:
    row = cutovers.approve(session, cutover_id, actor, request.app.state.services.clock.now())
    session.commit()
    return cutovers.cutover_out(row)


@router.get("", summary="Cutovers, optionally of one circuit and/or active at a moment")
def listing(session: SessionDep, actor: Actor = require(Permission.READ),
            circuit: Annotated[str | None, Query(max_length=64)] = None,
            active_at: Annotated[datetime | None, Query(alias="activeAt")] = None) -> list[dict[str, Any]]:
    if active_at is not None and active_at.tzinfo is None:
        raise HTTPException(422, "activeAt needs a timezone")
    return [cutovers.cutover_out(r) for r in cutovers.listing(session, circuit=circuit, active_at=active_at)]


@router.get("/{cutover_id}", summary="One cutover")
def one(cutover_id: CutoverId, session: SessionDep, actor: Actor = require(Permission.READ)) -> dict[str, Any]:
    return cutovers.cutover_out(cutovers.get(session, cutover_id))
