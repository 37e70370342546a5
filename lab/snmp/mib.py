"""The OID tree of one simulated device, read from the model at request time.

Layouts follow the LibreNMS recordings in ../shared/fixtures/snmp: SNMPv2-MIB system, IF-MIB
ifTable/ifXTable, EtherLike dot3StatsTable, ENTITY-MIB entPhysicalTable + entAliasMapping, and the
vendor optical tables (Huawei hwEntityOpticalTable in 0.01 dBm; Cisco CISCO-ENTITY-SENSOR-MIB with
type 14 dBm, scale 9 units, precision 1 like IOS). ZTE devices carry no optical MIB: the fixtures hold
no real ZTE optical SNMP data, so their optics are read over CLI.
"""
from __future__ import annotations

import bisect
import gc
from collections.abc import Callable
from typing import Any

from pysnmp.proto import rfc1902

from lab import physics
from lab.clock import SimClock
from lab.model import Model, PortState
from lab.topology import DeviceSpec
from lab.enums import PowerUnit, Vendor
from lab.vendors import PROFILES, cisco_threshold_layout, huawei_family, short_port_name

Oid = tuple[int, ...]
Getter = Callable[[], Any]

SYS = (1, 3, 6, 1, 2, 1, 1)
IF_NUMBER = (1, 3, 6, 1, 2, 1, 2, 1, 0)
IF_ENTRY = (1, 3, 6, 1, 2, 1, 2, 2, 1)
IFX_ENTRY = (1, 3, 6, 1, 2, 1, 31, 1, 1, 1)
DOT3_ENTRY = (1, 3, 6, 1, 2, 1, 10, 7, 2, 1)
ENT_PHYS = (1, 3, 6, 1, 2, 1, 47, 1, 1, 1, 1)
ENT_ALIAS = (1, 3, 6, 1, 2, 1, 47, 1, 3, 2, 1, 2)
HW_OPTICAL = (1, 3, 6, 1, 4, 1, 2011, 5, 25, 31, 1, 1, 3, 1)
CISCO_SENSOR = (1, 3, 6, 1, 4, 1, 9, 9, 91, 1, 1, 1, 1)
CISCO_THRESHOLD = (1, 3, 6, 1, 4, 1, 9, 9, 91, 1, 2, 1, 1)
C32 = 2**32
C64 = 2**64


def oid(text: str) -> Oid:
    return tuple(int(x) for x in text.strip(".").split("."))


def mac_of(device_no: int, if_index: int) -> bytes:
    return bytes([0x00, 0x1E, 0x10, device_no & 0xFF, (if_index >> 8) & 0xFF, if_index & 0xFF])


def centi_dbm(dbm: float | None) -> int:
    return int(round((physics.NO_LIGHT_DBM if dbm is None else max(dbm, physics.NO_LIGHT_DBM)) * 100))


def microwatt(dbm: float | None) -> int:
    """Optical power in whole uW as VRP5 S-switches report it: a dark receiver (and anything under
    ~-33 dBm, 0.5 uW) reads 0."""
    return 0 if dbm is None else int(round(10 ** (dbm / 10.0) * 1000.0))


def centi_dbm_text(dbm: float | None) -> str:
    """The 0.01 dBm string of hwEntityOpticalLaneRx/TxPower as S-switches print it ('-1104.03')."""
    level = physics.NO_LIGHT_DBM if dbm is None else max(dbm, physics.NO_LIGHT_DBM)
    return f"{level * 100:.2f}"


def tenth_dbm(dbm: float | None) -> int:
    return int(round((physics.NO_LIGHT_DBM if dbm is None else max(dbm, physics.NO_LIGHT_DBM)) * 10))


# A multi-lane module's lanes differ a little (laser and filter spread); the weakest lane is the
# model's power, so a lane never reads worse than the physics the model decides up/down with.
LANE_SPREAD_DB = (0.0, 0.3, 0.15, 0.45, 0.2, 0.35, 0.05, 0.25)


def lane_powers(dbm: float | None, lanes: int) -> list[float | None]:
    """The per-lane powers of a module whose weakest lane is `dbm` (dark: every lane dark)."""
    if lanes <= 1 or dbm is None:
        return [dbm] * max(lanes, 1)
    return [dbm + LANE_SPREAD_DB[i % len(LANE_SPREAD_DB)] for i in range(lanes)]


def _dark_first(v: float | None) -> float:
    return float("-inf") if v is None else v


class DeviceMib:
    """Sorted OID index of one device: (oid -> getter), searched with bisect."""

    def __init__(self, spec: DeviceSpec, device_no: int, model: Model, clock: SimClock) -> None:
        self.spec = spec
        self.model = model
        self.clock = clock
        self.device_no = device_no
        rows: list[tuple[Oid, Getter]] = []
        # thousands of small objects: a cyclic GC pass over a 20,000-port model in the middle of
        # the build would double its cost, and none of these objects form cycles worth collecting
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            self._system(rows)
            self._interfaces(rows)
            self._entity(rows)
            rows.sort(key=lambda r: r[0])
        finally:
            if gc_was_enabled:
                gc.enable()
        self.oids: list[Oid] = [r[0] for r in rows]
        self.getters: list[Getter] = [r[1] for r in rows]

    # -- lookup ---------------------------------------------------------------------------------
    def get(self, name: Oid) -> Any | None:
        i = bisect.bisect_left(self.oids, name)
        if i < len(self.oids) and self.oids[i] == name:
            return self.getters[i]()
        return None

    def next(self, name: Oid) -> tuple[Oid, Any] | None:
        i = bisect.bisect_right(self.oids, name)
        if i < len(self.oids):
            return self.oids[i], self.getters[i]()
        return None

    # -- builders -------------------------------------------------------------------------------
    def _system(self, rows: list[tuple[Oid, Getter]]) -> None:
        prof = PROFILES[self.spec.vendor]
        family = huawei_family(self.spec.model) if self.spec.vendor is Vendor.HUAWEI else None
        software = family.software.format(model=self.spec.model) if family else ""
        descr = rfc1902.OctetString(prof.sys_descr.format(model=self.spec.model, software=software))
        objid = rfc1902.ObjectIdentifier(family.sys_object_id if family else prof.sys_object_id)
        name = rfc1902.OctetString(self.spec.name)
        rows += [
            (SYS + (1, 0), lambda: descr),
            (SYS + (2, 0), lambda: objid),
            (SYS + (3, 0), lambda: rfc1902.TimeTicks(self.model.uptime_ticks(self.spec.name))),
            (SYS + (4, 0), lambda: rfc1902.OctetString("noc@lab.invalid")),
            (SYS + (5, 0), lambda: name),
            (SYS + (6, 0), lambda: rfc1902.OctetString(self.spec.site)),
            (SYS + (7, 0), lambda: rfc1902.Integer32(6)),
            (IF_NUMBER, lambda: rfc1902.Integer32(len(self.spec.ports))),
        ]

    def _counter(self, ps: PortState, name: str, bits: int) -> Getter:
        mod = C32 if bits == 32 else C64
        cls = rfc1902.Counter32 if bits == 32 else rfc1902.Counter64

        def get() -> Any:
            self.model.settle(ps)
            return cls(int(ps.counters[name]) % mod)
        return get

    def _interfaces(self, rows: list[tuple[Oid, Getter]]) -> None:
        m = self.model
        for spec in self.spec.ports:
            ps = m.ports[spec.key]
            i = spec.if_index
            name = rfc1902.OctetString(spec.name)
            mac = rfc1902.OctetString(mac_of(self.device_no, i))
            oper = lambda ps=ps: rfc1902.Integer32(1 if ps.oper_up else 2)  # noqa: E731
            zero32 = lambda: rfc1902.Counter32(0)  # noqa: E731
            zero64 = lambda: rfc1902.Counter64(0)  # noqa: E731
            table = {
                1: lambda i=i: rfc1902.Integer32(i),
                2: lambda name=name: name,
                3: lambda: rfc1902.Integer32(6),
                4: lambda: rfc1902.Integer32(1500),
                5: lambda ps=ps: rfc1902.Gauge32(min(m.speed_mbps(ps) * 1_000_000, C32 - 1)),
                6: lambda mac=mac: mac,
                7: lambda: rfc1902.Integer32(1),
                8: oper,
                # ifLastChange: sysUpTime at the last change (0 when it was before the last boot)
                9: lambda ps=ps: rfc1902.TimeTicks(int(max(0.0, ps.last_change_s - m.booted_s[ps.spec.device]) * 100) % C32),
                10: self._counter(ps, "in_octets", 32),
                11: self._counter(ps, "in_ucast", 32),
                12: zero32,
                13: self._counter(ps, "in_discards", 32),
                14: self._counter(ps, "in_errors", 32),
                15: zero32,
                16: self._counter(ps, "out_octets", 32),
                17: self._counter(ps, "out_ucast", 32),
                18: zero32,
                19: self._counter(ps, "out_discards", 32),
                20: self._counter(ps, "out_errors", 32),
                21: lambda: rfc1902.Gauge32(0),
                22: lambda: rfc1902.ObjectIdentifier("0.0"),
            }
            rows += [(IF_ENTRY + (col, i), g) for col, g in table.items()]
            alias = rfc1902.OctetString(spec.description)
            xtable = {
                1: lambda name=name: name,
                2: zero32, 3: zero32, 4: zero32, 5: zero32,
                6: self._counter(ps, "in_octets", 64),
                7: self._counter(ps, "in_ucast", 64),
                8: zero64, 9: zero64,
                10: self._counter(ps, "out_octets", 64),
                11: self._counter(ps, "out_ucast", 64),
                12: zero64, 13: zero64,
                14: lambda: rfc1902.Integer32(1),
                15: lambda ps=ps: rfc1902.Gauge32(m.speed_mbps(ps)),
                16: lambda: rfc1902.Integer32(2),
                17: lambda: rfc1902.Integer32(1),
                18: lambda alias=alias: alias,
                19: lambda: rfc1902.TimeTicks(0),
            }
            rows += [(IFX_ENTRY + (col, i), g) for col, g in xtable.items()]
            dot3 = {
                1: lambda i=i: rfc1902.Integer32(i),
                2: self._counter(ps, "alignment", 32),
                3: self._counter(ps, "crc", 32),
                8: self._counter(ps, "late_collisions", 32),
                19: lambda ps=ps: rfc1902.Integer32(3 if m.duplex(ps) == "full" else 2),
            }
            rows += [(DOT3_ENTRY + (col, i), g) for col, g in dot3.items()]

    def _ent_row(self, rows: list[tuple[Oid, Getter]], idx: int, descr: str, vendor_type: str, parent: int,
                 cls: int, pos: int, name: str, serial: str = "", model_name: str = "", fru: bool = False) -> None:
        prof = PROFILES[self.spec.vendor]
        values: dict[int, Any] = {
            2: rfc1902.OctetString(descr), 3: rfc1902.ObjectIdentifier(vendor_type),
            4: rfc1902.Integer32(parent), 5: rfc1902.Integer32(cls), 6: rfc1902.Integer32(pos),
            7: rfc1902.OctetString(name), 8: rfc1902.OctetString(""), 9: rfc1902.OctetString(""),
            10: rfc1902.OctetString(""), 11: rfc1902.OctetString(serial),
            12: rfc1902.OctetString(prof.mfg_name), 13: rfc1902.OctetString(model_name),
            14: rfc1902.OctetString(""), 15: rfc1902.OctetString(""), 16: rfc1902.Integer32(1 if fru else 2),
        }
        rows += [(ENT_PHYS + (col, idx), (lambda v=v: v)) for col, v in values.items()]

    def _alias(self, rows: list[tuple[Oid, Getter]], ent_idx: int, if_index: int, logical: int) -> None:
        target = rfc1902.ObjectIdentifier(IF_ENTRY + (1, if_index))
        rows.append((ENT_ALIAS + (ent_idx, logical), lambda: target))

    def _entity(self, rows: list[tuple[Oid, Getter]]) -> None:
        prof = PROFILES[self.spec.vendor]
        chassis = 1
        self._ent_row(rows, chassis, f"{prof.mfg_name} {self.spec.model} chassis",
                      prof.sys_object_id, 0, 3, -1, self.spec.model, serial=f"LAB{self.device_no:06d}",
                      model_name=self.spec.model)
        for n, spec in enumerate(self.spec.ports):
            ps = self.model.ports[spec.key]
            if prof.optical_mib == "huawei":
                # VRP: the optical row is indexed by the port's entity (class port, 10)
                ent = 16_000 + spec.if_index
                xcvr = spec.transceiver or "1000BASE-LX"
                self._ent_row(rows, ent, xcvr, "1.3.6.1.4.1.2011.20021210.14.667656", chassis, 10, n + 1,
                              spec.name, fru=True)
                self._alias(rows, ent, spec.if_index, 1)
                if spec.transceiver:
                    self._huawei_optical(rows, ent, ps)
            elif prof.optical_mib == "cisco":
                # IOS: container (5) -> transceiver module (10, aliased to ifIndex) -> 5 sensors (8)
                base = 1000 + 10 * spec.if_index
                short = short_port_name(self.spec.vendor, spec.name)
                self._ent_row(rows, base, f"{spec.name} Container", "1.3.6.1.4.1.9.12.3.1.5.115", chassis, 5,
                              n + 1, f"{spec.name} Container")
                self._ent_row(rows, base + 1, f"{spec.transceiver or '1000BaseLX'} SFP",
                              "1.3.6.1.4.1.9.12.3.1.9.76.3", base, 10, 0, spec.name, fru=True)
                self._alias(rows, base + 1, spec.if_index, 0)
                if spec.transceiver:
                    self._cisco_sensors(rows, base + 1, short, ps)
            else:
                ent = 100 + spec.if_index
                self._ent_row(rows, ent, spec.transceiver or "port", "0.0", chassis, 10, n + 1, spec.name)
                self._alias(rows, ent, spec.if_index, 0)

    def _huawei_optical(self, rows: list[tuple[Oid, Getter]], ent: int, ps: PortState) -> None:
        """hwEntityOpticalTable. 0.01 dBm devices (AR, NE, CE) send every power column in 0.01 dBm;
        S-series switches send Rx/Tx power (8, 9) in uW, their thresholds (13-16) in 0.01 dBm, no
        warning thresholds (20-23: -1) and the lane columns (32, 33) as 0.01 dBm text with two
        decimals, as the LibreNMS S5720-32X-EI recording does. Multi-lane modules list one value per
        lane, comma separated."""
        m, s = self.model, ps.spec
        rx = lambda: m.rx_dbm(ps)  # noqa: E731
        tx = lambda: m.tx_dbm(ps)  # noqa: E731
        i32 = rfc1902.Integer32
        km = {850: 550, 1310: 10000, 1550: 40000}.get(s.wavelength_nm, 10000)
        uw = self.spec.optical_unit is PowerUnit.MICROWATT
        power = (lambda v: i32(microwatt(v))) if uw else (lambda v: i32(centi_dbm(v)))  # noqa: E731
        text = centi_dbm_text if uw else (lambda v: str(centi_dbm(v)))  # noqa: E731

        def lanes(value: Getter) -> Getter:
            return lambda: rfc1902.OctetString(",".join(text(v) for v in lane_powers(value(), s.lanes)))

        warn = (lambda v: i32(-1)) if uw else (lambda v: i32(centi_dbm(v)))  # noqa: E731
        cols: dict[int, Getter] = {
            1: lambda: i32(2),
            2: lambda: i32(s.wavelength_nm),
            3: lambda: i32(km),
            4: lambda: rfc1902.OctetString(f"LAB{self.device_no:04d}{s.if_index:04d}"),
            5: lambda: i32(38),
            6: lambda: i32(3300),
            7: lambda: i32(0 if tx() is None else 6200),
            8: lambda: power(min(lane_powers(rx(), s.lanes), key=_dark_first)),
            9: lambda: power(min(lane_powers(tx(), s.lanes), key=_dark_first)),
            13: lambda: i32(centi_dbm(s.rx_sensitivity_dbm)),
            14: lambda: i32(centi_dbm(s.rx_overload_dbm)),
            15: lambda: i32(centi_dbm(s.tx_dbm - 4.0)),
            16: lambda: i32(centi_dbm(s.tx_dbm + 3.0)),
            20: lambda: warn(s.rx_sensitivity_dbm + 3.0),
            21: lambda: warn(s.rx_overload_dbm - 1.0),
            22: lambda: warn(s.tx_dbm - 3.0),
            23: lambda: warn(s.tx_dbm + 2.0),
            24: lambda: rfc1902.OctetString("HUAWEI"),
            25: lambda: rfc1902.OctetString(s.transceiver or ""),
            32: lanes(rx),
            33: lanes(tx),
        }
        rows += [(HW_OPTICAL + (col, ent), g) for col, g in cols.items()]

    def _cisco_sensors(self, rows: list[tuple[Oid, Getter]], module: int, name: str, ps: PortState) -> None:
        m, s = self.model, ps.spec
        i32 = rfc1902.Integer32
        # (offset, label, type, scale, precision, value getter, limits in the sensor's units)
        sensors = [
            (2, "Module Temperature Sensor", 8, 9, 1, lambda: 380, _limits(750, 700, 0, -50)),
            (3, "Supply Voltage Sensor", 4, 9, 2, lambda: 330, _limits(363, 346, 313, 297)),
            (4, "Bias Current Sensor", 5, 8, 1, lambda: 0 if m.tx_dbm(ps) is None else 62, _limits(700, 650, 30, 20)),
            (5, "Transmit Power Sensor", 14, 9, 1, lambda: tenth_dbm(m.tx_dbm(ps)),
             _limits(*(tenth_dbm(s.tx_dbm + d) for d in (3.0, 2.0, -3.0, -4.0)))),
            (6, "Receive Power Sensor", 14, 9, 1, lambda: tenth_dbm(m.rx_dbm(ps)),
             _limits(*(tenth_dbm(v) for v in (s.rx_overload_dbm, s.rx_overload_dbm - 1.0,
                                               s.rx_sensitivity_dbm + 3.0, s.rx_sensitivity_dbm)))),
        ]
        layout = cisco_threshold_layout(self.spec.model)
        for off, label, typ, scale, prec, value, limits in sensors:
            idx = module + off
            self._ent_row(rows, idx, f"{s.name} {label}", "1.3.6.1.4.1.9.12.3.1.8.47", module, 8, 0,
                          f"{name} {label}")
            rows += [
                (CISCO_SENSOR + (1, idx), lambda t=typ: i32(t)),
                (CISCO_SENSOR + (2, idx), lambda sc=scale: i32(sc)),
                (CISCO_SENSOR + (3, idx), lambda p=prec: i32(p)),
                (CISCO_SENSOR + (4, idx), lambda v=value: i32(v())),
                (CISCO_SENSOR + (5, idx), lambda: i32(1)),
            ]
            # entSensorThresholdTable as the model's platform serves it: severity, relation, value,
            # evaluation (true when crossed), notification enable
            for t, (sev, rel, which) in enumerate(layout, start=1):
                thr = limits.get(which, 0)
                crossed = (lambda v=value, thr=thr, rel=rel, which=which:
                           i32(2 if which == "unset" else 1 if (v() >= thr if rel == 4 else v() <= thr) else 2))
                rows += [
                    (CISCO_THRESHOLD + (2, idx, t), lambda sev=sev: i32(sev)),
                    (CISCO_THRESHOLD + (3, idx, t), lambda rel=rel: i32(rel)),
                    (CISCO_THRESHOLD + (4, idx, t), lambda thr=thr: i32(thr)),
                    (CISCO_THRESHOLD + (5, idx, t), crossed),
                    (CISCO_THRESHOLD + (6, idx, t), lambda which=which: i32(2 if which == "unset" else 1)),
                ]


def _limits(high_alarm: int, high_warning: int, low_warning: int, low_alarm: int) -> dict[str, int]:
    return {"high_alarm": high_alarm, "high_warning": high_warning, "low_warning": low_warning,
            "low_alarm": low_alarm}
