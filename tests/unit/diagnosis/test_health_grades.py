"""Health grades (diagnosis.health) from real diagnoses of the line-quality playbook: the grade is what
the diagnosis found, per circuit and per segment, worst first; every verdict has a grade."""
from __future__ import annotations

from diag_builders import NOW, Scene

from diagnosis import LinkState, Verdict
from diagnosis.enums import Grade
from diagnosis.health import GRADE_ORDER, VERDICT_GRADE, Reason, grade


def _grade(scene: Scene, extra=()):
    d = scene.quality()
    return d, grade(d, [s.index for s in scene.path.segments], extra)


def test_every_verdict_has_exactly_one_grade_and_the_order_is_worst_first() -> None:
    assert set(VERDICT_GRADE) == set(Verdict)
    assert GRADE_ORDER == (Grade.DOWN, Grade.DEGRADED, Grade.UNKNOWN, Grade.OK)


def test_a_healthy_circuit_is_ok_on_every_segment(scene: Scene) -> None:
    d, g = _grade(scene)
    assert d.verdict == Verdict.NO_FAULT_FOUND and g.grade == Grade.OK
    assert [s.grade for s in g.segments] == [Grade.OK] * 5


def test_a_cut_is_down_on_its_segment_only(scene: Scene) -> None:
    scene.cut(3)
    _, g = _grade(scene)
    assert g.grade == Grade.DOWN and g.verdict == Verdict.NO_LIGHT_FIBER_CUT
    assert [s.grade for s in g.segments] == [Grade.OK, Grade.OK, Grade.OK, Grade.DOWN, Grade.OK]
    assert g.reasons[0].code == "no_light_fiber_cut" and g.reasons[0].segment == 3


def test_excess_loss_and_errors_are_degraded(scene: Scene) -> None:
    scene.add_loss(1, 5.0)
    scene.set_errors_rate("core-1", "XGE0/0/1", 12.0)
    _, g = _grade(scene)
    assert g.grade == Grade.DEGRADED
    assert {r.code for r in g.reasons} >= {"fiber_degraded", "crc_errors"}
    assert g.segments[1].grade == Grade.DEGRADED and g.segments[2].grade == Grade.DEGRADED


def test_an_unreadable_office_device_is_unknown_never_ok(scene: Scene) -> None:
    scene.unreachable("core-1")
    _, g = _grade(scene)
    assert g.grade == Grade.UNKNOWN


def test_a_port_down_outranks_a_congested_line_and_extra_reasons_count(scene: Scene) -> None:
    scene.set_status("core-1", "XGE0/0/1", oper=LinkState.DOWN)
    scene.set_util("cpe-1", "GE0/0/1", in_mbps=97.0, out_mbps=10.0)
    _, g = _grade(scene)
    assert g.grade == Grade.DOWN and [r.grade for r in g.reasons] == sorted(
        (r.grade for r in g.reasons), key=GRADE_ORDER.index)
    healthy = Scene()
    ticket = Reason(Grade.DEGRADED, "open_ticket", "故障单 7 未关闭", "fault ticket 7 is open")
    _, g2 = _grade(healthy, [ticket])
    assert g2.grade == Grade.DEGRADED and g2.reasons[0] == ticket and g2.reasons[1].code == "no_fault_found"


def test_an_early_warning_alone_keeps_the_circuit_ok(scene: Scene) -> None:
    from datetime import timedelta

    from diag_builders import src

    from diagnosis import RxTrendPoint

    for day in range(6):
        t = NOW - timedelta(days=5 - day)
        scene.trend.append(RxTrendPoint("agg-1", "GE1/0/1", t, -9.0 - 0.3 * day, src("agg-1", "GE1/0/1", time=t)))
    d, g = _grade(scene)
    assert d.verdict == Verdict.RX_POWER_DECLINING and g.grade == Grade.OK


def test_an_unreadable_circuit_with_only_an_early_warning_stays_unknown(scene: Scene) -> None:
    scene.unreachable("core-1")
    scene.unreachable("agg-1")
    warning = Reason(Grade.OK, "early_warning", "预警", "early warning", 0, "cpe-1", "GE0/0/1")
    _, g = _grade(scene, [warning])
    assert g.grade == Grade.UNKNOWN and warning in g.reasons
