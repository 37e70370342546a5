"""Device CLI output -> records (TextFSM: our templates or ntc-templates) -> readings (pure, no I/O).

Any failure to understand the text is a ``ParseError`` carrying the raw text; nothing else escapes.
"""
from __future__ import annotations

import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from importlib import resources
from typing import Any

import textfsm
from ntc_templates.parse import parse_output

from collectors.enums import AdminStatus, Duplex, Method, OperStatus
from collectors.errors import ParseError, Unsupported
from collectors.portnames import same_interface
from collectors.profiles import CliParser
from collectors.readings import (
    CounterSample,
    InterfaceState,
    OpticalReading,
    Source,
    Thresholds,
)
from collectors.thresholds import sanitize

Record = dict[str, Any]
_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?")


def _run_template(platform: str, parser: CliParser, template: str, text: str) -> list[Any]:
    if template == "ntc":
        command = (parser.ntc_command or parser.command).replace(" {port}", "").replace("{port}", "")
        return parse_output(platform=platform, command=command, data=text)
    source = resources.files("collectors.templates").joinpath(template).read_text(encoding="utf-8")
    return textfsm.TextFSM(io.StringIO(source)).ParseTextToDicts(text)


def parse_records(platform: str, parser: CliParser, text: str, *, device: str | None = None) -> list[Record]:
    """TextFSM records (keys lower-cased) for one command's output: the first of the parser's
    templates that reads it wins; when none does, a ``ParseError`` carrying the raw text. An alarm
    table or log may legitimately be empty."""
    problems: list[str] = []
    empty_ok = parser.reading == "alarms"
    found: list[list[Record]] = []
    for template in parser.templates:
        try:
            records = _run_template(platform, parser, template, text)
        except Exception as exc:  # textfsm and ntc raise several unrelated types on odd input
            problems.append(f"{template}: {type(exc).__name__}: {exc}")
            continue
        if isinstance(records, list) and records:
            found.append([{str(k).lower(): v for k, v in r.items()} for r in records])
            if not parser.merge:
                break
        else:
            problems.append(f"{template}: no records")
    if found:
        records = _merged(found, parser.fields.get("port", "")) if len(found) > 1 else found[0]
        _check_complete(parser, text, records, device)
        return records
    if empty_ok and problems and all(p.endswith("no records") for p in problems):
        _check_complete(parser, text, [], device)
        return []
    raise ParseError(f"{parser.key}: output not understood ({'; '.join(problems)})", device=device, raw=text)


_ABSENT = re.compile(r"^(?:N/?A|-+|)$", re.IGNORECASE)  # what a device prints where there is no value
_POWER_FIELDS = ("rx", "tx", "rx_lanes", "tx_lanes")


def _has_power(record: Record, fields: Mapping[str, str]) -> bool:
    return any(number(v) is not None for k in _POWER_FIELDS if (key := fields.get(k))
               for v in (record.get(key) if isinstance(record.get(key), list) else [record.get(key)]))


def _says_no_optics(record: Record, fields: Mapping[str, str]) -> bool:
    """The device said there is nothing to read: 'DOM is not supported', or 'N/A' in the power columns."""
    if fields.get("no_optics") and str(record.get(fields["no_optics"]) or "").strip():
        return True
    printed = [str(record.get(key) or "").strip() for k in ("rx", "tx") if (key := fields.get(k))]
    return bool(printed) and any(printed) and all(_ABSENT.match(v) for v in printed)


def _check_complete(parser: CliParser, text: str, records: Sequence[Record], device: str | None) -> None:
    """Silence is the defect: every port row of the output (the profile's ``rows`` pattern, read apart
    from the templates) must come out as a record, every optical port with a value or the device's
    word that it has none; an alarm table's rows must all be records. Otherwise a ``ParseError``
    with the raw text. An output whose every port says it has no optics is ``Unsupported``."""
    if parser.rows is None:
        return
    pattern = re.compile(parser.rows, re.MULTILINE)
    if parser.reading == "alarms":
        count = sum(1 for _ in pattern.finditer(text))
        if count > len(records):
            raise ParseError(f"{parser.key}: {count} alarm rows in the output, {len(records)} read",
                             device=device, raw=text)
        return
    port_key = parser.fields.get("port", "")
    named: list[str] = []
    for match in pattern.finditer(text):
        port = match.group(1) if pattern.groups else match.group(0)
        if not any(same_interface(port, p) for p in named):
            named.append(port)
    by_port: dict[str, list[Record]] = {}
    for record in records:
        port = str(record.get(port_key, "")).strip()
        if not port:
            continue
        key = next((p for p in named if same_interface(p, port)), port)
        by_port.setdefault(key, []).append(record)
    missing = [p for p in named if p not in by_port]
    if missing:
        raise ParseError(f"{parser.key}: {len(named)} ports in the output, not read: {', '.join(missing)}",
                         device=device, raw=text)
    if parser.reading != "optical" or parser.layout != "records":
        return
    f = parser.fields
    empty = [p for p, rows in by_port.items() if not any(_has_power(r, f) for r in rows)
             and not any(_says_no_optics(r, f) for r in rows)]
    if empty:
        raise ParseError(f"{parser.key}: no optical value read for {', '.join(empty)}", device=device, raw=text)
    if by_port and not any(_has_power(r, f) for rows in by_port.values() for r in rows):
        reasons = sorted({str(r.get(f.get("no_optics", ""), "") or "N/A").strip() for rows in by_port.values() for r in rows})
        raise Unsupported(f"{parser.key}: not optical - no light values on {', '.join(by_port)} ({'; '.join(reasons)})",
                          device=device, raw=text)


def _merged(found: list[list[Record]], port_key: str) -> list[Record]:
    """The first template's records, their empty fields filled from later templates' records of the
    same port (ntc reads a dialect's state, our template its counters)."""
    first, *rest = found
    by_port = [{str(r.get(port_key, "")).strip(): r for r in records} for records in rest]
    out = []
    for record in first:
        merged = dict(record)
        for table in by_port:
            other = table.get(str(record.get(port_key, "")).strip())
            for key, value in (other or {}).items():
                if value not in ("", None, []) and merged.get(key) in ("", None, [], ()):
                    merged[key] = value
        out.append(merged)
    # ports only a later template read (NX-OS: the DAC ports ntc skips) are records too
    seen = {str(r.get(port_key, "")).strip() for r in first}
    for table in by_port:
        for port, record in table.items():
            if port and port not in seen:
                out.append(dict(record))
                seen.add(port)
    return out


def number(value: Any) -> float | None:
    """A float from a CLI field ('-27.4 --', '3.29', 'N/A', '-Inf' -> -40.0, '' -> None)."""
    if isinstance(value, list):
        value = value[0] if value else None
    if value is None:
        return None
    text = str(value).strip()
    if text.lower() in ("-inf", "-infinity"):
        return -40.0  # no light at all; devices that print a number say -40.00
    match = _NUMBER.match(text)
    return float(match.group(0)) if match else None


def numbers(value: Any) -> tuple[float | None, ...]:
    """Floats from a field that may hold several: a TextFSM list, or lanes written "a|b|c" (Huawei);
    an unreadable lane stays in its place as None."""
    items = value if isinstance(value, list) else [value]
    pieces = [p for item in items if item is not None for p in str(item).split("|")]
    if len(pieces) == 1 and not isinstance(value, list):
        one = number(pieces[0])
        return () if one is None else (one,)
    return tuple(number(p) for p in pieces)


# -- optical -----------------------------------------------------------------------------------
def _source(device: str, port: str, command: str, record: Any, time: datetime) -> Source:
    return Source(device, port, Method.CLI, command, json.dumps(record, ensure_ascii=False, sort_keys=True), time)


def _thresholds(record: Mapping[str, Any], fields: Mapping[str, str], side: str) -> Thresholds:
    def get(name: str) -> float | None:
        key = fields.get(f"{side}_{name}")
        return number(record.get(key)) if key else None

    return Thresholds(get("low_alarm"), get("low_warning"), get("high_warning"), get("high_alarm"))


def _lanes_and_value(values: tuple[float | None, ...]) -> tuple[float | None, tuple[float | None, ...]]:
    if len(values) <= 1:
        return (values[0] if values else None), ()
    present = [v for v in values if v is not None]
    return (min(present) if present else None), values


# Marks a device prints after a DOM value (Cisco "-27.4 --"), named as ``Thresholds.classify`` names states
DEVICE_FLAGS = {"++": "high_alarm", "+": "high_warning", "-": "low_warning", "--": "low_alarm"}
_FLAGGED = ("rx", "tx", "temperature", "voltage", "bias")


def device_flags(record: Mapping[str, Any], fields: Mapping[str, str]) -> dict[str, str]:
    """The device's own alarm/warning marks on a record's values: {"rx": "low_alarm", ...}."""
    out = {}
    for what in _FLAGGED:
        key = fields.get(f"{what}_flag")
        flag = str(record.get(key) or "").strip() if key else ""
        if flag in DEVICE_FLAGS:
            out[what] = DEVICE_FLAGS[flag]
    return out


def _optical(device: str, command: str, time: datetime, port: str, record: Mapping[str, Any],
             fields: Mapping[str, str], *, rx_values: tuple[float | None, ...], tx_values: tuple[float | None, ...],
             rx_th: Thresholds, tx_th: Thresholds, module: str | None, extra_notes: Sequence[str] = ()) -> OpticalReading:
    rx, rx_lanes = _lanes_and_value(rx_values)
    tx, tx_lanes = _lanes_and_value(tx_values)
    notes = list(extra_notes)
    notes += [f"device marks {what} {state}" for what, state in device_flags(record, fields).items()]
    for kind in ("alarm", "warning"):  # the module's own alarm/warning list (Huawei "Alarm information")
        key = fields.get(f"device_{kind}s")
        notes += [f"device {kind}: {text}" for text in (record.get(key) or [] if key else []) if str(text).strip()]
    if rx_lanes or tx_lanes:
        notes.append("multi-lane module: rx/tx dBm are the weakest lane")
    rx_th, rx_notes = sanitize(rx_th, kind="rx", module=module)
    tx_th, tx_notes = sanitize(tx_th, kind="tx", module=module)
    # a multi-lane module has one laser per lane: the highest bias is the one that ages first
    bias = numbers(record.get(fields.get("bias", ""), None)) if fields.get("bias") else ()
    if not any(b is not None for b in bias) and fields.get("bias_lanes"):
        bias = numbers(record.get(fields["bias_lanes"]))
    lit = [b for b in bias if b is not None]
    bias = (max(lit),) if lit else ()
    return OpticalReading(
        device=device, port=port, rx_dbm=rx, tx_dbm=tx, source=_source(device, port, command, record, time),
        rx_lanes_dbm=rx_lanes, tx_lanes_dbm=tx_lanes, rx_thresholds=rx_th, tx_thresholds=tx_th,
        temperature_c=number(record.get(fields.get("temperature", ""))),
        bias_ma=bias[0] if bias else None,
        voltage_v=number(record.get(fields.get("voltage", ""))),
        module=(str(record.get(fields.get("module", ""), "")) or None) if fields.get("module") else None,
        notes=tuple(notes) + rx_notes + tx_notes,
    )


def to_optical(records: Sequence[Record], parser: CliParser, device: str, command: str, time: datetime) -> list[OpticalReading]:
    f = parser.fields
    if parser.layout == "parameter_rows":
        return _optical_from_rows(records, parser, device, command, time)
    grouped: dict[str, list[Record]] = {}
    for record in records:
        port = str(record.get(f["port"], "")).strip()
        if port:
            # IOS-XE prints a multi-lane module twice: its detail block ("HundredGigE2/0/0") and a
            # summary row ("Hu2/0/0"); both describe one port
            key = next((k for k in grouped if same_interface(k, port)), port)
            grouped.setdefault(key, []).append(record)
    out: list[OpticalReading] = []
    for port, rows in grouped.items():
        first = rows[0]
        if len(rows) > 1 and f.get("lane"):  # one record per lane (NX-OS): gather the lanes
            rows = [r for r in rows if str(r.get(f["lane"], "")).strip()] or rows
            # a "common diagnostic" lane carries temperature/voltage but no power: not a light lane
            powered = [r for r in rows if str(r.get(f["rx"], "")).strip() or str(r.get(f["tx"], "")).strip()] or rows
            rx_values = tuple(number(r.get(f["rx"])) for r in powered)
            tx_values = tuple(number(r.get(f["tx"])) for r in powered)
            first = next((r for r in rows if str(r.get(f.get("temperature", ""), "")).strip()), powered[0])
            if _thresholds(first, f, "rx") == Thresholds():
                first = {**powered[0], **{k: v for k, v in first.items() if str(v).strip()}}
        else:
            if len(rows) > 1:  # the record with lanes first, its empty fields filled from the others
                first = _fill(sorted(rows, key=lambda r: not numbers(r.get(f.get("rx_lanes", "")))))
            rx_values = numbers(first.get(f.get("rx_lanes", ""))) or numbers(first.get(f["rx"]))
            tx_values = numbers(first.get(f.get("tx_lanes", ""))) or numbers(first.get(f["tx"]))
        if not any(v is not None for v in rx_values + tx_values):
            continue  # no diagnostics for this port (copper, DAC, "N/A")
        module = str(first.get(f.get("module", ""), "") or "") or None
        out.append(_optical(device, command, time, port, first, f, rx_values=rx_values, tx_values=tx_values,
                            rx_th=_thresholds(first, f, "rx"), tx_th=_thresholds(first, f, "tx"), module=module))
    return out


def _fill(rows: Sequence[Record]) -> Record:
    merged = dict(rows[0])
    for other in rows[1:]:
        for key, value in other.items():
            if value not in ("", None, []) and merged.get(key) in ("", None, [], ()):
                merged[key] = value
    return merged


def _optical_from_rows(records: Sequence[Record], parser: CliParser, device: str, command: str, time: datetime) -> list[OpticalReading]:
    """Huawei 'diagnosis' tables: one row per parameter (TxPower, RxPower, Current, Temp, Voltage)."""
    f = parser.fields
    by_port: dict[str, dict[str, Record]] = {}
    for record in records:
        by_port.setdefault(str(record.get(f["port"], "")), {})[str(record.get(f["parameter"], ""))] = record
    out: list[OpticalReading] = []
    for port, rows in by_port.items():
        rx_row, tx_row = rows.get(f["rx"], {}), rows.get(f["tx"], {})
        if not rx_row and not tx_row:
            continue

        def th(row: Record) -> Thresholds:
            return Thresholds(low_alarm=number(row.get(f["low_alarm"])), high_alarm=number(row.get(f["high_alarm"])))

        def scalar(name: str) -> float | None:
            return number(rows.get(f[name], {}).get(f["value"]))

        merged = {"rows": rows}
        reading = _optical(device, command, time, port, merged, {}, rx_values=numbers(rx_row.get(f["value"])),
                           tx_values=numbers(tx_row.get(f["value"])), rx_th=th(rx_row), tx_th=th(tx_row), module=None,
                           extra_notes=[f"device status {k}: {v.get('status')}" for k, v in rows.items()
                                        if str(v.get("status", "")).lower() == "abnormal"])
        out.append(replace(reading, temperature_c=scalar("temperature"), voltage_v=scalar("voltage"), bias_ma=scalar("bias")))
    return out


# -- interfaces and counters ---------------------------------------------------------------------
def _status_words(text: str) -> str:
    return re.sub(r"\s+", " ", str(text or "").strip().lower())


def admin_status(admin_text: str | None, oper_text: str | None) -> AdminStatus:
    if admin_text:
        word = _status_words(admin_text)
        if word.startswith(("up", "enable")):
            return AdminStatus.UP
        if word.startswith(("down", "disable", "admin")):
            return AdminStatus.DOWN
    oper = _status_words(oper_text or "")
    if "admin" in oper or oper.startswith("*down"):
        return AdminStatus.DOWN  # "administratively down", Huawei brief "*down"
    return AdminStatus.UP if oper else AdminStatus.UNKNOWN


def oper_status(oper_text: str | None) -> OperStatus:
    word = _status_words(oper_text or "").lstrip("*^")
    if word.startswith("up"):
        return OperStatus.UP
    if "down" in word:
        return OperStatus.DOWN
    if word.startswith("testing") or "loopback" in word:
        return OperStatus.TESTING
    return OperStatus.UNKNOWN


_SPEED = re.compile(r"(\d+(?:\.\d+)?)\s*([KMGT])?", re.IGNORECASE)
_MULT = {"": 1, "K": 1e3, "M": 1e6, "G": 1e9, "T": 1e12}


def speed_bps(text: Any, default_unit: str = "") -> int | None:
    """'1000Mb/s', '10 Gbit/s', '10000000 Kbit', '1G', 'auto' -> bits per second (a bare number is in
    ``default_unit``: Huawei prints Mbit/s)."""
    match = _SPEED.search(str(text or ""))
    if not match:
        return None
    unit = (match.group(2) or default_unit or "").upper()
    return int(float(match.group(1)) * _MULT.get(unit, 1)) or None


def duplex(text: Any) -> Duplex:
    word = _status_words(str(text or ""))
    return Duplex.FULL if "full" in word else Duplex.HALF if "half" in word else Duplex.UNKNOWN


def to_interfaces(records: Sequence[Record], parser: CliParser, device: str, command: str, time: datetime
                  ) -> tuple[list[InterfaceState], list[CounterSample]]:
    f = parser.fields
    states: list[InterfaceState] = []
    counters: list[CounterSample] = []
    for record in records:
        port = str(record.get(f["port"], "")).strip()
        if not port:
            continue
        get = lambda name: record.get(f[name]) if name in f and name != "speed_unit" else None  # noqa: E731
        src = _source(device, port, command, record, time)
        states.append(InterfaceState(
            device=device, port=port, admin=admin_status(get("admin"), get("oper")), oper=oper_status(get("oper")),
            source=src, speed_bps=speed_bps(get("speed"), f.get("speed_unit", "")), duplex=duplex(get("duplex")),
            loopback=(str(get("loopback")).strip().lower() or None) if get("loopback") is not None else None,
        ))
        values = {k: number(get(k)) for k in ("in_errors", "out_errors", "crc", "in_discards", "out_discards",
                                              "in_octets", "out_octets") if k in f}
        if any(v is not None for v in values.values()):
            ints = {k: int(v) if v is not None else None for k, v in values.items()}
            counters.append(CounterSample(
                device=device, port=port, read_at=time, source=src,
                in_octets=ints.get("in_octets"), out_octets=ints.get("out_octets"),
                in_errors=ints.get("in_errors"), out_errors=ints.get("out_errors"), in_crc=ints.get("crc"),
                in_discards=ints.get("in_discards"), out_discards=ints.get("out_discards"),
            ))
    return states, counters
