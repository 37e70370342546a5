"""Decoders of vendor optical tables into ``OpticalReading`` (pure: walked tables in, readings out).

One ``OpticalMib`` object per MIB family (``huawei``, ``cisco``, ``juniper`` modules); a platform
profile names the one that applies (``snmp.optical`` in its YAML) and ``OPTICAL_MIBS`` finds it.
Every decoder returns ``(device port name, ifIndex or None, reading)`` triples; the collector renames
the port to the inventory's name.
"""
from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from collectors.snmp.optical._common import (
    Decoded,
    Decoder,
    OpticalMib,
    port_speed_bps,
    uw_to_dbm,
)
from collectors.snmp.optical.cisco import (
    CISCO_ENTITY_SENSOR,
    cisco_scaled,
    decode_cisco_sensor,
)
from collectors.snmp.optical.huawei import (
    HUAWEI_ENTITY_EXTENT,
    HUAWEI_UNIT_BY_MODEL,
    HUAWEI_UNIT_BY_OBJECT_ID,
    decode_huawei,
    huawei_model_unit,
    huawei_power_unit,
)
from collectors.snmp.optical.juniper import JUNIPER_DOM, decode_juniper_dom

OPTICAL_MIBS: Mapping[str, OpticalMib] = MappingProxyType(
    {mib.name: mib for mib in (HUAWEI_ENTITY_EXTENT, CISCO_ENTITY_SENSOR, JUNIPER_DOM)})

__all__ = [
    "CISCO_ENTITY_SENSOR", "HUAWEI_ENTITY_EXTENT", "HUAWEI_UNIT_BY_MODEL", "HUAWEI_UNIT_BY_OBJECT_ID", "JUNIPER_DOM",
    "OPTICAL_MIBS", "Decoded", "Decoder", "OpticalMib", "cisco_scaled", "decode_cisco_sensor", "decode_huawei",
    "decode_juniper_dom", "huawei_model_unit", "huawei_power_unit", "port_speed_bps", "uw_to_dbm",
]
