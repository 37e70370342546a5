"""The input and output model: validation, JSON form, purity of the package, determinism."""
from __future__ import annotations

import ast
import json
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

import diagnosis
from diagnosis import (
    AlarmRecord, CircuitPath, InvalidInput, Method, Observations, PortEnd, Segment, SiteKind, Source,
    Symptom, TicketContext, TicketKind, Verdict, diagnose,
)

from diag_builders import NOW, Scene, five_segment_path, src

PACKAGE = Path(diagnosis.__file__).resolve().parent
FORBIDDEN = ("agent", "collectors", "api", "lab", "pysnmp", "netmiko", "sqlalchemy", "fastapi",
             "asyncssh", "httpx", "socket", "subprocess", "time", "random", "os")


def test_diagnosis_package_imports_nothing_of_the_other_packages_nor_io_libraries() -> None:
    offenders = []
    for file in sorted(PACKAGE.glob("*.py")):
        tree = ast.parse(file.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{file.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []


def test_diagnosis_package_reads_no_clock() -> None:
    text = "\n".join(f.read_text(encoding="utf-8") for f in sorted(PACKAGE.glob("*.py")))
    for call in ("datetime.now(", "datetime.utcnow(", "date.today(", "time.time(", "monotonic("):
        assert call not in text


def test_modules_stay_small() -> None:
    sizes = {f.name: len(f.read_text(encoding="utf-8").splitlines()) for f in PACKAGE.glob("*.py")}
    assert max(sizes.values()) < 400, sizes


def test_site_kinds_ticket_kinds_and_symptoms_match_the_agents_enumerations() -> None:
    from agent import enums as agent_enums

    for ours, theirs in ((diagnosis.SiteKind, agent_enums.SiteKind), (diagnosis.TicketKind, agent_enums.TicketKind),
                         (diagnosis.Symptom, agent_enums.Symptom)):
        assert [m.value for m in ours] == [m.value for m in theirs]


def test_path_continuity_is_checked_with_every_problem_listed() -> None:
    path = five_segment_path()
    broken = replace(path.segments[2], index=7, a=replace(path.segments[2].a, device="elsewhere"))
    with pytest.raises(InvalidInput) as info:
        CircuitPath("C", "X", "mpls_vpn", 10, (*path.segments[:2], broken))
    assert len(info.value.problems) == 2
    assert "segment 2 starts at 'elsewhere'" in str(info.value)
    assert isinstance(info.value, ValueError)


def test_bad_values_are_clear_errors() -> None:
    with pytest.raises(InvalidInput, match="unknown site kind 'garage'"):
        PortEnd("d", "p", "garage")  # type: ignore[arg-type]
    e = PortEnd("d", "p", "access_room")  # type: ignore[arg-type]
    assert e.site_kind is SiteKind.ACCESS_ROOM
    with pytest.raises(InvalidInput, match="negative length"):
        Segment(0, e, e, length_km=-1)
    with pytest.raises(InvalidInput, match="contracted rate"):
        CircuitPath("C", "X", "sdh", 0, ())


def test_naive_times_and_inverted_windows_are_rejected() -> None:
    naive = datetime(2026, 11, 25, 4, 0)
    with pytest.raises(InvalidInput, match="no timezone"):
        Source("d", Method.SNMP, naive)
    with pytest.raises(InvalidInput, match="times without timezone: now"):
        TicketContext(TicketKind.ASSIST_CHECK, Symptom.DOWN, NOW, naive)
    with pytest.raises(InvalidInput, match="window ends before it starts"):
        TicketContext(TicketKind.ASSIST_CHECK, Symptom.DOWN, NOW, NOW, window_start=NOW, window_end=NOW - timedelta(1))
    with pytest.raises(InvalidInput, match="unknown symptom"):
        TicketContext(TicketKind.ASSIST_CHECK, "smoke", NOW, NOW)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="cleared before it was raised"):
        AlarmRecord("d", "p", "LOS", "major", NOW, src("d", "p"), cleared_at=NOW - timedelta(1))


def test_ticket_window_defaults_to_the_lookback_before_the_report_up_to_now() -> None:
    ticket = TicketContext(TicketKind.ASSIST_CHECK, Symptom.INTERRUPTION_OR_FLAP, NOW - timedelta(hours=1), NOW)
    assert ticket.window(diagnosis.DEFAULT_THRESHOLDS) == (NOW - timedelta(hours=25), NOW)


def test_to_dict_is_json_ready_and_carries_evidence_sources(scene: Scene) -> None:
    scene.cut(1)
    d = scene.quality()
    data = json.loads(json.dumps(d.to_dict(), ensure_ascii=False))
    assert data["verdict"] == "no_light_fiber_cut"
    assert data["suspected_segments"][0]["index"] == 1
    rx = [e for e in data["evidence"] if e["name"] == "rx_power_dbm" and e["device"] == "agg-1"][0]
    assert rx["value"] == -40.0 and rx["assessment"] == "fault"
    assert rx["sources"][0]["method"] == "snmp" and rx["sources"][0]["time"] == NOW.isoformat()
    assert (rx["method"], rx["time"], rx["raw"]) == ("snmp", NOW.isoformat(), "agg-1 GE1/0/1 value")
    assert rx["reference"] == "1.3.6.1.4.1.2011.5.25.31.1.1.3.1.8"
    assert data["made_at"] == NOW.isoformat()


def test_to_dict_passes_strict_json_when_a_module_reports_minus_infinity(scene: Scene) -> None:
    scene.set_rx("agg-1", "GE1/0/1", float("-inf"))
    data = scene.quality().to_dict()
    json.dumps(data, allow_nan=False)
    rx = [e for e in data["evidence"] if e["name"] == "rx_power_dbm" and e["device"] == "agg-1"][0]
    assert rx["value"] == "no light"


def test_same_input_gives_the_same_diagnosis(scene: Scene) -> None:
    scene.add_loss(2, 4.0)
    scene.unreachable("cpe-1")
    first = scene.quality()
    again = scene.quality()
    assert first == again
    assert json.dumps(first.to_dict(), sort_keys=True) == json.dumps(again.to_dict(), sort_keys=True)


def test_order_of_the_readings_given_does_not_change_the_verdict(scene: Scene) -> None:
    scene.add_loss(2, 4.0)
    obs = scene.observations()
    reversed_obs = Observations(
        optical=obs.optical[::-1], status=obs.status[::-1], errors=obs.errors[::-1],
        utilisation=obs.utilisation[::-1], devices=obs.devices[::-1],
        stored_alarms_queried=True, alarm_history_devices=obs.alarm_history_devices)
    ticket = scene.ticket(TicketKind.ASSIST_CHECK, Symptom.LATENCY_OR_ERRORS)
    a, b = diagnose(scene.path, obs, ticket), diagnose(scene.path, reversed_obs, ticket)
    assert (a.verdict, a.suspected_segment, a.summary_en) == (b.verdict, b.suspected_segment, b.summary_en)
    assert a.verdict == Verdict.FIBER_DEGRADED


def test_latest_reading_of_a_port_wins(scene: Scene) -> None:
    old = replace(scene.optical[("agg-1", "GE1/0/1")], rx_dbm=-30.0,
                  source=src("agg-1", "GE1/0/1", time=NOW - timedelta(minutes=5)))
    obs = scene.observations()
    obs = replace(obs, optical=(*obs.optical, old))
    d = diagnose(scene.path, obs, scene.ticket(TicketKind.ASSIST_CHECK, Symptom.LATENCY_OR_ERRORS))
    assert d.verdict == Verdict.NO_FAULT_FOUND


def test_observations_of_the_wrong_type_are_a_clear_error(scene: Scene) -> None:
    with pytest.raises(InvalidInput) as info:
        Observations(optical=[{"rx_dbm": -5}], devices=["core-1"])
    assert info.value.problems == ["observations.optical[0]: expected OpticalReading, got dict",
                                   "observations.devices[0]: expected DeviceAccess, got str"]
