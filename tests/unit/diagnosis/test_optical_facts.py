"""DOMAIN.md "Optical facts the diagnosis rests on": each rule, with its boundaries."""
from __future__ import annotations

import math

import pytest

from diagnosis import Assessment, OpticalReading, PortEnd, Segment, SiteKind, Thresholds
from diagnosis.budget import RxState, assess_loss, assess_rx, segment_budget, segment_loss_db
from diagnosis.optics import attenuation_db_per_km, rx_limits

from diag_builders import src

TH = Thresholds()


def _end(transceiver: str = "1000BASE-LX", wavelength: int | None = 1310, **kw: object) -> PortEnd:
    return PortEnd("dev", "p1", SiteKind.AGGREGATION, transceiver=transceiver, wavelength_nm=wavelength, **kw)


def test_segment_loss_is_tx_at_sender_minus_rx_at_receiver() -> None:
    assert segment_loss_db(-5.0, -12.25) == 7.25
    assert segment_loss_db(2.0, -9.8) == 11.8


def test_budget_is_length_times_0_35_at_1310_plus_0_5_per_connector_pair_plus_0_1_per_splice() -> None:
    segment = Segment(0, _end(), _end(), length_km=10.0, connectors=2, splices=4)
    budget = segment_budget(segment)
    assert budget.attenuation_db_per_km == 0.35
    assert budget.budget_db == pytest.approx(10 * 0.35 + 2 * 0.5 + 4 * 0.1)  # 4.9


def test_budget_uses_0_25_db_per_km_at_1550() -> None:
    segment = Segment(0, _end("10GBASE-ER", 1550), _end("10GBASE-ER", 1550), 40.0, 2, 8)
    assert segment_budget(segment).budget_db == pytest.approx(40 * 0.25 + 1.0 + 0.8)


def test_wavelength_comes_from_the_transceiver_type_when_not_given() -> None:
    segment = Segment(0, _end("10GBASE-ER", None), _end("10GBASE-ER", None), 4.0, 0, 0)
    assert segment_budget(segment).budget_db == 1.0
    assert attenuation_db_per_km(1310) == 0.35 and attenuation_db_per_km(1550) == 0.25
    assert attenuation_db_per_km(1700) is None


def test_budget_unknown_without_length_names_the_missing_handover_data() -> None:
    budget = segment_budget(Segment(0, _end(), _end(), None, 2, 0))
    assert budget.budget_db is None and budget.missing == ("length_km",)


def test_loss_exactly_at_budget_is_ok() -> None:
    assert assess_loss(4.9, 4.9, TH) == (0.0, Assessment.OK)


def test_loss_above_budget_by_up_to_3db_is_a_warning_and_exactly_3db_over_is_not_yet_a_fault() -> None:
    assert assess_loss(5.0, 4.9, TH)[1] == Assessment.WARN
    assert assess_loss(7.9, 4.9, TH) == (3.0, Assessment.WARN)


def test_loss_more_than_3db_over_budget_points_to_degraded_fiber_or_connector() -> None:
    assert assess_loss(7.91, 4.9, TH) == (3.01, Assessment.FAULT)


def test_rx_below_sensitivity_means_no_light() -> None:
    limits = rx_limits(_end(), None)
    assert assess_rx(-20.01, False, limits, TH).state == RxState.NO_LIGHT
    assert assess_rx(None, True, limits, TH).state == RxState.NO_LIGHT  # module's LOS flag
    assert assess_rx(-math.inf, False, limits, TH).state == RxState.NO_LIGHT


def test_rx_exactly_at_sensitivity_is_low_margin_not_no_light() -> None:
    assert assess_rx(-20.0, False, rx_limits(_end(), None), TH).state == RxState.LOW_MARGIN


def test_rx_exactly_3db_above_sensitivity_is_within_the_bit_error_margin() -> None:
    result = assess_rx(-17.0, False, rx_limits(_end(), None), TH)
    assert result.state == RxState.LOW_MARGIN and result.margin_db == 3.0


def test_rx_just_more_than_3db_above_sensitivity_is_ok() -> None:
    result = assess_rx(-16.99, False, rx_limits(_end(), None), TH)
    assert result.state == RxState.OK and result.margin_db == 3.01


def test_rx_exactly_at_overload_is_not_overload_and_above_it_saturates() -> None:
    limits = rx_limits(_end(), None)
    assert limits.overload_dbm == -3.0
    assert assess_rx(-3.0, False, limits, TH).state == RxState.OK
    assert assess_rx(-2.99, False, limits, TH).state == RxState.OVERLOAD


def test_default_limits_1000base_lx_minus_20_and_minus_3_10gbase_lr_minus_14_4() -> None:
    lx = rx_limits(_end("1000BASE-LX"), None)
    lr = rx_limits(_end("10GBASE-LR"), None)
    assert (lx.sensitivity_dbm, lx.overload_dbm) == (-20.0, -3.0)
    assert lr.sensitivity_dbm == -14.4
    assert assess_rx(-11.4, False, lr, TH).state == RxState.LOW_MARGIN  # exactly 3 dB above -14.4


def test_module_ddm_thresholds_take_precedence_over_inventory_and_defaults() -> None:
    end = _end(rx_sensitivity_dbm=-21.0, rx_overload_dbm=-2.0)
    reading = OpticalReading("dev", "p1", src("dev", "p1"), rx_dbm=-16.0,
                             rx_low_alarm_dbm=-18.0, rx_high_alarm_dbm=-4.0)
    limits = rx_limits(end, reading)
    assert (limits.sensitivity_dbm, limits.overload_dbm) == (-18.0, -4.0)
    assert "DDM" in limits.sensitivity_from
    # -16 is 4 dB above the default -20 (ok) but only 2 dB above the module's own -18: low margin
    assert assess_rx(-16.0, False, limits, TH).state == RxState.LOW_MARGIN
    assert assess_rx(-3.5, False, limits, TH).state == RxState.OVERLOAD


def test_inventory_limits_take_precedence_over_transceiver_defaults() -> None:
    limits = rx_limits(_end(rx_sensitivity_dbm=-22.0), None)
    assert limits.sensitivity_dbm == -22.0 and limits.overload_dbm == -3.0


def test_rx_under_the_modules_own_low_warning_is_low_margin() -> None:
    reading = OpticalReading("dev", "p1", src("dev", "p1"), rx_dbm=-15.0, rx_low_warn_dbm=-14.0)
    assert assess_rx(-15.0, False, rx_limits(_end(), reading), TH).state == RxState.LOW_MARGIN


def test_rx_without_any_known_limit_is_unknown() -> None:
    assert assess_rx(-10.0, False, rx_limits(_end("", None), None), TH).state == RxState.UNKNOWN
