"""A lab in a process of its own, driven from another event loop (benches, end-to-end tests).

On a real network the devices do their own work: encoding an SNMP response, an SSH key exchange,
rendering `display alarm active` costs the device's CPU, not the management station's. A `Lab` run
inside the agent's process and event loop charges all of that to the agent (about 40 % of the CPU
of a device survey on the generated islands), so surveys under a burst of tickets came out several
times slower than the agent alone would make them, and timed out. `LabProcess` runs the lab in a
child process (spawned: no copy of the parent's event loop or threads) and forwards calls to it:

    async with LabProcess(topology, address_block="127.40.1", latency="off") as lab:
        inventory = lab.inventory          # the inventory with the actual endpoints
        await lab.call("inject", "fiber_cut", "CIR-1#0")
        alarms = await lab.call("alarms", "dev-1", active=False)

`call(name, *args, **kwargs)` runs `Lab.<name>` in the child and returns its (picklable) result; a
`LabError` raised there is raised here with the same text.
"""
from __future__ import annotations

import asyncio
import multiprocessing
import multiprocessing.connection
from typing import Any

from lab.errors import LabError, LabStateError

_POLL_S = 0.01  # how often each side looks at the pipe: negligible CPU, ~5 ms added per call
START_TIMEOUT_S = 120.0


def _child(topology: Any, options: dict[str, Any], conn: multiprocessing.connection.Connection) -> None:
    from lab.lab import Lab  # imported in the child only

    async def serve() -> None:
        lab = Lab.load(topology, **options)
        try:
            await lab.start()
        except BaseException as exc:
            conn.send(("error", f"{type(exc).__name__}: {exc}"))
            raise
        conn.send(("ready", lab.inventory()))
        try:
            while True:
                if not conn.poll():
                    await asyncio.sleep(_POLL_S)
                    continue
                request = conn.recv()
                if request is None:
                    return
                name, args, kwargs = request
                try:
                    result = getattr(lab, name)(*args, **kwargs)
                    if asyncio.iscoroutine(result):
                        result = await result
                    conn.send(("ok", result))
                except LabError as exc:
                    conn.send(("lab_error", str(exc)))
                except Exception as exc:  # noqa: BLE001 - the caller gets it as text
                    conn.send(("error", f"{type(exc).__name__}: {exc}"))
        finally:
            await lab.stop()

    try:
        asyncio.run(serve())
    except (KeyboardInterrupt, EOFError, BrokenPipeError):
        pass
    finally:
        conn.close()


class LabProcess:
    """A `Lab` (same `Lab.load` options) in a spawned child process."""

    def __init__(self, topology: Any, **options: Any) -> None:
        self._topology = topology
        self._options = options
        self._conn: multiprocessing.connection.Connection | None = None
        self._proc: multiprocessing.process.BaseProcess | None = None
        self._lock = asyncio.Lock()
        self.inventory: dict[str, Any] = {}

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    async def start(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe()
        self._conn = parent
        self._proc = ctx.Process(target=_child, args=(self._topology, self._options, child), daemon=True,
                                 name="faultline-lab")
        self._proc.start()
        child.close()
        try:
            kind, payload = await self._receive(START_TIMEOUT_S)
        except BaseException:  # cancelled or the child died: no process is left behind
            await asyncio.shield(self.stop())
            raise
        if kind != "ready":
            await self.stop()
            raise LabStateError(f"the lab process did not start: {payload}")
        self.inventory = payload

    async def _receive(self, timeout: float) -> tuple[str, Any]:
        assert self._conn is not None and self._proc is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self._conn.poll():
            if not self._proc.is_alive():
                raise LabStateError(f"the lab process ended (exit code {self._proc.exitcode})")
            if loop.time() > deadline:
                raise LabStateError(f"the lab process did not answer within {timeout:g} s")
            await asyncio.sleep(_POLL_S)
        return self._conn.recv()  # type: ignore[no-any-return]

    async def call(self, name: str, *args: Any, timeout: float = 60.0, **kwargs: Any) -> Any:
        if self._conn is None:
            raise LabStateError("the lab process is not running")
        async with self._lock:  # one request at a time on the pipe
            self._conn.send((name, args, kwargs))
            kind, payload = await self._receive(timeout)
        if kind == "ok":
            return payload
        if kind == "lab_error":
            raise LabError(payload)
        raise LabStateError(f"lab.{name} failed in the lab process: {payload}")

    async def stop(self) -> None:
        if self._conn is not None:
            try:
                self._conn.send(None)
            except (BrokenPipeError, OSError):
                pass
        if self._proc is not None:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 10.0
            while self._proc.is_alive() and loop.time() < deadline:
                await asyncio.sleep(0.05)
            if self._proc.is_alive():
                self._proc.terminate()
                self._proc.join(5.0)
            self._proc = None
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    async def __aenter__(self) -> LabProcess:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


__all__ = ["LabProcess"]
