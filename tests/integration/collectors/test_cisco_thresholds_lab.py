"""Cisco sensor thresholds over real UDP: the lab's Cisco agents serve the four-threshold tables of
each platform's layout (lab.vendors.CISCO_THRESHOLD_LAYOUTS, taken from real recordings) and the
collector reads alarm and warning by severity, whatever the layout."""
from __future__ import annotations

import random
from dataclasses import replace

import pytest

from collectors.enums import OperStatus, Want
from collectors.survey import Collector
from collectors.target import target_from_inventory
from lab import Lab

pytestmark = pytest.mark.asyncio

LR = {"transceiver": "10GBASE-LR", "wavelength_nm": 1310, "rx_sensitivity_dbm": -14.4, "rx_overload_dbm": 0.5}
SNMP = {"version": "2c", "port": 161, "community": "public"}


def topology(model: str) -> dict:
    """Two devices, one 10GBASE-LR trunk: a Huawei access switch and a Cisco router of ``model``."""
    cli = {"port": 22, "username": "admin", "password": "Lab@12345"}
    return {
        "version": 1,
        "sites": [{"id": "ACC", "name": "access", "kind": "access_room"},
                  {"id": "AGG", "name": "aggregation", "kind": "aggregation"}],
        "devices": [
            {"name": "acc-sw", "site": "ACC", "platform": "huawei_vrp", "mgmt_address": "127.0.10.1", "snmp": SNMP,
             "cli": {**cli, "device_type": "huawei_vrp"},
             "ports": [{"name": "XGigabitEthernet0/0/1", "if_index": 9, **LR}]},
            {"name": "agg-rtr", "site": "AGG", "platform": "cisco_ios", "mgmt_address": "127.0.10.2", "snmp": SNMP,
             "cli": {**cli, "device_type": "cisco_ios"},
             "ports": [{"name": "TenGigabitEthernet1/1/1", "if_index": 10101, **LR}]},
        ],
        "customers": [{"id": "C1", "name": "customer", "contact": "x"}],
        "circuits": [{"id": "CIR-1", "customer": "C1", "service_type": "ethernet_private_line", "rate_mbps": 100,
                      "lead_office": "A", "segments": [
                          {"a": {"device": "acc-sw", "port": "XGigabitEthernet0/0/1"},
                           "z": {"device": "agg-rtr", "port": "TenGigabitEthernet1/1/1"},
                           "length_km": 6.0, "connectors": 4, "splices": 2}]}],
        "lab": {"models": {"acc-sw": "S5720-28X-SI", "agg-rtr": model},
                "ports": {"acc-sw:XGigabitEthernet0/0/1": {"tx_dbm": -2.0}, "agg-rtr:TenGigabitEthernet1/1/1": {"tx_dbm": -2.0}}},
    }


async def started(model: str) -> Lab:
    for _ in range(5):
        lab = Lab.load(topology(model), address_block=f"127.{random.randint(100, 250)}.{random.randint(1, 254)}",
                       snmp_port=random.randint(20000, 40000), ssh_port=random.randint(40001, 60000))
        try:
            await lab.start()
            return lab
        except OSError:
            continue
    raise RuntimeError("no free loopback block for the lab")


# one model per threshold layout the lab serves (see lab.vendors.CISCO_THRESHOLD_LAYOUT_BY_MODEL)
@pytest.mark.parametrize("model", ["C9500-24Y4C", "C2960X", "N9K-C93180YC-EX", "NCS-55A2", "WS-C4500X-16"])
async def test_lr_receiver_at_minus_12_5_dbm_with_link_up_is_a_warning_not_no_light(model):
    lab = await started(model)
    try:
        healthy = lab.port_state("agg-rtr", "TenGigabitEthernet1/1/1").rx_dbm
        lab.inject("fiber_degraded", "CIR-1#0", db=round(healthy + 12.5, 3))
        truth = lab.port_state("agg-rtr", "TenGigabitEthernet1/1/1")
        assert truth.oper_up and truth.rx_dbm == pytest.approx(-12.5, abs=0.01)
        dev = next(d for d in lab.inventory()["devices"] if d["name"] == "agg-rtr")
        target = target_from_inventory(dev)
        target = replace(target, cli=None, snmp=replace(target.snmp, timeout=2.0, retries=1))
        async with Collector() as collector:
            survey = await collector.survey(target, want=(Want.OPTICAL, Want.INTERFACE), timeout=30)
    finally:
        await lab.stop()
    assert not survey.errors, survey.errors
    [optical] = survey.optical
    [state] = survey.interfaces
    assert state.oper is OperStatus.UP
    assert optical.rx_dbm == pytest.approx(-12.5, abs=0.051)
    # the module's own limits: sensitivity -14.4 is the alarm, -11.4 (3 dB above) the warning
    assert optical.rx_thresholds.low_alarm == pytest.approx(-14.4)
    assert optical.rx_thresholds.low_warning == pytest.approx(-11.4)
    assert optical.rx_thresholds.high_alarm == pytest.approx(0.5)
    assert optical.rx_thresholds.high_warning == pytest.approx(-0.5)
    assert optical.rx_state == "low_warning"
    assert not any("bogus" in n for n in optical.notes), optical.notes
