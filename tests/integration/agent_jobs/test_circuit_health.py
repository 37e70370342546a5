"""GET /api/v1/circuits/{id}/health: a live read of the path in the lab (real SNMP and SSH), judged per
segment; a healthy circuit is healthy, a degraded fibre is named by its segment."""
from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from agent.models import Diagnosis, JournalEntry

pytestmark = pytest.mark.asyncio(loop_scope="module")

CIRCUIT = "CIR-EPL-0001"


async def _health(api, circuit: str = CIRCUIT, role: str = "noc", fresh: bool | None = None) -> dict:
    query = "" if fresh is None else f"?fresh={str(fresh).lower()}"
    r = await api.get(f"/api/v1/circuits/{circuit}/health{query}", role=role)
    assert r.status_code == 200, r.text
    return r.json()


async def test_healthy_circuit_then_a_degraded_segment(fresh_lab, db_url, helpers):
    lab = fresh_lab  # the check reads the devices' alarm history: a shared lab would show earlier tests' flaps
    # a freshness window longer than the test: reads are reused unless the request asks for new ones
    async with helpers.agent_on(db_url, 0, triage_counter_interval_seconds=0.5, device_read_fresh_seconds=60) as api:
        await api.import_inventory(lab)
        healthy, same = await asyncio.gather(_health(api), _health(api, role="duty_officer"))
        assert same["checkedAt"] == healthy["checkedAt"], "two asks at once share one read of the devices"
        assert healthy["verdict"] == "no_fault_found" and healthy["healthy"] is True, healthy["summary"]
        assert [s["index"] for s in healthy["segments"]] == [0, 1, 2, 3] and healthy["suspectedSegments"] == []
        for seg in healthy["segments"]:
            # the lab's long province segment sits a little over its budget by design: a warning, no fault
            assert seg["lossDb"]["assessment"] in ("ok", "warn") and seg["lossBudgetDb"] > 0
            assert (seg["lossDb"]["assessment"] == "ok") == (seg["lossDb"]["value"] <= seg["lossBudgetDb"])
            for end in (seg["a"], seg["z"]):
                assert end["operStatus"] == "up", end
                truth = lab.port_state(end["device"], end["port"])
                assert end["rxDbm"] == pytest.approx(truth.rx_dbm, abs=0.1)
                assert end["rxMargin"]["value"] == pytest.approx(truth.rx_dbm - end["rxSensitivityDbm"], abs=0.1)
                assert end["rxMargin"]["assessment"] == "ok"
        customer_side = healthy["segments"][0]["z"]["utilisation"]
        assert customer_side is not None and customer_side["speedMbps"] == 1000

        fault = lab.inject("fiber_degraded", f"{CIRCUIT}#1", db=8)
        try:
            # a plain read within the window gets the devices' readings of seconds ago: the fault not yet
            reused = await _health(api, role="engineer")
            assert reused["verdict"] == "no_fault_found" and reused["checkedAt"] > healthy["checkedAt"]
            degraded = await _health(api, role="engineer", fresh=True)
            link_up = lab.port_state("agg-rtr1", "TenGigabitEthernet1/1/1").oper_up
        finally:
            lab.clear(fault)
        # 8 dB more on this 10G hop leaves the Cisco end just under its sensitivity: the lab drops the
        # link, so the headline is "no light" there; the excess loss is a finding on the same segment
        assert degraded["verdict"] == ("fiber_degraded" if link_up else "no_light_fiber_cut")
        assert degraded["healthy"] is False and degraded["suspectedSegments"] == [1]
        assert {"fiber_degraded", degraded["verdict"]} <= {f["verdict"] for f in degraded["findings"] if f["segment"] == 1}
        seg1 = degraded["segments"][1]
        assert seg1["suspected"] and seg1["lossDb"]["assessment"] == "fault"
        assert seg1["lossDb"]["value"] == pytest.approx(healthy["segments"][1]["lossDb"]["value"] + 8, abs=0.2)
        assert all(s["lossDb"]["assessment"] != "fault" for s in degraded["segments"] if s["index"] != 1)

        # read-only: the checks stored nothing
        with api.agent.services.session_factory() as s:
            assert s.scalar(select(func.count(Diagnosis.id))) == 0
            assert s.scalar(select(func.count(JournalEntry.id))) == 0


async def test_unknown_circuit_is_404_and_a_token_is_needed(lab, trap_port, db_url, helpers):
    async with helpers.agent_on(db_url, trap_port) as api:
        r = await api.get("/api/v1/circuits/CIR-NOPE/health")
        assert r.status_code == 404 and "CIR-NOPE" in r.json()["detail"]
        assert (await api.http.get(f"/api/v1/circuits/{CIRCUIT}/health")).status_code == 401


@pytest.mark.parametrize(("hours", "counted"), [(24.0, 0), (48.0, 1)])
async def test_stored_alarm_history_reaches_back_triage_lookback_hours(lab, db_url, helpers, hours, counted):
    """An alarm on the circuit's port cleared 30 h ago is history under a 48 h lookback, not under 24 h."""
    from datetime import UTC, datetime, timedelta

    from agent.models import Alarm

    async with helpers.agent_on(db_url, 0, triage_counter_interval_seconds=0.5, triage_lookback_hours=hours) as api:
        await api.import_inventory(lab)
        now = datetime.now(UTC)
        with api.agent.services.session_factory() as s:
            s.add(Alarm(reduction_key="acc-a-sw1|GigabitEthernet0/0/1|linkDown", device_name="acc-a-sw1",
                        port_name="GigabitEthernet0/0/1", alarm_type="communicationsAlarm", probable_cause="linkDown",
                        perceived_severity="cleared", state="cleared", raised_at=now - timedelta(hours=31),
                        cleared_at=now - timedelta(hours=30), count=1, source="trap", data={}))
            s.commit()
        health = await _health(api)
    window = health["alarmWindow"]
    assert window["hours"] == hours and window["storedAlarms"] == counted
    start = datetime.fromisoformat(window["start"])
    assert abs((now - start) - timedelta(hours=hours)) < timedelta(minutes=1)
