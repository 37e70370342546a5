"""One SSH session per device across the whole process: two CliRunners (as the poller and the triage
each have) on one lab device never hold two SSH sessions at once, logouts included. A TCP relay in
front of the device's SSH port counts the sessions that are open at the same time. Also: a read session
takes several batches of commands in one login, and its logout is over when the read returns."""
from __future__ import annotations

import asyncio
import selectors
import socket
import threading
import time
from dataclasses import replace

import pytest

from collectors.cli.session import CliRunner, DeviceLocks
from collectors.target import target_from_inventory

pytestmark = pytest.mark.asyncio(loop_scope="module")


# A client's close() reaches the relay as a FIN that the kernel of this loaded 2-core machine may
# deliver tens of milliseconds later, after the next session's connect: a session counts as open
# until this long before the relay saw its end. Real overlaps (two logins at once) last seconds.
FIN_LAG = 0.3


def peak_sessions(spans: list[tuple[float, float]]) -> int:
    """Most sessions open at one time, from (accept, end) times."""
    events = sorted([(a, 1) for a, _ in spans] + [(max(a, e - FIN_LAG), -1) for a, e in spans],
                    key=lambda x: (x[0], x[1]))
    now = peak = 0
    for _, step in events:
        now += step
        peak = max(peak, now)
    return peak


class TcpRelay:
    """Forwards 127.0.0.1:<port> to the device's SSH server and records when each TCP session was
    accepted and when either side closed it."""

    def __init__(self, upstream: tuple[str, int], host: str = "127.0.0.1") -> None:
        self.upstream = upstream
        self.listener = socket.create_server((host, 0))
        self.port = self.listener.getsockname()[1]
        self.spans: list[tuple[float, float]] = []
        self._accepted: dict[tuple[socket.socket, socket.socket], float] = {}
        self._pairs: dict[socket.socket, socket.socket] = {}
        self._open: list[tuple[socket.socket, socket.socket]] = []
        self._sel = selectors.DefaultSelector()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        for pair in list(self._open):
            self._end(pair)
        self.listener.close()

    @property
    def sessions(self) -> int:
        return len(self.spans)

    @property
    def peak(self) -> int:
        return peak_sessions(self.spans)

    def _end(self, pair: tuple[socket.socket, socket.socket]) -> None:
        if pair in self._open:
            self.spans.append((self._accepted.pop(pair), time.monotonic()))
            self._open.remove(pair)
            for s in pair:
                self._sel.unregister(s)
                self._pairs.pop(s, None)
                s.close()


    def _serve(self) -> None:
        self.listener.setblocking(False)
        self._sel.register(self.listener, selectors.EVENT_READ)
        while not self._stop.is_set():
            for key, _ in self._sel.select(0.2):
                sock = key.fileobj
                if sock is self.listener:
                    client, _addr = self.listener.accept()
                    accepted = time.monotonic()
                    server = socket.create_connection(self.upstream)
                    pair = (client, server)
                    self._open.append(pair)
                    self._accepted[pair] = accepted
                    self._pairs[client], self._pairs[server] = server, client
                    for s in pair:
                        self._sel.register(s, selectors.EVENT_READ, pair)
                    continue
                pair = key.data
                if pair not in self._open:
                    continue
                try:
                    data = sock.recv(65536)
                except OSError:
                    data = b""
                if not data:
                    self._end(pair)
                    continue
                try:
                    self._pairs[sock].sendall(data)
                except OSError:
                    self._end(pair)


def relayed_target(lab, name: str):
    """The device's SSH reached through a relay on its own address (SNMP still goes to the device)."""
    dev = next(d for d in lab.inventory()["devices"] if d["name"] == name)
    target = target_from_inventory(dev)
    relay = TcpRelay((target.address, target.cli.port), host=target.address)
    return relay, replace(target, cli=replace(target.cli, port=relay.port))


async def reads(runners: list[CliRunner], target, command: str, each: int) -> list[str]:
    jobs = [r.run(target, [command]) for r in runners for _ in range(each)]
    return [out[0] for out in await asyncio.gather(*jobs)]


@pytest.mark.parametrize(("name", "command", "expect"), [
    ("cpe-bank-1", "display interface brief", "GigabitEthernet0/0/1"),   # Huawei: ~2 s logout each
    ("agg-rtr1", "show interfaces TenGigabitEthernet1/1/1", "TenGigabitEthernet1/1/1"),
])
async def test_two_runners_never_open_two_sessions_to_one_device(lab, name, command, expect):
    relay, target = relayed_target(lab, name)
    runners = [CliRunner(), CliRunner()]  # the process-wide device locks
    try:
        outputs = await reads(runners, target, command, each=2)
        await asyncio.to_thread(_logouts_done, target)
    finally:
        for r in runners:
            r.close()
        relay.close()
    assert all(expect in out for out in outputs)
    assert relay.sessions == 4 and relay.peak == 1


async def test_the_relay_does_see_overlaps_of_runners_with_separate_locks(lab):
    """The same measurement with a lock registry per runner (the old behaviour) finds two sessions."""
    relay, target = relayed_target(lab, "agg-rtr1")
    runners = [CliRunner(device_locks=DeviceLocks()), CliRunner(device_locks=DeviceLocks())]
    try:
        await reads(runners, target, "show interfaces TenGigabitEthernet1/1/1", each=2)
    finally:
        for r in runners:
            r.close()
        relay.close()
    assert relay.peak == 2


def _logouts_done(target) -> None:
    """Wait for the background logouts: the device lock is free again only when they have ended."""
    from collectors.cli.session import PROCESS_DEVICE_LOCKS

    lock = PROCESS_DEVICE_LOCKS(target)
    assert lock.acquire(timeout=30), "a logout never finished"
    lock.release()


async def test_peak_sessions_from_spans():
    assert peak_sessions([(0.0, 2.0), (2.05, 4.0)]) == 1  # the FIN of the first arrived late
    assert peak_sessions([(0.0, 2.0), (1.0, 3.0)]) == 2
    assert peak_sessions([(0.0, 5.0), (1.0, 2.0), (1.5, 3.0)]) == 3


def device_free(target) -> bool:
    """The device lock is free right now (no session of this process is open or logging out)."""
    from collectors.cli.session import PROCESS_DEVICE_LOCKS

    lock = PROCESS_DEVICE_LOCKS(target)
    if lock.acquire(blocking=False):
        lock.release()
        return True
    return False


def wait_ended(relay: TcpRelay, sessions: int) -> None:
    """The relay has seen `sessions` sessions end (a FIN can reach it a little after the close)."""
    deadline = time.monotonic() + 10
    while relay.sessions < sessions and time.monotonic() < deadline:
        time.sleep(0.02)


@pytest.mark.parametrize(("name", "command", "expect"), [
    ("cpe-bank-1", "display interface brief", "GigabitEthernet0/0/1"),  # netmiko's own logout: ~2 s more
    ("agg-rtr1", "show interfaces TenGigabitEthernet1/1/1", "TenGigabitEthernet1/1/1"),
])
async def test_a_read_has_logged_out_when_it_returns(lab, name, command, expect):
    relay, target = relayed_target(lab, name)
    runner = CliRunner()
    try:
        out = await runner.run(target, [command])
        free = device_free(target)
        await asyncio.to_thread(wait_ended, relay, 1)
    finally:
        runner.close()
        relay.close()
    assert expect in out[0]
    assert free, "the device lock was still held after the read returned (logout still running)"
    assert relay.sessions == 1


async def test_one_read_session_takes_several_batches(lab):
    relay, target = relayed_target(lab, "cpe-bank-1")
    runner = CliRunner()
    try:
        async with runner.session(target) as session:
            first = await session.run(["display interface brief"])
            second = await session.run(["display alarm active", "display interface GigabitEthernet0/0/1"])
            empty = await session.run([])
        await asyncio.to_thread(wait_ended, relay, 1)
    finally:
        runner.close()
        relay.close()
    assert "GigabitEthernet0/0/2" in first[0]
    assert len(second) == 2 and "GigabitEthernet0/0/1 current state" in second[1]
    assert empty == []
    assert relay.sessions == 1 and relay.peak == 1


async def test_a_refused_session_raises_at_run_and_leaves_the_device_free(lab):
    from collectors.errors import AuthenticationFailed

    relay, target = relayed_target(lab, "agg-rtr1")
    target = replace(target, cli=replace(target.cli, password="wrong-password"))
    runner = CliRunner()
    try:
        with pytest.raises(AuthenticationFailed) as failed:
            async with runner.session(target) as session:
                await session.run(["show version"])
        free = device_free(target)
    finally:
        runner.close()
        relay.close()
    assert "wrong-password" not in str(failed.value) and "wrong-password" not in (failed.value.raw or "")
    assert free


async def test_a_cancelled_read_session_still_logs_out_before_the_next_one(lab):
    relay, target = relayed_target(lab, "cpe-bank-1")
    runners = [CliRunner(), CliRunner()]
    started = asyncio.Event()

    async def abandoned() -> None:
        async with runners[0].session(target) as session:
            await session.run(["display interface brief"])
            started.set()
            await session.run(["display alarm active"] * 50)  # cancelled while this runs

    try:
        task = asyncio.ensure_future(abandoned())
        await started.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        after = await runners[1].run(target, ["display interface brief"])
        await asyncio.to_thread(wait_ended, relay, 2)
    finally:
        for r in runners:
            r.close()
        relay.close()
    assert "GigabitEthernet0/0/1" in after[0]
    assert relay.sessions == 2 and relay.peak == 1


async def test_a_survey_reads_alarms_and_what_snmp_lacks_in_one_session(lab):
    """ZTE has no optical MIB: optical comes over CLI, with the alarms, in the same login."""
    from datetime import UTC, datetime, timedelta

    from collectors.survey import Collector

    relay, target = relayed_target(lab, "acc-b-sw1")
    since = datetime.now(UTC) - timedelta(hours=1)
    try:
        async with Collector() as collector:
            survey = await collector.survey(target, None, ("optical", "interface", "counters", "alarms"), since, 15.0)
        await asyncio.to_thread(wait_ended, relay, 1)
    finally:
        relay.close()
    assert not survey.errors, [(e.item, str(e.error)) for e in survey.errors]
    assert {o.port for o in survey.optical} == {p.name for p in target.ports}
    assert all(o.source.method.value == "cli" for o in survey.optical)
    assert relay.sessions == 1


async def test_after_a_lost_session_later_batches_are_not_sent(lab):
    """A batch that failed leaves the channel in an unknown state: the next batches fail at once
    instead of reading what the failed command left behind."""
    from collectors.errors import CollectorError, CommandError

    relay, target = relayed_target(lab, "agg-rtr1")
    runner = CliRunner()
    try:
        async with runner.session(target) as session:
            first = await session.run(["show interfaces TenGigabitEthernet1/1/1"])
            relay.close()  # the line to the device goes away mid-session
            with pytest.raises(CollectorError) as lost:
                await session.run(["show logging"])
            with pytest.raises(CommandError, match="earlier command"):
                await session.run(["show logging"])
        free = device_free(target)
    finally:
        runner.close()
    assert "TenGigabitEthernet1/1/1" in first[0]
    assert not isinstance(lost.value, CommandError)
    assert free
