"""faultline collectors (采集): talk to devices and nothing else.

SNMP (pysnmp 7, asyncio), an SNMP trap receiver and CLI (netmiko in worker threads, TextFSM parsing)
return typed readings; this package never touches the database and imports none of agent/, api/,
diagnosis/ or lab/. Vendor differences are data: one profile per platform in ``collectors/profiles``.

Contract used by the agent's triage (kept stable). ``collectors.base`` states what the agent depends
on as Protocols: ``DeviceReader`` (survey, counters) and ``LoopDriver`` (set_loop, clear_loop,
port_light).

Targets (independent of the database; credentials are left out of ``repr``)
    DeviceTarget(name, platform, address, snmp: SnmpParams | None, cli: CliParams | None, ports: tuple[PortRef, ...])
    SnmpParams(version "2c"|"3", port, community, user, auth_protocol, auth_key, priv_protocol, priv_key,
               context="", timeout=2.0, retries=1)
    CliParams(device_type, port, username, password, secret, timeout=20.0)
    PortRef(name, if_index | None)      names are validated (no blanks / separators: no command injection)

Readings (frozen dataclasses, each with ``source: Source(device, port, method, ref, raw, time)``)
    OpticalReading   rx/tx dBm, per-lane values, module thresholds (``Thresholds``), temperature, bias,
                     voltage, notes (e.g. "bogus threshold replaced ..."); ``rx_state`` / ``tx_state``
    InterfaceState   admin / oper status, speed, duplex, description (ifAlias)
    CounterSample    HC octets in/out, in/out errors, CRC, discards, ``read_at`` (when ITS response came
                     back) and ``timing: ReadTime(sent, received, uptime_cs)`` (monotonic bounds of the
                     read, the agent's sysUpTime in that response)
    AlarmRecord      TMF642-like: alarm type, severity, probable cause, port, raised/cleared, count, flapping
    utilisation(a, b, speed_bps) -> float   busier direction, fraction of the port speed
    rates.counter_rates(a, b, speed_bps=, limit_bps=) -> CounterRates   bit/error rates timed by the two
                     samples' own reads (sysUpTime, else response times), with the interval's bounds;
                     ``.fault`` (MeasurementFault with the raw counters) when the counters cannot be traffic

Entry points
    await survey(target, ports=None, want={"optical", "interface", "counters", "alarms"}, since=None,
                 timeout=30.0) -> DeviceSurvey         readings + per-item ``ItemError``s; never raises for
                                                       device trouble (unreachable -> UnreachableError item);
                                                       an SNMP walk cut short keeps the rows it read
                                                       (``ItemError.partial``; SnmpClient returns ``Partial``)
    await set_loop(target, port_name, mode "local"|"remote") -> LoopAction   over CLI configuration mode;
    await clear_loop(target, port_name) -> LoopAction        inventory ports only (InvalidPort otherwise);
    Collector.loop_state(target, port_name) -> LoopReadback  the port's loop state read back (profile loop.state);
                                                             LoopAction = device, port, mode, commands, output, at;
                                                             IOS-XR / Junos lines are committed (profile commit)
    target_from_inventory(device_dict) -> DeviceTarget       from one inventory-format device entry
    Collector(...)          the same with shared SNMP engine / CLI pool and limits (one per event loop);
                            one SSH session per device across the whole process (cli.session.DeviceLocks)
    TrapReceiver(...)       async start()/stop() on a 127.0.0.x UDP port, v2c and v3; AlarmRecords on an
                            asyncio queue and/or a callback, raise/clear pairing, duplicates merged, flap
                            detection, optical alarm suppression on admin-down / fibreless ports; trap
                            meaning in ``collectors.trapmap`` (pass ``sensors=`` built with
                            ``trapmap.sensor_catalog`` so Cisco sensor traps name Rx/Tx/temperature)

Errors: ``collectors.errors`` (CollectorError root; Unreachable, AuthenticationFailed, Timeout,
Unsupported, ParseError, SnmpError, CommandError, InvalidPort), each with ``.raw``.
"""
from __future__ import annotations

from collectors.enums import (
    AdminStatus,
    AlarmType,
    Duplex,
    LoopMode,
    Method,
    OperStatus,
    ProbableCause,
    Severity,
    Want,
)
from collectors.errors import (
    AuthenticationFailed,
    CollectorError,
    CollectorTimeout,
    CommandError,
    InvalidPort,
    ParseError,
    SnmpError,
    UnreachableError,
    Unsupported,
)
from collectors.readings import (
    AlarmRecord,
    CounterSample,
    DeviceSurvey,
    InterfaceState,
    ItemError,
    OpticalReading,
    Source,
    Thresholds,
    utilisation,
    utilisation_in_out,
)
from collectors.survey import (
    Collector,
    LoopAction,
    LoopReadback,
    clear_loop,
    set_loop,
    survey,
)
from collectors.target import (
    CliParams,
    DeviceTarget,
    PortRef,
    SnmpParams,
    target_from_inventory,
)
from collectors.traps import TrapReceiver, V3User

__all__ = [
    "Collector", "LoopAction", "LoopReadback", "TrapReceiver", "V3User", "clear_loop", "set_loop", "survey", "target_from_inventory",
    "AdminStatus", "AlarmRecord", "AlarmType", "AuthenticationFailed", "CliParams", "CollectorError",
    "CollectorTimeout", "CommandError", "CounterSample", "DeviceSurvey", "DeviceTarget", "Duplex",
    "InterfaceState", "InvalidPort", "ItemError", "LoopMode", "Method", "OperStatus", "OpticalReading",
    "ParseError", "PortRef", "ProbableCause", "Severity", "SnmpError", "SnmpParams", "Source", "Thresholds",
    "UnreachableError", "Unsupported", "Want", "utilisation", "utilisation_in_out",
]
