"""Webhook delivery from the outbox: at least once, with exponential back-off, nothing lost.

Each due row is first leased (an UPDATE guarded by the ``next_attempt_at`` value just read, committed
before any HTTP traffic), so two delivering processes never post the same row at the same moment and
no database lock is held while a receiver is slow. A process that dies mid-post leaves the lease to
expire and the row is posted again: receivers dedupe on the ``Idempotency-Key`` header.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from agent.models.sla import OutboxRow
from agent.sla.errors import WebhookError

log = logging.getLogger("faultline.sla.outbox")

LEASE = timedelta(minutes=2)


@dataclass(frozen=True)
class DeliveryStats:
    delivered: int
    failed: int


def backoff(attempts: int, base_seconds: float, max_seconds: float) -> timedelta:
    """Delay before the next try after ``attempts`` failed ones: base, 2 base, 4 base, ... capped."""
    return timedelta(seconds=min(max_seconds, base_seconds * 2 ** max(0, attempts - 1)))


class WebhookSender:
    """Posts outbox rows as JSON with an ``Idempotency-Key`` header; 2xx is success, anything else retries."""

    def __init__(self, sla_settings, client: httpx.Client | None = None) -> None:
        self.cfg = sla_settings
        self._client = client or httpx.Client(timeout=sla_settings.webhook_timeout_seconds)

    def close(self) -> None:
        self._client.close()

    def post(self, row: OutboxRow) -> int:
        try:
            resp = self._client.post(
                row.url, json=row.payload,
                headers={"Idempotency-Key": row.idempotency_key, "X-Faultline-Event": row.kind},
            )
        except httpx.HTTPError as exc:
            raise WebhookError(row.url, f"{type(exc).__name__}: {exc}") from exc
        if not 200 <= resp.status_code < 300:
            raise WebhookError(row.url, f"HTTP {resp.status_code}")
        return resp.status_code

    def deliver_due(self, factory: sessionmaker[Session], now: datetime, limit: int = 100) -> DeliveryStats:
        """Try every row due at ``now`` (at most ``limit``) once."""
        with factory() as session:
            due = session.execute(
                select(OutboxRow.id, OutboxRow.next_attempt_at)
                .where(OutboxRow.next_attempt_at <= now)
                .order_by(OutboxRow.next_attempt_at, OutboxRow.id)
                .limit(limit)
            ).all()
        delivered = failed = 0
        for row_id, seen in due:
            row = self._lease(factory, row_id, seen, now)
            if row is None:
                continue  # another process took it
            try:
                status = self.post(row)
            except WebhookError as exc:
                failed += 1
                self._record(factory, row_id, now, error=exc.reason, attempts=row.attempts)
                log.warning("webhook %s for %s failed (attempt %d): %s", row.url, row.idempotency_key,
                            row.attempts, exc.reason)
            else:
                delivered += 1
                self._record(factory, row_id, now, status=status, attempts=row.attempts)
        return DeliveryStats(delivered, failed)

    def _lease(self, factory, row_id: int, seen: datetime, now: datetime) -> OutboxRow | None:
        with factory() as session:
            won = session.execute(
                update(OutboxRow)
                .where(OutboxRow.id == row_id, OutboxRow.next_attempt_at == seen)
                .values(next_attempt_at=now + LEASE, attempts=OutboxRow.attempts + 1)
                .execution_options(synchronize_session=False)
            ).rowcount
            if won != 1:
                session.rollback()
                return None
            session.commit()
            return session.get(OutboxRow, row_id)

    def _record(self, factory, row_id: int, now: datetime, *, attempts: int, status: int | None = None,
                error: str | None = None) -> None:
        with factory() as session:
            if error is None:
                values = dict(delivered_at=now, next_attempt_at=None, last_status=status, last_error=None)
            else:
                delay = backoff(attempts, self.cfg.webhook_backoff_seconds, self.cfg.webhook_backoff_max_seconds)
                values = dict(next_attempt_at=now + delay, last_error=error[:1000])
            session.execute(update(OutboxRow).where(OutboxRow.id == row_id).values(**values)
                            .execution_options(synchronize_session=False))
            session.commit()
