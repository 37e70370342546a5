"""Webhook notifications through the persistent outbox to a real HTTP receiver on 127.0.0.1.

The receiver is down for a while (nothing listens on its address: connection refused), the agent's
sender is even replaced (a restart), then the receiver comes up: it gets every event, exactly once
per idempotency key."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from agent.models.sla import OutboxRow
from agent.settings import SlaSettings
from agent.sla import WebhookSender


@pytest.fixture
def sla_settings(endpoint) -> SlaSettings:
    host, port = endpoint
    return SlaSettings(webhooks={"*": [f"http://{host}:{port}/faultline"]}, webhook_backoff_seconds=5,
                       webhook_backoff_max_seconds=60, webhook_timeout_seconds=5)


def _make_events(sla, factory, clock, make_ticket, event):
    make_ticket("WH-1")
    b = make_ticket("WH-2")
    event(b, "signed")
    event(b, "suspension_requested")
    event(b, "suspension_approved", suspension_id=7)
    clock.advance(minutes=11)  # a: sign warning + breach
    sla.sweep(factory)
    with factory() as s:
        keys = set(s.scalars(select(OutboxRow.idempotency_key)))
    assert len(keys) == 3
    return keys


def test_receiver_down_then_up_gets_every_event_exactly_once(sla, sla_settings, factory, clock, make_ticket,
                                                             event, endpoint, webhook_receiver):
    keys = _make_events(sla, factory, clock, make_ticket, event)
    sender = WebhookSender(sla_settings)
    assert sender.deliver_due(factory, clock.now()).failed == 3  # refused: nothing listens
    clock.advance(seconds=5)
    assert sender.deliver_due(factory, clock.now()).failed == 3  # second try after 5 s, back-off now 10 s
    sender.close()
    with factory() as s:
        rows = list(s.scalars(select(OutboxRow)))
    assert {r.attempts for r in rows} == {2} and all(r.delivered_at is None for r in rows)
    assert all("Connect" in (r.last_error or "") for r in rows)

    receiver = webhook_receiver(*endpoint)
    try:
        restarted = WebhookSender(sla_settings)  # the agent restarted in between: the outbox is in the database
        assert restarted.deliver_due(factory, clock.now()).delivered == 0  # back-off not over yet
        clock.advance(seconds=10)
        stats = restarted.deliver_due(factory, clock.now())
        assert (stats.delivered, stats.failed) == (3, 0)
        clock.advance(hours=1)
        assert restarted.deliver_due(factory, clock.now()).delivered == 0
        restarted.close()
    finally:
        receiver.stop()
    assert set(receiver.posts) == keys and set(receiver.posts.values()) == {1}
    assert {b["kind"] for b in receiver.processed.values()} == {"sla.warning", "sla.breach", "suspension.approved"}
    with factory() as s:
        assert all(r.delivered_at is not None and r.next_attempt_at is None for r in s.scalars(select(OutboxRow)))


def test_lost_acknowledgement_is_retried_and_deduped_by_the_idempotency_key(sla, sla_settings, factory, clock,
                                                                           make_ticket, event, endpoint, webhook_receiver):
    keys = _make_events(sla, factory, clock, make_ticket, event)
    receiver = webhook_receiver(*endpoint, fail_first=True)
    try:
        sender = WebhookSender(sla_settings)
        assert sender.deliver_due(factory, clock.now()).failed == 3
        clock.advance(seconds=5)
        assert sender.deliver_due(factory, clock.now()).delivered == 3
        sender.close()
    finally:
        receiver.stop()
    assert set(receiver.posts.values()) == {2}  # at least once on the wire ...
    assert set(receiver.processed) == keys  # ... exactly once per idempotency key at the receiver


def test_escalation_report_due_and_rejection_are_delivered_once_each_after_the_receiver_was_down(
        sla, sla_settings, factory, clock, make_ticket, event, endpoint, webhook_receiver):
    a = make_ticket("WH-3")
    event(a, "signed")
    event(a, "suspension_requested")
    event(a, "suspension_rejected", suspension_id=3)  # suspension.rejected: the clocks keep running
    b = make_ticket("WH-4")
    event(b, "signed")
    clock.advance(minutes=1)
    event(b, "resolved")  # sla.report_due at the next sweep
    clock.advance(minutes=120)  # a: 121 min of fault time -> escalation level 1 (and missed progress)
    sla.sweep(factory)
    with factory() as s:
        queued = {r.idempotency_key: r.kind for r in s.scalars(select(OutboxRow))}
    wanted = {f"ticket-{a}:suspension.rejected:3": "suspension.rejected",
              f"ticket-{a}:escalation_l1:0:escalation": "sla.escalation",
              f"ticket-{b}:report:0:report_due": "sla.report_due"}
    assert wanted.items() <= queued.items()

    sender = WebhookSender(sla_settings)
    assert sender.deliver_due(factory, clock.now()).failed == len(queued)  # receiver down: refused
    clock.advance(seconds=5)
    assert sender.deliver_due(factory, clock.now()).failed == len(queued)
    sender.close()
    receiver = webhook_receiver(*endpoint)
    try:
        restarted = WebhookSender(sla_settings)  # agent restarted while the receiver was down
        clock.advance(seconds=10)
        assert restarted.deliver_due(factory, clock.now()).delivered == len(queued)
        clock.advance(hours=2)
        assert restarted.deliver_due(factory, clock.now()).delivered == 0
        restarted.close()
    finally:
        receiver.stop()
    assert dict(receiver.posts) == {key: 1 for key in queued}  # every event once per idempotency key
    assert {k: receiver.processed[k]["kind"] for k in wanted} == wanted
    assert receiver.processed[f"ticket-{b}:report:0:report_due"]["reportDueAt"] == "2026-03-04T16:00:00+00:00"
    assert receiver.processed[f"ticket-{a}:escalation_l1:0:escalation"]["contacts"] == \
        SlaSettings().escalation_contacts["default"].level1
