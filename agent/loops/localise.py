"""Localising the faulty segment by loop tests: the interruption procedure (DOMAIN.md, 中断类) run along the
diagnosis's loop plan.

The plan comes from the ticket's latest triage diagnosis (province exit first where it found the
segment unclear, then the access room outwards, the customer end last); without one, the plan of an
unclear segment. Automatic mode walks it (``rules.walk``): one loop test at a time, each recorded in
the journal with its loop point, stopping at the first point where the signal does not return (or
returns degraded). The conclusion, with each point's evidence, becomes a new diagnosis (basis
``loop_test``) that supersedes the triage one. Guided mode: the same plan, one point per call, the next
point suggested.
"""
from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update

from agent import journal
from agent.db import unit_of_work
from agent.enums import JournalKind, LoopState, Role
from agent.errors import FaultlineError, LoopGuardError, NotFound
from agent.inventory.targets import resolve_circuit
from agent.loops import store
from agent.loops.errors import ServiceAffectingUnconfirmed, SharedPortUnconfirmed
from agent.loops.rules import Conclusion, Outcome, PlanPoint, PointResult, Signal, walk
from agent.loops.store import LoopRequest
from agent.models import Diagnosis, LoopLocalisation, LoopTest, Ticket
from agent.tickets import Actor

if TYPE_CHECKING:
    from agent.loops.guard import LoopGuard

log = logging.getLogger("faultline.loops")

PROVINCE_EXIT = "province_exit"
LOOP_PLAYBOOK = "loop_test"
VERDICTS = {Outcome.FAULT_SEGMENT: "loop_fault_segment", Outcome.NO_LINE_FAULT: "loop_no_line_fault",
            Outcome.INCONCLUSIVE: "loop_inconclusive"}


def _plan_from(s, ticket: Ticket) -> tuple[list[dict[str, Any]], int | None]:
    """The latest triage diagnosis's loop plan (and its id); the unclear-segment plan when there is none."""
    from diagnosis.loopplan import loop_plan

    rows = s.scalars(select(Diagnosis).where(Diagnosis.ticket_id == ticket.id).order_by(Diagnosis.id.desc())).all()
    triage = next((d for d in rows if (d.data or {}).get("basis") != LOOP_PLAYBOOK), None)
    if triage is not None and (triage.data or {}).get("loop_plan"):
        return list(triage.data["loop_plan"]), triage.id
    path = resolve_circuit(s, ticket.circuit_id).path
    points = loop_plan(path, unclear=True)
    return [PlanPoint(p.order, p.device, p.port, p.segment, str(p.site_kind), p.reason_zh, p.reason_en).as_dict()
            for p in points], triage.id if triage else None


class Localiser:
    def __init__(self, guard: LoopGuard) -> None:
        self.guard = guard
        self.services = guard.services
        self._tasks: dict[int, asyncio.Task] = {}

    # -- API ------------------------------------------------------------------------------------
    async def start(self, ticket_id: int, actor: Actor, *, guided: bool, hold_seconds: int | None,
                    confirm_shared: tuple[str, ...], authorised_by: str | None,
                    confirm_service_affecting: bool = False) -> dict[str, Any]:
        loc_id, reused = await asyncio.to_thread(self._open, ticket_id, actor, guided, confirm_shared, authorised_by,
                                                 confirm_service_affecting)
        params = dict(hold_seconds=hold_seconds, confirm_shared=confirm_shared, authorised_by=authorised_by,
                      confirm_service_affecting=confirm_service_affecting)
        if guided:
            await self._guided_step(loc_id, actor, **params)
        elif not reused:
            task = asyncio.create_task(self._auto(loc_id, actor, **params), name=f"localisation-{loc_id}")
            self._tasks[loc_id] = task
            task.add_done_callback(lambda _t, i=loc_id: self._tasks.pop(i, None))
        return await self.get(loc_id)

    async def wait(self, loc_id: int) -> dict[str, Any]:
        task = self._tasks.get(loc_id)
        if task is not None:
            await asyncio.shield(task)
        return await self.get(loc_id)

    async def get(self, loc_id: int) -> dict[str, Any]:
        return await asyncio.to_thread(self._resource, loc_id)

    # -- the walk -------------------------------------------------------------------------------
    async def _auto(self, loc_id: int, actor: Actor, **params: Any) -> None:
        try:
            while True:
                step = await asyncio.to_thread(self._next, loc_id)
                if isinstance(step, Conclusion):
                    await asyncio.to_thread(self._conclude, loc_id, step, actor)
                    return
                if not await self._loop_at(loc_id, step, actor, **params):
                    return
        except Exception:  # noqa: BLE001 - the localisation says it stopped; its loops were cleared by their jobs
            log.exception("localisation %s failed", loc_id)
            await asyncio.to_thread(self._stop, loc_id, "the localisation stopped on an internal error; see the log")

    async def _guided_step(self, loc_id: int, actor: Actor, **params: Any) -> None:
        if loc_id in self._tasks:
            raise LoopGuardError(f"the current point of localisation {loc_id} is still being tested; ask again when it ends")
        step = await asyncio.to_thread(self._next, loc_id)
        if isinstance(step, Conclusion):
            await asyncio.to_thread(self._conclude, loc_id, step, actor)
            return

        async def one() -> None:
            if await self._loop_at(loc_id, step, actor, **params):
                after = await asyncio.to_thread(self._next, loc_id)
                if isinstance(after, Conclusion):
                    await asyncio.to_thread(self._conclude, loc_id, after, actor)

        task = asyncio.create_task(one(), name=f"localisation-{loc_id}-step")
        self._tasks[loc_id] = task
        task.add_done_callback(lambda _t, i=loc_id: self._tasks.pop(i, None))
        # Answer once the loop test is registered (or refused): the caller sees it in loopTests.
        for _ in range(200):
            if task.done() or await asyncio.to_thread(self._has_loop_at, loc_id, step):
                break
            await asyncio.sleep(0.05)

    async def _loop_at(self, loc_id: int, point: PlanPoint, actor: Actor, *, hold_seconds: int | None,
                       confirm_shared: tuple[str, ...], authorised_by: str | None,
                       confirm_service_affecting: bool = False) -> bool:
        with self.services.session_factory() as s:
            ticket_id = s.get(LoopLocalisation, loc_id).ticket_id
        req = LoopRequest(point.device, point.port, "remote", hold_seconds, confirm_shared, authorised_by, loc_id,
                          confirm_service_affecting)
        try:
            await self.guard.run(ticket_id, req, actor)
        except FaultlineError as exc:
            await asyncio.to_thread(self._stop, loc_id, f"loop at {point.device} {point.port} refused: {exc}")
            return False
        return True

    # -- database (worker threads) -----------------------------------------------------------------
    def _open(self, ticket_id: int, actor: Actor, guided: bool, confirm_shared: tuple[str, ...],
              authorised_by: str | None, confirm_service_affecting: bool = False) -> tuple[int, bool]:
        now = self.services.clock.now()
        with unit_of_work(self.services.session_factory) as s:
            ticket = s.get(Ticket, ticket_id)
            if ticket is None:
                raise NotFound(f"ticket {ticket_id} not found")
            running = s.scalar(select(LoopLocalisation).where(LoopLocalisation.ticket_id == ticket_id,
                                                              LoopLocalisation.state == "running"))
            if running is not None:
                if guided and running.mode == "guided":
                    return running.id, True
                raise LoopGuardError(f"localisation {running.id} of this ticket is still running")
            plan, triage_id = _plan_from(s, ticket)
            if not plan:
                raise LoopGuardError("the diagnosis plans no loop point for this ticket")
            points = [PlanPoint.from_dict(p) for p in plan]
            if (any(p.site_kind == PROVINCE_EXIT for p in points[:1]) and actor.role not in (Role.PROVINCE, Role.ADMIN)
                    and not authorised_by):
                raise LoopGuardError("the plan starts at the province exit (the segment is unclear): that loop is the "
                                     "province's step; name who at the province authorised it (authorisedBy)")
            others = sorted({c for p in points for c in store.circuits_on_port(s, p.device, p.port) if c != ticket.circuit_id})
            missing = sorted(set(others) - set(confirm_shared))
            if missing:
                raise SharedPortUnconfirmed("the plan's", "ports", missing)
            up = None if confirm_service_affecting else store.circuit_up_evidence(s, ticket)
            if up is not None:
                raise ServiceAffectingUnconfirmed(ticket.circuit_id, up)
            loc = LoopLocalisation(ticket_id=ticket_id, circuit_id=ticket.circuit_id, mode="guided" if guided else "auto",
                                   state="running", requested_by=actor.name, authorised_by=authorised_by, started_at=now,
                                   plan=plan, supersedes_diagnosis_id=triage_id)
            s.add(loc)
            s.flush()
            order = "；".join(f"{p.order}. {p.device} {p.port}" for p in points)
            journal.append(s, ticket_id, at=now, kind=JournalKind.LOOP_REQUESTED, author=actor.name, role=actor.role.value,
                           text=f"环测定位开始（{'逐点' if guided else '自动'}），计划打环点：{order} / loop localisation "
                                f"started ({loc.mode}), planned loop points: {order}",
                           data={"localisation_id": loc.id, "plan": plan, "authorised_by": authorised_by})
            return loc.id, False

    def _results(self, s, loc: LoopLocalisation) -> list[PointResult]:
        points = {(p["device"], p["port"]): PlanPoint.from_dict(p) for p in loc.plan}
        rows = s.scalars(select(LoopTest).where(LoopTest.localisation_id == loc.id).order_by(LoopTest.id)).all()
        results = []
        for r in rows:
            if r.state in LoopState.active() and r.state != LoopState.CLEAR_FAILED:
                continue  # still running
            sig = ((r.result or {}).get("signal") or {}).get("signal")
            text = ((r.result or {}).get("signal") or {}).get("textEn") or r.error or ""
            results.append(PointResult(points[(r.device_name, r.port_name)], r.id, LoopState(r.state),
                                       Signal(sig) if sig else None, text))
        return results

    def _next(self, loc_id: int) -> PlanPoint | Conclusion:
        with self.services.session_factory() as s:
            loc = s.get(LoopLocalisation, loc_id)
            return walk([PlanPoint.from_dict(p) for p in loc.plan], self._results(s, loc))

    def _has_loop_at(self, loc_id: int, point: PlanPoint) -> bool:
        with self.services.session_factory() as s:
            return s.scalar(select(LoopTest.id).where(LoopTest.localisation_id == loc_id, LoopTest.device_name == point.device,
                                                      LoopTest.port_name == point.port)) is not None

    def _stop(self, loc_id: int, why: str) -> None:
        now = self.services.clock.now()
        with unit_of_work(self.services.session_factory) as s:
            loc = s.get(LoopLocalisation, loc_id)
            if loc.state != "running":
                return
            loc.state, loc.ended_at = "inconclusive", now
            loc.conclusion = {"outcome": Outcome.INCONCLUSIVE.value, "textEn": why, "textZh": f"环测定位中止：{why}"}
            journal.append(s, loc.ticket_id, at=now, kind=JournalKind.LOOP_LOCALISED,
                           text=f"环测定位中止 / loop localisation stopped: {why}",
                           data={"localisation_id": loc_id, "conclusion": loc.conclusion})

    def _conclude(self, loc_id: int, c: Conclusion, actor: Actor) -> None:
        now = self.services.clock.now()
        with unit_of_work(self.services.session_factory) as s:
            loc = s.get(LoopLocalisation, loc_id)
            if loc.state != "running":
                return
            results = self._results(s, loc)
            tests = {r.id: r for r in s.scalars(select(LoopTest).where(LoopTest.localisation_id == loc_id))}
            evidence = []
            for r in results:
                sig = (tests[r.loop_test_id].result or {}).get("signal") or {}
                evidence.append({"kind": "loop_test", "loop_test_id": r.loop_test_id, "order": r.point.order,
                                 "device": r.point.device, "port": r.point.port, "segment": r.point.segment,
                                 "state": r.state.value, "signal": r.signal.value if r.signal else None,
                                 "observer": {"device": tests[r.loop_test_id].observer_device,
                                              "port": tests[r.loop_test_id].observer_port},
                                 "rx_dbm": sig.get("rxDbm"), "round_trip_loss_db": sig.get("roundTripLossDb"),
                                 "text_zh": sig.get("textZh", ""), "text_en": sig.get("textEn", r.text_en)})
            conclusion = {"outcome": c.outcome.value, "segment": c.segment, "signal": c.signal.value if c.signal else None,
                          "decidingPoint": c.deciding_point.as_dict() if c.deciding_point else None,
                          "textZh": c.text_zh, "textEn": c.text_en, "points": evidence}
            verdict = VERDICTS[c.outcome]
            suspected = ([{"index": c.segment, "reason_zh": c.text_zh, "reason_en": c.text_en}]
                         if c.segment is not None else [])
            data = {"basis": LOOP_PLAYBOOK, "supersedes": loc.supersedes_diagnosis_id, "localisation_id": loc_id,
                    "circuit_id": loc.circuit_id, "summary_zh": c.text_zh, "summary_en": c.text_en,
                    "suspected_segments": suspected, "evidence": evidence, "loop_plan": [], "actions": [],
                    "made_at": now.isoformat()}
            diag = Diagnosis(ticket_id=loc.ticket_id, created_at=now, playbook=LOOP_PLAYBOOK, verdict=verdict,
                             summary=f"{c.text_zh}\n{c.text_en}", duration_ms=(now - loc.started_at).total_seconds() * 1000,
                             data=data)
            s.add(diag)
            s.flush()
            s.execute(update(LoopLocalisation).where(LoopLocalisation.id == loc_id).values(
                state="concluded" if c.outcome is not Outcome.INCONCLUSIVE else "inconclusive", ended_at=now,
                conclusion=conclusion, diagnosis_id=diag.id))
            points = "；".join(f"{e['order']}. {e['device']} {e['port']} → {e['signal'] or e['state']}" for e in evidence)
            journal.append(s, loc.ticket_id, at=now, kind=JournalKind.LOOP_LOCALISED, author=actor.name, role=actor.role.value,
                           text=f"环测定位结论：{c.text_zh}（打环点：{points}） / loop localisation: {c.text_en}",
                           data={"localisation_id": loc_id, "conclusion": conclusion, "diagnosis_id": diag.id})
            journal.append(s, loc.ticket_id, at=now, kind=JournalKind.DIAGNOSIS,
                           text=f"诊断（依据：环测，取代诊断 {loc.supersedes_diagnosis_id}）：{c.text_zh}\n"
                                f"diagnosis (basis: loop test, supersedes {loc.supersedes_diagnosis_id}): {c.text_en}",
                           data={"diagnosis_id": diag.id, "verdict": verdict, "playbook": LOOP_PLAYBOOK,
                                 "basis": LOOP_PLAYBOOK, "supersedes": loc.supersedes_diagnosis_id})

    def _resource(self, loc_id: int) -> dict[str, Any]:
        with self.services.session_factory() as s:
            loc = s.get(LoopLocalisation, loc_id)
            if loc is None:
                raise NotFound(f"localisation {loc_id} not found")
            tests = s.scalars(select(LoopTest).where(LoopTest.localisation_id == loc_id).order_by(LoopTest.id)).all()
            nxt = None
            if loc.state == "running":
                step = walk([PlanPoint.from_dict(p) for p in loc.plan], self._results(s, loc))
                nxt = step.as_dict() if isinstance(step, PlanPoint) else None
            return {"id": loc.id, "href": f"/api/v1/loop-localisations/{loc.id}", "ticketId": loc.ticket_id,
                    "circuitId": loc.circuit_id, "mode": loc.mode, "state": loc.state, "requestedBy": loc.requested_by,
                    "authorisedBy": loc.authorised_by, "startedAt": loc.started_at, "endedAt": loc.ended_at,
                    "plan": loc.plan, "loopTests": [store.resource(t) for t in tests], "nextPoint": nxt,
                    "conclusion": loc.conclusion, "diagnosisId": loc.diagnosis_id,
                    "supersedesDiagnosisId": loc.supersedes_diagnosis_id}
