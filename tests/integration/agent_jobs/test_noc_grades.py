"""Circuit health grades on the lab (real SNMP over UDP, real SSH): generated island networks with one
fault of every kind the lab has (lab/scenarios.py, all vendors, v2c and v3-only agents), all injected
at once; after the poll each circuit's grade matches the lab's truth for its fault kind (the table
below, written from what the fault does to the service, never from faultline's output), the NOC list
serves them worst first, and each turn to degraded or down is an event with its outbox notification."""
from __future__ import annotations

import asyncio
import random

import pytest
from sqlalchemy import func, select

from agent.models import Alarm, HealthEvent, PollRun
from agent.models.sla import OutboxRow
from lab import FaultKind, Lab
from lab.scenarios import generate_scenarios
from tests.support.net import free_udp_port

# a scenario run of minutes on 2 cores: slow (CI runs it; `make test SLOW=1` too)
pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.slow]

K = FaultKind
# What each fault does to the service (the NOC's grade): no traffic is down; traffic with errors,
# excess loss, a failing laser, a flapping port, a mismatch or congestion is degraded.
TRUTH = {None: "ok", K.FIBER_CUT: "down", K.CPE_POWER_OFF: "down", K.FIBER_DEGRADED: "degraded",
         K.LOOSE_CONNECTOR: "degraded", K.DUPLEX_MISMATCH: "degraded", K.SPEED_MISMATCH: "degraded",
         K.PORT_CONGESTION: "degraded", K.EGRESS_CONGESTION: "degraded", K.TRANSCEIVER_AGEING: "degraded"}
SEED = 20261205
SCENARIO_LAB = generate_scenarios(SEED, 16, per_lab=16)[0]
HOOK = "http://127.0.0.1:9/noc-hook"  # nothing listens: the rows stay in the outbox, which is what is checked


async def _start(topology) -> Lab:
    for _ in range(5):
        lab = Lab.load(topology, address_block=f"127.{random.randint(100, 250)}.{random.randint(1, 254)}")
        try:
            await lab.start()
            return lab
        except Exception:  # noqa: BLE001, S112 - a taken block: the next one
            continue
    pytest.fail("could not start the scenario lab")


async def _grades(api, query: str = "limit=500") -> dict:
    r = await api.get(f"/api/v1/circuit-health?{query}")
    assert r.status_code == 200, r.text
    return r.json()


def _path(circuit: str) -> list[tuple[tuple[str, str], tuple[str, str]]]:
    cir = next(c for c in SCENARIO_LAB.topology["circuits"] if c["id"] == circuit)
    return [((g["a"]["device"], g["a"]["port"]), (g["z"]["device"], g["z"]["port"])) for g in cir["segments"]]


def _truth_of(circuit: str) -> str:
    """The grade a circuit must have: its island's fault where that fault lies on its own path (an
    island's second circuit "-B" shares part of the first one's path, not always the faulty part)."""
    sc = next(sc for sc in SCENARIO_LAB.scenarios if circuit.startswith(sc.circuit))
    t, path = sc.truth, _path(circuit)
    if t.kind is None:
        return TRUTH[None]
    if t.element == "segment":
        main = _path(sc.circuit)[int(t.target.rsplit("#", 1)[1])]
        on_path = main in path or main[::-1] in path
    elif t.element == "port":
        on_path = tuple(t.target.rsplit(":", 1)) in {end for seg in path for end in seg} if ":" in t.target else False
    else:  # a device
        on_path = t.target in {end[0] for seg in path for end in seg}
    return TRUTH[t.kind] if on_path else TRUTH[None]


async def test_every_fault_kind_is_graded_as_the_lab_truth_after_the_poll(db_url, helpers):
    scenarios = SCENARIO_LAB.scenarios
    assert {sc.truth.kind for sc in scenarios} == set(TRUTH), "the seed covers every fault kind and a healthy circuit"
    lab = await _start(SCENARIO_LAB.topology)
    trap_port = free_udp_port()
    lab.add_trap_receiver("127.0.0.1", trap_port)
    try:
        async with helpers.agent_on(db_url, trap_port, sla={"webhooks": {"*": [HOOK]}}) as api:
            await api.import_inventory(lab)
            services = api.agent.services
            poller = services.poller
            for sc in scenarios:
                if sc.truth.kind is not None:
                    lab.inject(sc.truth.kind, sc.truth.target, **sc.truth.params)

            def flaps_stored() -> bool:  # the traps of a loose connector reach the alarm store
                with services.session_factory() as s:
                    return all(s.scalar(select(func.count()).select_from(Alarm).where(
                        Alarm.device_name == sc.flap_port[0], Alarm.port_name == sc.flap_port[1],
                        Alarm.probable_cause == "linkDown")) >= 3 for sc in scenarios if sc.flap_port)
            await helpers.until(flaps_stored, timeout=30, what="three stored link-downs of each loose connector")

            powered_off = {sc.truth.target for sc in scenarios if sc.truth.kind is K.CPE_POWER_OFF}
            first = await poller.poll_once()  # status and optics; the rates need the next poll's counters
            assert set(first.failed) == powered_off, first.failed
            await asyncio.sleep(1.0)  # the counters advance in the lab's real time between the two polls
            second = await poller.poll_once()
            assert set(second.failed) == powered_off, second.failed
            page = await _grades(api)
            got = {c["circuitId"]: c for c in page["items"]}
            # an island's second circuit ("-B") rides the same path: the same truth
            truth = {cid: _truth_of(cid) for cid in got}
            assert set(truth) == set(got) == {c["id"] for c in SCENARIO_LAB.topology["circuits"]}
            wrong = {cid: (truth[cid], got[cid]["grade"], got[cid]["verdict"], [r["en"][:160] for r in got[cid]["reasons"]])
                     for cid in got if got[cid]["grade"] != truth[cid]}
            assert not wrong, wrong
            # the faulty segment is the one graded so
            for sc in scenarios:
                if sc.truth.kind is not None and sc.truth.segment is not None and sc.truth.element == "segment":
                    seg = got[sc.circuit]["segments"][sc.truth.segment]
                    assert seg["grade"] == TRUTH[sc.truth.kind], (sc.circuit, sc.fault_class, got[sc.circuit]["segments"])

            # worst first, filters and paging
            ranks = {"down": 0, "degraded": 1, "unknown": 2, "ok": 3}
            order = [ranks[c["grade"]] for c in page["items"]]
            assert order == sorted(order) and page["total"] == len(got)
            down = await _grades(api, "health=down")
            assert {c["circuitId"] for c in down["items"]} == {c for c, g in truth.items() if g == "down"}
            both = await _grades(api, "health=down&health=degraded&limit=3&offset=2")
            troubled = {c for c, g in truth.items() if g != "ok"}
            assert both["total"] == len(troubled) and [c["circuitId"] for c in both["items"]] == [
                c["circuitId"] for c in page["items"] if c["circuitId"] in troubled][2:5]
            customer = got[scenarios[0].circuit]["customer"]
            mine = await _grades(api, f"customer={customer}")
            assert mine["items"] and all(c["customer"] == customer for c in mine["items"])

            # each turn to degraded or down: an event and an outbox row; the poll recorded itself
            with services.session_factory() as s:
                # the latest event of each circuit (traps regrade between polls: a circuit may have several)
                events = {e.circuit_id: e for e in s.scalars(select(HealthEvent).order_by(HealthEvent.id))}
                # the circuits' notices (the hook takes every kind: service problems send theirs too)
                notes = [n for n in s.scalars(select(OutboxRow).where(OutboxRow.url == HOOK)) if n.kind.startswith("circuit.")]
                runs = s.scalars(select(PollRun).order_by(PollRun.id)).all()
            assert {e.circuit_id for e in events.values() if e.to_grade in ("down", "degraded")} == troubled
            assert {n.payload["circuitId"] for n in notes} == troubled
            assert {n.kind for n in notes} == {"circuit.down", "circuit.degraded"}
            assert len(runs) == 2 and runs[-1].devices == len(lab.devices) and set(runs[-1].failures) == powered_off
            assert runs[-1].samples > 0 and set(runs[-1].device_seconds) == {d.name for d in lab.devices}

            # mended: the next polls grade them ok again, and the recovery is announced
            lab.clear()
            await poller.poll_once()
            await asyncio.sleep(1.0)
            await poller.poll_once()
            after = {c["circuitId"]: c["grade"] for c in (await _grades(api))["items"]}
            flapped = {c for c in got for sc in scenarios if sc.truth.kind is K.LOOSE_CONNECTOR and c.startswith(sc.circuit)
                       and truth[c] != "ok"}
            recovered = set(got) - flapped  # the flaps stay in the 24 h window: still degraded, rightly
            assert {c: after[c] for c in recovered if after[c] != "ok"} == {}
            with services.session_factory() as s:
                kinds = {n.payload["circuitId"]: n.kind for n in s.scalars(select(OutboxRow).where(
                    OutboxRow.kind == "circuit.recovered"))}
            assert set(kinds) >= troubled & recovered
    finally:
        await lab.stop()
