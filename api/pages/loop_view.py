"""The loop-test panel's data (api/templates/loops.html): the loop points of the latest triage
diagnosis's plan, each loop test of the ticket with its states, the latest localisation, and what the
user may press now (agent.policy: ``LOOP_TEST`` for a loop, its cancel and a retried clear,
``LOOP_LOCALISE`` for the localisation). The routes are in api/pages/loops.py."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.enums import LoopState, TicketStatus
from agent.loops import store as loop_store
from agent.loops.localise import LOOP_PLAYBOOK
from agent.models import LoopLocalisation, Ticket
from agent.policy import Permission, may
from api.deps import PageUser

STEPS = ("requested", "setting", "set", "measuring", "clearing", "cleared")
WORKED = (TicketStatus.IN_PROGRESS.value, TicketStatus.REOPENED.value)  # the guard loops only these
ACTIVE = {s.value for s in LoopState.active()}


def _plan(diagnoses: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The loop plan of the latest triage diagnosis (a localisation's own diagnosis plans nothing)."""
    for d in reversed(diagnoses):
        if d.get("basis") != LOOP_PLAYBOOK and d.get("playbook") != LOOP_PLAYBOOK and d.get("loop_plan"):
            return list(d["loop_plan"])
    return []


def loop_panel(services, session: Session, ticket: Ticket, diagnoses: list[dict[str, Any]], user: PageUser) -> dict[str, Any]:
    """What the panel draws: plan points (with the other circuits of a shared port), loop tests, the
    latest localisation, what the user may press now, and whether the panel keeps refreshing."""
    tests = loop_store.loop_tests_of(session, ticket.id)
    busy = any(t["active"] for t in tests)
    points = []
    for p in _plan(diagnoses):
        others = [c for c in loop_store.circuits_on_port(session, p["device"], p["port"]) if c != ticket.circuit_id]
        done = [t for t in tests if t["loopPoint"] == {"device": p["device"], "port": p["port"]}]
        points.append({**p, "shared": others, "last": done[-1] if done else None})
    loc = session.scalar(select(LoopLocalisation).where(LoopLocalisation.ticket_id == ticket.id)
                         .order_by(LoopLocalisation.id.desc()).limit(1))
    localisation = None if loc is None else {
        "id": loc.id, "mode": loc.mode, "state": loc.state, "requestedBy": loc.requested_by,
        "authorisedBy": loc.authorised_by, "startedAt": loc.started_at, "endedAt": loc.ended_at,
        "conclusion": loc.conclusion, "diagnosisId": loc.diagnosis_id, "tests": [t for t in tests if t["localisationId"] == loc.id]}
    available = services.loops is not None
    workable = ticket.status in WORKED
    role = user.actor.role
    return {
        "ticket_id": ticket.id, "points": points, "tests": list(reversed(tests)), "localisation": localisation,
        "available": available, "workable": workable, "busy": busy,
        "may_loop": available and workable and may(role, Permission.LOOP_TEST),
        "may_localise": available and workable and may(role, Permission.LOOP_LOCALISE),
        "may_cancel": available and may(role, Permission.LOOP_TEST),
        "shared_all": sorted({c for p in points for c in p["shared"]}),
        # refresh while something runs on its own: a loop, or an automatic localisation (a guided one
        # waits for the engineer between its points, with no loop active)
        "live": busy or (localisation is not None and localisation["state"] == "running" and localisation["mode"] == "auto"),
        "max_hold": services.settings.loop_max_hold_seconds, "steps": STEPS, "active_states": ACTIVE,
    }
