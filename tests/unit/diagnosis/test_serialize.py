"""Triage inputs stored as JSON replay to the same diagnosis."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest

from diagnosis import AccessState, CutoverWindow, InvalidInput, ReadingKind, Symptom, TicketKind, diagnose
from diagnosis.serialize import inputs_from_dict, inputs_to_dict

from diag_builders import NOW, Scene


def _damaged() -> Scene:
    scene = Scene()
    scene.add_loss(2, 4.0)
    scene.unreachable("cpe-1", AccessState.TIMEOUT, "2 s")
    scene.gap("pexit-1", "XGE0/0/1", ReadingKind.OPTICAL, AccessState.NOT_SUPPORTED, "no DDM")
    scene.set_rx("agg-1", "GE1/0/1", float("-inf"))
    scene.add_flaps("acc-a-sw1", "GE0/0/2", [NOW - timedelta(minutes=m) for m in (3, 2, 1)])
    scene.add_alarm("agg-1", "GE1/0/1", raised=NOW - timedelta(hours=1), cleared=NOW - timedelta(minutes=50))
    return scene


@pytest.mark.parametrize(("kind", "symptom"), [
    (TicketKind.ASSIST_CHECK, Symptom.INTERRUPTION_OR_FLAP),
    (TicketKind.ASSIST_CHECK, Symptom.LATENCY_OR_ERRORS),
    (TicketKind.INTERRUPTION, Symptom.DOWN),
])
def test_stored_inputs_replay_to_the_same_diagnosis(kind: TicketKind, symptom: Symptom) -> None:
    scene = _damaged()
    ticket = scene.ticket(kind, symptom, cutover_windows=(CutoverWindow(NOW - timedelta(days=2), NOW - timedelta(days=1), "GJ-9"),))
    obs = scene.observations()
    text = json.dumps(inputs_to_dict(scene.path, obs, ticket), ensure_ascii=False, allow_nan=False)
    path, obs2, ticket2 = inputs_from_dict(json.loads(text))
    assert (path, obs2, ticket2) == (scene.path, obs, ticket)
    assert diagnose(path, obs2, ticket2) == diagnose(scene.path, obs, ticket)


def test_bad_stored_inputs_are_clear_errors() -> None:
    scene = Scene()
    data = inputs_to_dict(scene.path, scene.observations(), scene.ticket(TicketKind.INTERRUPTION, Symptom.DOWN))
    with pytest.raises(InvalidInput, match="format"):
        inputs_from_dict({**data, "format": 99})
    bad = json.loads(json.dumps(data))
    bad["path"]["segments"][0]["a"]["site_kind"] = "garage"
    with pytest.raises(InvalidInput, match="garage"):
        inputs_from_dict(bad)
    bad = json.loads(json.dumps(data))
    bad["observations"]["optical"][0]["rx_dbm"] = "strong"
    with pytest.raises(InvalidInput, match=r"observations.optical\[0\].rx_dbm"):
        inputs_from_dict(bad)
    bad = json.loads(json.dumps(data))
    bad["ticket"]["colour"] = "red"
    with pytest.raises(InvalidInput, match="unknown field"):
        inputs_from_dict(bad)
