"""Huawei hwEntityOpticalRx/TxPower encoding (pure): microwatts or 0.01 dBm per device."""
from __future__ import annotations

import pytest

from collectors.enums import PowerUnit
from collectors.snmp import oids
from collectors.snmp.optical import huawei_power_unit

AR = "Huawei AR169F Huawei Versatile Routing Platform Software VRP (R) software,Version 5.170 (AR160 V200R009C00SPC500)"
NE = "Huawei Versatile Routing Platform Software\nVRP (R) software, Version 8.200 (NetEngine 8000 V800R012C10SPC300)"
S5720 = "S5720-56C-PWR-EI-AC\nHuawei Versatile Routing Platform Software \r\n VRP (R) software,Version 5.170 (S5720 V200R011C10SPC600)"


def tables(rx: dict[str, int], tx: dict[str, int], descr: str | None = None, object_id: str | None = None,
           lanes_rx: dict[str, str] | None = None) -> dict:
    t = {oids.HW_RX_POWER: rx, oids.HW_TX_POWER: tx, oids.HW_LANE_RX: lanes_rx or {}}
    if descr is not None:
        t[oids.SYS_DESCR_COLUMN] = {"0": descr}
    if object_id is not None:
        t[oids.SYS_OBJECT_ID_COLUMN] = {"0": object_id}
    return t


@pytest.mark.parametrize(("t", "unit"), [
    # +1.00 dBm Tx, Rx absent: only the model can tell
    (tables({"1": -1}, {"1": 100}, AR), PowerUnit.CENTI_DBM),
    (tables({"1": -1}, {"1": 100}, NE), PowerUnit.CENTI_DBM),
    (tables({"1": -1}, {"1": 100}, object_id="1.3.6.1.4.1.2011.2.224.62"), PowerUnit.CENTI_DBM),
    (tables({"1": -1}, {"1": 100}, S5720), PowerUnit.MICROWATT),
    (tables({"1": -1}, {"1": 100}, object_id="1.3.6.1.4.1.2011.2.23.291"), PowerUnit.MICROWATT),
    (tables({"1": -1}, {"1": 100}), PowerUnit.MICROWATT),  # no model known: the sign rule
    # the values decide before the model: a negative power, or lane strings (always 0.01 dBm)
    (tables({"1": -290}, {"1": 256}, S5720), PowerUnit.CENTI_DBM),
    (tables({"1": 536}, {"1": 600}, NE, lanes_rx={"1": "-270.19"}), PowerUnit.MICROWATT),
])
def test_power_unit(t, unit):
    assert huawei_power_unit(t) is unit
