"""The activation journal: every step of a resource check or an order, appended (never changed), and
the notifications that go upstream through the webhook outbox in the same transaction."""
from __future__ import annotations

import logging
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from agent.models import ActivationJournalEntry
from agent.models.sla import OutboxRow

log = logging.getLogger("faultline.orders")

SYSTEM = ("faultline", "system")


class Event(StrEnum):
    # resource checks
    CHECK_REQUESTED = "check_requested"
    CHECK_DISTRIBUTED = "check_distributed"
    CHECK_ANSWERED = "check_answered"
    CHECK_CHASED = "check_chased"  # 催办
    CHECK_MEASURED = "check_measured"
    CHECK_FED_BACK = "check_fed_back"
    CHECK_OVERDUE = "check_overdue"
    # orders
    ORDER_RECEIVED = "order_received"
    ORDER_CHANGED = "order_changed"  # 变更调单
    STEP_DONE = "step_done"
    STEP_WARNING = "step_warning"  # 预警
    STEP_OVERDUE = "step_overdue"  # escalated
    OVERTIME = "overtime"  # 电路超时 counted
    DELAY_FILED = "delay_filed"
    DELAY_REFUSED = "delay_refused"
    DELAY_SUBMITTED = "delay_submitted"
    DELAY_APPROVED = "delay_approved"
    DELAY_REJECTED = "delay_rejected"
    TEST_STARTED = "test_started"
    TEST_FINISHED = "test_finished"
    TEST_SIGNED = "test_signed"
    LEDGER_UPDATED = "ledger_updated"
    CIRCUIT_ADDED = "circuit_added"
    ORDER_COMPLETED = "order_completed"  # 报竣


class Notice(StrEnum):
    """Webhook kinds (settings ``sla.webhooks``: URLs per kind, "*" for all)."""

    STEP_WARNING = "order.step_warning"
    STEP_OVERDUE = "order.step_overdue"
    OVERTIME = "order.overtime"
    DELAY_REQUEST = "order.delay_request"  # up the chain to the province
    COMPLETED = "order.completed"  # the completion report (报竣) with the test reports and the ledger
    CHECK_RESULT = "check.result"


def record(session: Session, *, at: datetime, kind: Event, text: str, order_id: int | None = None,
           check_id: int | None = None, author: str = SYSTEM[0], role: str = SYSTEM[1],
           data: dict[str, Any] | None = None) -> None:
    session.add(ActivationJournalEntry(order_id=order_id, check_id=check_id, at=at, author=author, role=role,
                                       kind=kind.value, text=text, data=data))


def notify(session: Session, webhooks: dict[str, list[str]], kind: Notice, key: str, at: datetime,
           payload: dict[str, Any]) -> int:
    """One outbox row per URL configured for ``kind`` (delivered at least once by agent/sla/outbox.py)."""
    urls = list(dict.fromkeys([*webhooks.get(kind.value, []), *webhooks.get("*", [])]))
    body = {"idempotencyKey": key, "kind": kind.value, "at": at.isoformat(), **payload}
    log.info("%s %s", kind.value, key)
    if urls:
        session.execute(insert(OutboxRow), [dict(idempotency_key=key, kind=kind.value, url=url, ticket_id=None,
                                                 payload=body, created_at=at, attempts=0, next_attempt_at=at)
                                            for url in urls])
    return len(urls)
