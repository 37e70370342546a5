"""Resource checks (资源核查, source 五 售前 4; docs/orders.md): the group customer department asks, the
center distributes check items, departments answer, late answers are chased (催办), the answer is
measured on the network, and the result is fed back into the ledger (台帐)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response
from sqlalchemy import select

from agent.checks.service import CheckRequest, CheckService
from agent.errors import Unavailable
from agent.models import ActivationJournalEntry, ResourceCheck
from agent.policy import Permission
from agent.tickets import Actor
from api.deps import DB_INT_MAX, ServicesDep, SessionDep, require
from api.order_schemas import AnswerIn, CheckIn, CheckListOut, CheckOut, DistributeIn, FeedbackIn
from api.problems import responses

router = APIRouter(prefix="/api/v1/resource-checks", tags=["resource checks"], responses=responses(401, 403, 422))
CheckId = Annotated[int, Path(ge=1, le=DB_INT_MAX, description="the resource check's id")]


def _checks(services) -> CheckService:
    return services.checks


def _out(services, session, check: ResourceCheck) -> CheckOut:
    journal = session.scalars(select(ActivationJournalEntry).where(ActivationJournalEntry.check_id == check.id)
                              .order_by(ActivationJournalEntry.id)).all()
    return CheckOut.of(check, services.clock.now(), journal)


@router.post("", status_code=201, response_model=CheckOut, summary="Ask for a resource check (the same upstreamId: the same check)")
def request_check(body: CheckIn, response: Response, services: ServicesDep, session: SessionDep,
                  actor: Actor = require(Permission.CHECK_REQUEST)) -> CheckOut:
    check, created = _checks(services).request(session, CheckRequest(
        customer=body.customer, a_site=body.a_site, z_site=body.z_site, service_type=body.service_type,
        rate_mbps=body.rate_mbps, wanted_date=body.wanted_date, upstream_id=body.upstream_id,
        access_device=body.access_device, access_km=body.access_km, access_connectors=body.access_connectors,
        access_splices=body.access_splices, path=[h.model_dump(by_alias=True) for h in body.path]), actor)
    session.commit()
    if not created:
        response.status_code = 200
    return _out(services, session, _checks(services).get(session, check.id))


@router.get("", response_model=CheckListOut, summary="Resource checks, newest first")
def list_checks(services: ServicesDep, session: SessionDep, actor: Actor = require(Permission.READ)) -> CheckListOut:
    checks = session.scalars(select(ResourceCheck).order_by(ResourceCheck.id.desc()).limit(500)).all()
    now = services.clock.now()
    return CheckListOut(checks=[CheckOut.of(c, now) for c in checks])


@router.get("/{check_id}", response_model=CheckOut, responses=responses(404), summary="One check with its items and journal")
def get_check(check_id: CheckId, services: ServicesDep, session: SessionDep,
              actor: Actor = require(Permission.READ)) -> CheckOut:
    return _out(services, session, _checks(services).get(session, check_id))


@router.post("/{check_id}/distribution", response_model=CheckOut, responses=responses(404, 409),
             summary="Send the check items to the departments (分发核查单)")
def distribute(check_id: CheckId, body: DistributeIn, services: ServicesDep, session: SessionDep,
               actor: Actor = require(Permission.CHECK_MANAGE)) -> CheckOut:
    check = _checks(services).distribute(session, _checks(services).get(session, check_id), actor, body.departments)
    session.commit()
    return _out(services, session, check)


@router.post("/{check_id}/answers", response_model=CheckOut, responses=responses(404, 409),
             summary="A department's answer to its check item")
def answer(check_id: CheckId, body: AnswerIn, services: ServicesDep, session: SessionDep,
           actor: Actor = require(Permission.CHECK_ANSWER)) -> CheckOut:
    check = _checks(services).get(session, check_id)
    _checks(services).answer(session, check, body.department, body.fits, body.answer, actor)
    session.commit()
    return _out(services, session, check)


@router.post("/{check_id}/measurement", response_model=CheckOut, responses=responses(404, 503),
             summary="Read the network for the check: free port, module, path budget, uplink utilisation")
async def measure(check_id: CheckId, services: ServicesDep, actor: Actor = require(Permission.CHECK_ANSWER)) -> CheckOut:
    if services.devices is None:
        raise Unavailable("no collector in this process (the network is read where triage runs)")
    await _checks(services).measure(services.session_factory, services.devices.collector, check_id, actor)
    with services.session_factory() as session:
        return _out(services, session, _checks(services).get(session, check_id))


@router.post("/{check_id}/feedback", response_model=CheckOut, responses=responses(404, 409),
             summary="Feed the result back (fits or not, with reasons) and file the ledger row (台帐)")
def feed_back(check_id: CheckId, body: FeedbackIn, services: ServicesDep, session: SessionDep,
              actor: Actor = require(Permission.CHECK_MANAGE)) -> CheckOut:
    check = _checks(services).feed_back(session, _checks(services).get(session, check_id), actor, body.note)
    session.commit()
    return _out(services, session, check)
