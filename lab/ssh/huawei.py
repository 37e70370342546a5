"""Huawei VRP CLI (VRP5 S-switch / AR / NE dialect, VRP8 CloudEngine transceivers), rendered from the model.

`display interface` follows the VRP5 GE port layout that ntc-templates parses (fixture
huawei_vrp_display_interface.raw); `display transceiver ... verbose` copies the layout of the real
S5730 capture (misc-one-liners_s5730_10g-er_rx-los.raw), mojibake degree sign included, and of the
S6730 capture for multi-lane modules (ix-rnp-100G_s6730_100ge0-0-3_lanes.raw: 'a|b(Lane0|Lane1)'
continued on the next line). A CloudEngine (VRP8, `CliDialect.VRP8`) prints its transceivers as the
CE6870 capture does (yandex_ce6870_100ge_lanes_dark.raw): `display interface X transceiver verbose`,
'Current RX Power (dBm) :a|b(Lane0|Lane1)', 'Default RX Power Low Threshold (dBm)', an 'Alarm
information' block. `display alarm active|history` print the A/B/C/D/E/F/G/H/I/J rows real VRP
devices print, each indented by two spaces after the legend.
"""
from __future__ import annotations

from lab import physics
from lab.enums import CliDialect, LoopMode
from lab.eventlog import Alarm
from lab.model import PortState
from lab.snmp.mib import lane_powers, mac_of
from lab.ssh.candidate import CandidateShell
from lab.ssh.shell import Shell

BRIEF_HEADER = """PHY: Physical
*down: administratively down
^down: standby
(l): loopback
(s): spoofing
(E): E-Trunk down
(b): BFD down
(B): Bit-error-detection down
(e): ETHOAM down
(d): Dampening Suppressed
InUti/OutUti: input utility/output utility
Interface                   PHY   Protocol  InUti OutUti   inErrors  outErrors
"""
RULE = "-" * 79
ALARM_LEGEND = """A/B/C/D/E/F/G/H/I/J
A=Sequence, B=RootKindFlag(Independent|RootCause|nonRootCause)
C=Generating time, D=Clearing time
E=ID, F=Name, G=Level, H=State
I=Description information for locating(Para info, Reason info)
J=RootCause alarm sequence(Only for nonRootCause alarm)
"""
VRP8_RULE = "-" * 67
VRP8_LABEL = 38  # 'Default RX Power High Threshold (dBm) ' and the colon after it


def _level(dbm: float | None) -> float:
    return physics.NO_LIGHT_DBM if dbm is None else max(dbm, physics.NO_LIGHT_DBM)


def _lane_lines(values: list[float], indent: int, width: int = 0) -> str:
    """'a|b(Lane0|Lane1)' pairs, one pair per line, continuation lines under the first value."""
    if len(values) == 1:
        return f"{values[0]:.2f}"
    lines = []
    for i in range(0, len(values), 2):
        pair = values[i:i + 2]
        nums = "|".join(f"{v:.2f}" for v in pair)
        names = "|".join(f"Lane{i + k}" for k in range(len(pair)))
        lines.append(f"{nums:<{width}}({names})")
    return ("\n" + " " * indent).join(lines)


def _pct(x: float) -> str:
    v = x * 100
    return "0%" if v < 0.005 else f"{v:.2f}%".replace(".00%", "%")


class HuaweiShell(Shell):
    config_mode = "system"  # system-view
    config_banner = "Enter system view, return user view with Ctrl+Z.\n"
    banner = "\nInfo: The max number of VTY users is 10, and the number\n      of current VTY users on line is 1.\n"

    def prompt(self) -> str:
        if self.mode == "exec":
            return f"<{self.hostname}>"
        if self.mode == "interface":
            return f"[{self.hostname}-{self.current_port}]"
        return f"[{self.hostname}]"

    def error_text(self, line: str, position: int) -> str:
        pad = " " * (len(self.prompt()) + position)
        return f"{pad}^\nError: Unrecognized command found at '^' position.\n"

    def incomplete_text(self, line: str) -> str:
        pad = " " * (len(self.prompt()) + len(line.rstrip()))
        return f"{pad}^\nError: Incomplete command found at '^' position.\n"

    def port_error(self, line: str) -> str:
        return "Error: Wrong parameter found at '^' position.\n"

    def commands(self):  # type: ignore[no-untyped-def]
        return [
            ("*", "screen-length 0 temporary", lambda: "Info: The configuration takes effect on the current user terminal interface only.\n"),
            ("*", "display interface brief", self.interface_brief),
            # VRP8 (CloudEngine) syntax, before `display interface {port}` would take 'transceiver' for
            # part of a port name; a VRP5 device answers it too, in its own layout
            ("*", "display interface {port} transceiver [verbose]", lambda port, verbose=False: self.transceiver(self.port(port), verbose)),
            ("*", "display interface transceiver [verbose]", lambda verbose=False: "".join(self.transceiver(p, verbose) for p in self.ctx.ports() if p.spec.transceiver)),
            ("*", "display interface {port}", lambda port: self.interface(self.port(port))),
            ("*", "display interface", lambda: "\n".join(self.interface(p) for p in self.ctx.ports())),
            ("*", "display transceiver interface {port} [verbose]", lambda port, verbose=False: self.transceiver(self.port(port), verbose)),
            ("*", "display transceiver diagnosis interface {port}", lambda port: self.diagnosis(self.port(port))),
            ("*", "display transceiver [verbose]", lambda verbose=False: "".join(self.transceiver(p, verbose) for p in self.ctx.ports() if p.spec.transceiver)),
            ("*", "display alarm active", lambda: self.alarms(active=True)),
            ("*", "display alarm history", lambda: self.alarms(active=False)),
            ("*", "display clock", lambda: self.ctx.now().strftime("%Y-%m-%d %H:%M:%S+00:00\n%A\nTime Zone(UTC) : UTC\n")),
            ("exec", "system-view", self.configure),
            ("exec", "quit", self.logout),
            ("system", "interface {port}", self.enter_interface),
            ("interface", "interface {port}", self.enter_interface),
            ("interface", "loopback local", lambda: self.set_loop(LoopMode.LOCAL)),
            ("interface", "loopback remote", lambda: self.set_loop(LoopMode.REMOTE)),
            ("interface", "undo loopback", lambda: self.set_loop(None)),
            ("interface", "quit", self.leave_interface),
            ("system", "quit", self.end),
            ("*", "return", self.end),
        ]

    # -- renderers -------------------------------------------------------------------------------
    def interface(self, ps: PortState) -> str:
        m = self.ctx.model
        m.settle(ps)
        s, c = ps.spec, ps.counters
        up = "UP" if ps.oper_up else "DOWN"
        t_in, t_out = m.traffic_mbps(ps)
        clock = self.ctx.clock
        changed = clock.wall(ps.last_change_s).strftime("%Y-%m-%d %H:%M:%S")
        last_up = changed if ps.oper_up else "-"
        last_down = "-" if ps.oper_up else changed
        loop = {None: "NONE", LoopMode.LOCAL: "LOCAL", LoopMode.REMOTE: "REMOTE"}[ps.loop]
        mac = mac_of(self.ctx.device_no, s.if_index).hex()
        in_pkts, out_pkts = int(c["in_ucast"]), int(c["out_ucast"])
        in_pps = int(physics.pps(t_in)) if ps.oper_up else 0
        out_pps = int(physics.pps(t_out)) if ps.oper_up else 0
        speed = m.speed_mbps(ps)
        in_util = physics.utilisation(t_in, speed)
        out_util = physics.utilisation(t_out, speed)
        return (
            f"{s.name} current state : {up}\n"
            f"Line protocol current state : {up}\n"
            f"Description:{s.description}\n"
            "Switch Port, PVID :    1, TPID : 8100(Hex), The Maximum Frame Length is 9216\n"
            f"IP Sending Frames' Format is PKTFMT_ETHNT_2, Hardware address is {mac[0:4]}-{mac[4:8]}-{mac[8:12]}\n"
            f"Last physical up time   : {last_up}\n"
            f"Last physical down time : {last_down}\n"
            f"Current system time: {self.ctx.now():%Y-%m-%d %H:%M:%S}\n"
            "Port Mode: COMMON FIBER\n"
            f"Speed : {speed:>4},  Loopback: {loop}\n"
            f"Duplex: {m.duplex(ps).upper()},  Negotiation: DISABLE\n"
            "Mdi   : -,  Clock   : -\n"
            f"Last 300 seconds input rate {int(t_in * 1e6)} bits/sec, {in_pps} packets/sec\n"
            f"Last 300 seconds output rate {int(t_out * 1e6)} bits/sec, {out_pps} packets/sec\n"
            "Input peak rate 0 bits/sec,Record time: -\n"
            "Output peak rate 0 bits/sec,Record time: -\n"
            "\n"
            f"Input:  {in_pkts} packets, {int(c['in_octets'])} bytes\n"
            f"  Unicast:{in_pkts:>19},  Multicast:{0:>20}\n"
            f"  Broadcast:{0:>17},  Jumbo:{0:>24}\n"
            f"  Discard:{int(c['in_discards']):>19},  Total Error:{int(c['in_errors']):>18}\n"
            "\n"
            f"  CRC:{int(c['crc']):>23},  Giants:{0:>23}\n"
            f"  Jabbers:{0:>19},  Throttles:{0:>20}\n"
            f"  Runts:{int(c['alignment']):>21},  Symbols:{0:>22}\n"
            f"  Ignoreds:{0:>18},  Frames:{0:>23}\n"
            "\n"
            f"Output:  {out_pkts} packets, {int(c['out_octets'])} bytes\n"
            f"  Unicast:{out_pkts:>19},  Multicast:{0:>20}\n"
            f"  Broadcast:{0:>17},  Jumbo:{0:>24}\n"
            f"  Discard:{int(c['out_discards']):>19},  Total Error:{int(c['out_errors']):>18}\n"
            "\n"
            f"  Collisions:{0:>16},  ExcessiveCollisions:{0:>10}\n"
            f"  Late Collisions:{int(c['late_collisions']):>11},  Deferreds:{0:>20}\n"
            "\n"
            "    Input bandwidth utilization threshold : 100.00%\n"
            "    Output bandwidth utilization threshold: 100.00%\n"
            f"    Input bandwidth utilization  : {_pct(in_util):>6}\n"
            f"    Output bandwidth utilization : {_pct(out_util):>6}\n"
        )

    def interface_brief(self) -> str:
        m = self.ctx.model
        rows = []
        for ps in self.ctx.ports():
            m.settle(ps)
            t_in, t_out = m.traffic_mbps(ps)
            phy = "up" if ps.oper_up else "down"
            speed = m.speed_mbps(ps)
            proto = phy + ("(l)" if ps.loop and ps.oper_up else "")
            rows.append(
                f"{ps.spec.name:<28}{phy:<6}{proto:<9}{_pct(physics.utilisation(t_in, speed)):>6}"
                f"{_pct(physics.utilisation(t_out, speed)):>7}{int(ps.counters['in_errors']):>11}"
                f"{int(ps.counters['out_errors']):>11}"
            )
        return BRIEF_HEADER + "\n".join(rows) + "\n"

    def transceiver(self, ps: PortState, verbose: bool = True) -> str:
        """Without `verbose` VRP prints the inventory blocks only (capture misc-one-liners_s5730_xge0-0-1.raw)."""
        if self.ctx.spec.cli_dialect is CliDialect.VRP8:
            return self.transceiver_vrp8(ps, verbose)
        m, s = self.ctx.model, ps.spec
        if not s.transceiver:
            return "Error: The transceiver is absent.\n"
        rx, tx = m.rx_dbm(ps), m.tx_dbm(ps)
        rx_v = _lane_lines([_level(v) for v in lane_powers(rx, s.lanes)], 33)
        tx_v = _lane_lines([_level(v) for v in lane_powers(tx, s.lanes)], 33)
        bias = _lane_lines([0.0 if tx is None else 6.2] * s.lanes, 33)
        km = {850: 550, 1310: 10000, 1550: 40000}.get(s.wavelength_nm, 10000)
        return (
            "\n"
            f"{s.name} transceiver information:\n"
            "-------------------------------------------------------------\n"
            "Common information:\n"
            f"  Transceiver Type               :{s.transceiver.replace('-', '_')}_SFP\n"
            "  Connector Type                 :LC\n"
            f"  Wavelength(nm)                 :{s.wavelength_nm}\n"
            f"  Transfer Distance(m)           :{km}(9um)\n"
            "  Digital Diagnostic Monitoring  :YES\n"
            "  Vendor Name                    :HUAWEI\n"
            f"  Vendor Part Number             :LAB-{s.transceiver}\n"
            "  Ordering Name                  :\n"
            "-------------------------------------------------------------\n"
            "Manufacture information:\n"
            f"  Manu. Serial Number            :LAB{self.ctx.device_no:04d}{s.if_index:04d}\n"
            "  Manufacturing Date             :2024-03-01\n"
            "  Vendor Name                    :HUAWEI\n"
            "-------------------------------------------------------------\n"
        ) + (
            "Diagnostic information:\n"
            "  Temperature(\u00a1\u00e3C)              :38.00\n"
            "  Temp High Threshold(\u00a1\u00e3C)      :75.00\n"
            "  Temp Low  Threshold(\u00a1\u00e3C)      :-5.00\n"
            "  Voltage(V)                    :3.30\n"
            "  Volt High Threshold(V)        :3.63\n"
            "  Volt Low  Threshold(V)        :2.97\n"
            f"  Bias Current(mA)              :{bias}\n"
            "  Bias High Threshold(mA)       :70.00\n"
            "  Bias Low  Threshold(mA)       :2.00\n"
            f"  RX Power(dBM)                 :{rx_v}\n"
            f"  RX Power High Warning(dBM)    :{s.rx_overload_dbm - 1.0:.2f}\n"
            f"  RX Power Low  Warning(dBM)    :{s.rx_sensitivity_dbm + 3.0:.2f}\n"
            f"  RX Power High Threshold(dBM)  :{s.rx_overload_dbm:.2f}\n"
            f"  RX Power Low  Threshold(dBM)  :{s.rx_sensitivity_dbm:.2f}\n"
            f"  TX Power(dBM)                 :{tx_v}\n"
            f"  TX Power High Warning(dBM)    :{s.tx_dbm + 2.0:.2f}\n"
            f"  TX Power Low  Warning(dBM)    :{s.tx_dbm - 3.0:.2f}\n"
            f"  TX Power High Threshold(dBM)  :{s.tx_dbm + 3.0:.2f}\n"
            f"  TX Power Low  Threshold(dBM)  :{s.tx_dbm - 4.0:.2f}\n"
            "  Transceiver phony alarm       : No\n"
            "-------------------------------------------------------------\n"
            if verbose else ""
        )

    def transceiver_vrp8(self, ps: PortState, verbose: bool) -> str:
        """CloudEngine layout (capture yandex_ce6870_100ge_lanes_dark.raw)."""
        m, s = self.ctx.model, ps.spec
        if not s.transceiver:
            return "Error: The transceiver is absent.\n"
        rx, tx = m.rx_dbm(ps), m.tx_dbm(ps)
        indent = 3 + VRP8_LABEL + 1

        def field(label: str, value: str) -> str:
            return f"   {label:<{VRP8_LABEL}}:{value}\n"

        def lanes(values: list[float | None]) -> str:
            return _lane_lines([_level(v) for v in values], indent, width=13)

        km = {850: 100, 1310: 10000, 1550: 40000}.get(s.wavelength_nm, 10000)
        connector = "MPO" if s.lanes > 1 and s.wavelength_nm == 850 else "LC"
        alarms = []
        if rx is None or rx < s.rx_sensitivity_dbm:
            alarms.append("    LOS Alarm\n")
        if tx is not None and tx < s.tx_dbm - physics.TX_LOW_ALARM_BELOW_NOMINAL_DB:
            alarms.append("    TX Power Low Alarm\n")
        text = (
            "\n"
            f" {s.name} transceiver information:\n"
            f"{VRP8_RULE}\n"
            " Common information:\n"
            + field("Transceiver Type", s.transceiver.replace("-", "_"))
            + field("Connector Type", connector)
            + field("Wavelength (nm)", str(s.wavelength_nm))
            + field("Transfer Distance (m)", f"{km}(9um/125um SMF)" if s.wavelength_nm != 850 else f"{km}(50um/125um OM4)")
            + field("Digital Diagnostic Monitoring", "YES")
            + field("Vendor Name", "HUAWEI")
            + field("Vendor Part Number", f"LAB-{s.transceiver}")
            + field("Ordering Name", "")
            + f"{VRP8_RULE}\n"
            " Manufacture information:\n"
            + field("Manu. Serial Number", f"LAB{self.ctx.device_no:04d}{s.if_index:04d}")
            + field("Manufacturing Date", "2024-03-01")
            + field("Vendor Name", "HUAWEI")
            + f"{VRP8_RULE}\n"
        )
        if not verbose:
            return text
        return text + (
            " Alarm information:\n" + "".join(alarms) + f"{VRP8_RULE}\n"
            " Diagnostic information:\n"
            + field("Temperature (Celsius)", "38.00")
            + field("Voltage (V)", "3.30")
            + field("Bias Current (mA)", lanes([0.0 if tx is None else 6.2] * s.lanes))
            + field("Bias High Threshold (mA)", "70.00")
            + field("Bias Low Threshold (mA)", "2.00")
            + field("Current RX Power (dBm)", lanes(lane_powers(rx, s.lanes)))
            + field("Default RX Power High Threshold (dBm)", f"{s.rx_overload_dbm:.2f}")
            + field("Default RX Power Low Threshold (dBm)", f"{s.rx_sensitivity_dbm:.2f}")
            + field("Current TX Power (dBm)", lanes(lane_powers(tx, s.lanes)))
            + field("Default TX Power High Threshold (dBm)", f"{s.tx_dbm + 3.0:.2f}")
            + field("Default TX Power Low Threshold (dBm)", f"{s.tx_dbm - 4.0:.2f}")
            + f"{VRP8_RULE}\n"
        )

    def diagnosis(self, ps: PortState) -> str:
        """Layout of the real S5730 capture (misc-one-liners_s5730_xge0-0-1_rx-abnormal.raw)."""
        m, s = self.ctx.model, ps.spec
        if not s.transceiver:
            return "Error: The transceiver is absent.\n"
        rx, tx = m.rx_dbm(ps), m.tx_dbm(ps)
        rx_v = physics.NO_LIGHT_DBM if rx is None else max(rx, physics.NO_LIGHT_DBM)
        tx_v = physics.NO_LIGHT_DBM if tx is None else tx
        rows = [
            ("TxPower(dBm)", tx_v, s.tx_dbm - 4.0, s.tx_dbm + 3.0),
            ("RxPower(dBm)", rx_v, s.rx_sensitivity_dbm, s.rx_overload_dbm),
            ("Current(mA)", 0.0 if tx is None else 6.2, 2.0, 70.0),
            ("Temp.(\u00a1\u00e3C)", 38.0, -5.0, 75.0),
            ("Voltage(V)", 3.3, 2.97, 3.63),
        ]
        lines = [
            f"Port {s.name} transceiver diagnostic information:",
            "Parameter        Current       Low Alarm    High Alarm",
            "  Type            Value        Threshold    Threshold    Status",
            "-------------   ---------      ---------    ----------   --------",
        ]
        for name, value, low, high in rows:
            status = "normal" if low <= value <= high else "abnormal"
            lines.append(f"{name:<16}{value:<15.2f}{low:<13.2f}{high:<13.2f}{status}")
        return "\n".join(lines) + "\n"

    def alarms(self, active: bool) -> str:
        """A/B/C/D/E/F/G/H/I/J rows, two spaces in, after the legend (what VRP devices print; the
        vendor documentation shows them flush left)."""
        book = self.ctx.events.devices[self.ctx.spec.name]
        alarms = sorted(book.active.values(), key=lambda a: a.seq) if active else self.ctx.events.all_alarms(self.ctx.spec.name)
        return ALARM_LEGEND + RULE + "\n" + "".join(f"  {_alarm_row(a)}\n" for a in alarms) + RULE + "\n"


def _alarm_time(at: object) -> str:
    return f"{at:%Y-%m-%d %H:%M:%S}+00:00"


def _alarm_row(a: Alarm) -> str:
    cleared = _alarm_time(a.cleared) if a.cleared else "-"
    state = "End" if a.cleared else "Start"
    return (f"{a.seq}/Independent/{_alarm_time(a.raised)}/{cleared}/{a.alarm_id}/{a.name}/{a.severity}/{state}/"
            f"{a.description}")


class HuaweiTwoStageShell(CandidateShell, HuaweiShell):
    """A VRP8 device (CloudEngine) in two-stage-commit mode: system-view changes wait in a candidate
    (the prompt shows ``[*host]`` until committed, ``[~host]`` after), ``commit`` applies them and
    ``commit trial <seconds>`` applies them under the device's rollback timer: unless a later
    ``commit`` confirms the trial in time, the device rolls it back by itself."""

    timer_unit_s = 1
    timer_range = (60, 65535)

    def prompt(self) -> str:
        if self.mode == "confirm_return":
            return ""
        if self.mode == "exec":
            return f"<{self.hostname}>"
        mark = "*" if self.candidate else "~"
        if self.mode == "interface":
            return f"[{mark}{self.hostname}-{self.current_port}]"
        return f"[{mark}{self.hostname}]"

    def commands(self):  # type: ignore[no-untyped-def]
        two_stage = [
            ("confirm_return", "y", lambda: self._answer("y")),
            ("confirm_return", "yes", lambda: self._answer("y")),
            ("confirm_return", "n", lambda: self._answer("n")),
            ("confirm_return", "no", lambda: self._answer("n")),
            ("confirm_return", "c", lambda: self._answer("c")),
            ("confirm_return", "cancel", lambda: self._answer("c")),
        ]
        for mode in ("system", "interface"):
            two_stage += [(mode, "commit trial {seconds}", self._trial), (mode, "commit", self._commit)]
        two_stage += [("system", "quit", self._return), ("*", "return", self._return)]
        return two_stage + [c for c in super().commands() if c[1] not in ("return",) and c[:2] != ("system", "quit")]

    def _trial(self, seconds: str) -> str:
        if self.do_commit(seconds) is None:
            return f"Error: Wrong parameter found at '^' position. (commit trial takes {self.timer_range[0]}-{self.timer_range[1]} seconds)\n"
        return (f"Info: The trial commit succeeded; the configuration rolls back in {int(seconds)} seconds unless "
                "confirmed by commit.\n")

    def _commit(self) -> str:
        self.do_commit()
        return ""

    def _return(self) -> str:
        if self.mode != "exec" and self.candidate:
            self.mode = "confirm_return"
            return "Warning: Uncommitted configurations found. Are you sure to commit them before exiting? [Y(yes)/N(no)/C(cancel)]:"
        return self.end()

    def _answer(self, answer: str) -> str:
        if answer == "c":
            self.mode = "system"
            return ""
        if answer == "y":
            self.do_commit()
        else:
            self.candidate.discard()
        return self.end()
