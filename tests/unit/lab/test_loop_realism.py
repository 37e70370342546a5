"""Loops in the lab's model, without network I/O: a loop's direction decides whether the test signal comes
back, a looped port counts nothing (not even keepalives), and a port with no light loops nothing back."""
from __future__ import annotations

import pytest

from lab import DEFAULT_TOPOLOGY, Lab


@pytest.fixture()
def lab() -> Lab:
    lab = Lab.load(DEFAULT_TOPOLOGY, address_block="127.99.2")
    lab.clock.scale = 0.0  # simulated time moves only with advance()
    return lab


ORIGIN = ("acc-a-sw1", "GigabitEthernet0/0/1")  # the access room, testing towards the metro along CIR-EPL-0001


@pytest.mark.parametrize(("port", "mode", "returned"), [
    ("TenGigabitEthernet1/1/1", "remote", True),   # faces the origin: the line loop sends the signal back
    ("TenGigabitEthernet1/1/1", "local", False),   # faces the origin: an internal loop keeps it in the router
    ("TenGigabitEthernet1/1/4", "local", True),    # faces away: the signal crosses the router, the internal loop returns it
    ("TenGigabitEthernet1/1/4", "remote", False),  # faces away: a line loop reflects the metro's side, not ours
])
def test_the_loop_direction_decides_what_returns(lab: Lab, port: str, mode: str, returned: bool) -> None:
    lab.set_loop("agg-rtr1", port, mode)
    result = lab.loop_test(*ORIGIN, "agg-rtr1", port)
    assert result.returned is returned, result.reason
    if not returned:
        assert ("local loop" if mode == "local" else "remote loop") in result.reason
    assert not lab.circuit_state("CIR-EPL-0001").up  # either way the service is interrupted


def test_the_direction_is_read_from_the_origin_side_too(lab: Lab) -> None:
    """Tested from the metro towards the customer, the same ports swap roles."""
    origin = ("metro-egr1", "XGigabitEthernet1/0/0")
    lab.set_loop("agg-rtr1", "TenGigabitEthernet1/1/1", "local")
    assert lab.loop_test(*origin, "agg-rtr1", "TenGigabitEthernet1/1/1").returned
    lab.set_loop("agg-rtr1", "TenGigabitEthernet1/1/1", "remote")
    assert not lab.loop_test(*origin, "agg-rtr1", "TenGigabitEthernet1/1/1").returned


def test_a_looped_port_counts_no_traffic_and_no_keepalives(lab: Lab) -> None:
    lab.set_loop("acc-a-sw1", "GigabitEthernet0/0/1", "remote")
    before = lab.port_state("acc-a-sw1", "GigabitEthernet0/0/1").counters
    lab.advance(60)
    after = lab.port_state("acc-a-sw1", "GigabitEthernet0/0/1").counters
    assert after == before  # not even the 5 pps of protocol frames an idle up port counts
    lab.set_loop("acc-a-sw1", "GigabitEthernet0/0/1", None)
    lab.advance(60)
    assert lab.port_state("acc-a-sw1", "GigabitEthernet0/0/1").counters["in_ucast"] > after["in_ucast"]


def test_a_loop_on_a_port_without_light_returns_nothing(lab: Lab) -> None:
    # a remote loop beyond a cut: no light reaches the loop point
    lab.inject("fiber_cut", "CIR-EPL-0001#1")
    lab.set_loop("agg-rtr1", "TenGigabitEthernet1/1/1", "remote")
    assert not lab.loop_test(*ORIGIN, "agg-rtr1", "TenGigabitEthernet1/1/1").returned
    assert lab.port_state("acc-a-sw1", "XGigabitEthernet0/0/1").rx_dbm is None
    lab.clear()
    lab.set_loop("agg-rtr1", "TenGigabitEthernet1/1/1", None)
    # an internal loop on a port with no module (acc-a-sw1 GE0/0/4): no light of its own to send back
    lab.set_loop("acc-a-sw1", "GigabitEthernet0/0/4", "local")
    state = lab.port_state("acc-a-sw1", "GigabitEthernet0/0/4")
    assert state.rx_dbm is None and not state.oper_up


def test_a_commit_not_confirmed_in_time_rolls_back_by_itself() -> None:
    """The device's rollback timer (commit confirmed / trial), its time injected: unconfirmed, the device
    restores what it had before the first unconfirmed commit; a plain commit confirms and stops it."""
    from lab.enums import LoopMode
    from lab.ssh.commit import DeviceConfig

    loops: dict[str, LoopMode | None] = {"p1": None, "p2": LoopMode.LOCAL}
    timers: list[tuple[float, object]] = []

    def schedule(delay, callback):
        timers.append((delay, callback))
        return lambda: timers.remove((delay, callback))

    config = DeviceConfig("dev", lambda d, p, m: loops.__setitem__(p, m), loops.get, schedule)
    config.commit({"p1": LoopMode.REMOTE}, confirm_within_s=60)
    config.commit({"p2": None}, confirm_within_s=90)  # a second unconfirmed commit extends the timer
    assert loops == {"p1": LoopMode.REMOTE, "p2": None} and [d for d, _ in timers] == [90]
    _delay, fire = timers.pop()
    fire()  # the timer runs out
    assert loops == {"p1": None, "p2": LoopMode.LOCAL} and not config.pending and config.rollbacks == 1
    config.commit({"p1": LoopMode.REMOTE}, confirm_within_s=60)
    config.commit({"p1": None})  # the confirming commit (the clear)
    assert loops["p1"] is None and not timers and not config.pending
