"""One survey (巡检) of one device: optical power, interface state, counters and alarms, SNMP first
and CLI where the profile has a command for what SNMP could not give; loops set and cleared over CLI.

Device trouble never raises here: it becomes ``ItemError``s in the ``DeviceSurvey`` (a device that
answers neither SNMP nor SSH gets one ``UnreachableError`` item "device"). Bad input does raise:
a port that is not in the target's inventory is an ``InvalidPort``.
"""
from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from collectors.alarms import AlarmCorrelator, AlarmEvent
from collectors.cli.alarm_logs import LAYOUTS
from collectors.cli.parse import parse_records, to_interfaces, to_optical
from collectors.cli.session import CliRunner, rejected
from collectors.enums import LoopMode, Want
from collectors.errors import (
    CollectorError,
    CollectorTimeout,
    CommandError,
    ParseError,
    UnreachableError,
    Unsupported,
)
from collectors.portnames import same_interface
from collectors.profiles import (
    CliParser,
    Profile,
    get_profile,
    loop_plan,
    loop_state_command,
    read_loop_state,
)
from collectors.readings import (
    AlarmRecord,
    CounterSample,
    DeviceSurvey,
    InterfaceState,
    ItemError,
    OpticalReading,
    ReadTime,
)
from collectors.snmp.adapter import SnmpClient
from collectors.snmp.collect import SnmpResult, collect_snmp
from collectors.target import DeviceTarget, PortRef

ALL_WANTS = frozenset(Want)
# CLI commands of one survey: (parser key, port) -> (parser, port, the items the command serves)
_Plan = dict[tuple[str, str | None], tuple[CliParser, "PortRef | None", set[Want]]]
Now = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class LoopAction:
    """What was done to set or clear a loop (打环/拆环), for the ticket journal."""

    device: str
    port: str
    mode: LoopMode | None  # None: cleared
    commands: tuple[str, ...]
    output: str
    at: datetime
    lifts_after_s: int | None = None  # set under the device's rollback timer: it lifts itself after this


@dataclass(frozen=True, slots=True)
class LoopReadback:
    """A port's loop state as the device printed it (the raw output kept as evidence)."""

    device: str
    port: str
    looped: bool
    mode: LoopMode | None  # None: no loop, or a loop whose mode the device does not print
    command: str
    output: str
    at: datetime


@dataclass
class _Partial:
    optical: list[OpticalReading]
    interfaces: list[InterfaceState]
    counters: list[CounterSample]
    alarms: list[AlarmRecord]
    errors: list[ItemError]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Collector:
    """Shared SNMP engine and CLI pool for many surveys (one per event loop); ``close()`` at the end."""

    def __init__(self, *, snmp: SnmpClient | None = None, cli: CliRunner | None = None, now: Now = _utcnow) -> None:
        self.snmp = snmp or SnmpClient()
        self.cli = cli or CliRunner()
        self._now = now

    async def __aenter__(self) -> Collector:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.snmp.close()
        self.cli.close()

    # -- survey -----------------------------------------------------------------------------------
    async def survey(
        self,
        target: DeviceTarget,
        ports: Sequence[str | PortRef] | None = None,
        want: Iterable[str] = ALL_WANTS,
        since: datetime | None = None,
        timeout: float = 30.0,
    ) -> DeviceSurvey:
        started = self._now()
        wants = {Want(w) for w in want}
        refs = self._ports(target, ports)
        partial = _Partial([], [], [], [], [])
        try:
            profile = get_profile(target.platform)
        except Unsupported as exc:
            partial.errors.append(ItemError("device", exc))
            return self._result(target, started, partial)
        try:
            async with asyncio.timeout(timeout):
                await self._survey(target, profile, refs, wants, since, partial)
        except TimeoutError:
            partial.errors.append(ItemError("survey", CollectorTimeout(
                f"survey did not finish within {timeout:g} s; readings so far are kept", device=target.name)))
        return self._result(target, started, partial)

    def _result(self, target: DeviceTarget, started: datetime, p: _Partial) -> DeviceSurvey:
        return DeviceSurvey(target.name, started, self._now(), tuple(p.optical), tuple(p.interfaces),
                            tuple(p.counters), tuple(p.alarms), tuple(p.errors))

    @staticmethod
    def _ports(target: DeviceTarget, ports: Sequence[str | PortRef] | None) -> list[PortRef] | None:
        if ports is None:
            return None
        return [target.port(p.name if isinstance(p, PortRef) else p) for p in ports]

    async def _survey(self, target: DeviceTarget, profile: Profile, refs: list[PortRef] | None,
                      wants: set[Want], since: datetime | None, out: _Partial) -> None:
        # Alarms come from CLI whatever SNMP answers: their session opens (and their commands run)
        # while SNMP is read; what SNMP then could not give goes through the same session.
        alarm_plan: _Plan = {}
        if Want.ALARMS in wants:
            if target.cli is None or Want.ALARMS.value not in profile.survey:
                out.errors.append(ItemError(Want.ALARMS.value, Unsupported(
                    "alarm tables are read over CLI (traps arrive through the TrapReceiver); "
                    + ("no CLI parameters" if target.cli is None else f"profile {profile.name} has no alarm command"),
                    device=target.name)))
            else:
                self._plan_item(alarm_plan, Want.ALARMS, profile, target, refs or [None], since)

        async with contextlib.AsyncExitStack() as stack:
            early: asyncio.Future[list[str]] | None = None
            session = None
            if alarm_plan:
                session = await stack.enter_async_context(self.cli.session(target, enable=profile.enable))
                early = asyncio.ensure_future(session.run(_commands(alarm_plan)))
                stack.push_async_callback(_settle, early)
            snmp_wants = wants - {Want.ALARMS}
            snmp = SnmpResult()
            if snmp_wants and target.snmp is not None:
                snmp = await collect_snmp(self.snmp, target, profile, snmp_wants, refs, now=self._now)
            out.optical += snmp.optical
            out.interfaces += snmp.interfaces
            out.counters += snmp.counters
            snmp_down = any(e.item == "snmp" and isinstance(e.error, UnreachableError) for e in snmp.errors)

            # What else CLI should add: items SNMP could not give (wholly or per port). One command
            # can serve two items (interface commands carry the error counters too).
            gap_plan: _Plan = {}
            covered: set[tuple[str, str | None]] = set()
            for w in (Want.OPTICAL, Want.INTERFACE, Want.COUNTERS):
                cli_want = Want.INTERFACE if w is Want.COUNTERS else w
                if w not in wants or cli_want.value not in profile.survey or target.cli is None:
                    continue
                gaps = self._gaps(w, snmp, refs, target, snmp_skipped=target.snmp is None)
                if gaps is None:
                    continue
                self._plan_item(gap_plan, w, profile, target, gaps, since)
                covered.update((w.value, g.name if g else None) for g in gaps)
            if alarm_plan:
                covered.update((Want.ALARMS.value, g.name if g else None) for g in (refs or [None]))

            cli_ok = False
            cli_read: ReadTime | None = None
            if alarm_plan or gap_plan:
                outputs: dict[tuple[str, str | None], str] | None = None
                try:
                    if session is None:
                        session = await stack.enter_async_context(self.cli.session(target, enable=profile.enable))
                    sent = time.monotonic()
                    late = await session.run(_commands(gap_plan)) if gap_plan else []
                    # CLI counters were read somewhere inside this command run: that is their timing
                    cli_read = ReadTime(sent, time.monotonic())
                    first = await early if early is not None else []
                    outputs = dict(zip(gap_plan, late, strict=True)) | dict(zip(alarm_plan, first, strict=True))
                except CollectorError as exc:
                    out.errors.append(ItemError("cli", exc))
                if outputs is not None:
                    plan = gap_plan | alarm_plan  # alarm parsers answer no other item: the keys never clash
                    self._read_cli(target, profile, plan, [outputs[k] for k in plan], refs, since, out, cli_read)
                    cli_ok = True
        # Item errors CLI made good are dropped; the rest, and any whole-SNMP failure (a wrong key is
        # a misconfiguration someone must fix even when CLI stood in), stay as evidence.
        for error in snmp.errors:
            if cli_ok and (error.item, error.port) in covered:
                continue
            out.errors.append(error)
        if snmp_down and not cli_ok:
            cli_error = next((e.error for e in out.errors if isinstance(e.error, UnreachableError) and e.item == "cli"), None)
            raw = "; ".join(x for x in (next((e.error.raw for e in snmp.errors if e.item == "snmp"), None),
                                        cli_error.raw if cli_error else None) if x)
            out.errors[:] = [e for e in out.errors if e.item not in ("snmp", "cli")]
            if target.cli is None or cli_error is not None:
                out.errors.insert(0, ItemError("device", UnreachableError(
                    "device answers neither SNMP nor SSH" if target.cli else "device does not answer SNMP",
                    device=target.name, raw=raw or None)))
        if target.snmp is None and target.cli is None:
            out.errors.append(ItemError("device", Unsupported("no SNMP or CLI parameters", device=target.name)))

    @staticmethod
    def _plan_item(plan: _Plan, w: Want, profile: Profile, target: DeviceTarget, gaps: list[PortRef | None],
                   since: datetime | None) -> None:
        """Add the commands that read item ``w`` for these ports (None = all) to ``plan``."""
        cli_want = Want.INTERFACE if w is Want.COUNTERS else w
        parsers = [profile.parser_for(cli_want.value)]
        if w is Want.ALARMS and since is not None and "alarms_history" in profile.survey:
            parsers.append(profile.parser_for("alarms_history"))  # cleared alarms inside the window
        for parser in parsers:
            port_list: list[PortRef | None] = (
                ([g for g in gaps if g is not None] or list(target.ports)) if parser.per_port else [None])
            for ref in port_list:
                entry = plan.setdefault((parser.key, ref.name if ref else None), (parser, ref, set()))
                entry[2].add(w)

    @staticmethod
    def _gaps(w: Want, snmp: SnmpResult, refs: list[PortRef] | None, target: DeviceTarget,
              snmp_skipped: bool) -> list[PortRef | None] | None:
        """Ports (None = all) CLI must read for this item, or None when SNMP already has them."""
        if w is Want.ALARMS or snmp_skipped:
            return refs if refs else [None]
        whole = any(e.item in (w.value, "snmp") and e.port is None for e in snmp.errors)
        if whole:
            return refs if refs else [None]
        missing = [r for r in (refs or []) if any(e.item == w.value and e.port == r.name for e in snmp.errors)]
        return missing or None

    def _read_cli(self, target: DeviceTarget, profile: Profile, plan: _Plan, outputs: list[str],
                  refs: list[PortRef] | None, since: datetime | None, out: _Partial,
                  cli_read: ReadTime | None = None) -> None:
        steps = list(plan.values())
        commands = _commands(plan)
        read_at = self._now()
        wanted = refs if refs is not None else list(target.ports)
        alarm_events: dict[tuple[object, ...], AlarmEvent] = {}
        for (parser, ref, takes), command, text in zip(steps, commands, outputs, strict=True):
            port_name = ref.name if ref else None
            want = min(takes, key=lambda w: w.value != parser.reading)  # the item this command is for
            if rejected(text):
                out.errors.append(ItemError(want.value, CommandError(
                    f"{command!r} rejected", device=target.name, raw=text), port=port_name))
                continue
            try:
                records = parse_records(profile.name, parser, text, device=target.name)
            except CollectorError as exc:
                out.errors.append(ItemError(want.value, exc, port=port_name))
                continue
            if parser.reading == "alarms":
                for event in LAYOUTS[parser.layout](records, target.name, command, read_at):
                    # the same alarm shows in the active table and the history: keep it once
                    alarm_events.setdefault((event.key, event.clear, event.time), event)
            elif parser.reading == "optical":
                _put(out.optical, _inventory_names(to_optical(records, parser, target.name, command, read_at), wanted))
            else:
                states, counters = to_interfaces(records, parser, target.name, command, read_at)
                if Want.INTERFACE in takes:
                    _put(out.interfaces, _inventory_names(states, wanted))
                if Want.COUNTERS in takes:
                    counters = [replace(c, timing=cli_read) for c in counters] if cli_read else counters
                    _put(out.counters, _inventory_names(counters, wanted))
        if alarm_events:
            correlator = AlarmCorrelator()
            correlator.feed_all(alarm_events.values())
            out.alarms += [_renamed(a, wanted) for a in correlator.records() if _in_window(a, since) and _for_ports(a, refs)]

    # -- loops --------------------------------------------------------------------------------------
    async def set_loop(self, target: DeviceTarget, port_name: str, mode: str | LoopMode,
                       lifts_after_s: float | None = None) -> LoopAction:
        """``lifts_after_s``: on a platform with a rollback timer (profile ``loop.rollback``) the loop is
        committed under it, so the device removes it by itself if no later commit confirms."""
        loop_mode = LoopMode(mode)
        return await self._loop(target, port_name, loop_mode, lifts_after_s)

    async def clear_loop(self, target: DeviceTarget, port_name: str) -> LoopAction:
        return await self._loop(target, port_name, None)

    async def _loop(self, target: DeviceTarget, port_name: str, mode: LoopMode | None,
                    lifts_after_s: float | None = None) -> LoopAction:
        profile = get_profile(target.platform)
        ref = target.port(port_name)  # inventory ports only; the name was validated when the PortRef was made
        try:
            plan = loop_plan(profile, ref.name, mode.value if mode else None, lifts_after_s)
        except Unsupported as exc:
            raise Unsupported(str(exc), device=target.name) from exc
        output = await self.cli.configure(target, plan.lines, enable=plan.enable, commit=plan.commit,
                                          commit_command=plan.commit_command, commit_expect=plan.commit_expect,
                                          commit_done=plan.commit_done, prompt_end=plan.prompt_end)
        commands = plan.lines + ((plan.commit_command,) if plan.commit_command else ())
        return LoopAction(target.name, ref.name, mode, commands, output, self._now(), plan.lifts_after_s)

    async def loop_state(self, target: DeviceTarget, port_name: str) -> LoopReadback:
        """Whether the port is looped now, read back from the device (after a set, before and after a clear)."""
        profile = get_profile(target.platform)
        ref = target.port(port_name)
        try:
            command = loop_state_command(profile, ref.name)
        except Unsupported as exc:
            raise Unsupported(str(exc), device=target.name) from exc
        assert profile.loop_state is not None
        (output,) = await self.cli.run(target, [command], enable=profile.enable)
        try:
            looped, mode = read_loop_state(profile.loop_state, output)
        except ParseError as exc:
            raise ParseError(str(exc), device=target.name, raw=output) from exc
        return LoopReadback(target.name, ref.name, looped, LoopMode(mode) if mode else None, command, output, self._now())


def _commands(plan: _Plan) -> list[str]:
    return [p.command.format(port=ref.name) if p.per_port and ref else p.command for p, ref, _ in plan.values()]


async def _settle(task: asyncio.Future) -> None:
    """Leaving a survey early (an error, the timeout) must not leave the alarm commands' task unawaited."""
    if not task.done():
        task.cancel()
    await asyncio.gather(task, return_exceptions=True)


def _put(readings: list, fresh: Sequence) -> None:
    """Add CLI readings; a port an interrupted SNMP walk half-read is replaced by the CLI's whole one."""
    if fresh:
        ports = [r.port for r in fresh]
        readings[:] = [r for r in readings if not any(same_interface(r.port, p) for p in ports)]
        readings.extend(fresh)


def _in_window(alarm: AlarmRecord, since: datetime | None) -> bool:
    if since is None or alarm.cleared_at is None:
        return True
    return alarm.cleared_at >= since or alarm.raised_at >= since


def _for_ports(alarm: AlarmRecord, refs: list[PortRef] | None) -> bool:
    if refs is None:
        return True
    return alarm.port is not None and any(same_interface(alarm.port, r.name) for r in refs)


def _renamed(alarm: AlarmRecord, wanted: Sequence[PortRef]) -> AlarmRecord:
    ref = next((r for r in wanted if alarm.port and same_interface(alarm.port, r.name)), None)
    return replace(alarm, port=ref.name, source=replace(alarm.source, port=ref.name)) if ref else alarm


def _inventory_names(readings: Sequence, wanted: Sequence[PortRef]) -> list:
    """Readings of the wanted ports, renamed to the inventory's spelling ("Gi0/1" -> "GigabitEthernet0/1")."""
    if not wanted:
        return list(readings)
    out = []
    for reading in readings:
        ref = next((r for r in wanted if same_interface(reading.port, r.name)), None)
        if ref is not None:
            out.append(replace(reading, port=ref.name, source=replace(reading.source, port=ref.name)))
    return out


# -- module-level convenience: a transient Collector per call ----------------------------------------
async def survey(target: DeviceTarget, ports: Sequence[str | PortRef] | None = None, want: Iterable[str] = ALL_WANTS,
                 since: datetime | None = None, timeout: float = 30.0) -> DeviceSurvey:
    async with Collector() as collector:
        return await collector.survey(target, ports, want, since, timeout)


async def set_loop(target: DeviceTarget, port_name: str, mode: str | LoopMode,
                   lifts_after_s: float | None = None) -> LoopAction:
    async with Collector() as collector:
        return await collector.set_loop(target, port_name, mode, lifts_after_s)


async def clear_loop(target: DeviceTarget, port_name: str) -> LoopAction:
    async with Collector() as collector:
        return await collector.clear_loop(target, port_name)
