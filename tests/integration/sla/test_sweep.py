"""The sweep on a real database: each due milestone fires exactly once (journal + outbox), also across
restarts and a crash mid-sweep; escalation contacts per branch; overdue and upcoming queries."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from agent.models import JournalEntry, Participant
from agent.models.sla import OutboxRow, SlaClockRow, SlaFiredRow
from agent.settings import EscalationContacts, SlaSettings
from agent.sla import ClockKind, MilestoneKind, SlaEngine


def journal_kinds(factory, ticket_id):
    with factory() as s:
        return list(s.scalars(select(JournalEntry.kind).where(JournalEntry.ticket_id == ticket_id,
                                                               JournalEntry.kind.like("sla_%"))
                              .order_by(JournalEntry.id)))


def count(factory, model, **where):
    with factory() as s:
        stmt = select(func.count()).select_from(model)
        for k, v in where.items():
            stmt = stmt.where(getattr(model, k) == v)
        return s.scalar(stmt)


def test_rule1_sign_warning_then_breach_fire_once_each(sla, factory, clock, make_ticket, caplog):
    caplog.set_level("INFO", logger="faultline.sla.notify")
    tid = make_ticket("UP-1")
    clock.advance(minutes=5)
    assert sla.sweep(factory) == []  # exactly at the 5 min target: not passed yet
    clock.advance(seconds=1)
    fired = sla.sweep(factory)
    assert [(f.clock, f.milestone) for f in fired] == [(ClockKind.SIGN, MilestoneKind.WARNING)]
    assert sla.sweep(factory) == []  # same instant again: nothing
    clock.advance(minutes=5)
    assert [(f.clock, f.milestone) for f in sla.sweep(factory)] == [(ClockKind.SIGN, MilestoneKind.BREACH)]
    assert journal_kinds(factory, tid) == ["sla_warning", "sla_breach"]
    assert count(factory, OutboxRow, ticket_id=tid) == 2
    lines = [r.getMessage() for r in caplog.records if r.name == "faultline.sla.notify"]
    assert len(lines) == 2 and "sla.warning" in lines[0] and "sla.breach" in lines[1]  # and a log line each
    with factory() as s:
        row = s.scalar(select(SlaClockRow).where(SlaClockRow.ticket_id == tid, SlaClockRow.kind == "sign"))
        assert row.state == "breached" and row.next_due_at is None


def test_rule1_signed_in_time_fires_nothing(sla, factory, clock, make_ticket, event):
    tid = make_ticket("UP-2")
    clock.advance(minutes=3)
    event(tid, "signed")
    clock.advance(minutes=20)
    assert [f for f in sla.sweep(factory) if f.clock is ClockKind.SIGN] == []
    assert "sla_breach" not in journal_kinds(factory, tid)


def test_rule7_escalation_fires_once_across_an_agent_restart(settings, factory, clock, make_ticket, event):
    first = SlaEngine(settings, clock, worker_id="agent-before-restart")
    tid = make_ticket("UP-3")
    event(tid, "signed")
    event(tid, "progress")
    clock.advance(minutes=121)
    fired = first.sweep(factory)
    assert (ClockKind.ESCALATION_L1, MilestoneKind.ESCALATION) in [(f.clock, f.milestone) for f in fired]
    # the agent restarts: new engine, new connection pool, same database
    from agent.db import make_engine, make_session_factory

    engine2 = make_engine(settings.database_url)
    try:
        again = SlaEngine(settings, clock, worker_id="agent-after-restart").sweep(make_session_factory(engine2))
    finally:
        engine2.dispose()
    assert [f for f in again if f.clock is ClockKind.ESCALATION_L1] == []
    assert journal_kinds(factory, tid).count("sla_escalation") == 1
    assert count(factory, SlaFiredRow, ticket_id=tid, clock="escalation_l1") == 1
    with factory() as s:
        leaders = list(s.scalars(select(Participant.name).where(Participant.ticket_id == tid,
                                                                Participant.party_role == "escalated_leader")))
    assert leaders == SlaSettings().escalation_contacts["default"].level1  # rule 8: recorded


def test_a_crash_before_commit_loses_nothing_and_refires_once(settings, factory, clock, make_ticket):
    tid = make_ticket("UP-4")
    clock.advance(minutes=6)

    def crashing_journal(*a, **kw):
        raise RuntimeError("power cut in the middle of the sweep")

    with pytest.raises(RuntimeError):
        SlaEngine(settings, clock, journal=crashing_journal).sweep(factory)
    assert count(factory, SlaFiredRow, ticket_id=tid) == 0  # claim rolled back with the rest
    fired = SlaEngine(settings, clock).sweep(factory)
    assert [(f.clock, f.milestone) for f in fired] == [(ClockKind.SIGN, MilestoneKind.WARNING)]
    assert journal_kinds(factory, tid) == ["sla_warning"]


def test_rule7_escalation_contacts_per_branch(db_url, clock):
    from agent.db import make_engine, make_session_factory
    from agent.models import Circuit, Customer, Ticket
    from agent.settings import Settings

    settings = Settings(database_url=db_url, sla=SlaSettings(escalation_contacts={
        "default": EscalationContacts(level1=["Director Default"], level2=["GM Default"]),
        "Dongli": EscalationContacts(level1=["Director Wang (东丽)"], level2=["Deputy GM Li (东丽)"]),
    }))
    sla = SlaEngine(settings, clock)
    engine = make_engine(db_url)
    factory = make_session_factory(engine)
    try:
        with factory() as s:
            s.add(Customer(id="CU-1", name="Acme"))
            s.add(Circuit(id="C-DL", customer_id="CU-1", service_type="sdh", rate_mbps=2, lead_office="Dongli"))
            now = clock.now()
            t = Ticket(external_id="UP-DL", kind="interruption", symptom="down", circuit_id="C-DL",
                       status="acknowledged", status_changed_at=now, reported_at=now, created_at=now, updated_at=now)
            s.add(t)
            s.flush()
            sla.on_ticket_event(s, t, "created", now)
            s.commit()
            tid = t.id
        clock.advance(minutes=181)
        sla.sweep(factory)
        with factory() as s:
            entries = {j.data["clock"]: j.data for j in s.scalars(
                select(JournalEntry).where(JournalEntry.ticket_id == tid, JournalEntry.kind == "sla_escalation"))}
        assert entries["escalation_l1"]["contacts"] == ["Director Wang (东丽)"]
        assert entries["escalation_l2"]["contacts"] == ["Deputy GM Li (东丽)"]
        assert entries["escalation_l2"]["branch"] == "Dongli"
    finally:
        engine.dispose()


def test_rule6_suspension_pauses_the_sweep_and_decisions_are_notified(sla, factory, clock, make_ticket, event):
    tid = make_ticket("UP-5")
    event(tid, "signed")
    clock.advance(minutes=100)
    assert len([f for f in sla.sweep(factory) if f.clock is ClockKind.PROGRESS]) == 3  # missed at 30/60/90
    event(tid, "progress")
    event(tid, "suspension_requested")
    event(tid, "suspension_rejected", suspension_id=1)
    event(tid, "suspension_requested")
    event(tid, "suspension_approved", suspension_id=2)
    clock.advance(hours=5)
    fired = sla.sweep(factory)
    assert [f for f in fired if f.clock in (ClockKind.ESCALATION_L1, ClockKind.PROGRESS)] == []
    event(tid, "resumed")
    clock.advance(minutes=20)
    assert [f for f in sla.sweep(factory) if f.milestone is MilestoneKind.ESCALATION] == []  # exactly 120: in time
    clock.advance(seconds=1)
    assert [f.clock for f in sla.sweep(factory) if f.milestone is MilestoneKind.ESCALATION] == [ClockKind.ESCALATION_L1]
    with factory() as s:
        kinds = list(s.scalars(select(OutboxRow.kind).where(OutboxRow.ticket_id == tid).order_by(OutboxRow.id)))
    assert [k for k in kinds if k.startswith("suspension.")] == ["suspension.rejected", "suspension.approved"]


def test_overdue_and_upcoming_queries(sla, factory, clock, make_ticket, event):
    late = make_ticket("UP-6")
    clock.advance(minutes=8)
    fresh = make_ticket("UP-7")
    clock.advance(minutes=3)  # late: 11 min unsigned; fresh: 3 min
    sla.sweep(factory)
    now = clock.now()
    with factory() as s:
        overdue = set(s.scalars(sla.overdue_ticket_ids_query(now)))
        board = sla.upcoming(s, now, timedelta(minutes=15))
    assert late in overdue and fresh not in overdue
    sign_fresh = [u for u in board if u.ticket_id == fresh and u.clock is ClockKind.SIGN]
    assert sign_fresh and sign_fresh[0].remaining_seconds == 7 * 60
    event(late, "signed")
    with factory() as s:
        assert late not in set(s.scalars(sla.overdue_ticket_ids_query(clock.now())))


def test_a_ticket_from_before_the_sla_engine_gets_its_clocks_from_its_creation(sla, factory, clock, event):
    from agent.models import Ticket

    created = clock.now()
    with factory() as s:
        t = Ticket(external_id="OLD-1", kind="interruption", symptom="down", circuit_id="C-1", status="acknowledged",
                   status_changed_at=created, reported_at=created, created_at=created, updated_at=created)
        s.add(t)
        s.commit()
        tid = t.id
    clock.advance(minutes=12)
    event(tid, "signed")  # no "created" was ever reported: must not fail the lifecycle action
    with factory() as s:
        views = {v.kind: v for v in sla.clocks_for(s, tid, clock.now())}
    assert views[ClockKind.SIGN].started_at == created and views[ClockKind.SIGN].breached_at == created + timedelta(minutes=10)
    assert views[ClockKind.SIGN].met_at == clock.now()


def test_a_history_that_cannot_be_replayed_is_set_aside_not_retried_forever(sla, factory, clock, make_ticket, caplog):
    from agent.models.sla import SlaEventRow

    tid = make_ticket("BAD-1")
    with factory() as s:  # corrupt the history: drop its "created"
        s.query(SlaEventRow).filter_by(ticket_id=tid).delete()
        s.add(SlaEventRow(ticket_id=tid, kind="signed", at=clock.now()))
        s.commit()
    clock.advance(minutes=11)
    assert sla.sweep(factory) == []
    assert "cannot be replayed" in caplog.text
    with factory() as s:
        due_now = select(func.count()).select_from(SlaClockRow).where(
            SlaClockRow.ticket_id == tid, SlaClockRow.next_due_at < clock.now())
        assert s.scalar(due_now) == 0  # not picked up again by every following sweep


def test_the_sweep_finds_due_clocks_through_the_next_due_index(tmp_path, clock):
    """SQLite's plan for the sweep's query searches ix_sla_clock_next_due_at: no scan of every clock."""
    from sqlalchemy import text

    from agent.db import make_engine
    from agent.migrate import upgrade
    from agent.sla.sweep import due_clocks_query

    url = f"sqlite:///{tmp_path / 'plan.db'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        stmt = due_clocks_query(clock.now(), 500, postgres=False)
        sql = str(stmt.compile(engine, compile_kwargs={"literal_binds": True}))
        with engine.connect() as conn:
            plan = " ".join(str(r[-1]) for r in conn.execute(text("EXPLAIN QUERY PLAN " + sql)))
    finally:
        engine.dispose()
    assert "USING INDEX ix_sla_clock_next_due_at" in plan and "SCAN sla_clock" not in plan, plan


def test_rule4_the_sweep_replays_from_the_progress_checkpoint_and_a_backdated_event_voids_it(
        sla, factory, clock, make_ticket, event, caplog):
    from agent.models.sla import SlaEventRow
    from agent.sla import store

    tid = make_ticket("CP-1")
    event(tid, "signed")
    for _ in range(5):
        clock.advance(minutes=29)
        event(tid, "progress")
    last = clock.now()
    with factory() as s:
        events, mark = store.resumable_histories(s, [tid])[tid]
    assert (mark.at, mark.seq, mark.events) == (last, 5, 7)  # created, signed, 5 progress entries
    assert [e.kind.value for e in events] == ["created", "signed"]  # no progress entry re-read
    clock.advance(minutes=31)
    fired = [(f.clock, f.seq, f.milestone) for f in sla.sweep(factory) if f.clock is ClockKind.PROGRESS]
    assert fired == [(ClockKind.PROGRESS, 5, MilestoneKind.BREACH)]
    assert sla.sweep(factory) == []
    with factory() as s:
        assert store.resumable_histories(s, [tid])[tid][1].at == last  # the sweep kept the checkpoint
    with factory() as s:  # a progress entry committed late with an earlier time (another process)
        s.add(SlaEventRow(ticket_id=tid, kind="progress", at=last - timedelta(minutes=10)))
        s.commit()
        events, mark = store.resumable_histories(s, [tid])[tid]
    assert mark is None and [e.kind.value for e in events].count("progress") == 6  # whole history read
    clock.advance(minutes=30)  # the full replay numbers the cycles with the extra entry counted
    with factory() as s:
        expected = [(m.clock, m.seq) for m in sla.compute(s, tid, clock.now()).milestones
                    if m.clock is ClockKind.PROGRESS and m.due_at < clock.now()]
    fired = [(f.clock, f.seq) for f in sla.sweep(factory) if f.clock is ClockKind.PROGRESS]
    assert fired and set(fired) <= set(expected)


def test_rule10_report_due_and_report_breach_fire_once_each_with_journal_and_outbox(
        settings, sla, factory, clock, make_ticket, event):
    tid = make_ticket("RP-1")  # Mon 2026-03-02 09:00 Shanghai
    event(tid, "signed")
    clock.advance(minutes=60)
    event(tid, "resolved")  # 60 min of fault time: not over time, 2 working days -> end of Wed Mar 4
    deadline = datetime(2026, 3, 4, 16, 0, tzinfo=UTC)  # 24:00 Shanghai
    clock.advance(seconds=1)
    fired = [(f.clock, f.seq, f.milestone) for f in sla.sweep(factory) if f.clock is ClockKind.REPORT]
    assert fired == [(ClockKind.REPORT, 0, MilestoneKind.REPORT_DUE)]
    assert sla.sweep(factory) == []
    clock.set(deadline)
    assert [f for f in sla.sweep(factory) if f.clock is ClockKind.REPORT] == []  # exactly at 24:00: in time
    clock.advance(seconds=1)
    fired = [(f.clock, f.seq, f.milestone) for f in sla.sweep(factory)]
    assert fired == [(ClockKind.REPORT, 0, MilestoneKind.BREACH)]
    clock.advance(hours=30)
    assert SlaEngine(settings, clock, worker_id="after-restart").sweep(factory) == []  # once, also after a restart
    with factory() as s:
        entries = [(j.kind, j.data, j.text) for j in s.scalars(
            select(JournalEntry).where(JournalEntry.ticket_id == tid, JournalEntry.kind.like("sla_%"))
            .order_by(JournalEntry.id)) if j.data["clock"] == "report"]
        outbox = sorted((r.kind, r.idempotency_key) for r in s.scalars(
            select(OutboxRow).where(OutboxRow.ticket_id == tid)) if ":report:" in r.idempotency_key)
    assert [(k, d["milestone"]) for k, d, _ in entries] == [("sla_report_due", "report_due"), ("sla_breach", "breach")]
    assert entries[0][1]["reportDueAt"] == deadline.isoformat() and entries[0][1]["workingDays"] == 2
    assert "due by 2026-03-04 24:00 (Asia/Shanghai), 2 working day(s)" in entries[0][2]
    assert "overdue since 2026-03-04 24:00" in entries[1][2]
    assert outbox == [("sla.breach", f"ticket-{tid}:report:0:breach"),
                      ("sla.report_due", f"ticket-{tid}:report:0:report_due")]
    assert count(factory, SlaFiredRow, ticket_id=tid, clock="report") == 2


def _pg_plan(conn, stmt) -> dict:
    from sqlalchemy import text
    from sqlalchemy.dialects import postgresql

    sql = str(stmt.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
    return conn.execute(text("EXPLAIN (FORMAT JSON) " + sql)).scalar()[0]["Plan"]


def _nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


@pytest.mark.parametrize("db_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
def test_the_sweep_query_uses_the_next_due_index_on_postgresql(db_url, clock):
    """PostgreSQL's plan for the sweep's exact statement (FOR UPDATE SKIP LOCKED included), on 30,000
    analysed clock rows of which ~1 % are due: an index scan of ix_sla_clock_next_due_at, no scan of
    every clock. With sequential scans disabled the index still serves the condition (it is usable, not
    just preferred by costs)."""
    from sqlalchemy import insert, text

    from agent.db import make_engine
    from agent.models import Ticket
    from agent.sla.sweep import due_clocks_query

    now = clock.now()
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(insert(Ticket), [dict(
                id=i, external_id=f"PLAN-{i}", kind="interruption", symptom="down", circuit_id="C-1",
                circuit_known=False, status="inProgress", status_changed_at=now, reported_at=now, created_at=now,
                updated_at=now) for i in range(1, 5001)])
            kinds = ["sign", "contact_feedback", "progress", "escalation_l1", "escalation_l2", "resolution"]
            conn.execute(insert(SlaClockRow), [dict(
                ticket_id=i, kind=k, seq=0, state="running", started_at=now,
                # ~1 % due now, most later within 24 h, some with nothing left to fire
                next_due_at=(None if (i + j) % 7 == 0 else now + timedelta(seconds=(i * 6 + j) * 3 - 900)),
                next_milestone="breach", updated_at=now) for i in range(1, 5001) for j, k in enumerate(kinds)])
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE sla_clock"))
        stmt = due_clocks_query(now, 500, postgres=True)
        with engine.connect() as conn:
            chosen = list(_nodes(_pg_plan(conn, stmt)))
            conn.execute(text("SET LOCAL enable_seqscan = off"))
            forced = list(_nodes(_pg_plan(conn, stmt)))
            conn.rollback()
    finally:
        engine.dispose()
    for plan in (chosen, forced):
        scans = [n for n in plan if n.get("Relation Name") == "sla_clock"]
        assert [n["Node Type"] for n in scans] == ["Index Scan"], plan
        assert scans[0]["Index Name"] == "ix_sla_clock_next_due_at", plan
        assert "next_due_at <" in scans[0]["Index Cond"], plan
    assert not any(n["Node Type"] == "Sort" for n in chosen), chosen  # the index gives the order
