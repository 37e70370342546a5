"""ZTE ZXROS CLI, rendered from the model in the layout of the real capture ntc-templates parses
(fixtures zte_zxros/show_interface, show_interface_brief).

No real ZTE optical capture exists (fixtures README, "Known gaps"): `show opticalinfo X` prints a
documented key/value layout of our own; collectors must treat it as lab-specific.
"""
from __future__ import annotations

from lab import physics
from lab.enums import LoopMode
from lab.model import PortState
from lab.snmp.mib import mac_of
from lab.ssh.shell import Shell

LOOP_WORDS = {"local": LoopMode.LOCAL, "internal": LoopMode.LOCAL, "remote": LoopMode.REMOTE,
              "external": LoopMode.REMOTE}


def _hardware(name: str) -> str:
    for prefix, kind in (("xxvgei", "XXVGigabit Ethernet"), ("xgei", "XGigabit Ethernet"), ("cgei", "CGigabit Ethernet")):
        if name.startswith(prefix):
            return kind
    return "Gigabit Ethernet"


def _bw(speed_mbps: int) -> str:
    return f"{speed_mbps // 1000}G" if speed_mbps >= 1000 else f"{speed_mbps}M"


class ZteShell(Shell):
    banner = "\n****************************************************************\nZXROS lab device\n****************************************************************\n"

    def prompt(self) -> str:
        if self.mode == "interface":
            return f"{self.hostname}(config-if-{self.current_port})#"
        return f"{self.hostname}(config)#" if self.mode == "config" else f"{self.hostname}#"

    def error_text(self, line: str, position: int) -> str:
        pad = " " * (len(self.prompt()) + position)
        return f"{pad}^\n%Error 20200: Invalid input detected at '^' marker.\n"

    def incomplete_text(self, line: str) -> str:
        return "%Error 20201: Incomplete command.\n"

    def commands(self):  # type: ignore[no-untyped-def]
        loops = [("interface", f"loopback {w}", (lambda mode=mode: self.set_loop(mode))) for w, mode in LOOP_WORDS.items()]
        return [
            ("*", "terminal length 0", lambda: ""),
            ("*", "terminal width {width}", lambda width: ""),
            ("exec", "enable", lambda: ""),
            ("*", "show interface brief", self.brief),
            ("*", "show interface {port}", lambda port: self.interface(self.port(port))),
            ("*", "show interface", lambda: "".join(self.interface(p) for p in self.ctx.ports())),
            ("*", "show opticalinfo {port}", lambda port: self.optical(self.port(port))),
            ("*", "show opticalinfo", lambda: "".join(self.optical(p) for p in self.ctx.ports() if p.spec.transceiver)),
            ("*", "show alarm current", lambda: self.alarms(True)),
            ("*", "show alarm history", lambda: self.alarms(False)),
            ("exec", "configure terminal", self.configure),
            ("exec", "exit", self.logout),
            ("config", "interface {port}", self.enter_interface),
            ("interface", "interface {port}", self.enter_interface),
            *loops,
            ("interface", "no loopback", lambda: self.set_loop(None)),
            ("interface", "exit", self.leave_interface),
            ("config", "exit", self.end),
            ("*", "end", self.end),
        ]

    def interface(self, ps: PortState) -> str:
        m = self.ctx.model
        m.settle(ps)
        s, c = ps.spec, ps.counters
        state = "up" if ps.oper_up else "down"
        mac = mac_of(self.ctx.device_no, s.if_index).hex()
        t_in, t_out = m.traffic_mbps(ps)
        speed = m.speed_mbps(ps)
        changed = self.ctx.clock.wall(ps.last_change_s).strftime("%Y-%m-%d %H:%M:%S")
        loop = {None: "", LoopMode.LOCAL: "  The interface is in loopback internal mode\n",
                LoopMode.REMOTE: "  The interface is in loopback external mode\n"}[ps.loop]
        desc = f"  Description: {s.description}\n" if s.description else ""
        return (
            f"{s.name} is {state}, ifindex: {s.if_index}\n"
            f"{desc}{loop}"
            f"  Line protocol is {state}, IPv4 protocol is {state}, IPv6 protocol is down,\n"
            f" detected status is {'RX-OK/TX-OK' if ps.oper_up else 'RX-LOS/TX-OK'}\n"
            f"  Last line protocol up time :  {changed if ps.oper_up else '-'} \n"
            f"  Hardware is {_hardware(s.name)}, address is {mac[0:4]}.{mac[4:8]}.{mac[8:12]}\n"
            "  Internet address is unassigned\n"
            f"  BW {speed // 1000 if speed >= 1000 else speed} {'Gbit/s' if speed >= 1000 else 'Mbit/s'}\n"
            "  IP MTU 1500 bytes\n"
            "  MTU 1600 bytes\n"
            "  MPLS MTU 1550 bytes\n\n"
            "  ARP type ARP\n"
            "  ARP Timeout 04:00:00 \n"
            f"  Last Clear Time : {self.ctx.clock.wall(0):%Y-%m-%d %H:%M:%S}  Last Refresh Time: {self.ctx.now():%Y-%m-%d %H:%M:%S}\n"
            "  Rate period     : 30 s\n"
            f"   Input          : {int(t_in * 1e6)} bit/s       {int(physics.pps(t_in)) if ps.oper_up else 0} packet/s\n"
            f"   Output         : {int(t_out * 1e6)} bit/s       {int(physics.pps(t_out)) if ps.oper_up else 0} packet/s\n"
            "  Peak rate:\n"
            "   Input          : 0 bit/s              peak time          N/A\n"
            "   Output         : 0 bit/s              peak time          N/A\n"
            f"  Intf utilization: input {physics.utilisation(t_in, speed) * 100:.2f}%          "
            f"output {physics.utilisation(t_out, speed) * 100:.2f}%\n"
            "  HardwareCounters:                                          \n"
            f"  In_Bytes          {int(c['in_octets']):<21}In_Packets         {int(c['in_ucast'])}\n"
            f"  In_Broadcasts     {0:<21}In_Multicasts      0\n"
            f"  In_Unicasts       {int(c['in_ucast']):<21}In_CRC_ERROR       {int(c['crc'])}\n"
            f"  In_Fragments      {int(c['alignment']):<21}In_64B             0\n"
            f"  In_Undersize      {0:<21}In_Oversize        0\n"
            f"  E_Bytes           {int(c['out_octets']):<21}E_Packets          {int(c['out_ucast'])}\n"
            f"  E_Broadcasts      {0:<21}E_Multicasts       0\n"
            f"  E_Unicasts        {int(c['out_ucast']):<21}E_CRC_ERROR        {int(c['out_errors'])}\n"
        )

    def brief(self) -> str:
        rows = ["Interface               Attribute  Mode         BW    Admin Phy   Prot  Description"]
        for ps in self.ctx.ports():
            s = ps.spec
            st = "up" if ps.oper_up else "down"
            mode = f"Duplex/{self.ctx.model.duplex(ps)}"
            rows.append(f"{s.name:<24}{'optical':<11}{mode:<13}{_bw(self.ctx.model.speed_mbps(ps)):<6}{'up':<6}{st:<6}{st:<6}{s.description}".rstrip())
        return "\n".join(rows) + "\n"

    def optical(self, ps: PortState) -> str:
        m, s = self.ctx.model, ps.spec
        if not s.transceiver:
            return f"%Error 20210: The optical module on {s.name} is absent.\n"
        rx, tx = m.rx_dbm(ps), m.tx_dbm(ps)
        rx_v = physics.NO_LIGHT_DBM if rx is None else max(rx, physics.NO_LIGHT_DBM)
        tx_v = physics.NO_LIGHT_DBM if tx is None else tx
        return (
            f"Interface                 : {s.name}\n"
            f"  Optical module type     : {s.transceiver}\n"
            f"  Wavelength(nm)          : {s.wavelength_nm}\n"
            f"  Temperature(C)          : 38.00\n"
            f"  Voltage(V)              : 3.30\n"
            f"  Bias current(mA)        : {0.0 if tx is None else 6.2:.2f}\n"
            f"  RxPower(dBm)            : {rx_v:.2f}\n"
            f"  TxPower(dBm)            : {tx_v:.2f}\n"
            f"  RxPower low alarm(dBm)  : {s.rx_sensitivity_dbm:.2f}\n"
            f"  RxPower high alarm(dBm) : {s.rx_overload_dbm:.2f}\n"
            f"  TxPower low alarm(dBm)  : {s.tx_dbm - 4.0:.2f}\n"
            f"  TxPower high alarm(dBm) : {s.tx_dbm + 3.0:.2f}\n"
        )

    def alarms(self, active: bool) -> str:
        book = self.ctx.events.devices[self.ctx.spec.name]
        alarms = sorted(book.active.values(), key=lambda a: a.seq) if active else self.ctx.events.all_alarms(self.ctx.spec.name)
        lines = ["AlarmID    Level     RaiseTime            ClearTime            Description"]
        for a in alarms:
            cleared = f"{a.cleared:%Y-%m-%d %H:%M:%S}" if a.cleared else "-"
            lines.append(f"{a.seq:<10} {a.severity:<9} {a.raised:%Y-%m-%d %H:%M:%S}  {cleared:<20} {a.description}")
        return "\n".join(lines) + "\n"
