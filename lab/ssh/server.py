"""Real SSH servers (asyncssh) for every lab device: password login, PTY echo, vendor prompts."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import asyncssh

from lab.enums import Vendor
from lab.errors import LabStateError
from lab.ssh.cisco import CiscoShell
from lab.ssh.huawei import HuaweiShell, HuaweiTwoStageShell
from lab.ssh.iosxr import XrShell
from lab.ssh.junos import JunosShell
from lab.ssh.shell import DeviceContext, Shell
from lab.ssh.zte import ZteShell

log = logging.getLogger(__name__)

SHELLS: dict[Vendor, type[Shell]] = {Vendor.HUAWEI: HuaweiShell, Vendor.CISCO: CiscoShell, Vendor.ZTE: ZteShell,
                                     Vendor.JUNOS: JunosShell, Vendor.XR: XrShell}


def shell_for(ctx: DeviceContext) -> Shell:
    if ctx.spec.two_stage_commit:
        return HuaweiTwoStageShell(ctx)
    return SHELLS[ctx.spec.vendor](ctx)


class _Auth(asyncssh.SSHServer):
    def __init__(self, ctx: DeviceContext, username: str, password: str) -> None:
        self._ctx = ctx
        self._username = username
        self._password = password

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        if not self._ctx.model.powered(self._ctx.spec.name):
            conn.abort()  # a powered-off device: the TCP session dies at once

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    async def validate_password(self, username: str, password: str) -> bool:
        wait = self._ctx.timing.login_s() if self._ctx.timing is not None else 0.0
        if wait > 0:  # a real device takes seconds from the password to its session (AAA, VTY setup)
            await asyncio.sleep(wait)
        return username == self._username and password == self._password


async def _session(ctx: DeviceContext, process: asyncssh.SSHServerProcess) -> None:
    shell = shell_for(ctx)
    try:
        if process.command:  # `ssh host command`: run one command, no prompt
            await _command_wait(ctx)
            process.stdout.write(shell.handle(process.command))
            return
        terminal = _Terminal(shell, echo=bool(process.term_type), command_wait=lambda: _command_wait(ctx))
        process.stdout.write(terminal.start())
        while not shell.closed:
            try:
                data = await process.stdin.read(4096)
            except (asyncssh.BreakReceived, asyncssh.TerminalSizeChanged, asyncssh.SignalReceived):
                continue
            if not data:
                break
            await terminal.feed(data, process.stdout.write)
    except (asyncssh.Error, ConnectionError, BrokenPipeError):
        pass
    except Exception:  # a broken renderer must not kill the lab: show it like a device would
        log.exception("CLI session on %s failed", ctx.spec.name)
    finally:
        process.exit(0)


async def _command_wait(ctx: DeviceContext) -> None:
    wait = ctx.timing.command_s() if ctx.timing is not None else 0.0
    if wait > 0:
        await asyncio.sleep(wait)


async def _no_wait() -> None:
    return None


class _Terminal:
    """The device's own line discipline: input is echoed only when the CLI consumes it.

    Why not asyncssh's line editor: it echoes every Enter the moment the bytes arrive, while the
    prompt follows later from the session task. With type-ahead (netmiko's find_prompt sends a
    second Enter when the first read comes back empty, which happens as soon as the lab's loop is
    busy) the client saw "\\r\\n\\r\\n<H><H>" instead of "\\r\\n<H>\\r\\n<H>", took "<H><H>" for the
    prompt and waited for it until its read timeout. A real CLI task reads type-ahead one line
    at a time, so echo, output and prompt of each line come out together and in order; this
    class does the same and writes them as one write. With latency on, a command's output (and the
    prompt after it) follows its echo after the device's command time; an empty line is answered at
    once, as a real CLI prints a bare prompt without work.
    """

    def __init__(self, shell: Shell, *, echo: bool, command_wait: Callable[[], Awaitable[None]] = _no_wait) -> None:
        self._command_wait = command_wait
        self._shell = shell
        self._echo = echo  # a PTY was requested (netmiko, interactive ssh); plain pipes get no echo
        self._line: list[str] = []
        self._after_cr = False
        self._escape = 0  # 1 after ESC, 2 inside a CSI / SS3 sequence (arrow keys are ignored)

    def start(self) -> str:
        return _crlf(self._shell.banner + self._shell.prompt()) if self._echo else self._shell.banner + self._shell.prompt()

    async def feed(self, data: str, write: Callable[[str], Any]) -> None:
        out: list[str] = []
        for ch in data:
            if self._shell.closed:
                break  # what follows `quit` is never read by the device
            if self._escape:
                self._escape = 2 if self._escape == 1 and ch in "[O" else (0 if self._escape == 1 or "@" <= ch <= "~" else 2)
                continue
            if ch == "\n" and self._after_cr:  # CR LF is one Enter
                self._after_cr = False
                continue
            self._after_cr = ch == "\r"
            if ch in "\r\n":
                if "".join(self._line).strip():
                    self._flush(out, write)  # the echo shows while the device works on the command
                    await self._command_wait()
                out.append(self._enter())
            elif ch in "\x7f\b":
                if self._line:
                    self._line.pop()
                    out.append("\b \b" if self._echo and self._shell.echo else "")
            elif ch == "\x03":  # Ctrl-C drops the line being typed
                self._line.clear()
                out.append(("^C\n" if self._echo else "\n") + self._shell.prompt())
            elif ch == "\x1b":
                self._escape = 1
            elif ch.isprintable() or ch == "\t":
                self._line.append(ch)
                if self._echo and self._shell.echo:
                    out.append(ch)
        self._flush(out, write)

    def _flush(self, out: list[str], write: Callable[[str], Any]) -> None:
        text = "".join(out)
        out.clear()
        if text:
            write(_crlf(text) if self._echo else text)

    def _enter(self) -> str:
        line = "".join(self._line)
        self._line.clear()
        parts = ["\n"] if self._echo else []
        result = self._shell.handle(line.rstrip("\r\n"))
        if result:
            parts.append(result if result.endswith("\n") else result + "\n")
        if not self._shell.closed:
            parts.append(self._shell.prompt())
        return "".join(parts)


def _crlf(text: str) -> str:
    """A terminal needs CR LF (what asyncssh's line editor used to add)."""
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


class SshServers:
    def __init__(self) -> None:
        self._servers: list[Any] = []
        self._key = asyncssh.generate_private_key("ssh-rsa", key_size=2048)

    async def add(self, ctx: DeviceContext, host: str, port: int, username: str, password: str) -> None:
        try:
            server = await asyncssh.create_server(
                lambda: _Auth(ctx, username, password), host, port,
                server_host_keys=[self._key],
                process_factory=lambda proc: _session(ctx, proc),
                encoding="utf-8", line_editor=False, reuse_address=True,
            )
        except OSError as exc:
            raise LabStateError(f"SSH {ctx.spec.name}: cannot listen on {host}:{port}: {exc}") from exc
        self._servers.append(server)

    async def stop(self) -> None:
        for server in self._servers:
            server.close()
        await asyncio.gather(*(s.wait_closed() for s in self._servers), return_exceptions=True)
        self._servers.clear()
