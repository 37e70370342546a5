"""Values beyond Rx power read from every optical capture (Tx, per-lane Tx, module thresholds,
temperature, laser bias) and the CRC counter of every interface capture, each checked against a value
this test extracts from the raw text by itself (regular expressions, no TextFSM)."""
from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from collectors.cli.parse import parse_records, to_interfaces, to_optical
from collectors.portnames import same_interface
from collectors.profiles import get_profile

from .capture_rows import cisco_dom_rows, records_or_no_optics
from .fixture_cases import cases
from .test_cli_fixtures import CAPTURES, read

pytestmark = pytest.mark.fixtures
READ_AT = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
N = r"-?\d+(?:\.\d+)?"
FLAGS = ("++", "+", "-", "--")


def _f(v: str | None) -> float | None:
    return None if v is None or not re.fullmatch(N, v) else float(v)


def extract(folder: str, text: str) -> dict[str, dict]:
    """port -> {tx, tx_lanes, temperature, bias, rx_th, tx_th} as the text shows them.
    Thresholds are (low_alarm, low_warning, high_warning, high_alarm)."""
    out: dict[str, dict] = {}
    port = None
    lines = text.splitlines()

    def at(p: str | None) -> dict:
        return out.setdefault(p or "?", {})

    if folder == "show_interfaces_transceiver":
        for line in lines:
            if m := re.match(r"show interfaces? (\S+) transceiver", line):
                port = m.group(1)
            elif m := re.match(rf"\s+Module temperature\s*=\s*\+?({N}) C", line):
                at(port)["detail_temperature"] = float(m.group(1))  # more digits than the table below
            elif m := re.match(rf"\s+Tx power Network Lane\[\d+\]\s*=\s*({N}) dBm", line):
                at(port).setdefault("tx_lanes", []).append(float(m.group(1)))
        for row_port, cells in cisco_dom_rows(text):
            block = next((p for p in out if same_interface(p, row_port)), row_port)
            row = at(block)  # a lane module's summary row belongs to its detail block
            row.setdefault("temperature", _f(cells["temperature"]))
            if "tx_lanes" not in row:
                row["bias"] = _f(cells.get("current"))
                row["tx"] = _f(cells["tx"])
            if cells.get("rx_flag"):
                row["rx_flag"] = cells["rx_flag"]
        for row in out.values():
            if "detail_temperature" in row:
                row["temperature"] = row.pop("detail_temperature")
    elif folder == "show_interface_transceiver_details":
        for line in lines:
            if re.fullmatch(r"Ethernet\S+", line.strip()) and not line.startswith(" "):
                port = line.strip()
            elif m := re.match(rf"\s+(Tx Power|Rx Power|Temperature|Current)\s+({N}|N/A) (?:dBm|C|mA)\s*(?:[-+]+\s+)?"
                               rf"({N}) \S+\s+({N}) \S+\s+({N}) \S+\s+({N}) \S+", line):
                what, value, high_alarm, low_alarm, high_warn, low_warn = m.groups()
                row = at(port)
                key = {"Tx Power": "tx", "Rx Power": "rx", "Temperature": "temperature", "Current": "bias"}[what]
                if key in ("tx", "rx"):
                    row.setdefault(key + "_values", []).append(_f(value))
                    row.setdefault(key + "_th", tuple(float(x) for x in (low_alarm, low_warn, high_warn, high_alarm)))
                else:
                    row.setdefault(key, _f(value))
        for row in out.values():
            tx = row.pop("tx_values", [])
            row.pop("rx_values", None)
            if len(tx) == 1:
                row["tx"] = tx[0]
            elif tx:
                row["tx_lanes"] = tx
    elif folder == "show_controllers_hundredgige":
        for line in lines:
            if m := re.match(r"Operational data for interface (\S+):", line):
                port = m.group(1)
            elif m := re.match(rf"\s+Transceiver Temp:\s*({N}) C", line):
                at(port)["temperature"] = float(m.group(1))
            elif m := re.match(rf"\s+\d\d\s+\S+\s+({N})\s+{N}\s+{N}\s+{N}\s+({N})\s*$", line):
                at(port).setdefault("tx_lanes", []).append(float(m.group(1)))
    elif folder == "display_transceiver_verbose":
        th: dict[str, dict[str, float]] = {}
        lanes: list[float] | None = None  # the TX lane list being read
        for line in lines:
            if lanes is not None and (m := re.match(r"\s+(-?[\d.|]+)\s*\(\s*Lane", line)):
                lanes += [float(v) for v in m.group(1).split("|")]
                continue
            if lanes is not None:
                at(port)["tx_lanes"], lanes = lanes, None
            if m := re.match(r"\s*(\S+) transceiver information:", line):
                port = m.group(1)
            elif m := re.match(rf"(?i)\s+(?:Current )?TX Power\s*\(dBm\)\s*:\s*({N})\s*$", line):
                at(port)["tx"] = float(m.group(1))
            elif m := re.match(r"(?i)\s+(?:Current )?TX Power\s*\(dBm\)\s*:\s*(-?[\d.|]+)\s*\(\s*Lane", line):
                lanes = [float(v) for v in m.group(1).split("|")]
            elif m := re.match(rf"\s+Temperature\s*\S*\s*:\s*({N})\s*$", line):
                at(port)["temperature"] = float(m.group(1))
            elif m := re.match(rf"\s+Bias Current\s*\(mA\)\s*:\s*({N})\s*$", line):
                at(port)["bias"] = float(m.group(1))
            elif m := re.match(rf"(?i)\s+(?:Default )?(RX|TX) Power (High|Low)\s+(Warning|Threshold)\s*\(dBm\)\s*:\s*({N})", line):
                th.setdefault(f"{port}|{m.group(1).upper()}", {})[f"{m.group(2).capitalize()}{m.group(3).capitalize()}"] = float(m.group(4))
        for key, t in th.items():
            p, side = key.split("|")
            at(p)[side.lower() + "_th"] = (t.get("LowThreshold"), t.get("LowWarning"), t.get("HighWarning"), t.get("HighThreshold"))
    elif folder == "show_interfaces_diagnostics_optics":
        th2: dict[str, dict[str, float]] = {}
        in_lane = False
        for line in lines:
            if m := re.match(r"Physical interface: (\S+)", line):
                port, in_lane = m.group(1), False
            elif re.match(r"\s+Lane\s+\d+\s*$", line):
                in_lane = True
            elif m := re.match(rf"\s+Laser output power\s*:.*/\s*({N}) dBm", line):
                if in_lane:
                    at(port).setdefault("tx_lanes", []).append(float(m.group(1)))
                else:
                    at(port)["tx"] = float(m.group(1))
            elif m := re.match(rf"\s+Laser bias current\s*:\s*({N}) mA", line):
                at(port)["bias"] = max(float(m.group(1)), at(port).get("bias", 0.0))  # lanes: the highest
            elif m := re.match(rf"\s+Module temperature\s*:\s*({N}) degrees C", line):
                at(port)["temperature"] = float(m.group(1))
            elif m := re.match(rf"\s+Laser (rx|output) power (high|low) (alarm|warning) threshold\s*:.*/\s*({N}) dBm", line):
                th2.setdefault(f"{port}|{m.group(1)}", {})[m.group(2) + m.group(3)] = float(m.group(4))
            elif m := re.match(rf"\s+Laser output power\s*:.*/\s*({N}) dBm", line):
                at(port)["tx"] = float(m.group(1))
        for key, t in th2.items():
            p, side = key.split("|")
            at(p)[("rx" if side == "rx" else "tx") + "_th"] = (t.get("lowalarm"), t.get("lowwarning"), t.get("highwarning"), t.get("highalarm"))
    return {p: {k: tuple(v) if isinstance(v, list) else v for k, v in row.items() if v is not None}
            for p, row in out.items() if p != "?"}


OPTICAL = [c for c in CAPTURES if get_profile(c[0]).parsers[c[1]].reading == "optical"
           and c[1] not in ("display_transceiver_diagnosis_interface", "show_opticalinfo")]


@pytest.mark.parametrize(("platform", "folder", "name"), cases(OPTICAL, 3))
def test_tx_lanes_thresholds_temperature_and_bias_match_the_text(fixtures_dir, platform, folder, name):
    parser = get_profile(platform).parsers[folder]
    text = read(fixtures_dir, platform, folder, name)
    readings = {r.port: r for r in to_optical(records_or_no_optics(platform, parser, text), parser, "d", "c", READ_AT)}
    expected = extract(folder, text)
    checked = 0
    for port, fields in expected.items():
        reading = next((r for p, r in readings.items() if same_interface(p, port)), None)
        if reading is None:
            assert "tx" not in fields and "tx_lanes" not in fields, port  # skipped only without light values
            continue
        for key, value in fields.items():
            if key.endswith("_th"):
                side = key[:2]
                if any(n.startswith(f"bogus threshold replaced: {side}") for n in reading.notes):
                    continue  # the device's own numbers were rejected on purpose (see thresholds tests)
                t = getattr(reading, f"{side}_thresholds")
                got = (t.low_alarm, t.low_warning, t.high_warning, t.high_alarm)
                assert got == pytest.approx(tuple(value)), (port, key)
            elif key == "rx_flag":  # the device's own mark is kept beside the value
                state = {"++": "high_alarm", "+": "high_warning", "-": "low_warning", "--": "low_alarm"}[value]
                assert f"device marks rx {state}" in reading.notes, (port, reading.notes)
            else:
                attr = {"tx": "tx_dbm", "tx_lanes": "tx_lanes_dbm", "temperature": "temperature_c", "bias": "bias_ma"}[key]
                assert getattr(reading, attr) == pytest.approx(value), (port, key)
            checked += 1
    assert checked or not readings, (expected, readings)


# -- CRC from the interface captures --------------------------------------------------------------
CRC_PATTERNS = {
    # IOS / IOS-XR "0 input errors, 14167 CRC, ...", NX-OS "0 giants  20 CRC/FCS", Huawei "CRC: 0,"
    "cisco": re.compile(r"(?:input errors?,|giants)\s*(\d+)\s+CRC", re.I),
    "huawei": re.compile(r"^\s*CRC\s*:\s*(\d+)", re.M),
}
PORT_LINE = {
    "cisco": re.compile(r"^(\S+) is (?:up|down|administratively down)", re.M),
    "huawei": re.compile(r"^(\S+) current state", re.M),
}
INTERFACE = [c for c in CAPTURES if get_profile(c[0]).parsers[c[1]].reading == "interface"
             and "crc" in get_profile(c[0]).parsers[c[1]].fields]


def expected_crc(platform: str, text: str) -> dict[str, int]:
    family = "huawei" if platform.startswith("huawei") else "cisco"
    starts = [(m.start(), m.group(1)) for m in PORT_LINE[family].finditer(text)]
    out = {}
    for i, (start, port) in enumerate(starts):
        block = text[start: starts[i + 1][0] if i + 1 < len(starts) else len(text)]
        if m := CRC_PATTERNS[family].search(block):
            out[port] = int(m.group(1))
    return out


@pytest.mark.parametrize(("platform", "folder", "name"), cases(INTERFACE, 3))
def test_crc_counters_match_the_text(fixtures_dir, platform, folder, name):
    parser = get_profile(platform).parsers[folder]
    text = read(fixtures_dir, platform, folder, name)
    _, counters = to_interfaces(parse_records(platform, parser, text), parser, "d", "c", READ_AT)
    got = {c.port: c.in_crc for c in counters}
    expected = expected_crc(platform, text)
    assert expected, "every interface capture with a CRC field shows CRC counters"
    for port, crc in expected.items():
        mine = next((v for p, v in got.items() if same_interface(p, port)), "missing")
        assert mine == crc, (port, crc, mine)
