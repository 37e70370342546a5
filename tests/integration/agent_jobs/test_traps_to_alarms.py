"""Lab traps over real UDP reach the agent's receiver and become paired Alarm rows (TMF642 over the
API) and journal entries on the open ticket of the circuit."""
from __future__ import annotations

import pytest
from tests.support.needs import Need, require

pytestmark = pytest.mark.asyncio(loop_scope="module")

CPE_SIDE = ("acc-a-sw1", "GigabitEthernet0/0/1")  # CIR-EPL-0001 segment 0: cpe-bank-1 -- acc-a-sw1


async def _alarms(api, **params) -> list[dict]:
    r = await api.get("/api/v1/alarms", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def _link_down(rows: list[dict], state: str) -> dict | None:
    return next((a for a in rows if a["probableCause"] == "linkDown" and a["state"] == state
                 and a["alarmedObject"]["port"] == CPE_SIDE[1]), None)


async def test_fiber_cut_then_clear_is_one_alarm_raised_then_cleared_and_journalled(lab, trap_port, db_url, helpers):
    async with helpers.agent_on(db_url, trap_port) as api:
        await api.import_inventory(lab)
        ticket = await api.file("CIR-EPL-0001", kind="interruption", symptom="down")
        fault = lab.inject("fiber_cut", "CIR-EPL-0001#0")
        try:
            raised = await helpers.until(lambda: _link_down_active(api), what="linkDown alarm stored")
        finally:
            lab.clear(fault)
        assert raised["perceivedSeverity"] == "major" and raised["alarmClearedTime"] is None
        assert raised["reductionKey"] == f"{CPE_SIDE[0]}|{CPE_SIDE[1]}|linkDown"
        assert raised["alarmedObject"]["device"] == CPE_SIDE[0]  # source address mapped to the inventory name

        async def cleared_row():
            return _link_down(await _alarms(api, device=CPE_SIDE[0], port=CPE_SIDE[1]), "cleared")

        cleared = await helpers.until(cleared_row, what="linkUp clears the alarm")
        assert cleared["id"] == raised["id"], "the clear pairs with the raise on the reduction key"
        assert cleared["alarmClearedTime"] >= cleared["alarmRaisedTime"] and cleared["count"] == 1
        assert not [a for a in await _alarms(api, device=CPE_SIDE[0], active="true")
                    if a["reductionKey"] == raised["reductionKey"]]
        # the optical alarm of the dark Huawei port was stored too (its own reduction key)
        assert any(a["probableCause"] == "receivePowerLow" for a in await _alarms(api, device=CPE_SIDE[0]))

        async def alarm_notes():
            r = await api.get(f"/api/v1/tickets/{ticket['id']}/journal", role="duty_officer")
            notes = [n for n in r.json() if n["kind"] == "alarm"]
            changes = {(n["data"]["alarm_id"], n["data"]["change"]) for n in notes}
            return notes if {(int(raised["id"]), "raised"), (int(raised["id"]), "cleared")} <= changes else None

        notes = await helpers.until(alarm_notes, what="journal entries for the raise and the clear")
        note = next(n for n in notes if n["data"]["alarm_id"] == int(raised["id"]) and n["data"]["change"] == "raised")
        assert note["data"]["device"] == CPE_SIDE[0] and note["data"]["port"] == CPE_SIDE[1]
        assert note["data"]["probable_cause"] == "linkDown" and "linkDown" in note["text"]

        # a second cut is a new alarm, not the old one reopened
        fault = lab.inject("fiber_cut", "CIR-EPL-0001#0")
        try:
            again = await helpers.until(lambda: _link_down_active(api), what="second linkDown stored")
        finally:
            lab.clear(fault)
        assert again["id"] != raised["id"]
        await helpers.until(cleared_row_for(api, again["id"]), what="second clear")


async def _link_down_active(api) -> dict | None:
    return _link_down(await _alarms(api, device=CPE_SIDE[0], active="true"), "raised")


def cleared_row_for(api, alarm_id: str, port: str = CPE_SIDE[1]):
    async def check():
        rows = await _alarms(api, device=CPE_SIDE[0], port=port, active="false")
        return next((a for a in rows if a["id"] == alarm_id), None)
    return check


async def test_alarms_endpoint_validates_filters_and_needs_a_token(lab, trap_port, db_url, helpers):
    async with helpers.agent_on(db_url, trap_port) as api:
        r = await api.get("/api/v1/alarms", params={"device": "bad name; rm"})
        assert r.status_code == 422
        r = await api.http.get("/api/v1/alarms")
        assert r.status_code == 401
        assert (await api.get("/api/v1/alarms", params={"active": "true"})).json() == []


async def test_a_clear_after_a_restart_pairs_with_the_alarm_raised_before_it(lab, trap_port, db_url, helpers):
    async with helpers.agent_on(db_url, trap_port) as api:
        await api.import_inventory(lab)
        fault = lab.inject("fiber_cut", "CIR-EPL-0001#0")
        try:
            raised = await helpers.until(lambda: _link_down_active(api), what="linkDown stored")
        except BaseException:
            lab.clear(fault)
            raise
    # a new agent process on the same database; the fibre is repaired while it listens
    async with helpers.agent_on(db_url, trap_port) as api:
        lab.clear(fault)
        cleared = await helpers.until(cleared_row_for(api, raised["id"]), what="clear paired after the restart")
    assert cleared["state"] == "cleared" and cleared["reductionKey"] == raised["reductionKey"]



HW_OPTICAL_INVALID, HW_OPTICAL_RESUME = "1.3.6.1.4.1.2011.5.25.219.2.4.5", "1.3.6.1.4.1.2011.5.25.219.2.4.6"
ENT_NAME = "1.3.6.1.2.1.47.1.1.1.1.7"


def _snmptrap(source: str, port: int, trap_oid: str, port_name: str) -> None:
    """net-snmp's snmptrap as a device: v2c, from the device's own address (--clientaddr)."""
    import shutil
    import subprocess

    require(Need.NETSNMP)  # the tests are marked netsnmp: this is the same check, where the tool is used
    exe = shutil.which("snmptrap")
    subprocess.run([exe, "-v", "2c", "-c", "public", f"--clientaddr={source}", f"127.0.0.1:{port}", "", trap_oid,
                    f"{ENT_NAME}.16000", "s", port_name], check=True, capture_output=True, timeout=10)


@pytest.mark.netsnmp
async def test_duplicates_merge_and_optical_alarms_on_fibreless_ports_are_suppressed(lab, trap_port, db_url, helpers):
    address = lab.device("acc-a-sw1").host
    async with helpers.agent_on(db_url, trap_port) as api:
        await api.import_inventory(lab)
        receiver = api.agent.services.traps.receiver
        # GigabitEthernet0/0/4 has no transceiver in the inventory: an optical alarm there means nothing
        _snmptrap(address, trap_port, HW_OPTICAL_INVALID, "GigabitEthernet0/0/4")
        await helpers.until(lambda: receiver.stats.suppressed == 1, what="the fibreless port's alarm suppressed")
        # a port the poll found administratively down: its darkness is configuration, not an alarm
        api.agent.services.traps.set_admin_down("acc-a-sw1", "GigabitEthernet0/0/3", True)
        _snmptrap(address, trap_port, HW_OPTICAL_INVALID, "GigabitEthernet0/0/3")
        await helpers.until(lambda: receiver.stats.suppressed == 2, what="the shut port's alarm suppressed")
        for _ in range(3):  # the same alarm repeated: one row, count 3
            _snmptrap(address, trap_port, HW_OPTICAL_INVALID, "GigabitEthernet0/0/2")

        async def merged():
            rows = await _alarms(api, device="acc-a-sw1", port="GigabitEthernet0/0/2")
            return rows if rows and rows[0]["count"] == 3 else None

        rows = await helpers.until(merged, what="three raises merged")
        assert len(rows) == 1 and rows[0]["state"] == "raised" and rows[0]["perceivedSeverity"] == "critical"
        _snmptrap(address, trap_port, HW_OPTICAL_RESUME, "GigabitEthernet0/0/2")
        await helpers.until(cleared_row_for(api, rows[0]["id"], port="GigabitEthernet0/0/2"), what="resume clears")
        assert await _alarms(api, device="acc-a-sw1", port="GigabitEthernet0/0/4") == []
        assert await _alarms(api, device="acc-a-sw1", port="GigabitEthernet0/0/3") == []


async def test_an_alarm_regrades_the_circuit_before_the_next_poll(lab, trap_port, db_url, helpers):
    """The NOC's grade follows a trap at once (agent/alarms/ingest.py ``_ask_regrade``): after one poll,
    a fibre cut's traps alone (no poll after them) put the link-down alarm into the circuit's grade and
    worsen it; the clear's traps take the alarm out again. No poll runs meanwhile."""
    import json

    from sqlalchemy import func, select

    from agent.models import PollRun

    async with helpers.agent_on(db_url, trap_port) as api:
        await api.import_inventory(lab)
        services = api.agent.services
        await services.poller.poll_once()

        async def row() -> dict:
            r = await api.get("/api/v1/circuit-health", params={"limit": 500})
            assert r.status_code == 200, r.text
            return next(c for c in r.json()["items"] if c["circuitId"] == "CIR-EPL-0001")

        def alarmed(c: dict) -> bool:
            return "linkDown" in json.dumps(c["reasons"], ensure_ascii=False)

        before = await row()
        assert not alarmed(before)
        with services.session_factory() as s:
            polls = s.scalar(select(func.count()).select_from(PollRun))
        fault = lab.inject("fiber_cut", "CIR-EPL-0001#0")
        try:
            async def worse():
                c = await row()
                return c if alarmed(c) else None
            after = await helpers.until(worse, timeout=20, what="the cut's traps regrade the circuit")
        finally:
            lab.clear(fault)
        # the poll's readings (up, light) and the alarm disagree until the next poll: degraded at least
        assert after["grade"] in ("degraded", "down"), after

        async def cleared():
            return not alarmed(await row())
        await helpers.until(cleared, timeout=20, what="the clear's traps regrade it back")
        with services.session_factory() as s:
            assert s.scalar(select(func.count()).select_from(PollRun)) == polls, "no poll ran meanwhile"
        assert services.traps.regrades >= 2
