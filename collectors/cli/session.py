"""netmiko sessions in a bounded thread pool: one session per device at a time (devices allow few
concurrent logins, and a loop must never race a read). netmiko errors become ``CollectorError``s.

"One session per device" holds for the whole process, not per ``CliRunner``: the poller and the
triage each build their own ``Collector``, so the device locks live in one process-wide
``DeviceLocks`` (keyed by SSH host and port), taken in the worker thread before connecting and
released only when the logout has finished (also when that logout runs after the caller returned)."""
from __future__ import annotations

import asyncio
import re
import socket
import threading
import time
from collections.abc import Sequence
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


class DeviceLocks:
    """One lock per device (SSH host, port), shared by every runner that uses this registry."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[tuple[str, int], threading.Lock] = {}

    def __call__(self, target: DeviceTarget) -> threading.Lock:
        key = (target.address, target.cli.port if target.cli else 22)
        with self._guard:
            lock = self._locks.get(key)
            if lock is None:
                lock = self._locks[key] = threading.Lock()
            return lock


PROCESS_DEVICE_LOCKS = DeviceLocks()  # the default: every CliRunner of the process shares it


class CliRunner:
    """Runs read commands and configuration sets over SSH with netmiko (blocking, so in threads).

    ``lock_wait``: how long a session waits for another session to the same device to end (its
    logout included) before giving up with ``CollectorTimeout``."""

    def __init__(self, *, max_sessions: int = 8, device_locks: DeviceLocks | None = None,
                 lock_wait: float = 120.0) -> None:
        self._pool = ThreadPoolExecutor(max_workers=max_sessions, thread_name_prefix="faultline-cli")
        self._device_locks = device_locks or PROCESS_DEVICE_LOCKS
        self._lock_wait = lock_wait
        # per runner and event loop: at most one of this runner's pool threads waits on a device
        self._queues: dict[tuple[str, int], asyncio.Lock] = {}
        self._closed = threading.Event()

    def close(self) -> None:
        self._closed.set()  # threads still waiting for a device stop waiting
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _queue(self, target: DeviceTarget) -> asyncio.Lock:
        key = (target.address, target.cli.port if target.cli else 22)
        lock = self._queues.get(key)
        if lock is None:
            lock = self._queues[key] = asyncio.Lock()
        return lock

    async def _session(self, target: DeviceTarget, commands: list[str], config: list[str] | None,
                       enable: bool, commit: bool) -> list[str]:
        cancelled = threading.Event()
        gate = _Gate(self._device_locks(target), self._lock_wait, (cancelled, self._closed))
        async with self._queue(target):
            future = asyncio.get_running_loop().run_in_executor(
                self._pool, _blocking_session, target, commands, config, enable, commit, gate)
            try:
                return await future
            except asyncio.CancelledError:
                cancelled.set()  # a thread still waiting for the device gives up instead of connecting
                raise

    async def run(self, target: DeviceTarget, commands: Sequence[str], *, enable: bool = False) -> list[str]:
        """Raw output of each read command, in one session."""
        return await self._session(target, list(commands), None, enable, False)

    async def configure(self, target: DeviceTarget, lines: Sequence[str], *, enable: bool = False,
                        commit: bool = False) -> str:
        """Send configuration lines in config mode (system-view / configure terminal) and leave it;
        ``commit``: candidate-configuration platforms (IOS-XR, Junos) commit before leaving."""
        outputs = await self._session(target, [], list(lines), enable, commit)
        return outputs[0]


class _Gate:
    """The device lock as one session uses it: wait (giving up when the caller went away), release once."""

    def __init__(self, lock: threading.Lock, wait: float, give_up: tuple[threading.Event, ...]) -> None:
        self._lock = lock
        self._wait = wait
        self._give_up = give_up
        self._held = False

    def _abandoned(self) -> bool:
        return any(e.is_set() for e in self._give_up)

    def enter(self, target: DeviceTarget) -> bool:
        """True when the device is ours; False when the caller was cancelled meanwhile."""
        deadline = time.monotonic() + self._wait
        while not self._lock.acquire(timeout=0.25):
            if self._abandoned():
                return False
            if time.monotonic() > deadline:
                raise CollectorTimeout(f"another CLI session to the device did not end within {self._wait:g} s",
                                       device=target.name)
        if self._abandoned():
            self._lock.release()
            return False
        self._held = True
        return True

    def leave(self) -> None:
        if self._held:
            self._held = False
            self._lock.release()


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
                      commit: bool, gate: _Gate) -> list[str]:
    if not gate.enter(target):
        raise CollectorTimeout("the caller gave up before the device was free", device=target.name)
    try:
        conn = _connect(target)
    except BaseException:
        gate.leave()
        raise
    try:
        return _use(conn, target, commands, config, enable, commit)
    finally:
        if config is None:
            # netmiko's polite logout waits ~2 s for Huawei's "quit" to be acknowledged: after read-only
            # commands nothing depends on it, so it runs off the caller's critical path; the device
            # stays locked until it is done, so the next session never overlaps it.
            threading.Thread(target=_disconnect, args=(conn, gate), daemon=True, name="faultline-cli-logout").start()
        else:
            _disconnect(conn, gate)


def _use(conn: Any, target: DeviceTarget, commands: list[str], config: list[str] | None, enable: bool,
         commit: bool) -> list[str]:
    from netmiko.exceptions import ReadTimeout

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


def _disconnect(conn: Any, gate: _Gate) -> None:
    sock = _tcp_socket(conn)
    try:
        conn.disconnect()
    except Exception:  # the session is gone either way
        pass
    finally:
        # paramiko leaves the TCP socket to the garbage collector when the device closed the SSH
        # transport first (Huawei "quit"); close it here so the session has really ended when the
        # device is free for the next one.
        if sock is not None:
            try:
                sock.close()
            except OSError:
                pass
        gate.leave()


def _tcp_socket(conn: Any) -> socket.socket | None:
    try:
        transport = conn.remote_conn_pre.get_transport()
        return transport.sock if transport is not None else None
    except Exception:  # not an SSH session (or already torn down)
        return None
