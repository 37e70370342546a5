"""The alarm table's pairing on the reduction key, on SQLite and PostgreSQL: raise, duplicate raises
merged into count (worst severity kept), clear closes the open row, a stray clear is dropped, a new
raise after the clear is a new row; an alarm on a circuit port is journalled on its open ticket."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from agent.alarms import journal_alarm, query_alarms, store_record
from agent.db import make_engine, make_session_factory, unit_of_work
from agent.inventory import import_inventory
from agent.models import Alarm, JournalEntry, Ticket
from api.schemas import AlarmOut
from collectors.enums import AlarmType, Method, ProbableCause, Severity
from collectors.readings import AlarmRecord, Source

T0 = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
INVENTORY = Path(__file__).resolve().parents[3] / "examples" / "inventory.yaml"


def record(at: datetime, *, clear: bool = False, severity: Severity = Severity.MAJOR, port: str = "GigabitEthernet0/0/1",
           device: str = "127.0.10.2") -> AlarmRecord:
    src = Source(device, port, Method.TRAP, "1.3.6.1.6.3.1.1.5.3", "linkDown raw", at)
    return AlarmRecord(device=device, port=port, alarm_type=AlarmType.COMMUNICATIONS, probable_cause=ProbableCause.LINK_DOWN,
                       severity=severity, raised_at=at, source=src, cleared_at=at if clear else None)


def test_raise_merge_clear_and_a_new_raise(db_url):
    factory = make_session_factory(make_engine(db_url))
    with unit_of_work(factory) as s:
        first = store_record(s, record(T0), "acc-a-sw1", address="127.0.10.2")
    with unit_of_work(factory) as s:
        merged = store_record(s, record(T0 + timedelta(seconds=5), severity=Severity.CRITICAL), "acc-a-sw1")
    with unit_of_work(factory) as s:
        cleared = store_record(s, record(T0 + timedelta(minutes=1), clear=True), "acc-a-sw1")
    with unit_of_work(factory) as s:
        stray = store_record(s, record(T0 + timedelta(minutes=2), clear=True), "acc-a-sw1")
    with unit_of_work(factory) as s:
        again = store_record(s, record(T0 + timedelta(minutes=3)), "acc-a-sw1")
    assert (first.change, merged.change, cleared.change, stray, again.change) == ("raised", "merged", "cleared", None, "raised")
    assert first.alarm_id == merged.alarm_id == cleared.alarm_id != again.alarm_id
    with factory() as s:
        rows = s.scalars(select(Alarm).order_by(Alarm.id)).all()
        assert [(r.state, r.count, r.perceived_severity) for r in rows] == [("cleared", 2, "critical"), ("raised", 1, "major")]
        assert rows[0].reduction_key == "acc-a-sw1|GigabitEthernet0/0/1|linkDown"
        assert rows[0].raised_at == T0 and rows[0].cleared_at == T0 + timedelta(minutes=1)
        assert [a.id for a in query_alarms(s, device="acc-a-sw1", active=True)] == [again.alarm_id]
        shaped = AlarmOut.of(rows[0]).model_dump(mode="json", by_alias=True)  # as GET /api/v1/alarms serves it
        assert shaped["state"] == "cleared" and shaped["alarmClearedTime"] == (T0 + timedelta(minutes=1)).isoformat()
        assert shaped["alarmedObject"] == {"id": "acc-a-sw1:GigabitEthernet0/0/1", "device": "acc-a-sw1",
                                           "port": "GigabitEthernet0/0/1"}


def test_alarm_on_a_circuit_port_is_journalled_on_open_tickets_only(db_url):
    factory = make_session_factory(make_engine(db_url))
    with unit_of_work(factory) as s:
        import_inventory(s, INVENTORY.read_text(encoding="utf-8"))
    import yaml

    inv = yaml.safe_load(INVENTORY.read_text(encoding="utf-8"))
    circuit = inv["circuits"][0]
    a = circuit["segments"][0]["a"]
    with unit_of_work(factory) as s:
        for n, status in enumerate(("inProgress", "closed")):
            s.add(Ticket(external_id=f"X-{n}", kind="interruption", symptom="down", circuit_id=circuit["id"],
                         status=status, status_changed_at=T0, reported_at=T0, created_at=T0, updated_at=T0))
    with unit_of_work(factory) as s:
        stored = store_record(s, record(T0, port=a["port"], device="x"), a["device"])
        ids = journal_alarm(s, stored, T0)
        other = store_record(s, record(T0, port="NoSuchPort0/9", device="x"), a["device"])
        assert journal_alarm(s, other, T0) == ()
    with factory() as s:
        open_id = s.scalar(select(Ticket.id).where(Ticket.status == "inProgress"))
        assert ids == (open_id,)
        notes = s.scalars(select(JournalEntry).where(JournalEntry.kind == "alarm")).all()
        assert [(n.ticket_id, n.data["change"], n.data["port"]) for n in notes] == [(open_id, "raised", a["port"])]
