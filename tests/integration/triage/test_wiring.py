"""Triage wiring over the lab's real SNMP/SSH (no fake collector): re-runs, unknown circuits, a silent
device cut off at the deadline, the journal entry, recovery at start, and the ticket window."""
from __future__ import annotations

import asyncio
import copy
import re
from datetime import UTC, datetime, timedelta

import pytest

from agent.enums import Role, Symptom, TicketKind
from agent.inventory import import_inventory
from agent.models import Alarm
from agent.services import build_services
from agent.tickets import Actor, Intake
from api.schemas.diagnoses import EvidenceOut, LoopPointOut

pytestmark = pytest.mark.asyncio(loop_scope="module")

EPL = "CIR-EPL-0001"


def _members(value) -> set[str]:
    """Every member name in a JSON body, at every depth."""
    if isinstance(value, dict):
        return set(value).union(*(_members(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_members(v) for v in value))
    return set()


async def test_rerun_adds_a_second_diagnosis_and_a_second_journal_entry(lab, helpers, fresh_db):
    async with helpers.agent_on(fresh_db()) as api:
        await api.import_inventory(lab.inventory())
        ticket = await api.file(EPL)
        first = await api.first_diagnosis(ticket["id"])
        r = await api.post(f"/api/v1/tickets/{ticket['id']}/triage", role="engineer")
        assert r.status_code == 200, r.text
        second = r.json()
        assert second["id"] != first["id"] and second["verdict"] == first["verdict"] == "no_alarm_request_return"
        assert first["schemaVersion"] == second["schemaVersion"] == 2  # docs/diagnosis-json.md
        assert not [k for k in _members(second) if not re.fullmatch(r"[a-z][A-Za-z0-9]*", k)]
        assert [d["id"] for d in await api.diagnoses(ticket["id"])] == [first["id"], second["id"]]
        entries = [n for n in await api.journal(ticket["id"]) if n["kind"] == "diagnosis"]
        assert [e["data"]["diagnosis_id"] for e in entries] == [first["id"], second["id"]]
        assert [e["data"]["reason"] for e in entries] == ["arrival", "requested by engineer-user"]
        # the NOC reads diagnoses but may not re-run them
        r = await api.post(f"/api/v1/tickets/{ticket['id']}/triage", role="noc")
        assert r.status_code == 403
        assert len(await api.diagnoses(ticket["id"])) == 2


async def test_the_diagnosis_journal_entry_carries_readable_text_and_the_structured_diagnosis(lab, helpers, fresh_db):
    async with helpers.agent_on(fresh_db()) as api:
        await api.import_inventory(lab.inventory())
        ticket = await api.file(EPL, "interruption", "down")
        d = await api.first_diagnosis(ticket["id"])
        entry = next(n for n in await api.journal(ticket["id"]) if n["kind"] == "diagnosis")
        text = entry["text"]
        assert d["summaryZh"] in text and d["summaryEn"] in text  # Chinese then English
        assert text.index(d["summaryZh"]) < text.index(d["summaryEn"])
        assert "{" not in text.splitlines()[0]  # a sentence for the duty officer, not a JSON dump
        data = entry["data"]
        assert data["diagnosis_id"] == d["id"] and data["verdict"] == d["verdict"] == "fault_segment_unclear"
        assert data["playbook"] == "interruption" and data["duration_ms"] > 0
        # the journal keeps the diagnosis as the agent stored it (snake_case data); the API serves the same
        stored = data["diagnosis"]
        as_served = lambda model, items: [model.model_validate(i).model_dump(mode="json", by_alias=True)  # noqa: E731
                                          for i in items]
        assert as_served(EvidenceOut, stored["evidence"]) == d["evidence"]
        assert as_served(LoopPointOut, stored["loop_plan"]) == d["loopPlan"]
        assert d["loopPlan"][0]["device"] == "prov-exit1"


async def test_unknown_circuit_is_journalled_and_a_rerun_is_refused_with_422(lab, helpers, fresh_db):
    async with helpers.agent_on(fresh_db()) as api:
        await api.import_inventory(lab.inventory())
        triage = api.agent.services.triage
        ticket = await api.file("CIR-NOT-IN-INVENTORY", "interruption", "down")
        arrival = await asyncio.wait_for(triage.completed.get(), timeout=30)  # the triage the intake scheduled
        assert (arrival.ticket_id, arrival.diagnosis_id) == (int(ticket["id"]), None)
        notes = await api.journal(ticket["id"])
        # one clear entry from the intake, not a second one from the skipped triage
        assert [n["kind"] for n in notes] == ["created", "unknown_circuit"]
        assert "CIR-NOT-IN-INVENTORY" in notes[1]["text"] and "automatic triage cannot run" in notes[1]["text"]
        r = await api.post(f"/api/v1/tickets/{ticket['id']}/triage")
        assert r.status_code == 422, r.text
        assert "journal" in r.text
        skipped = [n for n in await api.journal(ticket["id"]) if n["kind"] == "triage_skipped"]
        assert skipped, [n["kind"] for n in await api.journal(ticket["id"])]
        assert "CIR-NOT-IN-INVENTORY is not in the inventory" in skipped[-1]["text"]
        assert skipped[-1]["data"] == {"reason": "unknown_circuit", "circuit_id": "CIR-NOT-IN-INVENTORY"}
        assert await api.diagnoses(ticket["id"]) == []


async def test_a_silent_device_is_cut_off_at_the_deadline_and_named_in_could_not_check(lab, helpers, fresh_db,
                                                                                       silent_endpoint):
    host, udp_port, tcp_port = silent_endpoint
    inventory = copy.deepcopy(lab.inventory())
    agg = next(d for d in inventory["devices"] if d["name"] == "agg-rtr1")
    agg["mgmt_address"] = host
    agg["snmp"]["port"] = udp_port  # takes the requests, never replies
    agg["cli"]["port"] = tcp_port  # accepts the connection, never sends a banner
    deadline = 3.0
    async with helpers.agent_on(fresh_db(), triage_deadline_seconds=deadline) as api:
        await api.import_inventory(inventory)
        ticket = await api.file(EPL, "interruption", "down")
        d = await api.first_diagnosis(ticket["id"])
    # The deadline is the contract under test (not a speed figure): without it this triage would wait
    # for the silent device's SNMP retries and SSH banner timeout.
    assert d["durationMs"] <= deadline * 1000 + 1500, d["durationMs"]
    silent = [n for n in d["couldNotCheck"] if n["device"] == "agg-rtr1"]
    assert silent and silent[0]["kind"] == "device", d["couldNotCheck"]
    assert silent[0]["reason"] in ("timeout", "unreachable")
    assert silent[0]["textEn"].startswith("agg-rtr1 device: ")
    assert silent[0]["textZh"].startswith("agg-rtr1 设备：")
    # the other devices were read: their ports are in the evidence, the verdict says what it could not check
    read = {e["device"] for e in d["evidence"] if e["name"] == "oper_status"}
    assert {"acc-a-sw1", "metro-egr1", "prov-exit1", "cpe-bank-1"} <= read and "agg-rtr1" not in read
    assert d["verdict"] == "inconclusive_unreachable"
    assert "agg-rtr1" in d["summaryEn"]


async def test_recovery_on_start_triages_every_open_ticket_without_a_diagnosis(lab, helpers, db_url):
    """Tickets committed before a crash (one signed meanwhile) are triaged when the agent starts;
    a finished ticket is not."""
    settings = helpers.settings_for(db_url)
    services = build_services(settings)
    duty = Actor("duty_officer-user", Role.DUTY_OFFICER)
    now = datetime.now(UTC)
    try:
        with services.session_factory() as s:
            import_inventory(s, lab.inventory())
            s.commit()
        ids = {}
        for name, circuit, kind, symptom in (("acknowledged", EPL, "interruption", "down"),
                                             ("signed", "CIR-MPLS-0002", "assist_check", "interruption_or_flap"),
                                             ("closed", "CIR-INET-0004", "assist_check", "interruption_or_flap")):
            with services.session_factory() as s:
                ticket, outcome = services.tickets.intake(s, Intake(f"REC-{name}-{now:%H%M%S%f}", TicketKind(kind),
                                                                    Symptom(symptom), circuit, now), duty)
                assert outcome == "created"
                if name in ("signed", "closed"):
                    services.tickets.sign(s, ticket, duty)
                if name == "closed":
                    services.tickets.close(s, ticket, duty, "no alarm found, returned with the province's confirmation")
                s.commit()
                ids[name] = ticket.id
    finally:
        services.close()

    async with helpers.agent_on(db_url) as api:
        triage = api.agent.services.triage
        done = {}
        while len(done) < 2:  # the two open ones
            got = await asyncio.wait_for(triage.completed.get(), timeout=60)
            done[got.ticket_id] = got
        assert set(done) == {ids["acknowledged"], ids["signed"]}
        assert all(r.diagnosis_id is not None for r in done.values())
        for name in ("acknowledged", "signed"):
            entry = next(n for n in await api.journal(ids[name]) if n["kind"] == "diagnosis")
            assert entry["data"]["reason"] == "recovery"
        assert (await api.diagnoses(ids["signed"]))[0]["verdict"] == "no_alarm_request_return"
        assert await api.diagnoses(ids["closed"]) == []
        assert triage.completed.empty()


async def test_the_ticket_window_follows_triage_lookback_hours(lab, helpers, fresh_db):
    """A trap alarm cleared 4 h before the report is historical in a 24 h window, not in a 2 h one."""
    reported = datetime.now(UTC).replace(microsecond=0)
    verdicts = {}
    for hours in (24.0, 2.0):
        async with helpers.agent_on(fresh_db(), triage_lookback_hours=hours) as api:
            await api.import_inventory(lab.inventory())
            with api.agent.services.session_factory() as s:
                s.add(Alarm(reduction_key="acc-a-sw1|GigabitEthernet0/0/1|linkDown", device_name="acc-a-sw1",
                            port_name="GigabitEthernet0/0/1", alarm_type="communicationsAlarm",
                            probable_cause="linkDown", perceived_severity="major", state="cleared",
                            raised_at=reported - timedelta(hours=5), cleared_at=reported - timedelta(hours=4),
                            count=1, source="trap", data={"raw": "linkDown ifIndex=5"}))
                s.commit()
            ticket = await api.file(EPL, reported=reported)
            d = await api.first_diagnosis(ticket["id"])
            assert datetime.fromisoformat(d["windowStart"]) == reported - timedelta(hours=hours)
            verdicts[hours] = d
    assert verdicts[24.0]["verdict"] == "historical_alarms_dispatch_customer_end"
    assert [e["device"] for e in verdicts[24.0]["evidence"] if e["name"] == "alarm"] == ["acc-a-sw1"]
    assert verdicts[2.0]["verdict"] == "no_alarm_request_return"
    assert not [e for e in verdicts[2.0]["evidence"] if e["name"] == "alarm"]


async def test_only_the_latency_playbook_waits_for_a_second_counter_read(lab, helpers, fresh_db):
    """Rates (CRC/s, utilisation) need two counter samples; alarm and interruption triage decide without
    them and must not wait the counter interval (30 s here: far past their answer)."""
    async with helpers.agent_on(fresh_db(), triage_counter_interval_seconds=30.0,
                                triage_deadline_seconds=45.0) as api:
        await api.import_inventory(lab.inventory())
        adapter = api.agent.services.triage.collector
        for kind, symptom in (("assist_check", "interruption_or_flap"), ("interruption", "down")):
            ticket = await api.file(EPL, kind, symptom)
            d = await api.first_diagnosis(ticket["id"], timeout=25)
            assert not [e for e in d["evidence"] if e["name"].endswith("_per_s") or "utilisation" in e["name"]]
        assert adapter.counter_reads == 0
    async with helpers.agent_on(fresh_db(), triage_counter_interval_seconds=0.5) as api:
        await api.import_inventory(lab.inventory())
        adapter = api.agent.services.triage.collector
        ticket = await api.file(EPL, "assist_check", "latency_or_errors")
        d = await api.first_diagnosis(ticket["id"])
        assert adapter.counter_reads > 0
        util = [e for e in d["evidence"] if e["name"] == "customer_utilisation_mbps"]
        assert util and util[0]["value"] is not None  # a rate, from the two samples


async def test_an_officers_rerun_reads_every_device_anew_unless_recent_reads_are_allowed(lab, helpers, fresh_db):
    # a window longer than the test: whether the arrival triage's reads are reused is the flag's doing only
    async with helpers.agent_on(fresh_db(), device_read_fresh_seconds=60) as api:
        await api.import_inventory(lab.inventory())
        ticket = await api.file(EPL)
        first = await api.first_diagnosis(ticket["id"])
        gw = api.agent.services.devices
        devices = len({e["device"] for c in lab.inventory()["circuits"] if c["id"] == EPL
                       for s in c["segments"] for e in (s["a"], s["z"])})
        runs, reused = gw.surveys_run, gw.surveys_reused
        r = await api.post(f"/api/v1/tickets/{ticket['id']}/triage?fresh=false", role="engineer")
        assert r.status_code == 200, r.text
        assert (gw.surveys_run, gw.surveys_reused) == (runs, reused + devices)  # every device from the first reads
        r = await api.post(f"/api/v1/tickets/{ticket['id']}/triage", role="engineer")
        assert r.status_code == 200, r.text
        assert (gw.surveys_run, gw.surveys_reused) == (runs + devices, reused + devices)  # each device read anew
        assert r.json()["verdict"] == first["verdict"]
        reasons = [n["data"]["reason"] for n in await api.journal(ticket["id"]) if n["kind"] == "diagnosis"]
        assert reasons == ["arrival", "requested by engineer-user, recent device reads allowed",
                           "requested by engineer-user"]
        r = await api.post(f"/api/v1/tickets/{ticket['id']}/triage?fresh=maybe", role="engineer")
        assert r.status_code == 422
