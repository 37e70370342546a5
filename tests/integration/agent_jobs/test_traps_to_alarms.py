"""Lab traps over real UDP reach the agent's receiver and become paired Alarm rows (TMF642 over the
API) and journal entries on the open ticket of the circuit."""
from __future__ import annotations

import pytest

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


def cleared_row_for(api, alarm_id: str):
    async def check():
        rows = await _alarms(api, device=CPE_SIDE[0], port=CPE_SIDE[1], active="false")
        return next((a for a in rows if a["id"] == alarm_id), None)
    return check


async def test_alarms_endpoint_validates_filters_and_needs_a_token(lab, trap_port, db_url, helpers):
    async with helpers.agent_on(db_url, trap_port) as api:
        r = await api.get("/api/v1/alarms", params={"device": "bad name; rm"})
        assert r.status_code == 422
        r = await api.http.get("/api/v1/alarms")
        assert r.status_code == 401
        assert (await api.get("/api/v1/alarms", params={"active": "true"})).json() == []
