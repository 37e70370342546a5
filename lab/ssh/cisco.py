"""Cisco IOS CLI, rendered from the model in the layouts of the real captures that ntc-templates
parses (fixtures cisco_ios/show_interfaces, show_interfaces_transceiver, show_logging)."""
from __future__ import annotations

from lab import physics
from lab.enums import LoopMode
from lab.model import PortState
from lab.snmp.mib import mac_of
from lab.ssh.shell import Shell
from lab.vendors import short_port_name

TRANSCEIVER_HEADER = """If device is externally calibrated, only calibrated values are printed.
++ : high alarm, +  : high warning, -  : low warning, -- : low alarm.
NA or N/A: not applicable, Tx: transmit, Rx: receive.
mA: milliamperes, dBm: decibels (milliwatts).

                                 Optical   Optical
           Temperature  Voltage  Tx Power  Rx Power
Port       (Celsius)    (Volts)  (dBm)     (dBm)
---------  -----------  -------  --------  --------
"""
LOOP_WORDS = {"local": LoopMode.LOCAL, "mac": LoopMode.LOCAL, "driver": LoopMode.LOCAL,
              "internal": LoopMode.LOCAL, "remote": LoopMode.REMOTE, "line": LoopMode.REMOTE}


def _flag(value: float, hi_alarm: float, hi_warn: float, lo_warn: float, lo_alarm: float) -> str:
    if value >= hi_alarm:
        return " ++"
    if value >= hi_warn:
        return " +"
    if value <= lo_alarm:
        return " --"
    if value <= lo_warn:
        return " -"
    return ""


class CiscoShell(Shell):
    """Privileged EXEC at login, or user EXEC (`>`) plus `enable` when the topology sets `cli.secret`."""

    banner = "\n"

    def __init__(self, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx)
        self.secret = str(ctx.spec.cli.get("secret") or "")
        if self.secret:
            self.mode = "user"

    def prompt(self) -> str:
        if self.mode == "password":
            return "Password: "
        suffix = {"user": ">", "exec": "#", "config": "(config)#", "interface": "(config-if)#"}[self.mode]
        return f"{self.hostname}{suffix}"

    def handle(self, line: str) -> str:
        if self.mode != "password":
            return super().handle(line)
        self.echo = True
        if line == self.secret:
            self.mode = "exec"
            return ""
        self.mode = "user"
        return "% Access denied\n"

    def enable(self) -> str:
        if self.mode == "user" and self.secret:
            self.mode, self.echo = "password", False
        return ""

    def disable(self) -> str:
        if self.secret:
            self.mode = "user"
        return ""

    def error_text(self, line: str, position: int) -> str:
        pad = " " * (len(self.prompt()) + position)
        return f"{pad}^\n% Invalid input detected at '^' marker.\n"

    def incomplete_text(self, line: str) -> str:
        return "% Incomplete command.\n"

    def commands(self):  # type: ignore[no-untyped-def]
        loops = [("interface", f"loopback {w}", (lambda mode=mode: self.set_loop(mode))) for w, mode in LOOP_WORDS.items()]
        return [
            ("*", "terminal length 0", lambda: ""),
            ("*", "terminal width {width}", lambda width: ""),
            ("user", "enable", self.enable),
            ("exec", "enable", self.enable),
            ("exec", "disable", self.disable),
            ("user", "exit", self.logout),
            ("*", "show interfaces transceiver", self.transceivers),
            ("*", "show interface transceiver", self.transceivers),
            ("*", "show interfaces {port}", lambda port: self.interface(self.port(port))),
            ("*", "show interfaces", lambda: "".join(self.interface(p) for p in self.ctx.ports())),
            ("*", "show logging", self.logging),
            ("*", "show clock", lambda: f"*{self.ctx.now():%H:%M:%S.000 UTC %a %b %d %Y}\n"),
            ("exec", "configure terminal", self.configure),
            ("exec", "exit", self.logout),
            ("exec", "quit", self.logout),
            ("config", "interface {port}", self.enter_interface),
            ("interface", "interface {port}", self.enter_interface),
            *loops,
            ("interface", "loopback", lambda: self.set_loop(LoopMode.LOCAL)),
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
        tag = "(connected)" if ps.oper_up else "(notconnect)"
        mac = mac_of(self.ctx.device_no, s.if_index).hex()
        dotted = f"{mac[0:4]}.{mac[4:8]}.{mac[8:12]}"
        t_in, t_out = m.traffic_mbps(ps)
        in_pps = int(physics.pps(t_in)) if ps.oper_up else 0
        out_pps = int(physics.pps(t_out)) if ps.oper_up else 0
        speed_mbps = m.speed_mbps(ps)
        txload = max(1, round(255 * physics.utilisation(t_out, speed_mbps)))
        rxload = max(1, round(255 * physics.utilisation(t_in, speed_mbps)))
        duplex = "Full-duplex" if m.duplex(ps) == "full" else "Half-duplex"
        speed = f"{speed_mbps // 1000}Gb/s" if speed_mbps >= 1000 else f"{speed_mbps}Mb/s"
        media = (s.transceiver or "1000BaseLX").replace("BASE-", "Base") + " SFP"
        loop = "loopback set" if ps.loop else "loopback not set"
        desc = f"  Description: {s.description}\n" if s.description else ""
        return (
            f"{s.name} is {state}, line protocol is {state} {tag}\n"
            f"  Hardware is {'Ten Gigabit Ethernet' if s.speed_mbps >= 10000 else 'Gigabit Ethernet'}, "
            f"address is {dotted} (bia {dotted})\n"
            f"{desc}"
            f"  MTU 1500 bytes, BW {speed_mbps * 1000} Kbit/sec, DLY 10 usec, \n"
            f"     reliability 255/255, txload {txload}/255, rxload {rxload}/255\n"
            f"  Encapsulation ARPA, {loop}\n"
            "  Keepalive not set\n"
            f"  {duplex}, {speed}, link type is auto, media type is {media}\n"
            "  input flow-control is off, output flow-control is unsupported \n"
            "  ARP type: ARPA, ARP Timeout 04:00:00\n"
            "  Last input 00:00:01, output 00:00:00, output hang never\n"
            '  Last clearing of "show interface" counters never\n'
            f"  Input queue: 0/75/0/0 (size/max/drops/flushes); Total output drops: {int(c['out_discards'])}\n"
            "  Queueing strategy: fifo\n"
            "  Output queue: 0/40 (size/max)\n"
            f"  5 minute input rate {int(t_in * 1e6)} bits/sec, {in_pps} packets/sec\n"
            f"  5 minute output rate {int(t_out * 1e6)} bits/sec, {out_pps} packets/sec\n"
            f"     {int(c['in_ucast'])} packets input, {int(c['in_octets'])} bytes, 0 no buffer\n"
            "     Received 0 broadcasts (0 multicasts)\n"
            f"     {int(c['alignment'])} runts, 0 giants, 0 throttles \n"
            f"     {int(c['in_errors'])} input errors, {int(c['crc'])} CRC, 0 frame, 0 overrun, 0 ignored\n"
            "     0 watchdog, 0 multicast, 0 pause input\n"
            "     0 input packets with dribble condition detected\n"
            f"     {int(c['out_ucast'])} packets output, {int(c['out_octets'])} bytes, 0 underruns\n"
            f"     {int(c['out_errors'])} output errors, {int(c['late_collisions'])} collisions, 0 interface resets\n"
            "     0 unknown protocol drops\n"
            f"     0 babbles, {int(c['late_collisions'])} late collision, 0 deferred\n"
            f"     {0 if ps.oper_up else 1} lost carrier, 0 no carrier, 0 pause output\n"
            "     0 output buffer failures, 0 output buffers swapped out\n"
        )

    def transceivers(self) -> str:
        m = self.ctx.model
        rows = []
        for ps in self.ctx.ports():
            s = ps.spec
            if not s.transceiver:
                continue
            rx, tx = m.rx_dbm(ps), m.tx_dbm(ps)
            rx_v = round(physics.NO_LIGHT_DBM if rx is None else max(rx, physics.NO_LIGHT_DBM), 1)
            tx_v = round(physics.NO_LIGHT_DBM if tx is None else tx, 1)
            flag = _flag(rx_v, s.rx_overload_dbm, s.rx_overload_dbm - 1.0, s.rx_sensitivity_dbm + 3.0, s.rx_sensitivity_dbm)
            name = short_port_name(self.ctx.spec.vendor, s.name)
            rows.append(f"{name:<11}{38.0:>6.1f}{3.30:>11.2f}{tx_v:>10.1f}{rx_v:>10.1f}{flag}")
        return TRANSCEIVER_HEADER + "\n".join(rows) + "\n"

    def logging(self) -> str:
        lines = self.ctx.events.devices[self.ctx.spec.name].log
        body = "\n".join(f"{ln.seq:06d}: {ln.at:%b} {ln.at.day:>2} {ln.at:%H:%M:%S}: {ln.text}" for ln in lines)
        n = len(lines)
        return (
            "Syslog logging: enabled (0 messages dropped, 0 messages rate-limited, 0 flushes, 0 overruns, "
            "xml disabled, filtering disabled)\n\n"
            "No Active Message Discriminator.\n\n\n\n"
            "No Inactive Message Discriminator.\n\n\n"
            f"    Console logging: level debugging, {n} messages logged, xml disabled,\n"
            "                     filtering disabled\n"
            f"    Buffer logging:  level debugging, {n} messages logged, xml disabled,\n"
            "                    filtering disabled\n\n"
            "No active filter modules.\n\n"
            f"    Trap logging: level informational, {n} message lines logged\n\n"
            "Log Buffer (16384 bytes):\n"
            f"{body}\n"
        )
