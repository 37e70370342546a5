"""netmiko sessions in a bounded thread pool: one session per device at a time (devices allow few
concurrent logins, and a loop must never race a read). netmiko errors become ``CollectorError``s.

"One session per device" holds for the whole process, not per ``CliRunner``: the poller and the
triage each build their own ``Collector``, so the device locks live in one process-wide
``DeviceLocks`` (keyed by SSH host and port), taken in the worker thread before connecting and
released only when the logout has finished (also when that logout runs after the caller went away).

A read session (``CliRunner.session``) can take commands in several batches, so a survey opens it
while SNMP is still being read, sends the alarm commands at once and then what SNMP could not give;
its logout skips netmiko's config-mode probe (a read session never entered config mode; on Huawei
that probe waits ~2 s for silence) and is over in milliseconds."""
from __future__ import annotations

import asyncio
import concurrent.futures
import queue
import re
import socket
import threading
import time
from collections.abc import AsyncIterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any

from collectors.errors import (
    AuthenticationFailed,
    CollectorError,
    CollectorTimeout,
    CommandError,
    UnreachableError,
    Unsupported,
)
from collectors.target import DeviceTarget

# What devices print when they refuse a command (Huawei "Error:", Cisco "% Invalid", ZTE "%Error",
# Junos "syntax error." / "unknown command." / "error: ...").
_REJECTED = re.compile(
    r"^\s*(?:Error:|%\s*(?:Invalid|Incomplete|Ambiguous|Unknown)|%Error\b|\^$"
    r"|syntax error\b|unknown command\.|error: )", re.MULTILINE)


def rejected(output: str) -> bool:
    return bool(_REJECTED.search(output))


def device_key(target: DeviceTarget) -> tuple[str, int]:
    """What makes two sessions go to the same device: its SSH address and port."""
    return target.address, target.cli.port if target.cli else 22


class DeviceLocks:
    """One lock per device (SSH host, port), shared by every runner that uses this registry."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[tuple[str, int], threading.Lock] = {}

    def __call__(self, target: DeviceTarget) -> threading.Lock:
        key = device_key(target)
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
        key = device_key(target)
        lock = self._queues.get(key)
        if lock is None:
            lock = self._queues[key] = asyncio.Lock()
        return lock

    @asynccontextmanager
    async def session(self, target: DeviceTarget, *, enable: bool = False) -> AsyncIterator[ReadSession]:
        """One SSH session for read commands sent in batches (``await s.run([...])``); connecting starts
        at once, in a pool thread; the logout follows the block (awaited when the block ends normally;
        after an error or a cancellation it runs in the session's thread once its command is done)."""
        give_up = threading.Event()
        gate = _Gate(self._device_locks(target), self._lock_wait, (give_up, self._closed))
        jobs: queue.SimpleQueue[tuple[list[str], concurrent.futures.Future] | None] = queue.SimpleQueue()
        ready: concurrent.futures.Future[None] = concurrent.futures.Future()
        async with self._queue(target):
            worker = asyncio.get_running_loop().run_in_executor(
                self._pool, _read_worker, target, enable, gate, ready, jobs, self._lock_wait)
            ended_well = False
            try:
                yield ReadSession(ready, jobs)
                ended_well = True
            finally:
                give_up.set()  # a thread still waiting for the device gives up instead of connecting
                jobs.put(None)  # then the logout, after any command still running
                if ended_well:
                    try:
                        await worker
                    except Exception:  # noqa: BLE001 - a failed connect was already raised by run()
                        pass

    async def run(self, target: DeviceTarget, commands: Sequence[str], *, enable: bool = False) -> list[str]:
        """Raw output of each read command, in one session."""
        async with self.session(target, enable=enable) as s:
            return await s.run(commands)

    async def configure(self, target: DeviceTarget, lines: Sequence[str], *, enable: bool = False,
                        commit: bool = False, commit_command: str | None = None, commit_expect: str | None = None,
                        commit_done: str | None = None, prompt_end: str | None = None) -> str:
        """Send configuration lines in config mode (system-view / configure terminal) and leave it;
        ``commit``: candidate-configuration platforms (IOS-XR, Junos, VRP8 two-stage) commit before
        leaving; ``commit_command`` (with the prompt it ends on and the text that says it worked):
        the commit to send instead of the driver's plain one (``commit confirmed 1``)."""
        cancelled = threading.Event()
        gate = _Gate(self._device_locks(target), self._lock_wait, (cancelled, self._closed))
        async with self._queue(target):
            future = asyncio.get_running_loop().run_in_executor(
                self._pool, _config_session, target, list(lines), enable, commit, gate,
                (commit_command, commit_expect, commit_done) if commit_command else None, prompt_end)
            try:
                return await future
            except asyncio.CancelledError:
                cancelled.set()  # a thread still waiting for the device gives up instead of connecting
                raise


class ReadSession:
    """The caller's side of one read session: batches of commands, answered in order."""

    def __init__(self, ready: concurrent.futures.Future, jobs: queue.SimpleQueue) -> None:
        self._ready = ready
        self._jobs = jobs

    async def run(self, commands: Sequence[str]) -> list[str]:
        """Raw output of each command; the connection's failure (refused, unreachable...) raises here."""
        await asyncio.wrap_future(self._ready)
        done: concurrent.futures.Future[list[str]] = concurrent.futures.Future()
        self._jobs.put((list(commands), done))
        return await asyncio.wrap_future(done)


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
    from netmiko.exceptions import (
        NetmikoAuthenticationException,
        NetmikoTimeoutException,
    )

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


def _read_worker(target: DeviceTarget, enable: bool, gate: _Gate, ready: concurrent.futures.Future,
                 jobs: queue.SimpleQueue, idle_limit: float) -> None:
    """A read session's thread: device lock, connect, the batches in order, quick logout, unlock."""
    if not ready.set_running_or_notify_cancel():  # the caller went away before this thread started
        return
    try:
        if not gate.enter(target):
            raise CollectorTimeout("the caller gave up before the device was free", device=target.name)
    except BaseException as exc:
        ready.set_exception(exc)
        return
    try:
        conn = _connect(target)
    except BaseException as exc:
        gate.leave()
        ready.set_exception(exc)
        return
    try:
        try:
            if enable:
                _guarded(conn.enable, target)
        except BaseException as exc:
            ready.set_exception(exc)
            return
        ready.set_result(None)
        prompt: str | None = None
        failed: BaseException | None = None  # after a failed command the channel is in an unknown state
        while True:
            try:
                job = jobs.get(timeout=idle_limit)
            except queue.Empty:  # the caller vanished without ending the session: log out anyway
                return
            if job is None:
                return
            commands, done = job
            if not done.set_running_or_notify_cancel():
                continue
            if failed is not None:
                done.set_exception(CommandError(
                    f"not sent: an earlier command of this session failed ({type(failed).__name__})",
                    device=target.name))
                continue
            try:
                if prompt is None and commands:
                    prompt = _guarded(lambda: _session_prompt(conn), target)
                done.set_result(_guarded(lambda: [
                    conn.send_command(c, expect_string=prompt, read_timeout=target.cli.timeout if target.cli else 20)
                    for c in commands], target))
            except BaseException as exc:  # noqa: BLE001 - handed to the caller
                failed = exc
                done.set_exception(exc)
    finally:
        _quick_logout(conn, gate)


def _session_prompt(conn: Any) -> str:
    """The pattern netmiko's send_command would find before each command (a newline sent, ~50 ms):
    read commands never change the prompt, so it is found once per session."""
    try:
        prompt = conn.find_prompt()
    except ValueError:
        prompt = conn.base_prompt
    return re.escape(prompt.strip())


def _config_session(target: DeviceTarget, config: list[str], enable: bool, commit: bool, gate: _Gate,
                    special_commit: tuple[str, str | None, str | None] | None = None,
                    prompt_end: str | None = None) -> str:
    """Errors raised before any configuration line left carry ``config_sent = False``: the device cannot
    have taken the change (a loop that was never set blocks nothing); later ones ``True``."""
    try:
        if not gate.enter(target):
            raise CollectorTimeout("the caller gave up before the device was free", device=target.name)
        try:
            conn = _connect(target)
        except BaseException:
            gate.leave()
            raise
    except CollectorError as exc:
        exc.config_sent = False
        raise
    left_config_mode = False
    if prompt_end:
        _prompt_bound_mode_checks(conn, prompt_end)
    try:
        if enable:
            try:
                _guarded(conn.enable, target)
            except CollectorError as exc:
                exc.config_sent = False
                raise
        try:
            output = _guarded(lambda: _configure(conn, target, config, commit, special_commit), target)
            left_config_mode = True
            return output
        except CollectorError as exc:
            exc.config_sent = True
            raise
    finally:
        if left_config_mode:  # config mode was left: no need for netmiko's ~2 s config-mode probe at logout
            _quick_logout(conn, gate)
        else:
            _disconnect(conn, gate)  # netmiko's full logout: it leaves config mode if a failure left it there


def _prompt_bound_mode_checks(conn: Any, prompt_end: str) -> None:
    """netmiko's config-mode check sends Enter and, on drivers without a prompt pattern (Huawei), reads
    until ~2 s of silence; a config session makes four such checks. Read up to the prompt instead."""
    import inspect

    original = conn.check_config_mode
    default = inspect.signature(original).parameters.get("check_string")
    marker = default.default if default is not None and isinstance(default.default, str) else "]"

    def check_config_mode(check_string: str = marker, pattern: str = "", force_regex: bool = False) -> bool:
        conn.write_channel(conn.RETURN)
        output = conn.read_until_pattern(pattern=prompt_end, read_timeout=10.0)
        return check_string in output.strip().splitlines()[-1] if output.strip() else False

    conn.check_config_mode = check_config_mode


def _guarded(step: Any, target: DeviceTarget) -> Any:
    """One netmiko step, its timeouts and lost sessions as collector errors."""
    from netmiko.exceptions import ReadTimeout

    try:
        return step()
    except ReadTimeout as exc:
        raise CollectorTimeout("the device did not finish its output in time", device=target.name,
                               raw=_scrub(str(exc), target)) from exc
    except CollectorError:
        raise
    except (OSError, EOFError) as exc:
        raise UnreachableError(f"SSH session lost: {type(exc).__name__}", device=target.name, raw=str(exc)) from exc


def _configure(conn: Any, target: DeviceTarget, config: list[str], commit: bool,
               special_commit: tuple[str, str | None, str | None] | None = None) -> str:
    """Config mode, the lines, commit where the platform needs it, and out of config mode.

    XR and Junos silently discard an uncommitted candidate when config mode is left (netmiko answers
    their "uncommitted changes" question with no/yes-discard), so a loop would never be applied."""
    output = conn.send_config_set(config, cmd_verify=False, exit_config_mode=not commit)
    if rejected(output):
        if commit:
            _abandon(conn)
        raise CommandError("the device rejected a configuration line", device=target.name, raw=output)
    if commit and special_commit is not None:
        command, expect, done = special_commit
        output += conn.send_command(command, expect_string=expect or r"[>#\]]\s*$", strip_prompt=False,
                                    strip_command=False, read_timeout=target.cli.timeout if target.cli else 20)
        if rejected(output) or (done and not re.search(done, output, re.MULTILINE)):
            _abandon(conn)
            raise CommandError(f"the device refused the commit ({command})", device=target.name, raw=output)
        output += conn.exit_config_mode()
        return output
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


def _quick_logout(conn: Any, gate: _Gate) -> None:
    """Logout of a read session: netmiko's own cleanup first probes whether the session is in config
    mode, which on Huawei waits ~2 s for silence; a read session never entered config mode, so the
    probe is answered here and the driver's logout command ('quit', 'exit') is sent at once, then the
    transport and socket are closed."""
    conn.check_config_mode = lambda *args, **kwargs: False
    _disconnect(conn, gate)


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
