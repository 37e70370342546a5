"""Alarm tables and logs read over CLI -> ``AlarmEvent``s (pure). The layout name comes from the
profile; the correlator in ``collectors.alarms`` then pairs them into ``AlarmRecord``s."""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

from collectors.alarms import AlarmEvent
from collectors.enums import AlarmType, Method, ProbableCause, Severity
from collectors.portnames import find_port
from collectors.readings import Source

Record = dict[str, object]

_SEVERITY = {"critical": Severity.CRITICAL, "major": Severity.MAJOR, "minor": Severity.MINOR,
             "warning": Severity.WARNING, "indeterminate": Severity.INDETERMINATE}
# Alarm names / texts -> probable cause; first match wins (vendor wording, not vendor branches).
_CAUSES: tuple[tuple[re.Pattern[str], ProbableCause, AlarmType], ...] = (
    (re.compile(r"optical.*(invalid|absent)|input power is too low|rx power low|RxPowerLow|rx.?los", re.I),
     ProbableCause.RX_POWER_LOW, AlarmType.COMMUNICATIONS),
    (re.compile(r"input power is too high|rx power high", re.I), ProbableCause.RX_POWER_HIGH, AlarmType.COMMUNICATIONS),
    (re.compile(r"output power is too low|tx power low", re.I), ProbableCause.TX_POWER_LOW, AlarmType.EQUIPMENT),
    (re.compile(r"loss of signal|\bLOS\b", re.I), ProbableCause.LOSS_OF_SIGNAL, AlarmType.COMMUNICATIONS),
    (re.compile(r"crc", re.I), ProbableCause.CRC_ERRORS, AlarmType.COMMUNICATIONS),
    (re.compile(r"link.?down|OperStatus=DOWN|physical.*down|status changes", re.I), ProbableCause.LINK_DOWN,
     AlarmType.COMMUNICATIONS),
)


def classify(text: str) -> tuple[ProbableCause, AlarmType]:
    for pattern, cause, kind in _CAUSES:
        if pattern.search(text):
            return cause, kind
    return ProbableCause.UNKNOWN, AlarmType.EQUIPMENT


def _time(text: object) -> datetime | None:
    value = str(text or "").strip()
    if not value or value == "-":
        return None
    try:
        when = datetime.fromisoformat(value.replace(" ", "T", 1) if "T" not in value else value)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)  # device clocks are taken as UTC


def _port(text: str) -> str | None:
    return find_port(text)


def _text(value: object) -> str:
    """A field that may continue over several lines (a TextFSM list) as one text."""
    if isinstance(value, list):
        return " ".join(str(v).strip() for v in value if str(v).strip())
    return str(value or "")


def _table_events(records: Sequence[Record], device: str, command: str, read_at: datetime, *,
                  name_key: str | None) -> list[AlarmEvent]:
    events: list[AlarmEvent] = []
    for record in records:
        description = _text(record.get("description"))
        name = str(record.get(name_key) or "") if name_key else ""
        raised = _time(record.get("raised"))
        if raised is None:
            continue
        cause, kind = classify(f"{name} {description}")
        severity = _SEVERITY.get(str(record.get("level") or "").lower(), Severity.INDETERMINATE)
        port = _port(description)
        source = Source(device, port, Method.CLI, command, json.dumps(record, ensure_ascii=False, sort_keys=True), read_at)
        problem = name or description[:120]
        events.append(AlarmEvent(device, port, cause, False, raised, source, severity, kind, problem))
        cleared = _time(record.get("cleared"))
        if cleared is not None:
            events.append(AlarmEvent(device, port, cause, True, cleared, source, Severity.CLEARED, kind, problem))
    return events


def huawei_alarm(records: Sequence[Record], device: str, command: str, read_at: datetime) -> list[AlarmEvent]:
    return _table_events(records, device, command, read_at, name_key="name")


def zte_alarm(records: Sequence[Record], device: str, command: str, read_at: datetime) -> list[AlarmEvent]:
    return _table_events(records, device, command, read_at, name_key=None)


_UPDOWN = re.compile(r"Interface\s+(\S+?),\s+changed state to\s+(\S+)", re.I)
_THRESHOLD = re.compile(r"^(\S+?):\s+(Rx|Tx) power (low|high) alarm( cleared)?", re.I)
_MONTHS = {m: i for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}


def _syslog_time(record: Record, read_at: datetime) -> datetime | None:
    """Cisco log stamps carry no year: the latest date not after the read time."""
    month = _MONTHS.get(str(record.get("month") or "")[:3].lower())
    day = str(record.get("day") or "")
    clock = re.match(r"(\d+):(\d+):(\d+)(?:\.(\d+))?", str(record.get("time") or ""))
    if not month or not day.isdigit() or not clock:
        return None  # a stamp without a date cannot be placed in the ticket's window
    h, m, s = (int(clock.group(i)) for i in (1, 2, 3))
    for year in (read_at.year, read_at.year - 1):
        try:
            when = datetime(year, month, int(day), h, m, s, tzinfo=UTC)
        except ValueError:
            continue
        if when <= read_at:
            return when
    return None


# Zone abbreviations a Junos clock prints, where unambiguous ("CST" is US Central or China: not guessed)
_ZONES = {"UTC": 0, "GMT": 0, "EST": -5, "EDT": -4, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
          "CET": 1, "CEST": 2, "HKT": 8, "SGT": 8, "JST": 9, "KST": 9, "BJT": 8}


def junos_alarm(records: Sequence[Record], device: str, command: str, read_at: datetime) -> list[AlarmEvent]:
    """Junos 'show chassis alarms': active chassis alarms (no port; the table has no clear times)."""
    events: list[AlarmEvent] = []
    for record in records:
        raised = _time(record.get("raised"))
        if raised is None:
            continue
        zone = str(record.get("timezone") or "")
        note = ""
        if zone in _ZONES:
            raised = raised.replace(tzinfo=timezone(timedelta(hours=_ZONES[zone]))).astimezone(UTC)
        elif zone:
            note = f" (device time zone {zone} not known: time taken as UTC)"
        description = _text(record.get("description"))
        cause, kind = classify(description)
        severity = _SEVERITY.get(str(record.get("level") or "").lower(), Severity.INDETERMINATE)
        source = Source(device, None, Method.CLI, command, json.dumps(record, ensure_ascii=False, sort_keys=True), read_at)
        events.append(AlarmEvent(device, _port(description), cause, False, raised, source, severity,
                                 kind, description[:120] + note))
    return events


def cisco_syslog(records: Sequence[Record], device: str, command: str, read_at: datetime) -> list[AlarmEvent]:
    events: list[AlarmEvent] = []
    for record in records:
        message = record.get("message")
        text = " ".join(message) if isinstance(message, list) else str(message or "")
        tag = f"%{record.get('facility')}-{record.get('severity')}-{record.get('mnemonic')}"
        when = _syslog_time(record, read_at)
        if when is None:
            continue
        source = Source(device, None, Method.CLI, command, f"{tag}: {text}", read_at)
        if str(record.get("mnemonic")) == "UPDOWN" and (m := _UPDOWN.search(text)):
            port, state = m.group(1), m.group(2).lower()
            events.append(AlarmEvent(device, port, ProbableCause.LINK_DOWN, state.startswith("up"), when,
                                     replace_port(source, port), Severity.MAJOR, AlarmType.COMMUNICATIONS, tag))
        elif (m := _THRESHOLD.search(text)) is not None:
            port, side, level, cleared = m.group(1), m.group(2).lower(), m.group(3).lower(), bool(m.group(4))
            cause = {("rx", "low"): ProbableCause.RX_POWER_LOW, ("rx", "high"): ProbableCause.RX_POWER_HIGH,
                     ("tx", "low"): ProbableCause.TX_POWER_LOW, ("tx", "high"): ProbableCause.TX_POWER_HIGH}[(side, level)]
            events.append(AlarmEvent(device, port, cause, cleared, when, replace_port(source, port),
                                     Severity.CRITICAL if level == "low" and side == "rx" else Severity.MAJOR,
                                     AlarmType.COMMUNICATIONS, tag))
    return events


def replace_port(source: Source, port: str) -> Source:
    return replace(source, port=port)


LAYOUTS: dict[str, Callable[[Sequence[Record], str, str, datetime], list[AlarmEvent]]] = {
    "huawei_alarm": huawei_alarm,
    "zte_alarm": zte_alarm,
    "cisco_syslog": cisco_syslog,
    "junos_alarm": junos_alarm,
}
