"""The early-warning trend (diagnosis.trend): Theil-Sen against glitches, restarts after a module swap,
projected crossing dates onto the limits the diagnosis itself judges Rx, Tx and error rates by."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from diagnosis import OpticalReading, PortEnd, SiteKind, Source
from diagnosis.thresholds import DEFAULT_THRESHOLDS as TH
from diagnosis.trend import (
    Limit, Metric, Sample, early_warning, fit, limits, restart_index, slope_db_per_day, theil_sen,
)

T0 = datetime(2026, 11, 1, tzinfo=UTC)
LX_END = PortEnd(device="cpe-1", port="GE0/0/1", site_kind=SiteKind.CUSTOMER_PREMISES, transceiver="1000BASE-LX",
                 wavelength_nm=1310, speed_mbps=1000)


def ageing(days: float, per_day: float = -1.0, start: float = -4.0, every_h: float = 12.0) -> list[Sample]:
    n = int(days * 24 / every_h) + 1
    return [Sample(T0 + timedelta(hours=every_h * i), start + per_day * every_h * i / 24) for i in range(n)]


def _reading(**kw) -> OpticalReading:
    return OpticalReading(device="cpe-1", port="GE0/0/1", source=Source("cpe-1", "snmp", T0), rx_dbm=-5.0, **kw)


def test_theil_sen_is_exact_on_a_line_and_needs_two_instants() -> None:
    assert theil_sen([0, 1, 2, 3], [1.0, 3.0, 5.0, 7.0]) == pytest.approx((2.0, 1.0))
    assert theil_sen([1, 1], [1.0, 2.0]) is None


def test_one_minus_40_dbm_glitch_does_not_move_the_trend_where_least_squares_would() -> None:
    clean = ageing(10)
    glitched = list(clean)
    glitched[7] = Sample(glitched[7].time, -40.0)
    a, b = fit(clean, Metric.RX_DBM, TH.trend_restart_step_db), fit(glitched, Metric.RX_DBM, TH.trend_restart_step_db)
    assert a.slope_per_day == pytest.approx(-1.0) and b.slope_per_day == pytest.approx(-1.0, abs=0.05)
    warn = -17.0
    assert abs((a.crossing(warn, -1) - b.crossing(warn, -1)).total_seconds()) < 6 * 3600
    # what a least-squares line makes of the same glitch: more than 0.2 dB/day off
    xs = [(s.time - T0).total_seconds() / 86400 for s in glitched]
    ys = [s.value for s in glitched]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    ls = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    assert abs(ls + 1.0) > 0.2


def test_a_module_swap_restarts_the_series_at_the_first_sample_of_the_new_module() -> None:
    old = ageing(6)  # -4 .. -10 dBm
    new = [Sample(old[-1].time + timedelta(hours=12 * (i + 1)), -3.5 - 0.05 * i) for i in range(5)]
    trend = fit(old + new, Metric.RX_DBM, TH.trend_restart_step_db)
    assert trend.restarted_at == new[0].time and trend.since == new[0].time and trend.points == len(new)
    assert trend.slope_per_day == pytest.approx(-0.1)
    # without the restart the old module's decline would still drag the line down
    assert fit(old + new, Metric.RX_DBM, 100.0).slope_per_day < -0.5


def test_a_single_good_looking_sample_or_a_fall_is_no_restart() -> None:
    values = [-8.0, -8.1, -8.2, -3.0, -8.4, -8.5, -8.6, -8.7]  # one sample 5 dB up, then back
    assert restart_index(values, 2.0, -1) == 0
    assert restart_index([-3.0, -3.0, -3.0, -9.0, -9.0, -9.0], 2.0, -1) == 0  # a step down is a fault, not a swap
    assert restart_index([-9.0, -9.0, -9.0, -3.0, -3.0, -3.0], 2.0, -1) == 3


def test_projected_crossings_onto_the_module_thresholds_and_the_horizon() -> None:
    samples = ageing(10)  # -4 dBm falling 1 dB/day: -14 at day 10
    reading = _reading(rx_low_warn_dbm=-17.0, rx_low_alarm_dbm=-20.0)
    w = early_warning("cpe-1", "GE0/0/1", Metric.RX_DBM, samples, limits(Metric.RX_DBM, LX_END, reading, TH),
                      timedelta(days=30), TH)
    at = {c.limit: c.at for c in w.crossings}
    assert at[Limit.LOW_WARNING] == T0 + timedelta(days=13) and at[Limit.LOW_ALARM] == T0 + timedelta(days=16)
    assert w.flagged and w.first_crossing == T0 + timedelta(days=13)
    short = early_warning("cpe-1", "GE0/0/1", Metric.RX_DBM, samples, limits(Metric.RX_DBM, LX_END, reading, TH),
                          timedelta(days=2), TH)
    assert not short.flagged and not any(c.within_horizon for c in short.crossings)


def test_without_module_thresholds_the_warning_is_the_low_margin_rule_above_the_sensitivity() -> None:
    got = limits(Metric.RX_DBM, LX_END, None, TH)  # 1000BASE-LX default sensitivity -20 dBm
    assert got[0][:2] == (Limit.LOW_WARNING, -20.0 + TH.rx_low_margin_db) and got[1][:2] == (Limit.LOW_ALARM, -20.0)
    own = limits(Metric.RX_DBM, LX_END, _reading(rx_low_alarm_dbm=-22.0, rx_low_warn_dbm=-18.0), TH)
    assert [v for _, v, _ in own] == [-18.0, -22.0]
    tx = limits(Metric.TX_DBM, LX_END, _reading(tx_low_warn_dbm=-8.0, tx_low_alarm_dbm=-9.0), TH)
    assert [(lim, v) for lim, v, _ in tx] == [(Limit.LOW_WARNING, -8.0), (Limit.LOW_ALARM, -9.0)]
    assert limits(Metric.TX_DBM, LX_END, None, TH) == []  # no module thresholds: no Tx date is made up


def test_already_past_the_limit_or_too_short_is_not_flagged_and_a_flat_line_has_no_date() -> None:
    lim = [(Limit.LOW_WARNING, -17.0, "module")]
    past = early_warning("p", "x", Metric.RX_DBM, ageing(10, start=-12.0), lim, timedelta(days=30), TH)
    assert past.crossings[0].at == past.trend.until and not past.flagged  # an alarm says it, not a forecast
    brief = early_warning("p", "x", Metric.RX_DBM, ageing(1, per_day=-5.0), lim, timedelta(days=30), TH)
    assert brief.trend.span < TH.trend_min_span and not brief.flagged
    flat = early_warning("p", "x", Metric.RX_DBM, ageing(10, per_day=0.0), lim, timedelta(days=30), TH)
    assert flat.crossings[0].at is None and not flat.flagged


def test_rising_error_rates_get_a_date_for_the_erroring_rule() -> None:
    samples = [Sample(T0 + timedelta(days=d), 0.05 * d) for d in range(8)]  # 0.35/s after 7 days
    w = early_warning("p", "x", Metric.CRC_PER_S, samples, limits(Metric.CRC_PER_S, None, None, TH),
                      timedelta(days=30), TH)
    assert w.crossings[0].limit == Limit.ERROR_RATE and w.crossings[0].at == T0 + timedelta(days=20) and w.flagged


def test_slope_of_rx_points_is_theil_sen() -> None:
    from diagnosis import RxTrendPoint

    pts = [RxTrendPoint("d", "p", s.time, s.value, Source("d", "stored", s.time)) for s in ageing(5, per_day=-0.5)]
    pts[3] = RxTrendPoint("d", "p", pts[3].time, -40.0, pts[3].source)
    assert slope_db_per_day(pts) == pytest.approx(-0.5, abs=0.03)
