"""Real SSH servers (asyncssh) for every lab device: password login, PTY echo, vendor prompts."""
from __future__ import annotations

import asyncio
import logging
from typing import Any

import asyncssh

from lab.enums import Vendor
from lab.errors import LabStateError
from lab.ssh.cisco import CiscoShell
from lab.ssh.huawei import HuaweiShell
from lab.ssh.shell import DeviceContext, Shell
from lab.ssh.zte import ZteShell

log = logging.getLogger(__name__)

SHELLS: dict[Vendor, type[Shell]] = {Vendor.HUAWEI: HuaweiShell, Vendor.CISCO: CiscoShell, Vendor.ZTE: ZteShell}


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

    def validate_password(self, username: str, password: str) -> bool:
        return username == self._username and password == self._password


async def _session(ctx: DeviceContext, process: asyncssh.SSHServerProcess) -> None:
    shell = SHELLS[ctx.spec.vendor](ctx)
    try:
        if process.command:  # `ssh host command`: run one command, no prompt
            process.stdout.write(shell.handle(process.command))
            return
        process.stdout.write(shell.banner + shell.prompt())
        while not shell.closed:
            try:
                line = await process.stdin.readline()
            except (asyncssh.BreakReceived, asyncssh.TerminalSizeChanged, asyncssh.SignalReceived):
                continue
            if not line:
                break
            out = shell.handle(line.rstrip("\r\n"))
            if out:
                process.stdout.write(out if out.endswith("\n") else out + "\n")
            if process.term_type and hasattr(process.channel, "set_echo"):
                process.channel.set_echo(shell.echo)
            if not shell.closed:
                process.stdout.write(shell.prompt())
    except (asyncssh.Error, ConnectionError, BrokenPipeError):
        pass
    except Exception:  # a broken renderer must not kill the lab: show it like a device would
        log.exception("CLI session on %s failed", ctx.spec.name)
    finally:
        process.exit(0)


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
                encoding="utf-8", line_editor=True, reuse_address=True,
            )
        except OSError as exc:
            raise LabStateError(f"SSH {ctx.spec.name}: cannot listen on {host}:{port}: {exc}") from exc
        self._servers.append(server)

    async def stop(self) -> None:
        for server in self._servers:
            server.close()
        await asyncio.gather(*(s.wait_closed() for s in self._servers), return_exceptions=True)
        self._servers.clear()
