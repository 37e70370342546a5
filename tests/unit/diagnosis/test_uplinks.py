"""Egress beyond the path (issue 10 item 6): a device's backbone uplink that is not itself a segment of
the circuit carries its traffic out; playbook 2 checks it for congestion like the metro egress."""
from __future__ import annotations

from dataclasses import replace

import pytest

from diag_builders import Scene, end, five_segment_path
from diagnosis.enums import Assessment, SiteKind, Verdict
from diagnosis.errors import InvalidInput

AGG = SiteKind.AGGREGATION
TEN_G = {"transceiver": "10GBASE-LR", "speed_mbps": 10000}


def _with_uplink() -> Scene:
    path = replace(five_segment_path(), uplinks=(end("agg-1", "XGE1/0/9", AGG, TEN_G),))
    scene = Scene(path)
    scene.set_util("acc-a-sw1", "GE0/0/1", in_mbps=40.0, out_mbps=35.0)
    scene.set_util("cpe-1", "GE0/0/1", in_mbps=35.0, out_mbps=40.0)
    for port in ("XGE0/0/1", "XGE0/0/2"):
        scene.set_util("egress-1", port, in_fraction=0.3, out_fraction=0.25, speed_mbps=10000)
    return scene


def test_a_congested_uplink_beyond_the_path_is_egress_congestion() -> None:
    scene = _with_uplink()
    scene.set_util("agg-1", "XGE1/0/9", out_mbps=9600.0, speed_mbps=10000)
    d = scene.quality()
    assert d.verdict == Verdict.EGRESS_CONGESTION
    item = d.evidence_named("egress_utilisation", port="XGE1/0/9")[0]
    assert item.value == 0.96 and item.assessment == Assessment.FAULT and item.segment is None
    assert "agg-1 XGE1/0/9" in d.summary_en


def test_an_uplink_with_room_is_no_fault_and_its_reading_is_shown() -> None:
    scene = _with_uplink()
    scene.set_util("agg-1", "XGE1/0/9", out_mbps=3000.0, speed_mbps=10000)
    d = scene.quality()
    assert d.verdict == Verdict.NO_FAULT_FOUND
    assert d.evidence_named("egress_utilisation", port="XGE1/0/9")[0].assessment == Assessment.OK


def test_an_unread_uplink_is_said_not_checked() -> None:
    d = _with_uplink().quality()
    assert any(n.port == "XGE1/0/9" for n in d.could_not_check)


def test_an_uplink_must_sit_on_a_path_device_and_not_be_a_segment_end() -> None:
    with pytest.raises(InvalidInput, match="not on a device of the path"):
        replace(five_segment_path(), uplinks=(end("elsewhere", "XGE0/0/9", AGG, TEN_G),))
    with pytest.raises(InvalidInput, match="is a segment end"):
        replace(five_segment_path(), uplinks=(end("agg-1", "XGE1/0/2", AGG, TEN_G),))
