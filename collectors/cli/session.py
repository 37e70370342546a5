"""netmiko sessions in a bounded thread pool: one session per device at a time (devices allow few
concurrent logins, and a loop must never race a read). netmiko errors become ``CollectorError``s."""
from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import Sequence
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from collectors.errors import (
    AuthenticationFailed,
    CollectorError,
    CollectorTimeout,
    CommandError,
    Unsupported,
    UnreachableError,
)
from collectors.target import DeviceTarget

# What devices print when they refuse a command (Huawei "Error:", Cisco "% Invalid", ZTE "%Error",
# Junos "syntax error." / "unknown command." / "error: ...").
_REJECTED = re.compile(
    r"^\s*(?:Error:|%\s*(?:Invalid|Incomplete|Ambiguous|Unknown)|%Error\b|\^$"
    r"|syntax error\b|unknown command\.|error: )", re.MULTILINE)


def rejected(output: str) -> bool:
    return bool(_REJECTED.search(output))


class CliRunner:
    """Runs read commands and configuration sets over SSH with netmiko (blocking, so in threads)."""

    def __init__(self, *, max_sessions: int = 8) -> None:
        self._pool = ThreadPoolExecutor(max_workers=max_sessions, thread_name_prefix="faultline-cli")
        self._locks: dict[tuple[str, int], asyncio.Lock] = {}

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _lock(self, target: DeviceTarget) -> asyncio.Lock:
        key = (target.address, target.cli.port if target.cli else 22)
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        return lock

    async def run(self, target: DeviceTarget, commands: Sequence[str], *, enable: bool = False) -> list[str]:
        """Raw output of each read command, in one session."""
        async with self._lock(target):
            return await asyncio.get_running_loop().run_in_executor(
                self._pool, _blocking_session, target, list(commands), None, enable)

    async def configure(self, target: DeviceTarget, lines: Sequence[str], *, enable: bool = False,
                        commit: bool = False) -> str:
        """Send configuration lines in config mode (system-view / configure terminal) and leave it;
        ``commit``: candidate-configuration platforms (IOS-XR, Junos) commit before leaving."""
        async with self._lock(target):
            outputs = await asyncio.get_running_loop().run_in_executor(
                self._pool, _blocking_session, target, [], list(lines), enable, commit)
        return outputs[0]


def _connect(target: DeviceTarget) -> Any:
    from netmiko import ConnectHandler
    from netmiko.exceptions import NetmikoAuthenticationException, NetmikoTimeoutException

    if target.cli is None:
        raise Unsupported("no CLI parameters for this device", device=target.name)
    params = target.cli
    try:
        return ConnectHandler(
            device_type=params.device_type, host=target.address, port=params.port, username=params.username,
            password=params.password or "", secret=params.secret or "", conn_timeout=params.timeout,
            auth_timeout=params.timeout, banner_timeout=params.timeout, read_timeout_override=params.timeout,
        )
    except NetmikoAuthenticationException as exc:
        raise AuthenticationFailed("SSH login refused", device=target.name, raw=_scrub(str(exc), target)) from exc
    except NetmikoTimeoutException as exc:
        raise UnreachableError("SSH connection timed out", device=target.name, raw=_scrub(str(exc), target)) from exc
    except (ConnectionError, socket.error, EOFError) as exc:
        raise UnreachableError(f"SSH connection failed: {type(exc).__name__}", device=target.name,
                               raw=_scrub(str(exc), target)) from exc
    except Exception as exc:  # paramiko raises a zoo of types on broken peers
        raise UnreachableError(f"SSH session could not be opened: {type(exc).__name__}", device=target.name,
                               raw=_scrub(str(exc), target)) from exc


def _scrub(text: str, target: DeviceTarget) -> str:
    """Error texts must never carry the credentials (they end up in evidence and logs)."""
    for secret in (target.cli.password if target.cli else None, target.cli.secret if target.cli else None):
        if secret:
            text = text.replace(secret, "***")
    return text


def _blocking_session(target: DeviceTarget, commands: list[str], config: list[str] | None, enable: bool,
                      commit: bool = False) -> list[str]:
    from netmiko.exceptions import ReadTimeout

    conn = _connect(target)
    try:
        if enable:
            conn.enable()
        if config is not None:
            return [_configure(conn, target, config, commit)]
        outputs = []
        for command in commands:
            outputs.append(conn.send_command(command, read_timeout=target.cli.timeout if target.cli else 20))
        return outputs
    except ReadTimeout as exc:
        raise CollectorTimeout("the device did not finish its output in time", device=target.name,
                               raw=_scrub(str(exc), target)) from exc
    except CollectorError:
        raise
    except (OSError, EOFError) as exc:
        raise UnreachableError(f"SSH session lost: {type(exc).__name__}", device=target.name, raw=str(exc)) from exc
    finally:
        if config is None:
            # netmiko's polite logout waits ~2 s for Huawei's "quit" to be acknowledged: after read-only
            # commands nothing depends on it, so it runs off the caller's critical path.
            threading.Thread(target=_disconnect, args=(conn,), daemon=True, name="faultline-cli-logout").start()
        else:
            _disconnect(conn)


def _configure(conn: Any, target: DeviceTarget, config: list[str], commit: bool) -> str:
    """Config mode, the lines, commit where the platform needs it, and out of config mode.

    XR and Junos silently discard an uncommitted candidate when config mode is left (netmiko answers
    their "uncommitted changes" question with no/yes-discard), so a loop would never be applied."""
    output = conn.send_config_set(config, cmd_verify=False, exit_config_mode=not commit)
    if rejected(output):
        if commit:
            _abandon(conn)
        raise CommandError("the device rejected a configuration line", device=target.name, raw=output)
    if commit:
        try:
            output += conn.commit()
        except ValueError as exc:  # netmiko's way of saying "commit failed" (text in the message)
            _abandon(conn)
            raise CommandError("the device refused to commit the configuration", device=target.name,
                               raw=_scrub(str(exc), target)) from exc
        if rejected(output):
            _abandon(conn)
            raise CommandError("the device refused to commit the configuration", device=target.name, raw=output)
        output += conn.exit_config_mode()
    return output


def _abandon(conn: Any) -> None:
    """Leave config mode without applying anything (the candidate is discarded)."""
    try:
        conn.exit_config_mode()
    except Exception:  # the session is closed right after; a stuck config mode dies with it
        pass


def _disconnect(conn: Any) -> None:
    try:
        conn.disconnect()
    except Exception:  # the session is gone either way
        pass
