"""The one place that talks pysnmp 7 (asyncio). Nothing outside this module sees pysnmp types or its
``(errorIndication, errorStatus, errorIndex, varBinds)`` tuples: values come back as ``int``/``str``/
``None`` and failures as ``CollectorError`` subclasses.

Walks read several table columns at once with GETBULK (one request advances every column), which is
what makes a device poll cheap compared with one ``snmpbulkwalk`` per column.
"""
from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pyasn1.type import univ
from pysnmp.entity.rfc3413 import cmdgen
from pysnmp.hlapi.v3arch import asyncio as hl
from pysnmp.hlapi.v3arch.asyncio.lcd import CommandGeneratorLcdConfigurator
from pysnmp.proto import errind, rfc1902

from collectors.errors import (
    AuthenticationFailed,
    CollectorError,
    CollectorTimeout,
    SnmpError,
)
from collectors.readings import ReadTime
from collectors.snmp.timing import WalkTiming
from collectors.target import DeviceTarget, SnmpParams

SnmpValue = int | str | None
Tables = dict[str, dict[str, SnmpValue]]
T = TypeVar("T")


SYS_UPTIME = "1.3.6.1.2.1.1.3"  # sysUpTime, asked for as a GETBULK non-repeater (instance .0 comes back)


@dataclass(frozen=True, slots=True)
class Partial(Generic[T]):
    """What a multi-request read got: the rows read, and the failure that stopped it (None: complete).

    A walk that fails on its fifth GETBULK keeps the rows of the first four, so a survey can still use
    them and report the gap; ``complete()`` is for callers that need all or nothing."""

    rows: T
    error: CollectorError | None = None
    timing: WalkTiming | None = None  # timed walks only: which response carried each value

    def complete(self) -> T:
        if self.error is not None:
            raise self.error
        return self.rows

_AUTH = {
    "MD5": hl.usmHMACMD5AuthProtocol,
    "SHA": hl.usmHMACSHAAuthProtocol,
    "SHA224": hl.usmHMAC128SHA224AuthProtocol,
    "SHA256": hl.usmHMAC192SHA256AuthProtocol,
    "SHA384": hl.usmHMAC256SHA384AuthProtocol,
    "SHA512": hl.usmHMAC384SHA512AuthProtocol,
}
_PRIV = {
    "DES": hl.usmDESPrivProtocol,
    "AES": hl.usmAesCfb128Protocol,
    "AES128": hl.usmAesCfb128Protocol,
    "AES192": hl.usmAesCfb192Protocol,
    "AES256": hl.usmAesCfb256Protocol,
}
_AUTH_ERRORS = (
    errind.UnknownUserName,
    errind.WrongDigest,
    errind.DecryptionError,
    errind.UnknownSecurityName,
    errind.AuthenticationError,
    errind.AuthenticationFailure,
    errind.UnsupportedSecurityLevel,
    errind.UnknownCommunityName,
)
_ABSENT = ("NoSuchObject", "NoSuchInstance", "EndOfMibView")


def to_python(value: Any) -> SnmpValue:
    """A pysnmp value as plain Python: ints for every integer/counter/gauge type, text otherwise."""
    if value.__class__.__name__ in _ABSENT:
        return None
    if isinstance(value, rfc1902.IpAddress):
        return value.prettyPrint()
    if isinstance(value, univ.Integer):
        return int(value)
    if isinstance(value, univ.OctetString):
        raw = bytes(value)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return "0x" + raw.hex()
    if isinstance(value, univ.ObjectIdentifier):
        return str(value)
    return value.prettyPrint()


class SnmpClient:
    """SNMP GET and multi-column bulk walks with concurrency limits per device and overall.

    One client belongs to one event loop (pysnmp's engine does); ``close()`` releases its socket.
    """

    def __init__(
        self,
        *,
        max_in_flight: int = 32,
        per_device: int = 4,
        varbinds_per_request: int = 48,
    ) -> None:
        self._engine: hl.SnmpEngine | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._overall = asyncio.Semaphore(max_in_flight)
        self._per_device_limit = per_device
        self._per_device: dict[tuple[str, int], asyncio.Semaphore] = {}
        self._targets: dict[tuple[str, int, float, int], Any] = {}
        self.varbinds_per_request = varbinds_per_request
        self.values_read = 0  # varbinds received, for throughput figures
        self.values_used = 0  # of those, values inside the walked columns (the rest is GETBULK overshoot)
        self.requests = 0  # requests answered (GET and GETBULK)
        self._lcd = CommandGeneratorLcdConfigurator()
        self._bulk_generator = cmdgen.BulkCommandGenerator()

    async def __aenter__(self) -> SnmpClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._engine is not None:
            self._engine.close_dispatcher()
            self._engine = None

    # -- plumbing -------------------------------------------------------------------------------
    def _engine_for_loop(self) -> hl.SnmpEngine:
        loop = asyncio.get_running_loop()
        if self._engine is None:
            self._engine = hl.SnmpEngine()
            self._loop = loop
        elif self._loop is not loop:
            raise RuntimeError("an SnmpClient is bound to the event loop it was first used on")
        return self._engine

    @staticmethod
    def _auth(params: SnmpParams) -> Any:
        if params.version == "2c":
            return hl.CommunityData(params.community or "", mpModel=1)
        auth = _AUTH[params.auth_protocol.upper()] if params.auth_protocol else hl.usmNoAuthProtocol
        priv = _PRIV[params.priv_protocol.upper()] if params.priv_protocol else hl.usmNoPrivProtocol
        return hl.UsmUserData(
            params.user or "",
            authKey=params.auth_key if params.auth_protocol else None,
            privKey=params.priv_key if params.priv_protocol else None,
            authProtocol=auth,
            privProtocol=priv,
        )

    async def _transport(self, target: DeviceTarget, params: SnmpParams) -> Any:
        key = (target.address, params.port, params.timeout, params.retries)
        transport = self._targets.get(key)
        if transport is None:
            transport = await hl.UdpTransportTarget.create(
                (target.address, params.port), timeout=params.timeout, retries=params.retries
            )
            self._targets[key] = transport
        return transport

    def _device_gate(self, target: DeviceTarget, params: SnmpParams) -> asyncio.Semaphore:
        key = (target.address, params.port)
        gate = self._per_device.get(key)
        if gate is None:
            gate = self._per_device[key] = asyncio.Semaphore(self._per_device_limit)
        return gate

    @staticmethod
    def _params(target: DeviceTarget) -> SnmpParams:
        if target.snmp is None:
            from collectors.errors import Unsupported

            raise Unsupported("no SNMP parameters for this device", device=target.name)
        return target.snmp

    def _check(self, target: DeviceTarget, result: tuple[Any, Any, Any, Any], what: str) -> list[Any]:
        indication, status, index, varbinds = result
        if indication is not None:
            text = f"{type(indication).__name__}: {indication}"
            if isinstance(indication, errind.RequestTimedOut):
                raise CollectorTimeout(f"no SNMP response to {what}", device=target.name, raw=text)
            if isinstance(indication, _AUTH_ERRORS):
                raise AuthenticationFailed(f"SNMP authentication failed ({what})", device=target.name, raw=text)
            raise SnmpError(f"SNMP error on {what}", device=target.name, raw=text)
        if status and int(status) != 0:
            text = f"{status.prettyPrint()} at index {int(index)}"
            raise SnmpError(f"SNMP agent error on {what}", device=target.name, raw=text)
        return list(varbinds)

    # -- requests ------------------------------------------------------------------------------
    async def get(self, target: DeviceTarget, oids: Sequence[str]) -> Partial[dict[str, SnmpValue]]:
        """GET the given numeric OIDs; absent ones map to None. A failing request ends the read: the
        values of the requests before it are kept, with the error."""
        params = self._params(target)
        engine = self._engine_for_loop()
        transport = await self._transport(target, params)
        out: dict[str, SnmpValue] = {}
        for start in range(0, len(oids), self.varbinds_per_request):
            chunk = oids[start : start + self.varbinds_per_request]
            async with self._device_gate(target, params), self._overall:
                result = await hl.get_cmd(
                    engine,
                    self._auth(params),
                    transport,
                    hl.ContextData(contextName=params.context.encode()),
                    *(hl.ObjectType(hl.ObjectIdentity(o)) for o in chunk),
                    lookupMib=False,
                )
            try:
                varbinds = self._check(target, result, f"GET {chunk[0]}")
            except CollectorError as exc:
                return Partial(out, exc)
            self.values_read += len(varbinds)
            self.requests += 1
            for oid, value in varbinds:
                out[str(oid)] = to_python(value)
                self.values_used += out[str(oid)] is not None
        return Partial(out)

    async def walk(
        self, target: DeviceTarget, columns: Sequence[str], *, max_repetitions: int | None = None,
        scalars: Sequence[str] = (),
        expected_rows: Mapping[str, int] | None = None,
        timed: bool = False,
    ) -> Partial[Tables]:
        """Walk table columns together: ``{column: {index_suffix: value}}``. A failing request ends
        the walk; the rows read before it are kept, with the error.

        ``scalars`` (e.g. ``1.3.6.1.2.1.1.3`` for sysUpTime) ride on the first GETBULK as
        non-repeaters, so checking them costs no extra request: each comes back as
        ``{scalar: {"0": value}}`` when the agent has it, ``{scalar: {}}`` when not.

        ``expected_rows`` (rows per column at the last poll) sizes each GETBULK to what is left plus
        one row, the one that shows the column ended, instead of a full request's worth of rows
        past the end: the agent encodes fewer values nobody uses. More rows than expected are
        still walked to the end.

        ``timed`` (counters, for rates): every GETBULK also carries sysUpTime as a non-repeater and
        the result's ``timing`` says, per value, when the response carrying it was asked for and
        received and the agent's uptime in it, so a rate is timed by its own two responses."""
        params = self._params(target)
        engine = self._engine_for_loop()
        transport = await self._transport(target, params)
        result: Tables = {c: {} for c in (*columns, *scalars)}
        cursors = {c: c for c in columns}
        pending = list(dict.fromkeys(columns))
        heads = list(dict.fromkeys(scalars))
        timing = WalkTiming() if timed else None
        while pending or heads:
            batch = pending[: max(1, self.varbinds_per_request - len(heads))] if pending else []
            reps = max_repetitions or max(1, (self.varbinds_per_request - len(heads)) // max(1, len(batch)))
            if expected_rows and batch and all(c in expected_rows for c in batch):
                left = max(expected_rows[c] - len(result[c]) for c in batch)
                if left >= 0:  # past the expected end (rows were added): full requests again
                    reps = max(1, min(reps, left + 1))
            clock = [SYS_UPTIME] if timing is not None and batch else []
            async with self._device_gate(target, params), self._overall:
                sent = time.monotonic()
                raw = await self._bulk(engine, params, transport, reps,
                                       [*clock, *heads, *(cursors[c] for c in batch)],
                                       non_repeaters=len(clock) + len(heads))
                received = time.monotonic()
            try:
                varbinds = self._check(target, raw, f"GETBULK {(batch or heads)[0]}")
            except CollectorError as exc:
                return Partial(result, exc, timing)
            self.values_read += len(varbinds)
            self.requests += 1
            if clock:
                uptime = _uptime(varbinds[0]) if varbinds else None
                timing.responses.append(ReadTime(sent, received, uptime))  # type: ignore[union-attr]
                varbinds = varbinds[1:]
            for scalar, (oid, value) in zip(heads, varbinds, strict=False):
                text = str(oid)
                if text.startswith(scalar + ".") and value.__class__.__name__ not in _ABSENT:
                    result[scalar][text[len(scalar) + 1 :]] = to_python(value)
                    self.values_used += 1
            varbinds, heads = varbinds[len(heads) :], []
            if not batch:
                break
            before = sum(len(result[c]) for c in batch)
            stamp = (timing.cells, len(timing.responses) - 1) if timing is not None else None
            finished = _absorb(batch, varbinds, cursors, result, stamp)
            self.values_used += sum(len(result[c]) for c in batch) - before
            pending = [c for c in pending if c not in finished]
        return Partial(result, timing=timing)

    async def _bulk(self, engine: Any, params: SnmpParams, transport: Any, reps: int, starts: list[str],
                    *, non_repeaters: int = 0) -> tuple[Any, ...]:
        """One GETBULK through pysnmp's command generator directly: the hlapi wrapper resolves every
        request OID through the MIB view, which cost ~15% of a poll's CPU for numeric OIDs."""
        context = params.context.encode()
        addr_name, _ = self._lcd.configure(engine, self._auth(params), transport, context)
        future: asyncio.Future[tuple[Any, ...]] = asyncio.get_running_loop().create_future()

        def done(_engine: Any, _handle: Any, indication: Any, status: Any, index: Any, varbinds: Any, _ctx: Any) -> None:
            if not future.done():
                future.set_result((indication, status, index, varbinds))

        self._bulk_generator.send_varbinds(
            engine, addr_name, None, context, non_repeaters, reps,
            [(rfc1902.ObjectName(oid), univ.Null("")) for oid in starts], done,
        )
        return await future


def _uptime(varbind: Any) -> int | None:
    oid, value = varbind
    if str(oid) != SYS_UPTIME + ".0" or value.__class__.__name__ in _ABSENT:
        return None
    ticks = to_python(value)
    return ticks if isinstance(ticks, int) else None


def _absorb(
    batch: Sequence[str],
    varbinds: Sequence[Any],
    cursors: dict[str, str],
    result: Mapping[str, dict[str, SnmpValue]],
    stamp: tuple[dict[str, dict[str, int]], int] | None = None,
) -> set[str]:
    """Distribute a GETBULK response (row-major over ``batch``) into columns; return finished ones.
    ``stamp`` (timed walks): (column -> index -> response number, this response's number)."""
    finished: set[str] = set()
    moved: set[str] = set()
    width = len(batch)
    for i, (oid, value) in enumerate(varbinds):
        column = batch[i % width]
        if column in finished:
            continue
        text = str(oid)
        if value.__class__.__name__ == "EndOfMibView" or not text.startswith(column + "."):
            finished.add(column)
            continue
        if _not_after(text, cursors[column]):
            finished.add(column)  # agent not advancing: stop rather than loop forever
            continue
        index = text[len(column) + 1 :]
        result[column][index] = to_python(value)
        if stamp is not None:
            stamp[0].setdefault(column, {})[index] = stamp[1]
        cursors[column] = text
        moved.add(column)
    if len(varbinds) >= width or not moved:
        # every column had its turn in this response (or nothing advanced): silent ones are done;
        # a response truncated before some columns leaves those for the next request.
        finished.update(c for c in batch if c not in moved)
    return finished


def _oid_key(oid: str) -> tuple[int, ...]:
    return tuple(int(p) for p in oid.split("."))


def _not_after(oid: str, cursor: str) -> bool:
    """True when ``oid`` does not come after ``cursor`` (cheap string test first, exact order after)."""
    if oid == cursor:
        return True
    if oid.startswith(cursor + "."):
        return False  # a descendant always comes after
    return _oid_key(oid) < _oid_key(cursor)
