"""Loops on a candidate-configuration platform over real SSH: a small Junos-like CLI (asyncssh, on
loopback) that, like Junos, applies configuration only on "commit" and drops an uncommitted candidate
when configuration mode is left. The lab has no Junos or IOS-XR devices; this peer speaks just the
commands netmiko's juniper_junos driver and the loop lines use."""
from __future__ import annotations

import asyncio
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


async def _session(device: JunosLike, process: asyncssh.SSHServerProcess) -> None:
    out = process.stdout
    out.write(f"--- JUNOS 19.4R3.11 built 2020-10-08\r\n{USER}@{HOST}> ")
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
                    if line.strip() in ("yes", ""):
                        device.candidate = None  # the uncommitted candidate is discarded
                        out.write(f"Exiting configuration mode\r\n{device.prompt()}")
                    else:
                        out.write(device.prompt())
                    continue
                text, done = device.handle(line)
                if done:
                    process.exit(0)
                    return
                if text == "EXIT_ASK":
                    asking = True
                    out.write("The configuration has been changed but not committed\r\n"
                              "Exit with uncommitted changes? [yes,no] (yes) ")
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


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def junos():
    device = JunosLike()
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
        pytest.fail("no free loopback port for the Junos-like device")
    target = DeviceTarget("mx1", "juniper_junos", address,
                          cli=CliParams("juniper_junos", port=port, username=USER, password=PASSWORD, timeout=10),
                          ports=(PortRef("ge-0/0/1"),))
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
