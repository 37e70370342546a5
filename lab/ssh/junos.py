"""Juniper Junos CLI (MX/EX/QFX): operational mode ``user@host>``, configuration mode ``[edit]`` /
``user@host#`` with a candidate configuration, ``commit``, ``commit confirmed <minutes>`` (the device
rolls the commit back by itself unless a later ``commit`` confirms it in time), ``show interfaces``
with its ``Loopback: Enabled|Disabled`` link-level field. The loop is the PHY loopback
``gigether-options loopback`` (a local loop)."""
from __future__ import annotations

from lab.enums import LoopMode
from lab.model import PortState
from lab.snmp.mib import mac_of
from lab.ssh.candidate import CandidateShell


class JunosShell(CandidateShell):
    banner = "\n--- JUNOS 21.4R3.15 Kernel 64-bit  JNPR-12.1-20230120.0c3d6c2_buil\n"
    timer_unit_s = 60  # commit confirmed <minutes>
    timer_range = (1, 65535)

    def __init__(self, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx)
        self.user = str(ctx.spec.cli.get("username") or "admin")

    def prompt(self) -> str:
        if self.mode == "confirm_exit":
            return ""
        if self.mode == "config":
            return f"\n[edit]\n{self.user}@{self.hostname}# "
        return f"{self.user}@{self.hostname}> "

    def error_text(self, line: str, position: int) -> str:
        pad = " " * (len(self.prompt().splitlines()[-1]) + position)
        return f"{pad}^\nunknown command.\n" if self.mode == "exec" else f"{pad}^\nsyntax error.\n"

    def commands(self):  # type: ignore[no-untyped-def]
        return [
            ("confirm_exit", "yes", self.exit_discarding),
            ("confirm_exit", "no", self.stay),
            ("exec", "set cli screen-width {width}", lambda width: f"Screen width set to {width}\n"),
            ("exec", "set cli screen-length {length}", lambda length: f"Screen length set to {length}\n"),
            ("exec", "set cli complete-on-space off", lambda: "Disabling complete-on-space\n"),
            ("exec", "show interfaces {port}", lambda port: self.interface(self.port(port))),
            ("exec", "configure", self.enter_configuration),
            ("exec", "exit", self.logout),
            ("exec", "quit", self.logout),
            ("config", "set interfaces {port} gigether-options loopback",
             lambda port: self._stage(port, LoopMode.LOCAL)),
            ("config", "delete interfaces {port} gigether-options loopback", lambda port: self._stage(port, None)),
            ("config", "commit confirmed {minutes}", self.commit_confirmed),
            ("config", "commit confirmed", lambda: self.commit_confirmed("10")),
            ("config", "commit", self.commit),
            ("config", "rollback", self.rollback),
            ("config", "exit configuration-mode", self.leave),
            ("config", "exit", self.leave),
            ("config", "quit", self.leave),
            ("*", "show configuration interfaces {port}", lambda port: self.show_config(self.port(port))),
        ]

    def enter_configuration(self) -> str:
        self.mode = "config"
        pending = self.device_config
        note = (f"\n# commit confirmed will be rolled back in {int((pending.timer_s or 0) // 60)} minutes"
                if pending.pending else "")
        return f"Entering configuration mode{note}\n"

    def _stage(self, port: str, mode: LoopMode | None) -> str:
        ps = self.port(port)
        if mode is None and self.candidate.changes.get(ps.spec.name, ps.loop) is None:
            return "warning: statement not found\n"
        self.stage_loop(ps.spec.name, mode)
        return ""

    def commit_confirmed(self, minutes: str) -> str:
        if self.do_commit(minutes) is None:
            return f"error: invalid value: {minutes} (range 1..65535 minutes)\n"
        return (f"configuration check succeeds\ncommit confirmed will be automatically rolled back in {int(minutes)} "
                "minutes unless confirmed\ncommit complete\n")

    def commit(self) -> str:
        self.do_commit()
        return "configuration check succeeds\ncommit complete\n"

    def rollback(self) -> str:
        self.candidate.discard()
        return "load complete\n"

    def leave(self) -> str:
        if self.candidate:
            self.mode = "confirm_exit"
            return "The configuration has been changed but not committed\nExit with uncommitted changes? [yes,no] (yes) "
        self.mode = "exec"
        return "Exiting configuration mode\n"

    def exit_discarding(self) -> str:
        self.candidate.discard()
        self.mode = "exec"
        return "Exiting configuration mode\n"

    def stay(self) -> str:
        self.mode = "config"
        return ""

    def show_config(self, ps: PortState) -> str:
        return "gigether-options {\n    loopback;\n}\n" if ps.loop is not None else ""

    def interface(self, ps: PortState) -> str:
        s = ps.spec
        link = "Up" if ps.oper_up else "Down"
        mac = mac_of(self.ctx.device_no, s.if_index).hex()
        mac_text = ":".join(mac[i:i + 2] for i in range(0, 12, 2))
        speed = f"{s.speed_mbps // 1000}Gbps" if s.speed_mbps >= 1000 else f"{s.speed_mbps}mbps"
        desc = f"  Description: {s.description}\n" if s.description else ""
        return (
            f"Physical interface: {s.name}, Enabled, Physical link is {link}\n"
            f"  Interface index: {150 + s.if_index % 1000}, SNMP ifIndex: {s.if_index}\n"
            f"{desc}"
            f"  Link-level type: Ethernet, MTU: 1514, LAN-PHY mode, Speed: {speed}, BPDU Error: None, Loop Detect PDU "
            f"Error: None, Loopback: {'Enabled' if ps.loop is not None else 'Disabled'}, Source filtering: Disabled, "
            "Flow control: Enabled\n"
            "  Pad to minimum frame size: Disabled\n"
            "  Device flags   : Present Running\n"
            f"  Interface flags: {'SNMP-Traps Internal: 0x4000' if ps.oper_up else 'Hardware-Down SNMP-Traps Internal: 0x4000'}\n"
            "  Link flags     : None\n"
            "  CoS queues     : 8 supported, 8 maximum usable queues\n"
            f"  Current address: {mac_text}, Hardware address: {mac_text}\n"
        )
