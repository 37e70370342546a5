"""Partial SNMP reads and the concurrency limits, against real agents: snmpsim serving a real recording
with one OID answering genErr (its `error` variation module), and a counting UDP relay in front of
snmpsim that sees every request the collector has in flight."""
from __future__ import annotations

import asyncio
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from collectors.enums import Want
from collectors.errors import SnmpError
from collectors.profiles import get_profile
from collectors.snmp.adapter import SnmpClient
from collectors.snmp.collect import collect_snmp
from collectors.target import DeviceTarget, SnmpParams

from .conftest import start_snmpsim, stop

pytestmark = [pytest.mark.fixtures, pytest.mark.asyncio(loop_scope="module")]

MX5T = "librenms_junos_mx5t-isis"
BROKEN = "mx5t-broken"
IF_DESCR = "1.3.6.1.2.1.2.2.1.2"
# xe-0/0/1's Rx power: the 21st row of the JUNIPER-DOM table, and ifDescr's 11th row
BAD_OIDS = ("1.3.6.1.4.1.2636.3.60.1.1.1.1.5.556", IF_DESCR + ".526")
ALL = {Want.OPTICAL, Want.INTERFACE, Want.COUNTERS}


@dataclass(frozen=True)
class Agent:
    address: str
    port: int
    data_dir: Path

    def target(self, community: str, *, port: int | None = None, address: str | None = None) -> DeviceTarget:
        params = SnmpParams(community=community, port=port or self.port, timeout=2.0, retries=1)
        return DeviceTarget(community, "juniper_junos", address or self.address, snmp=params)


@pytest.fixture(scope="module")
def agent(fixtures_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """snmpsim with the MX5-T recording as recorded, and a copy where two OIDs answer genErr."""
    work = tmp_path_factory.mktemp("snmpsim-partial")
    data = work / "data"
    data.mkdir()
    original = fixtures_dir / "snmp" / f"{MX5T}.snmprec"
    shutil.copy(original, data / original.name)
    lines = []
    for line in original.read_text(encoding="utf-8").splitlines():
        oid, tag, _value = line.split("|", 2)
        lines.append(f"{oid}|{tag}:error|op=any,status=genError" if oid in BAD_OIDS else line)
    (data / f"{BROKEN}.snmprec").write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc, address, port = start_snmpsim(data, work)
    yield Agent(address, port, data)
    stop(proc)


def recorded_column(agent: Agent, prefix: str) -> dict[str, str]:
    out = {}
    for line in (agent.data_dir / f"{MX5T}.snmprec").read_text(encoding="utf-8").splitlines():
        oid, _tag, value = line.split("|", 2)
        if oid.startswith(prefix + "."):
            out[oid[len(prefix) + 1:]] = value
    return out


async def test_walk_keeps_the_rows_read_before_a_failing_request(agent):
    recorded = list(recorded_column(agent, IF_DESCR).items())
    async with SnmpClient() as client:
        read = await client.walk(agent.target(BROKEN), [IF_DESCR], max_repetitions=5)
    # requests of 5 rows: rows 1-10 arrived, the request holding row 11 (the genErr OID) failed
    assert isinstance(read.error, SnmpError) and "genErr" in (read.error.raw or "")
    assert list(read.rows[IF_DESCR].items()) == recorded[:10]
    with pytest.raises(SnmpError):
        read.complete()


async def test_get_keeps_the_values_of_earlier_requests(agent):
    good = [f"{IF_DESCR}.{i}" for i in (516, 517, 518)]
    async with SnmpClient(varbinds_per_request=3) as client:
        read = await client.get(agent.target(BROKEN), [*good, BAD_OIDS[1], f"{IF_DESCR}.527"])
    assert read.rows == {good[0]: "ge-1/0/0", good[1]: "ge-1/0/1", good[2]: "ge-1/0/2"}
    assert isinstance(read.error, SnmpError)


@pytest.fixture(scope="module")
def dom_agent(fixtures_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """snmpsim with the recording and a copy whose xe-0/0/1 Rx power answers genErr."""
    work = tmp_path_factory.mktemp("snmpsim-dom")
    data = work / "data"
    data.mkdir()
    original = fixtures_dir / "snmp" / f"{MX5T}.snmprec"
    shutil.copy(original, data / original.name)
    text = original.read_text(encoding="utf-8")
    bad = f"{BAD_OIDS[0]}|2|"
    assert bad in text
    lines = [f"{BAD_OIDS[0]}|2:error|op=any,status=genError" if line.startswith(bad) else line
             for line in text.splitlines()]
    (data / f"{BROKEN}.snmprec").write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc, address, port = start_snmpsim(data, work)
    yield Agent(address, port, data)
    stop(proc)


async def test_one_failing_item_keeps_the_others_and_its_own_rows(dom_agent):
    profile = get_profile("juniper_junos")
    async with SnmpClient() as client:
        full = await collect_snmp(client, dom_agent.target(MX5T), profile, ALL)
        broken = await collect_snmp(client, dom_agent.target(BROKEN), profile, ALL)
    assert not full.errors
    # interface state and counters do not touch the broken table: whole
    assert [(s.port, s.oper, s.admin) for s in broken.interfaces] == [(s.port, s.oper, s.admin) for s in full.interfaces]
    assert [(c.port, c.in_octets, c.in_errors) for c in broken.counters] == \
        [(c.port, c.in_octets, c.in_errors) for c in full.counters]
    # optical: the error, marked partial, and the ports read before it, with the same values
    [error] = broken.errors
    assert (error.item, error.partial, type(error.error)) == ("optical", True, SnmpError)
    whole = {r.port: r for r in full.optical}
    got = {r.port: r for r in broken.optical}
    assert got and "xe-0/0/1" not in got and set(got) < set(whole)
    assert got["ge-1/0/0"].rx_dbm == pytest.approx(-26.77)
    for port, reading in got.items():
        assert (reading.rx_dbm, reading.tx_dbm, reading.rx_thresholds) == \
            (whole[port].rx_dbm, whole[port].tx_dbm, whole[port].rx_thresholds), port


# -- concurrency limits, counted by a relay in front of the agent --------------------------------
@dataclass
class Counts:
    now: int = 0
    peak: int = 0
    forwarded: int = 0


@dataclass
class Relay(asyncio.DatagramProtocol):
    """A UDP relay for one "device": holds each request ``hold`` seconds (so requests overlap), counts
    requests received and not yet answered, per relay and over all relays."""

    upstream: tuple[str, int]
    overall: Counts
    hold: float = 0.02
    own: Counts = field(default_factory=Counts)
    transport: asyncio.DatagramTransport | None = None
    client: tuple[str, int] | None = None
    up: asyncio.DatagramTransport | None = None

    def connection_made(self, transport):  # type: ignore[override]
        self.transport = transport

    def datagram_received(self, data, addr):  # type: ignore[override]
        self.client = addr
        for c in (self.own, self.overall):
            c.now += 1
            c.peak = max(c.peak, c.now)
            c.forwarded += 1
        asyncio.get_running_loop().call_later(self.hold, self.up.sendto, data)

    def answer(self, data: bytes) -> None:
        for c in (self.own, self.overall):
            c.now -= 1  # counted out before the client sees the answer (and frees its slot)
        self.transport.sendto(data, self.client)


class _Up(asyncio.DatagramProtocol):
    def __init__(self, relay: Relay) -> None:
        self.relay = relay

    def datagram_received(self, data, addr):  # type: ignore[override]
        self.relay.answer(data)


async def relays(agent: Agent, n: int) -> tuple[list[Relay], Counts, list[asyncio.DatagramTransport]]:
    loop = asyncio.get_running_loop()
    overall = Counts()
    out, transports = [], []
    for _ in range(n):
        relay = Relay((agent.address, agent.port), overall)
        t, _ = await loop.create_datagram_endpoint(lambda r=relay: r, local_addr=("127.0.0.1", 0))
        up, _ = await loop.create_datagram_endpoint(lambda r=relay: _Up(r), remote_addr=relay.upstream)
        relay.up = up
        out.append(relay)
        transports += [t, up]
    return out, overall, transports


async def test_per_device_and_overall_limits_hold_against_a_real_agent(dom_agent):
    found, overall, transports = await relays(dom_agent, 4)
    profile = get_profile("juniper_junos")
    try:
        async with SnmpClient(max_in_flight=6, per_device=2, varbinds_per_request=16) as client:
            jobs = []
            for relay in found:
                port = relay.transport.get_extra_info("sockname")[1]
                target = dom_agent.target(MX5T, address="127.0.0.1", port=port)
                jobs += [collect_snmp(client, target, profile, ALL) for _ in range(3)]
            results = await asyncio.gather(*jobs)
    finally:
        for t in transports:
            t.close()
    assert all(not r.errors and r.optical for r in results)
    assert overall.forwarded > 100  # enough requests for the limits to matter
    assert overall.peak == 6  # the overall limit was reached and never passed
    assert all(r.own.peak <= 2 for r in found) and max(r.own.peak for r in found) == 2
