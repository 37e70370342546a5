"""Loops on candidate-configuration platforms over real SSH: small Junos-like and IOS-XR-like CLIs
(asyncssh, on loopback) that, like the real ones, apply configuration only on "commit" and drop an
uncommitted candidate when configuration mode is left. The lab has no Junos or IOS-XR devices; these
peers speak just the commands netmiko's juniper_junos / cisco_xr drivers and the loop lines use."""
from __future__ import annotations

import random
from dataclasses import dataclass, field

import asyncssh
import pytest
import pytest_asyncio

from collectors.cli.session import CliRunner
from collectors.survey import Collector
from collectors.target import CliParams, DeviceTarget, PortRef

pytestmark = pytest.mark.asyncio(loop_scope="module")
USER, PASSWORD, HOST = "admin", "Lab@12345", "mx1"


@dataclass
class JunosLike:
    running: list[str] = field(default_factory=list)
    candidate: list[str] | None = None  # None: not in configuration mode
    commits: int = 0
    banner: str = f"--- JUNOS 19.4R3.11 built 2020-10-08\r\n{USER}@{HOST}> "
    exit_question: str = ("The configuration has been changed but not committed\r\n"
                          "Exit with uncommitted changes? [yes,no] (yes) ")
    exit_discards_on: tuple[str, ...] = ("yes", "")

    def leave(self) -> str:
        self.candidate = None
        return f"Exiting configuration mode\r\n{self.prompt()}"

    def prompt(self) -> str:
        return f"\r\n[edit]\r\n{USER}@{HOST}# " if self.candidate is not None else f"{USER}@{HOST}> "

    def handle(self, line: str) -> tuple[str, bool]:
        """Output for one line (without the prompt), and whether the session ends."""
        words = line.strip()
        if self.candidate is None:
            if words == "":
                return "", False
            if words.startswith("set cli screen-width"):
                return "Screen width set to 511", False
            if words.startswith("set cli complete-on-space"):
                return "Disabling complete-on-space", False
            if words.startswith("set cli screen-length"):
                return "Screen length set to 0", False
            if words == "configure":
                self.candidate = list(self.running)
                return "Entering configuration mode", False
            if words == "show configuration | display set":
                return "\r\n".join(self.running), False
            if words in ("exit", "quit"):
                return "", True
            return "                  ^\r\nunknown command.", False
        if words == "":
            return "", False
        if words.startswith("set "):
            if words not in self.candidate:
                self.candidate.append(words)
            return "", False
        if words.startswith("delete "):
            target = "set " + words[len("delete "):]
            if target not in self.candidate:
                return "warning: statement not found", False
            self.candidate.remove(target)
            return "", False
        if words == "commit":
            self.running = list(self.candidate)
            self.commits += 1
            return "commit complete", False
        if words in ("exit configuration-mode", "exit", "quit"):
            if self.candidate != self.running:
                return "EXIT_ASK", False
            self.candidate = None
            return "Exiting configuration mode", False
        return "syntax error.", False


@dataclass
class XrLike:
    """IOS-XR: "configure terminal", lines under "interface X", "commit"; "end" with uncommitted
    changes asks, and netmiko answers "no" (discard)."""

    running: list[str] = field(default_factory=list)
    candidate: list[str] | None = None
    commits: int = 0
    interface: str | None = None
    banner: str = "\r\nRP/0/RP0/CPU0:xr1#"
    exit_question: str = "Uncommitted changes found, commit them before exiting(yes/no/cancel)? [cancel]:"
    exit_discards_on: tuple[str, ...] = ("no",)

    def prompt(self) -> str:
        mode = "" if self.candidate is None else "(config-if)" if self.interface else "(config)"
        return f"\r\nRP/0/RP0/CPU0:xr1{mode}#"

    def leave(self) -> str:
        self.candidate, self.interface = None, None
        return self.prompt()

    def handle(self, line: str) -> tuple[str, bool]:
        words = line.strip()
        if self.candidate is None:
            if words in ("", "terminal width 511", "terminal length 0"):
                return "", False
            if words in ("configure terminal", "configure"):
                self.candidate = list(self.running)
                return "", False
            if words == "show running-config":
                return "\r\n".join(self.running), False
            if words == "exit":
                return "", True
            return "                 ^\r\n% Invalid input detected at '^' marker.", False
        if words == "":
            return "", False
        if words.startswith("interface "):
            self.interface = words.split()[1]
            return "", False
        if words == "commit":
            self.running = list(self.candidate)
            self.commits += 1
            return "", False
        if words == "end" or (words == "exit" and self.interface is None):
            if self.candidate != self.running:
                return "EXIT_ASK", False
            self.candidate, self.interface = None, None
            return "", False
        if words == "exit":
            self.interface = None
            return "", False
        if self.interface and (words.startswith("loopback") or words.startswith("no loopback")):
            key = f"interface {self.interface} loopback"
            self.candidate = [c for c in self.candidate if not c.startswith(key)]
            if words.startswith("loopback"):
                self.candidate.append(f"interface {self.interface} {words}")
            return "", False
        return "% Invalid input detected at '^' marker.", False


async def _session(device, process: asyncssh.SSHServerProcess) -> None:
    out = process.stdout
    out.write(device.banner)
    buffer, asking = "", False
    try:
        while True:
            data = await process.stdin.read(1024)
            if not data:
                break
            for ch in data:
                if ch not in "\r\n":
                    buffer += ch
                    out.write(ch)
                    continue
                if ch == "\n" and not buffer and data.find("\r") >= 0:
                    continue  # CR LF: one line
                line, buffer = buffer, ""
                out.write("\r\n")
                if asking:
                    asking = False
                    if line.strip() in device.exit_discards_on:
                        out.write(device.leave())  # the uncommitted candidate is discarded
                    else:
                        out.write(device.prompt())
                    continue
                text, done = device.handle(line)
                if done:
                    process.exit(0)
                    return
                if text == "EXIT_ASK":
                    asking = True
                    out.write(device.exit_question)
                    continue
                out.write((text + "\r\n" if text else "") + device.prompt())
    except (asyncssh.Error, ConnectionError, BrokenPipeError):
        pass
    finally:
        process.exit(0)


class _Auth(asyncssh.SSHServer):
    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        return (username, password) == (USER, PASSWORD)


async def serve(device, platform: str, port_name: str):
    key = asyncssh.generate_private_key("ssh-ed25519")
    for _ in range(5):
        address, port = f"127.{random.randint(30, 250)}.{random.randint(0, 255)}.7", random.randint(20000, 60000)
        try:
            server = await asyncssh.create_server(_Auth, address, port, server_host_keys=[key],
                                                  process_factory=lambda p: _session(device, p),
                                                  encoding="utf-8", line_editor=False)
            break
        except OSError:
            continue
    else:
        pytest.fail("no free loopback port for the device")
    target = DeviceTarget(platform, platform, address,
                          cli=CliParams(platform, port=port, username=USER, password=PASSWORD, timeout=10),
                          ports=(PortRef(port_name),))
    return server, target


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def junos():
    device = JunosLike()
    server, target = await serve(device, "juniper_junos", "ge-0/0/1")
    yield device, target
    server.close()
    await server.wait_closed()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def xr():
    device = XrLike()
    server, target = await serve(device, "cisco_xr", "TenGigE0/0/0/1")
    yield device, target
    server.close()
    await server.wait_closed()


LOOP_LINE = "set interfaces ge-0/0/1 gigether-options loopback"


async def test_uncommitted_lines_are_dropped_when_config_mode_is_left(junos):
    """Why the profile commits: the same lines without commit leave the device unchanged."""
    device, target = junos
    runner = CliRunner()
    try:
        await runner.configure(target, [LOOP_LINE], commit=False)
    finally:
        runner.close()
    assert device.running == [] and device.candidate is None


async def test_loop_set_and_clear_are_committed(junos):
    device, target = junos
    async with Collector() as collector:
        action = await collector.set_loop(target, "ge-0/0/1", "local")
        assert device.running == [LOOP_LINE] and "commit complete" in action.output
        cleared = await collector.clear_loop(target, "ge-0/0/1")
    assert device.running == [] and cleared.commands == ("delete interfaces ge-0/0/1 gigether-options loopback",)
    assert device.commits == 2 and device.candidate is None


async def test_xr_uncommitted_lines_are_dropped_and_loops_are_committed(xr):
    device, target = xr
    runner = CliRunner()
    try:
        await runner.configure(target, ["interface TenGigE0/0/0/1", "loopback internal"], enable=True, commit=False)
    finally:
        runner.close()
    assert device.running == [] and device.candidate is None  # "end" asked, netmiko said no
    async with Collector() as collector:
        await collector.set_loop(target, "TenGigE0/0/0/1", "remote")
        assert device.running == ["interface TenGigE0/0/0/1 loopback line"]
        await collector.clear_loop(target, "TenGigE0/0/0/1")
    assert device.running == [] and device.commits == 2 and device.candidate is None
