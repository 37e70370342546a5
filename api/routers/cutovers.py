"""Planned cutovers (割接): registered by duty staff, approved by the province (or an admin); triage
treats faults inside an approved window on an affected circuit as planned, not new."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request

from agent import cutovers
from agent.policy import Permission, may
from agent.tickets import Actor
from api.deps import CutoverId, SessionDep, require
from api.problems import responses
from api.report_schemas import (  # the approval chain's models (kept apart from api/schemas/)
    CustomerConsent,
    CutoverApplication,
    CutoverChainOut,
    InternationalDecision,
    PlanReview,
)
from api.schemas import CutoverCreate, CutoverOut

router = APIRouter(prefix="/api/v1/cutovers", tags=["cutovers"], responses=responses(401, 403, 422))


@router.post("", status_code=201, response_model=CutoverOut,
             summary="Register a planned cutover window on the circuits it affects")
def register(body: CutoverCreate, request: Request, session: SessionDep,
             actor: Actor = require(Permission.CUTOVER_REGISTER)) -> CutoverOut:
    if body.approved and not may(actor.role, Permission.CUTOVER_APPROVE):
        raise HTTPException(403, "only the province or an admin approves a cutover")
    row = cutovers.register(session, cutovers.CutoverIn(
        reference=body.reference, starts_at=body.start, ends_at=body.end, circuits=tuple(body.circuits),
        description=body.description, approved=body.approved), actor, request.app.state.services.clock.now())
    session.commit()
    return CutoverOut.of(row)


@router.post("/{cutover_id}/approve", response_model=CutoverOut, responses=responses(404),
             summary="Approve a registered cutover (province or admin)")
def approve(cutover_id: CutoverId, request: Request, session: SessionDep,
            actor: Actor = require(Permission.CUTOVER_APPROVE)) -> CutoverOut:
    row = cutovers.approve(session, cutover_id, actor, request.app.state.services.clock.now())
    session.commit()
    return CutoverOut.of(row)


@router.get("", response_model=list[CutoverOut], summary="Cutovers, optionally of one circuit and/or active at a moment")
def listing(session: SessionDep, actor: Actor = require(Permission.READ),
            circuit: Annotated[str | None, Query(max_length=64)] = None,
            active_at: Annotated[datetime | None, Query(alias="activeAt")] = None) -> list[CutoverOut]:
    if active_at is not None and active_at.tzinfo is None:
        raise HTTPException(422, "activeAt needs a timezone")
    return [CutoverOut.of(r) for r in cutovers.listing(session, circuit=circuit, active_at=active_at)]


@router.get("/{cutover_id}", response_model=CutoverOut, responses=responses(404), summary="One cutover")
def one(cutover_id: CutoverId, session: SessionDep, actor: Actor = require(Permission.READ)) -> CutoverOut:
    return CutoverOut.of(cutovers.get(session, cutover_id))


# --- the approval chain (割接审批), issue 16 -----------------------------------------------------
def _chain(session, row) -> CutoverChainOut:
    return CutoverChainOut.of(row, cutovers.decisions(session, row.id), cutovers.next_step(row))


@router.post("/applications", status_code=201, response_model=CutoverChainOut, responses=responses(409),
             summary="The branch applies for a cutover (the approval chain's first step)")
def apply(body: CutoverApplication, request: Request, session: SessionDep,
          actor: Actor = require(Permission.CUTOVER_REGISTER)) -> CutoverChainOut:
    row = cutovers.register(session, cutovers.CutoverIn(
        reference=body.reference, starts_at=body.start, ends_at=body.end, circuits=tuple(body.circuits),
        description=body.description, branch=body.branch,
        elements=tuple((e.device, e.port) for e in body.elements)), actor, request.app.state.services.clock.now())
    session.commit()
    return _chain(session, row)


@router.post("/{cutover_id}/impact-assessment", response_model=CutoverChainOut, responses=responses(404, 409),
             summary="Province: are enterprise customers affected? (from the inventory: circuits over the elements)")
def assess(cutover_id: CutoverId, request: Request, session: SessionDep,
           actor: Actor = require(Permission.CUTOVER_ASSESS)) -> CutoverChainOut:
    row = cutovers.assess_impact(session, cutover_id, actor, request.app.state.services.clock.now())
    session.commit()
    return _chain(session, row)


@router.post("/{cutover_id}/plan-review", response_model=CutoverChainOut, responses=responses(404, 409),
             summary="Province customer response center: review the customer-impact plan")
def plan_review(cutover_id: CutoverId, body: PlanReview, request: Request, session: SessionDep,
                actor: Actor = require(Permission.CUTOVER_REVIEW_PLAN)) -> CutoverChainOut:
    row = cutovers.review_plan(session, cutover_id, actor, request.app.state.services.clock.now(),
                               approved=body.approved, international=body.international, note=body.note)
    session.commit()
    return _chain(session, row)


@router.post("/{cutover_id}/international-decision", response_model=CutoverChainOut, responses=responses(404, 409),
             summary="The group's international customer service decision on an international circuit")
def international(cutover_id: CutoverId, body: InternationalDecision, request: Request, session: SessionDep,
                  actor: Actor = require(Permission.CUTOVER_INTERNATIONAL)) -> CutoverChainOut:
    row = cutovers.international_decision(session, cutover_id, actor, request.app.state.services.clock.now(),
                                          approved=body.approved, approver=body.approver, note=body.note)
    session.commit()
    return _chain(session, row)


@router.post("/{cutover_id}/customer-consent", response_model=CutoverChainOut, responses=responses(404, 409),
             summary="The customer's consent or refusal, as the customer manager reports it")
def consent(cutover_id: CutoverId, body: CustomerConsent, request: Request, session: SessionDep,
            actor: Actor = require(Permission.CUTOVER_CONSENT)) -> CutoverChainOut:
    row = cutovers.customer_consent(session, cutover_id, actor, request.app.state.services.clock.now(),
                                    consented=body.consented, customer_manager=body.customer_manager,
                                    customer_person=body.customer_person, note=body.note)
    session.commit()
    return _chain(session, row)


@router.get("/{cutover_id}/chain", response_model=CutoverChainOut, responses=responses(404),
            summary="The approval chain of a cutover: its state, every decision, the next step")
def chain(cutover_id: CutoverId, session: SessionDep, actor: Actor = require(Permission.READ)) -> CutoverChainOut:
    return _chain(session, cutovers.get(session, cutover_id))
