"""faultline lab: a network twin of simulated Huawei VRP, Cisco IOS and ZTE ZXROS devices (网络孪生).

One asyncio process runs every device of a topology on its own loopback address, speaking real SNMP
(UDP, pysnmp agent side, v2c + v3 authPriv SHA/AES) and real SSH (asyncssh), all rendered from one
physical model with fault injection, loops and traps. The lab imports nothing from agent/,
collectors/, diagnosis/ or api/: it is the network, not the agent.

Stable contract (others build on these names)
---------------------------------------------
Topology: the inventory YAML of docs/inventory-format.md plus a `lab:` section with the physical
truth. Default: `lab/topologies/branch.yaml` (`DEFAULT_TOPOLOGY`). `lab:` keys:
  ports:    "device:port" -> tx_dbm, speed_mbps, duplex, traffic_in_mbps, traffic_out_mbps,
            description, external_rx_dbm (a port fed from outside the lab, e.g. the province exit)
  segments: "CIRCUIT#index" or "devA:portA--devB:portB" -> actual_loss_db
  models:   device -> model name shown in sysDescr
  latency:  {default: {snmp_ms, ssh_login_ms, command_ms, jitter}, devices: {device: {...}}}: the
            response times used when the lab runs with realistic latency (`lab/latency.py`)
Large topologies: `lab.generator.generate_topology(devices=1000, ports_per_device=20)` (distinct
127.30.x.y management addresses) or `generate --devices N --ports M --out FILE` on the CLI.

Python API (async, one event loop; call it from that loop's thread, e.g. not from netmiko workers)::

    lab = Lab.load(path_or_dict, address_block="127.20.0", snmp_port=1161, ssh_port=2222,
                   latency="off")          # "realistic": devices answer after their times (SNMP tens
                                           #   of ms, SSH login 1-3 s, ~0.3 s per command); None reads
                                           #   $FAULTLINE_LAB_LATENCY; lab.latency.mode switches it live
    async with lab:                      # or await lab.start() / await lab.stop()
        lab.devices                      # [DeviceEndpoint(name, vendor, site, host, snmp_port, ssh_port,
                                         #   snmp_version, community, username, password)]; .snmp / .ssh = "host:port"
        lab.device("acc-a-sw1")
        lab.inventory()                  # dict, inventory format, actual endpoints + lab credentials, no `lab:`
        fid = lab.inject("fiber_degraded", "CIR-EPL-0001#0", db=6)   # -> fault id "F0001"
        lab.clear(fid); lab.clear()      # one / all; returns cleared ids
        lab.clear(target="cpe-bank-1")   # the faults on a segment/port/device (CLI: `inject clear TARGET`)
        lab.faults()                     # active Fault records
        lab.add_trap_receiver("127.0.0.1", 16200)            # v2c; version="3": authPriv as the v3 user,
        lab.snmp_engine_id                                  #   the receiver configures this engine id
        lab.port_state("acc-a-sw1", "GigabitEthernet0/0/1")   # PortReading: oper_up, rx_dbm, tx_dbm, loop,
                                                              #   duplex, in_util, out_util, counters
        lab.loop_test("acc-a-sw1", "GigabitEthernet0/0/1", "cpe-bank-1", "GigabitEthernet0/0/1")
                                         # LoopTestResult(returned, circuit, segments, loop_mode,
                                         #   origin_rx_dbm, round_trip_loss_db, reason)
        lab.set_loop(device, port, "local" | "remote" | None)   # what the CLI loop commands do
        lab.loop_log(device, port); lab.loop_seconds(device, port)  # when loops went on/off; how long each
        lab.commit_timer(device)         # a commit platform's pending rollback timer (s), None: nothing to confirm
        lab.circuit_state("CIR-EPL-0001")  # CircuitState(up, looped_at, down_ports, unpowered)
        lab.alarms(device, active=True)
        lab.advance(seconds)             # jump simulated time (transceiver ageing over days)

Fault kinds (`FaultKind`) and targets: fiber_degraded(db) / fiber_cut / loose_connector(period_s,
down_s, extra_loss_db) on a segment ("CIR#i", "devA:portA--devB:portB" or one of its ports);
duplex_mismatch(duplex) / speed_mismatch(speed_mbps) / port_congestion(utilisation, direction) /
transceiver_ageing(db_per_day, db = already aged) on a port "device:port" (a duplex or speed mismatch gives the slower / half-duplex end late
collisions and output errors, its peer CRC/runt input errors; the forced speed shows in ifSpeed,
ifHighSpeed and the CLI); egress_congestion(utilisation) on a port or a device (its externally fed
port); cpe_power_off on a device. `clear` = `lab.clear(...)`.

Loops over SSH with the vendors' config commands: Huawei `system-view` / `interface X` /
`loopback local|remote` / `undo loopback` / `return`; Cisco `configure terminal` / `interface X` /
`loopback local|remote` (also mac/driver = local, line = remote) / `no loopback` / `end`; ZTE
`configure terminal` / `interface X` / `loopback internal|external` (or local|remote) /
`no loopback` / `end`. A remote loop sends the far end's own light back: that port shows
Rx = its Tx - round-trip loss (down when below sensitivity). Loop state shows in `display interface`
("Loopback: LOCAL|REMOTE|NONE"), `show interfaces` ("loopback set|not set") and ZTE `show interface`
("The interface is in loopback internal|external mode"). A loop takes the circuit's service down:
its customer traffic (the CPE port's configured traffic) stops on every port of its path, so octet
counters stand still on its own ports and shared uplinks carry only the other circuits' share.
The looped port itself counts nothing (not even keepalives). Direction matters: a remote loop returns
the test signal on the port facing the origin, a local one on a port the signal reaches from inside
the device (`loop_test` says why the other returns nothing); a port with no light loops nothing back.
Commit platforms (COMMIT_TOPOLOGY): Junos `configure` / `set|delete interfaces X gigether-options
loopback` / `commit [confirmed N minutes]`; IOS-XR `configure` / `interface X` / `loopback
internal|line` / `no loopback` / `commit [confirmed N seconds]`; Huawei `huawei_vrp8` (a CloudEngine in
two-stage mode): the Huawei lines, then `commit [trial N seconds]`. A confirmed/trial commit not
confirmed by a later `commit` in time is rolled back by the device itself (lab/ssh/commit.py).

CLI: `lab.cli.app` (typer) with `up [--topology FILE] [--inventory-out FILE]`, `generate`, and `inject` / `clear` /
`faults` talking to the loopback-only control endpoint (`lab.control`, HTTP on 127.0.0.1).

SNMP: v2c community from the topology (default `public`) and v3 user `faultline` authPriv SHA/AES
(`V3Credentials`) on every device; a device whose topology says `snmp.version: "3"` answers v3 only
(community requests get silence, like a real agent without a community); SNMPv2-MIB system, IF-MIB
ifTable/ifXTable, EtherLike dot3StatsTable, ENTITY-MIB entPhysicalTable + entAliasMapping, Huawei hwEntityOpticalTable (0.01 dBm), Cisco
CISCO-ENTITY-SENSOR-MIB (type 14, scale 9, precision 1) + threshold table. ZTE: no optical MIB
(no real data exists), optics over CLI `show opticalinfo X`. SNMPv3 shares one engine ID across
devices (one pysnmp engine serves them all). A powered-off device answers neither SNMP nor SSH; when
its power returns it boots: sysUpTime (also in its traps) and its interface counters restart from 0.
Traps (v2c, or v3 authPriv per receiver; `lab/snmp/traps.py`): linkDown/linkUp; Huawei hwOpticalInvalid .2011.5.25.219.2.4.5 /
Resume .6 and hwIfMonitorCrcErrorRising .2011.5.25.41.4.1 / Resume .2 (3 CRC errors per 10 s);
Cisco entSensorThresholdNotification .9.9.91.2.0.1; a transmitter aged below nominal - 4 dB (its Tx
low alarm threshold) raises the same optical traps for Tx (Huawei fault id 136194). The same events
fill Huawei `display alarm active|history`, ZTE `show alarm current|history` and Cisco `show logging`.
"""
from __future__ import annotations

from pathlib import Path

from lab.enums import FaultKind, LinkEventKind, LoopMode, Vendor
from lab.errors import FaultParameterError, LabError, LabStateError, TopologyError, UnknownTarget
from lab.lab import DeviceEndpoint, Lab
from lab.loops import CircuitState, LoopTestResult
from lab.model import PortReading
from lab.snmp.agent import V3Credentials

DEFAULT_TOPOLOGY = Path(__file__).resolve().parent / "topologies" / "branch.yaml"
# Junos, IOS-XR and a VRP8 two-stage-commit switch as the provider ends of one-segment circuits
COMMIT_TOPOLOGY = Path(__file__).resolve().parent / "topologies" / "commit_platforms.yaml"

__all__ = [
    "COMMIT_TOPOLOGY", "DEFAULT_TOPOLOGY", "CircuitState", "DeviceEndpoint", "FaultKind", "FaultParameterError", "Lab",
    "LabError", "LabStateError", "LinkEventKind", "LoopMode", "LoopTestResult", "PortReading",
    "TopologyError", "UnknownTarget", "V3Credentials", "Vendor",
]
