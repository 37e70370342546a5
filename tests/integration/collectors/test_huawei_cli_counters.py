"""Huawei error counters over real SSH: the collectors' CLI reading of the lab's 'display interface'
(the AR/VRP5 layout with 'Discard: N,  Total Error: N' inline) equals the lab's own counters and the
same device's SNMP ifInErrors, while a duplex mismatch on the far end makes them grow."""
from __future__ import annotations

from dataclasses import replace

import pytest

from collectors.survey import Collector
from collectors.target import target_from_inventory

pytestmark = pytest.mark.asyncio(loop_scope="module")
PORT = "GigabitEthernet0/0/3"  # acc-a-sw1, facing cpe-hosp-1:GigabitEthernet0/1


def targets(lab):
    dev = next(d for d in lab.inventory()["devices"] if d["name"] == "acc-a-sw1")
    both = target_from_inventory(dev)
    return replace(both, snmp=None), replace(both, cli=None)  # CLI only, SNMP only


async def test_cli_error_counters_equal_the_lab_and_snmp_under_duplex_mismatch(lab):
    cli_only, snmp_only = targets(lab)

    async def read(collector, target):
        survey = await collector.survey(target, ports=[PORT], want={"counters"}, timeout=60)
        assert not survey.errors, survey.errors
        (sample,) = [c for c in survey.counters if c.port == PORT]
        return sample

    lab.clock.scale = 0.0  # frozen between the reads: both must give the same numbers
    fault = None
    try:
        async with Collector() as collector:
            fault = lab.inject("duplex_mismatch", "cpe-hosp-1:GigabitEthernet0/1", duplex="half")
            lab.advance(120)
            over_cli, over_snmp = await read(collector, cli_only), await read(collector, snmp_only)
            truth = lab.port_state("acc-a-sw1", PORT).counters
    finally:
        if fault is not None:
            lab.clear(fault)
        lab.clock.scale = 1.0
    assert over_cli.source.method == "cli" and over_snmp.source.method == "snmp"
    assert over_cli.in_errors == int(truth["in_errors"]) > 0
    assert over_cli.in_crc == int(truth["crc"]) > 0
    assert (over_cli.in_errors, over_cli.in_crc, over_cli.in_discards, over_cli.out_discards) == (
        over_snmp.in_errors, over_snmp.in_crc, over_snmp.in_discards, over_snmp.out_discards)
