"""Notifications: a log line, and one outbox row per configured webhook URL (delivered by ``outbox``).

The outbox row is written in the same transaction as the change it announces (a fired milestone, a
suspension decision), so a notification exists if and only if the change was committed.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from agent.models.sla import OutboxRow
from agent.sla.model import NotificationKind

log = logging.getLogger("faultline.sla.notify")


@dataclass(frozen=True)
class Notification:
    kind: NotificationKind
    idempotency_key: str  # the same event always yields the same key
    ticket_id: int
    at: datetime
    text: str
    data: dict[str, Any] = field(default_factory=dict)

    def payload(self) -> dict[str, Any]:
        return {
            "idempotencyKey": self.idempotency_key,
            "kind": self.kind.value,
            "ticketId": self.ticket_id,
            "at": self.at.isoformat(),
            "text": self.text,
            **self.data,
        }


def webhook_urls(webhooks: dict[str, list[str]], kind: NotificationKind) -> list[str]:
    """URLs configured for ``kind`` plus the catch-all "*", without duplicates, in order."""
    urls = [*webhooks.get(kind.value, []), *webhooks.get("*", [])]
    return list(dict.fromkeys(urls))


def emit(session: Session, webhooks: dict[str, list[str]], note: Notification) -> int:
    """Log the notification and queue it for every URL; returns the number of outbox rows written."""
    return emit_many(session, webhooks, [note])


def emit_many(session: Session, webhooks: dict[str, list[str]], notes: list[Notification]) -> int:
    rows = []
    for note in notes:
        log.info("SLA %s ticket=%s key=%s: %s", note.kind.value, note.ticket_id, note.idempotency_key, note.text)
        urls = webhook_urls(webhooks, note.kind)
        if urls:
            payload = note.payload()
            rows += [dict(idempotency_key=note.idempotency_key, kind=note.kind.value, url=url,
                          ticket_id=note.ticket_id, payload=payload, created_at=note.at, attempts=0,
                          next_attempt_at=note.at) for url in urls]
    if rows:
        session.connection().execute(insert(OutboxRow.__table__), rows)
    return len(rows)
