"""Vendor profiles as data: identity strings, OIDs, port naming, entity layout (厂商差异即数据)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from lab.enums import CliDialect, PowerUnit, Vendor


@dataclass(frozen=True)
class VendorProfile:
    vendor: Vendor
    sys_descr: str  # formatted with {model}
    sys_object_id: str
    mfg_name: str
    optical_mib: str  # "huawei" (hwEntityOpticalTable) | "cisco" (CISCO-ENTITY-SENSOR-MIB) | "none"
    port_aliases: tuple[tuple[str, str], ...]  # short prefix -> full prefix, matched case-insensitively


PROFILES: dict[Vendor, VendorProfile] = {
    Vendor.HUAWEI: VendorProfile(
        Vendor.HUAWEI,
        "Huawei Versatile Routing Platform Software \r\nVRP (R) software, {software}"
        " \r\nCopyright (C) 2000-2020 HUAWEI TECH Co., Ltd.",
        "1.3.6.1.4.1.2011.2.23.400", "Huawei", "huawei",
        (("GE", "GigabitEthernet"), ("XGE", "XGigabitEthernet"), ("10GE", "XGigabitEthernet"),
         ("Eth", "Ethernet")),
    ),
    Vendor.CISCO: VendorProfile(
        Vendor.CISCO,
        "Cisco IOS Software, {model} Software (C2960X-UNIVERSALK9-M), Version 15.2(7)E8, RELEASE SOFTWARE (fc3)"
        "\r\nTechnical Support: http://www.cisco.com/techsupport\r\nCopyright (c) 1986-2023 by Cisco Systems, Inc.",
        "1.3.6.1.4.1.9.1.1208", "Cisco", "cisco",
        (("Gi", "GigabitEthernet"), ("Te", "TenGigabitEthernet"), ("Hu", "HundredGigE"), ("Fa", "FastEthernet")),
    ),
    Vendor.ZTE: VendorProfile(
        Vendor.ZTE,
        "ZTE ZXR10 ROS Version V5.00.10 {model} Software, Copyright (c) 2000-2021 by ZTE Corporation",
        "1.3.6.1.4.1.3902.3.100.100", "ZTE", "none",
        (),
    ),
    Vendor.JUNOS: VendorProfile(
        Vendor.JUNOS,
        "Juniper Networks, Inc. {model} internet router, kernel JUNOS 21.4R3.15, Build date: 2023-01-20 00:00:00 UTC "
        "Copyright (c) 1996-2023 Juniper Networks, Inc.",
        "1.3.6.1.4.1.2636.1.1.1.2.21", "Juniper Networks", "none",
        (),
    ),
    Vendor.XR: VendorProfile(
        Vendor.XR,
        "Cisco IOS XR Software (Cisco {model}), Version 7.5.2\r\nCopyright (c) 2013-2022 by Cisco Systems, Inc.",
        "1.3.6.1.4.1.9.1.2696", "Cisco", "none",
        (("Hu", "HundredGigE"), ("Te", "TenGigE"), ("Gi", "GigabitEthernet")),
    ),
}

@dataclass(frozen=True)
class ModelFamily:
    """What a Huawei model family does differently (厂商差异即数据): picked by the model name."""

    name: str
    pattern: str  # regex on the model name (lab.models)
    software: str  # the VRP version text of sysDescr, formatted with {model}
    optical_unit: PowerUnit  # hwEntityOpticalRx/TxPower encoding
    cli: CliDialect
    sys_object_id: str


HUAWEI_FAMILIES: tuple[ModelFamily, ...] = (
    # CloudEngine data-centre switches run VRP8 (capture yandex_ce6870_100ge_lanes_dark.raw)
    ModelFamily("CloudEngine", r"^CE\d", "Version 8.180 ({model} V200R005C10SPC800)", PowerUnit.CENTI_DBM,
                CliDialect.VRP8, "1.3.6.1.4.1.2011.2.239.12"),
    # VRP5 S-series campus switches report optical power in microwatts (librenms_vrp_5720*.snmprec)
    ModelFamily("S-series", r"^S\d{4}", "Version 5.170 ({model} V200R019C10SPC500)", PowerUnit.MICROWATT,
                CliDialect.VRP5, "1.3.6.1.4.1.2011.2.23.400"),
    ModelFamily("AR", r"^AR\d", "Version 5.170 ({model} V300R019C10SPC500)", PowerUnit.CENTI_DBM,
                CliDialect.VRP5, "1.3.6.1.4.1.2011.2.224.279"),
    ModelFamily("NetEngine", r"^(NE\d|NetEngine)", "Version 5.170 ({model} V200R019C10SPC500)", PowerUnit.CENTI_DBM,
                CliDialect.VRP5, "1.3.6.1.4.1.2011.2.62.2.62"),
)
OTHER_HUAWEI = ModelFamily("Huawei", r"", "Version 5.170 ({model} V200R019C10SPC500)", PowerUnit.CENTI_DBM,
                           CliDialect.VRP5, "1.3.6.1.4.1.2011.2.23.400")


def huawei_family(model: str) -> ModelFamily:
    for family in HUAWEI_FAMILIES:
        if re.search(family.pattern, model):
            return family
    return OTHER_HUAWEI


# CISCO-ENTITY-SENSOR-MIB entSensorThresholdTable rows of one optical power sensor, as real platforms
# serve them (../shared/fixtures/snmp LibreNMS recordings): (severity, relation, which limit), in
# entSensorThresholdIndex order. Severity 10 minor / 20 major / 30 critical; relation 2 lessOrEqual,
# 4 greaterOrEqual. "unset" is a placeholder row with value 0 (IOS-XR serves critical rows unset).
SensorThreshold = tuple[int, int, str]  # (severity, relation, "low_alarm" | "low_warning" | ... | "unset")
CISCO_THRESHOLD_LAYOUTS: dict[str, tuple[SensorThreshold, ...]] = {
    # IOS-XE (ISR4321, C8500 recordings): critical alarms, minor warnings, highs first
    "iosxe": ((30, 4, "high_alarm"), (10, 4, "high_warning"), (10, 2, "low_warning"), (30, 2, "low_alarm")),
    # IOS classic (2960X recording, its one sensor table): major alarms, minor warnings
    "ios": ((20, 4, "high_alarm"), (10, 4, "high_warning"), (10, 2, "low_warning"), (20, 2, "low_alarm")),
    # NX-OS (N3K-3064PQ recording): major alarm then minor warning, per side
    "nxos": ((20, 4, "high_alarm"), (10, 4, "high_warning"), (20, 2, "low_alarm"), (10, 2, "low_warning")),
    # IOS-XR (NCS-55A2 recording): minor warnings, major alarms, critical rows unset (0)
    "iosxr": ((10, 2, "low_warning"), (10, 4, "high_warning"), (20, 2, "low_alarm"), (20, 4, "high_alarm"),
              (30, 2, "unset"), (30, 4, "unset")),
    # warnings at major, alarms at critical, a warning listed before its alarm (the case that read a
    # -11.4 dBm warning as a 10GBASE-LR receiver's sensitivity)
    "major_warning": ((30, 4, "high_alarm"), (20, 4, "high_warning"), (20, 2, "low_warning"), (30, 2, "low_alarm")),
}
# Which layout a Cisco model serves (first match on the model name); others: "major_warning".
CISCO_THRESHOLD_LAYOUT_BY_MODEL: tuple[tuple[str, str], ...] = (
    (r"^(ISR4|C8[0-9]{3}|C9[0-9]{3}|ASR1)", "iosxe"),
    (r"^(N[3579]K|Nexus)", "nxos"),
    (r"^(NCS|ASR9|8[0-9]{3}\b)", "iosxr"),
    (r"^(C2960|C3[5-8]|IE-)", "ios"),
)


def cisco_threshold_layout(model: str) -> tuple[SensorThreshold, ...]:
    for pattern, name in CISCO_THRESHOLD_LAYOUT_BY_MODEL:
        if re.search(pattern, model, re.IGNORECASE):
            return CISCO_THRESHOLD_LAYOUTS[name]
    return CISCO_THRESHOLD_LAYOUTS["major_warning"]


_SPLIT = re.compile(r"^([A-Za-z][A-Za-z-]*?)\s*(\d.*)$")


def port_name_key(name: str) -> tuple[str, str] | None:
    """Split 'GigabitEthernet0/0/1' into ('gigabitethernet', '0/0/1')."""
    m = _SPLIT.match(name.strip())
    return (m.group(1).lower(), m.group(2)) if m else None


def short_port_name(vendor: Vendor, name: str) -> str:
    """IOS style short name (Gi0/1) used in transceiver tables and logs."""
    key = port_name_key(name)
    if key is None:
        return name
    for short, full in PROFILES[vendor].port_aliases:
        if key[0] == full.lower():
            return f"{short}{key[1]}"
    return name


def resolve_port(vendor: Vendor, wanted: str, names: list[str]) -> str | None:
    """Find the port a user typed, accepting vendor abbreviations ('Gi0/1', 'GE0/0/1', 'gi 0/1')."""
    exact = {n.lower(): n for n in names}
    w = wanted.strip()
    if w.lower() in exact:
        return exact[w.lower()]
    key = port_name_key(w)
    if key is None:
        return None
    prefix, number = key
    for short, full in PROFILES[vendor].port_aliases:
        if prefix == short.lower():
            prefix = full.lower()
            break
    matches = []
    for n in names:
        nk = port_name_key(n)
        if nk and nk[1] == number and nk[0].startswith(prefix):
            matches.append(n)
    return matches[0] if len(matches) == 1 else None
