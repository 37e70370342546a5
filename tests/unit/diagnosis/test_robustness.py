"""Missing readings and unreachable devices never crash a playbook: every combination gives a
diagnosis that serialises, renders, and says what it could not check."""
from __future__ import annotations

import json
import random
from datetime import timedelta

import pytest
from diag_builders import NOW, Scene

from diagnosis import AccessState, LinkState, ReadingKind, Symptom, TicketKind, Verdict
from diagnosis.render import render_text

TICKETS = [(TicketKind.ASSIST_CHECK, Symptom.INTERRUPTION_OR_FLAP),
           (TicketKind.ASSIST_CHECK, Symptom.LATENCY_OR_ERRORS),
           (TicketKind.INTERRUPTION, Symptom.DOWN)]
STATES = [AccessState.UNREACHABLE, AccessState.TIMEOUT, AccessState.AUTH_FAILED, AccessState.ERROR]


def _damage(scene: Scene, rng: random.Random) -> set[ReadingKind]:
    """Break the scene at random; returns the kinds of readings taken away."""
    removed: set[ReadingKind] = set()
    for device in scene.path.devices():
        if rng.random() < 0.2:
            scene.unreachable(device, rng.choice(STATES), "random")
            removed.add(ReadingKind.DEVICE)
    for kind, store in ((ReadingKind.OPTICAL, scene.optical), (ReadingKind.STATUS, scene.status),
                        (ReadingKind.ERRORS, scene.errors), (ReadingKind.UTILISATION, scene.utilisation)):
        for key in sorted(store):
            if rng.random() < 0.15 and (kind != ReadingKind.UTILISATION or key[0] not in ("cpe-1", "acc-a-sw1")):
                del store[key]
                removed.add(kind)
    if rng.random() < 0.3:
        scene.cut(rng.randrange(5))
    if rng.random() < 0.3:
        key = rng.choice(sorted(scene.optical))
        scene.gap(*key, ReadingKind.OPTICAL, AccessState.NOT_SUPPORTED, "no DDM")
        removed.add(ReadingKind.OPTICAL)
    if rng.random() < 0.3:
        scene.add_flaps("agg-1", "GE1/0/1", [NOW - timedelta(minutes=m) for m in range(rng.randrange(6))])
    if rng.random() < 0.3:
        scene.set_status("core-1", "XGE0/0/1", oper=LinkState.DOWN) if ("core-1", "XGE0/0/1") in scene.status else None
    return removed


@pytest.mark.parametrize("seed", range(60))
def test_random_missing_and_unreachable_data_never_crashes_and_is_reported(seed: int) -> None:
    rng = random.Random(seed)
    scene = Scene()
    removed = _damage(scene, rng)
    for kind, symptom in TICKETS:
        d = scene.run(kind, symptom)
        assert isinstance(d.verdict, Verdict)
        json.dumps(d.to_dict(), allow_nan=False, ensure_ascii=False)
        assert render_text(d)
        # playbook 1 reads alarms and port status only; the others read everything
        needed = {ReadingKind.DEVICE, ReadingKind.STATUS} if symptom == Symptom.INTERRUPTION_OR_FLAP else removed
        if removed & needed:
            assert d.could_not_check, (seed, kind, symptom)
        assert d == scene.run(kind, symptom)  # deterministic


def test_no_observations_at_all_is_inconclusive_in_every_playbook() -> None:
    scene = Scene()
    for device in list(scene.devices):
        scene.devices.pop(device)
    for store in (scene.optical, scene.status, scene.errors, scene.utilisation):
        store.clear()
    scene.stored_alarms_queried = False
    scene.alarm_history_devices.clear()
    verdicts = []
    for kind, symptom in TICKETS:
        d = scene.run(kind, symptom)
        verdicts.append(d.verdict)
        assert len(d.could_not_check) >= 6
    assert verdicts == [Verdict.INCONCLUSIVE_UNREACHABLE, Verdict.INCONCLUSIVE_UNREACHABLE,
                        Verdict.FAULT_SEGMENT_UNCLEAR]
    # the interruption playbook still plans loops (province exit first) but claims nothing it did not see
    assert "9 office port(s) could not be read" in d.summary_en
    assert "Every in-province segment is up" not in d.summary_en
    assert d.loop_plan[0].device == "pexit-1"


def test_a_reading_a_survey_cut_short_by_its_timeout_lacks_says_timed_out_not_no_reading() -> None:
    scene = Scene()
    scene.optical.pop(("agg-1", "GE1/0/1"))
    scene.gap("agg-1", None, ReadingKind.DEVICE, AccessState.TIMEOUT, "survey did not finish within 12 s")
    d = scene.quality()
    entry = next(c for c in d.could_not_check if c.kind == ReadingKind.OPTICAL and c.port == "GE1/0/1")
    assert entry.reason == AccessState.TIMEOUT and "12 s" in entry.text_en
