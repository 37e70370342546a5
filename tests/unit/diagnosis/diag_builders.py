"""Hand-built circuits and readings for the diagnosis unit tests (imported by name: conftest.py puts
this folder on sys.path, since pytest runs in importlib mode).

`scene` gives a healthy 5-segment circuit (CPE → access room → aggregation → core → metro egress →
province exit) with every reading present; a test breaks one thing and runs a playbook.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from diagnosis import (
    AccessState, AlarmRecord, CircuitPath, DeviceAccess, Diagnosis, Duplex, ErrorReading, FlapRecord,
    LinkState, Method, Observations, OpticalReading, PortEnd, PortStatus, ReadingGap, ReadingKind,
    RxTrendPoint, Segment, SiteKind, Source, Symptom, TicketContext, TicketKind, UtilisationReading,
    diagnose,
)
from diagnosis.budget import segment_budget

NOW = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)
REPORTED = NOW - timedelta(minutes=20)

LX = dict(transceiver="1000BASE-LX", wavelength_nm=1310, speed_mbps=1000)
LR = dict(transceiver="10GBASE-LR", wavelength_nm=1310, speed_mbps=10000)
ER = dict(transceiver="10GBASE-ER", wavelength_nm=1550, speed_mbps=10000)
ZR = dict(transceiver="10GBASE-ZR", wavelength_nm=1550, speed_mbps=10000)
TX = {"1000BASE-LX": -5.0, "10GBASE-LR": -1.0, "10GBASE-ER": 2.0, "10GBASE-ZR": 2.0}


def end(device: str, port: str, kind: SiteKind, optics: dict) -> PortEnd:
    return PortEnd(device=device, port=port, site_kind=kind, platform="huawei_vrp", **optics)


def five_segment_path() -> CircuitPath:
    C, A, G, K, E, P = (SiteKind.CUSTOMER_PREMISES, SiteKind.ACCESS_ROOM, SiteKind.AGGREGATION,
                        SiteKind.CORE, SiteKind.METRO_EGRESS, SiteKind.PROVINCE_EXIT)
    return CircuitPath(
        circuit_id="CIR-EPL-0001", customer="CUST-001", service_type="ethernet_private_line",
        rate_mbps=100,
        segments=(
            Segment(0, end("cpe-1", "GE0/0/1", C, LX), end("acc-a-sw1", "GE0/0/1", A, LX), 2.4, 2, 3),
            Segment(1, end("acc-a-sw1", "GE0/0/2", A, LX), end("agg-1", "GE1/0/1", G, LX), 8.0, 2, 4),
            Segment(2, end("agg-1", "XGE1/0/2", G, LR), end("core-1", "XGE0/0/1", K, LR), 12.0, 2, 4),
            Segment(3, end("core-1", "XGE0/0/2", K, LR), end("egress-1", "XGE0/0/1", E, LR), 0.5, 2, 0),
            Segment(4, end("egress-1", "XGE0/0/2", E, ER), end("pexit-1", "XGE0/0/1", P, ER), 40.0, 2, 8),
        ),
    )


def src(device: str, port: str | None, reference: str = "1.3.6.1.4.1.2011.5.25.31.1.1.3.1.8",
        method: Method = Method.SNMP, raw: str = "", time: datetime = NOW) -> Source:
    return Source(device=device, port=port, method=method, time=time, reference=reference,
                  raw=raw or f"{device} {port} value")


class Scene:
    """A healthy circuit (the five-segment one unless a path is given); the helpers change one
    reading at a time."""

    def __init__(self, path: CircuitPath | None = None) -> None:
        self.path = path or five_segment_path()
        self.optical: dict[tuple[str, str], OpticalReading] = {}
        self.status: dict[tuple[str, str], PortStatus] = {}
        self.errors: dict[tuple[str, str], list[ErrorReading]] = {}
        self.utilisation: dict[tuple[str, str], UtilisationReading] = {}
        self.devices: dict[str, DeviceAccess] = {
            d: DeviceAccess(d, AccessState.OK) for d in self.path.devices()}
        self.alarms: list[AlarmRecord] = []
        self.flaps: list[FlapRecord] = []
        self.gaps: list[ReadingGap] = []
        self.trend: list[RxTrendPoint] = []
        self.stored_alarms_queried = True
        self.alarm_history_devices = list(self.path.devices())
        for segment in self.path.segments:
            budget = segment_budget(segment).budget_db
            assert budget is not None
            for sender, receiver in ((segment.a, segment.z), (segment.z, segment.a)):
                tx = TX[sender.transceiver]
                self.optical.setdefault(sender.key, OpticalReading(sender.device, sender.port, src(*sender.key)))
                self.optical[sender.key] = replace(self.optical[sender.key], tx_dbm=tx)
                self.optical.setdefault(receiver.key, OpticalReading(receiver.device, receiver.port, src(*receiver.key)))
                self.optical[receiver.key] = replace(self.optical[receiver.key], rx_dbm=round(tx - budget + 0.3, 2))
        for seg, e in self.path.ports():
            self.status[e.key] = PortStatus(e.device, e.port, src(e.device, e.port, "IF-MIB::ifOperStatus"),
                                            LinkState.UP, LinkState.UP, e.speed_mbps, Duplex.FULL)
            self.errors[e.key] = [
                ErrorReading(e.device, e.port, src(e.device, e.port, "IF-MIB::ifInErrors", time=NOW - timedelta(seconds=60)), 10, 10),
                ErrorReading(e.device, e.port, src(e.device, e.port, "IF-MIB::ifInErrors"), 10, 10),
            ]
        if path is not None:
            return
        self.set_util("acc-a-sw1", "GE0/0/1", in_mbps=40.0, out_mbps=35.0)
        self.set_util("cpe-1", "GE0/0/1", in_mbps=35.0, out_mbps=40.0)
        for port in ("XGE0/0/1", "XGE0/0/2"):
            self.set_util("egress-1", port, in_fraction=0.3, out_fraction=0.25, speed_mbps=10000)

    # -- changes -------------------------------------------------------------------------------
    def segment(self, index: int) -> Segment:
        return self.path.segments[index]

    def set_optical(self, device: str, port: str, **changes: object) -> None:
        self.optical[(device, port)] = replace(self.optical[(device, port)], **changes)

    def set_rx(self, device: str, port: str, rx: float | None, **changes: object) -> None:
        self.set_optical(device, port, rx_dbm=rx, **changes)

    def add_loss(self, segment: int, extra_db: float, both: bool = True) -> None:
        seg = self.segment(segment)
        receivers = (seg.z, seg.a) if both else (seg.z,)
        for receiver in receivers:
            current = self.optical[receiver.key].rx_dbm
            assert current is not None
            self.set_rx(*receiver.key, round(current - extra_db, 2))

    def cut(self, segment: int) -> None:
        seg = self.segment(segment)
        for e in seg.ends:  # ports whose readings were taken away stay without readings
            if e.key in self.optical:
                self.set_rx(*e.key, -40.0, rx_los=True)
            if e.key in self.status:
                self.set_status(*e.key, oper=LinkState.DOWN)

    def set_status(self, device: str, port: str, **changes: object) -> None:
        self.status[(device, port)] = replace(self.status[(device, port)], **changes)

    def set_util(self, device: str, port: str, **values: object) -> None:
        self.utilisation[(device, port)] = UtilisationReading(device, port, src(device, port, "IF-MIB::ifHCInOctets"), **values)

    def set_errors_rate(self, device: str, port: str, crc_per_s: float) -> None:
        self.errors[(device, port)] = [ErrorReading(device, port, src(device, port, "IF-MIB::ifInErrors"),
                                                    crc_per_s=crc_per_s, input_errors_per_s=crc_per_s)]

    def unreachable(self, device: str, state: AccessState = AccessState.UNREACHABLE, detail: str = "") -> None:
        self.devices[device] = DeviceAccess(device, state, detail)
        for store in (self.optical, self.status, self.errors, self.utilisation):
            for key in [k for k in store if k[0] == device]:
                del store[key]
        if device in self.alarm_history_devices:
            self.alarm_history_devices.remove(device)

    def add_alarm(self, device: str, port: str | None, name: str = "linkDown", *, raised: datetime,
                  cleared: datetime | None = None, method: Method = Method.STORED) -> None:
        self.alarms.append(AlarmRecord(device, port, name, "major", raised, src(device, port, "alarms", method, time=raised),
                                       cleared_at=cleared))

    def add_flaps(self, device: str, port: str, times: list[datetime]) -> None:
        for t in times:
            self.flaps.append(FlapRecord(device, port, t, LinkState.DOWN, src(device, port, "display logbuffer", Method.CLI, time=t)))

    def gap(self, device: str, port: str | None, kind: ReadingKind, reason: AccessState, detail: str = "") -> None:
        self.gaps.append(ReadingGap(device, port, kind, reason, detail))
        if kind == ReadingKind.OPTICAL and port is not None:
            self.optical.pop((device, port), None)

    # -- running -------------------------------------------------------------------------------
    def observations(self) -> Observations:
        return Observations(
            optical=list(self.optical.values()), status=list(self.status.values()),
            errors=[r for series in self.errors.values() for r in series],
            utilisation=list(self.utilisation.values()), alarms=self.alarms, flaps=self.flaps,
            devices=list(self.devices.values()), gaps=self.gaps, rx_trend=self.trend,
            stored_alarms_queried=self.stored_alarms_queried,
            alarm_history_devices=self.alarm_history_devices,
        )

    def ticket(self, kind: TicketKind, symptom: Symptom, **changes: object) -> TicketContext:
        base = TicketContext(kind=kind, symptom=symptom, reported_at=REPORTED, now=NOW,
                             window_start=NOW - timedelta(hours=6), window_end=NOW, ticket_id="T-1")
        return replace(base, **changes) if changes else base

    def run(self, kind: TicketKind, symptom: Symptom, **ticket_changes: object) -> Diagnosis:
        return diagnose(self.path, self.observations(), self.ticket(kind, symptom, **ticket_changes))

    def quality(self) -> Diagnosis:
        return self.run(TicketKind.ASSIST_CHECK, Symptom.LATENCY_OR_ERRORS)

    def alarms_check(self, **changes: object) -> Diagnosis:
        return self.run(TicketKind.ASSIST_CHECK, Symptom.INTERRUPTION_OR_FLAP, **changes)

    def interruption(self) -> Diagnosis:
        return self.run(TicketKind.INTERRUPTION, Symptom.DOWN)
