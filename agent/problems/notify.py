"""Webhooks for service-problem events: one outbox row per configured URL (delivered at least once by
agent/sla/outbox.py, as the tickets' notifications), written in the transaction of the event itself.

Every event of a problem is an entry of its own journal (``store.record``); the announced kinds become
``problem.<kind>`` notifications. ``install`` hooks the session factory: after each flush the problem
journal entries just inserted are queued, so no caller can forget one and none is sent for a rolled
back change. Receivers dedupe on the key ``problem:<id>:journal:<entry id>``. URLs are configured as
for every other notification (``settings.sla.webhooks``: by kind, or "*").
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import event, insert
from sqlalchemy.orm import Session, sessionmaker

from agent.models import ProblemJournalEntry, ServiceProblem
from agent.models.sla import OutboxRow

log = logging.getLogger("faultline.problems.notify")

# journal kinds announced (alarm consequences of a trap storm are not: the problem's root alarm is)
ANNOUNCED = frozenset({"created", "acknowledged", "progress", "loop_result", "ticket_linked", "ticket_unlinked",
                       "resolution_proposed", "resolved", "alarm_root"})


def kind_of(entry: ProblemJournalEntry) -> str:
    return f"problem.{entry.kind}"


def payload(entry: ProblemJournalEntry, problem: ServiceProblem | None) -> dict[str, Any]:
    body: dict[str, Any] = {"idempotencyKey": f"problem:{entry.problem_id}:journal:{entry.id}", "kind": kind_of(entry),
                            "problemId": str(entry.problem_id), "at": entry.at.isoformat(), "text": entry.text,
                            "author": entry.author, "data": entry.data or {}}
    if problem is not None:
        body["status"] = problem.status
        body["rootCause"] = {"kind": problem.root_kind, "key": problem.root_key, "device": problem.root_device,
                             "port": problem.root_port, "farDevice": problem.far_device, "farPort": problem.far_port}
    return body


def rows_for(entries: list[ProblemJournalEntry], webhooks: dict[str, list[str]],
             problems: dict[int, ServiceProblem]) -> list[dict[str, Any]]:
    rows = []
    for entry in entries:
        if entry.kind not in ANNOUNCED:
            continue
        kind = kind_of(entry)
        urls = list(dict.fromkeys([*webhooks.get(kind, []), *webhooks.get("*", [])]))
        log.info("%s problem=%s entry=%s", kind, entry.problem_id, entry.id)
        if not urls:
            continue
        body = payload(entry, problems.get(entry.problem_id))
        ticket = (entry.data or {}).get("ticket_id")
        rows += [dict(idempotency_key=body["idempotencyKey"], kind=kind, url=url,
                      ticket_id=int(ticket) if isinstance(ticket, int | str) and str(ticket).isdigit() else None,
                      payload=body, created_at=entry.at, attempts=0, next_attempt_at=entry.at) for url in urls]
    return rows


def install(factory: sessionmaker[Session], webhooks: Callable[[], dict[str, list[str]]]) -> None:
    """Queue the announced problem journal entries of every flush of ``factory``'s sessions."""

    def after_flush(session: Session, _context) -> None:
        entries = [o for o in session.new if isinstance(o, ProblemJournalEntry)]
        if not entries:
            return
        hooks = webhooks()
        problems = {o.id: o for o in session.identity_map.values() if isinstance(o, ServiceProblem)}
        rows = rows_for(entries, hooks, problems)
        if rows:
            session.connection().execute(insert(OutboxRow.__table__), rows)

    event.listen(factory, "after_flush", after_flush)
