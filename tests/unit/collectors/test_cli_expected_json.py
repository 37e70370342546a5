"""The Genie / NAPALM expected results shipped with the captures, mapped to what faultline reads (Rx/Tx,
lanes, thresholds, temperature/bias/voltage, counters, link state) and compared with the collectors'
readings of the same raw text. The expected files were written by other projects' parsers."""
from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from collectors.cli.parse import parse_records, to_interfaces, to_optical
from collectors.portnames import same_interface
from collectors.profiles import get_profile

pytestmark = pytest.mark.fixtures
READ_AT = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
NAPALM_ABSENT = -100.0  # NAPALM's value for "not reported"


def _num(text: object) -> float | None:
    """A number out of "0.6560 mW / -1.83 dBm" (the dBm part), "36 degrees C / 97 degrees F", "N/A"."""
    if text is None:
        return None
    if isinstance(text, (int, float)):
        return float(text)
    s = str(text)
    if m := re.search(r"(-?\d+(?:\.\d+)?) dBm", s):
        return float(m.group(1))
    if m := re.match(r"\s*(-?\d+(?:\.\d+)?)", s):
        return float(m.group(1))
    return None


def _napalm(value: float | None) -> float | None:
    return None if value is None or value == NAPALM_ABSENT else value


# -- one mapper per expected-file schema: {port: {field: value}} ----------------------------------
# Ports an expected file lists without any power value (copper, DAC, "N/A") are not optical readings
# for faultline: the collectors leave them out, and the test checks they did.
NO_POWER = "no power"


def genie_ios_transceiver(data: dict) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for port, row in data["interfaces"].items():
        item = {"temperature": _num(row.get("temp")), "voltage": _num(row.get("voltage"))}
        if "details" in row:  # the detail block is more precise than the summary table (22.214 vs 22.1)
            item.update(temperature=row["details"].get("module_temperature"), voltage=row["details"].get("tx_voltage"))
        if "lanes" in row:
            # Genie's lane block has Tx power per lane; its top-level Rx/Tx is the summary table's
            # module figure, while faultline's rx/tx of a multi-lane module is the weakest lane
            item["tx_lanes"] = tuple(_num(lane.get("tx_power")) for _, lane in sorted(row["lanes"].items()))
        else:
            item.update(rx=_num(row.get("opticalrx")), tx=_num(row.get("opticaltx")), bias=_num(row.get("current")))
            if item["rx"] is None and item["tx"] is None:
                item = {NO_POWER: True}
        out[port] = item
    return out


def napalm_optics(data: dict) -> dict[str, dict]:
    out = {}
    for port, row in data.items():
        channels = row["physical_channels"]["channel"]
        if not channels:
            continue
        states = [c["state"] for c in sorted(channels, key=lambda c: c["index"])]
        rx = tuple(_napalm(s["input_power"]["instant"]) for s in states)
        tx = tuple(_napalm(s["output_power"]["instant"]) for s in states)
        item = {"rx": rx[0], "tx": tx[0]} if len(states) == 1 else {"rx_lanes": rx, "tx_lanes": tx}
        if all(v is None for v in rx + tx):
            item = {NO_POWER: True}
        bias = states[0]["laser_bias_current"]["instant"]
        if len(states) == 1 and bias and NO_POWER not in item:  # NAPALM says 0.0 when it read no bias
            item["bias"] = bias
        out[port] = item
    return out


_NXOS = {"Rx Power": "rx", "Tx Power": "tx"}


def genie_nxos_details(data: dict) -> dict[str, dict]:
    out = {}
    for port, row in data.items():
        lanes = [v for _, v in sorted(row.get("lane_number", {}).items(), key=lambda kv: int(kv[0].split()[0]))]
        if not lanes:
            continue
        item: dict = {}
        for key, short in _NXOS.items():
            values = tuple(_num(lane.get(key, {}).get("current")) for lane in lanes)
            if len(lanes) == 1:
                item[short] = values[0]
            else:
                item[short + "_lanes"] = values
            first = lanes[0].get(key, {})
            item[short + "_thresholds"] = tuple(_num(first.get(k)) for k in ("low_alarm", "low_warning", "high_warning", "high_alarm"))
        item["temperature"] = _num(lanes[0].get("Temperature", {}).get("current"))
        item["voltage"] = _num(lanes[0].get("Voltage", {}).get("current"))
        powers = [v for k, v in item.items() if k in ("rx", "tx", "rx_lanes", "tx_lanes")]
        if all(p is None or (isinstance(p, tuple) and all(x is None for x in p)) for p in powers):
            item = {NO_POWER: True}
        out[port] = item
    return out


def genie_junos_optics(data: dict) -> dict[str, dict]:
    out = {}
    for iface in data["interface-information"]["physical-interface"]:
        d = iface["optics-diagnostics"]
        item: dict = {
            "temperature": _num(d.get("module-temperature")), "voltage": _num(d.get("module-voltage")),
            "rx_thresholds": tuple(_num(d.get(f"laser-rx-power-{k}-threshold")) for k in ("low-alarm", "low-warning", "high-warning", "high-alarm")),
            "tx_thresholds": tuple(_num(d.get(f"laser-output-power-{k}-threshold")) for k in ("low-alarm", "low-warning", "high-warning", "high-alarm")),
        }
        lanes = d.get("lanes") or []
        if lanes:
            item["rx_lanes"] = tuple(_num(lane.get("laser-receiver-power")) for lane in lanes)
            item["tx_lanes"] = tuple(_num(lane.get("laser-output-power")) for lane in lanes)
        else:
            item["rx"] = _num(d.get("receiver-signal-average-optical-power") or d.get("laser-rx-optical-power"))
            item["tx"] = _num(d.get("laser-output-power"))
            item["bias"] = _num(d.get("laser-bias-current"))
        out[iface["name"]] = item
    return out


def napalm_counters(data: dict) -> dict[str, dict]:
    names = {"in_octets": "rx_octets", "out_octets": "tx_octets", "in_errors": "rx_errors",
             "out_errors": "tx_errors", "in_discards": "rx_discards", "out_discards": "tx_discards"}
    return {port: {ours: row[theirs] for ours, theirs in names.items()} for port, row in data.items()}


def napalm_interfaces(data: dict) -> dict[str, dict]:
    # napalm-huawei-vrp's is_enabled is the physical state ("current state : UP") and is_up the line
    # protocol; faultline's oper status is the physical state (its admin status is DOWN only for
    # "Administratively DOWN")
    return {port: {"oper": "up" if row["is_enabled"] else "down"} for port, row in data.items()}


MAPPERS = {
    ("cisco_ios", "show_interfaces_transceiver", "genie"): ("optical", genie_ios_transceiver),
    ("cisco_ios", "show_interfaces_transceiver", "napalm"): ("optical", napalm_optics),
    ("cisco_nxos", "show_interface_transceiver_details", "genie"): ("optical", genie_nxos_details),
    ("cisco_nxos", "show_interface_transceiver_details", "napalm"): ("optical", napalm_optics),
    ("juniper_junos", "show_interfaces_diagnostics_optics", "genie"): ("optical", genie_junos_optics),
    ("huawei_vrp", "display_interface", "napalm-counters"): ("counters", napalm_counters),
    ("huawei_vrp", "display_interface", "napalm-interfaces"): ("interfaces", napalm_interfaces),
}


from .capture_rows import records_or_no_optics
from .fixture_cases import cases
from .fixture_cases import fixtures_root as _root


def expected_files() -> list[tuple[str, str, str, str]]:
    out = []
    for path in sorted((_root() / "cli").glob("*/*/*.expected_*.json")):
        platform, folder = path.parent.parent.name, path.parent.name
        flavour = "genie" if path.name.endswith("_genie.json") else "napalm"
        if (platform, folder) == ("huawei_vrp", "display_interface"):
            flavour += "-counters" if "counters" in path.name else "-interfaces"
        if (platform, folder, flavour) in MAPPERS:
            out.append((platform, folder, flavour, path.name))
    return out


FILES = expected_files()


def ours(platform: str, folder: str, what: str, text: str) -> dict[str, dict]:
    parser = get_profile(platform).parsers[folder]
    records = records_or_no_optics(platform, parser, text) if what == "optical" else parse_records(platform, parser, text)
    out: dict[str, dict] = {}
    if what == "optical":
        for r in to_optical(records, parser, "dev", parser.command, READ_AT):
            th = lambda t: (t.low_alarm, t.low_warning, t.high_warning, t.high_alarm)  # noqa: E731
            out[r.port] = {"rx": r.rx_dbm, "tx": r.tx_dbm, "rx_lanes": r.rx_lanes_dbm, "tx_lanes": r.tx_lanes_dbm,
                           "rx_thresholds": th(r.rx_thresholds), "tx_thresholds": th(r.tx_thresholds),
                           "temperature": r.temperature_c, "voltage": r.voltage_v, "bias": r.bias_ma}
        return out
    states, counters = to_interfaces(records, parser, "dev", parser.command, READ_AT)
    if what == "counters":
        for c in counters:
            out[c.port] = {k: getattr(c, k) for k in ("in_octets", "out_octets", "in_errors", "out_errors",
                                                       "in_discards", "out_discards")}
    else:
        for s in states:
            out[s.port] = {"oper": s.oper.value, "admin": s.admin.value}
    return out


def _match(port: str, table: dict[str, dict]) -> dict | None:
    return next((v for k, v in table.items() if same_interface(k, port)), None)


@pytest.mark.parametrize(("platform", "folder", "flavour", "name"), cases(FILES, 4))
def test_expected_json_agrees_with_our_readings(fixtures_dir, platform, folder, flavour, name):
    what, mapper = MAPPERS[(platform, folder, flavour)]
    base = fixtures_dir / "cli" / platform / folder
    expected = mapper(json.loads((base / name).read_text(encoding="utf-8")))
    raw = base / re.sub(r"\.expected_\w+\.json$", ".raw", name)
    got = ours(platform, folder, what, raw.read_text(encoding="utf-8", errors="replace"))
    assert expected, "the expected file describes some ports"
    compared = 0
    for port, fields in expected.items():
        mine = _match(port, got)
        if fields.get(NO_POWER):
            assert mine is None or (mine["rx"] is None and mine["tx"] is None), port
            continue
        if mine is None and what == "counters" and not any(fields.values()):
            continue  # a VLAN interface prints no counters; NAPALM fills in zeros
        assert mine is not None, f"{port} not read (read: {sorted(got)})"
        compared += 1
        for key, value in fields.items():
            if what == "counters" and mine[key] is None:
                # CloudEngine prints no output error total for physical ports; everything else of a
                # physical port faultline must read (logical ones print other blocks)
                assert key == "out_errors" or not re.match(r"\d+GE", port), (port, key)
                continue
            if isinstance(value, tuple):
                assert mine[key] == pytest.approx(value, abs=1e-6), (port, key)
            else:
                assert mine[key] == (pytest.approx(value, abs=1e-6) if value is not None else None), (port, key)
    assert compared or all(f.get(NO_POWER) for f in expected.values())


def test_every_expected_json_of_a_read_folder_is_compared(fixtures_dir):
    read_folders = {("cisco_ios", "show_interfaces_transceiver"), ("cisco_nxos", "show_interface_transceiver_details"),
                    ("juniper_junos", "show_interfaces_diagnostics_optics"), ("huawei_vrp", "display_interface")}
    present = [p for p in (fixtures_dir / "cli").glob("*/*/*.expected_*.json")
               if (p.parent.parent.name, p.parent.name) in read_folders]
    assert len(FILES) == len(present) == 13


# -- alarms and logs -----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["genie_golden_output", "genie_golden_output_2"])
def test_junos_chassis_alarms_agree_with_genie(fixtures_dir, name):
    from collectors.cli.alarm_logs import LAYOUTS

    base = fixtures_dir / "cli" / "juniper_junos" / "show_chassis_alarms"
    expected = json.loads((base / f"{name}.expected_genie.json").read_text(encoding="utf-8"))["alarm-information"]
    parser = get_profile("juniper_junos").parsers["show_chassis_alarms"]
    events = LAYOUTS[parser.layout](parse_records("juniper_junos", parser, (base / f"{name}.raw").read_text(encoding="utf-8")),
                                    "d", parser.command, READ_AT)
    details = expected["alarm-detail"]
    assert len(events) == len(details) == int(expected["alarm-summary"]["active-alarm-count"])
    for event, alarm in zip(events, details, strict=True):
        local = datetime.strptime(alarm["alarm-time"]["#text"][:19], "%Y-%m-%d %H:%M:%S")
        assert alarm["alarm-time"]["#text"].endswith("EST")
        assert event.time == local.replace(tzinfo=UTC) + timedelta(hours=5)  # EST is UTC-5
        assert (event.severity.value, event.specific_problem, event.clear) == (
            alarm["alarm-class"].lower(), alarm["alarm-description"], False)


def test_xr_log_events_are_the_tagged_lines_genie_lists(fixtures_dir):
    from collectors.alarms import AlarmCorrelator
    from collectors.cli.alarm_logs import LAYOUTS

    base = fixtures_dir / "cli" / "cisco_xr" / "show_logging"
    logs = json.loads((base / "genie_golden_output.expected_genie.json").read_text(encoding="utf-8"))["logs"]
    parser = get_profile("cisco_xr").parsers["show_logging"]
    records = parse_records("cisco_xr", parser, (base / "genie_golden_output.raw").read_text(encoding="utf-8"))
    tagged = [line for line in logs if re.search(r": %[\w-]+-\d-\w+ ?:", line)]
    assert len(records) == len(tagged) and tagged
    read_at = datetime(2020, 9, 26, tzinfo=UTC)
    correlator = AlarmCorrelator()
    correlator.feed_all(LAYOUTS[parser.layout](records, "d", parser.command, read_at))
    [record] = correlator.records()  # LINK and LINEPROTO down then up on the management port
    assert (record.port, record.probable_cause.value) == ("MgmtEth0/RP0/CPU0/0", "linkDown")
    assert record.raised_at == datetime(2020, 9, 25, 23, 26, 18, tzinfo=UTC) and record.cleared_at is not None
