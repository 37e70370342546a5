"""Early warning (预警): a slow trend of a port's readings over days, before any alarm.

The fit is Theil-Sen (the median of the pairwise slopes): up to ~29 % of bad samples (a -40 dBm
glitch, a reading taken while a connector was being cleaned) do not move it, where one such sample
drags a least-squares line by several dB. A module swap (or a repaired fibre) restarts the series:
optical power only ever gets worse on its own, so a sustained step towards better means the thing
being measured changed, and only the samples after it say where the new one is heading.

The projected date is where the fitted line crosses the port's limits: for Rx the module's own low
warning and low alarm (DDM) before the inventory's sensitivity and the transceiver defaults, the
warning being the diagnosis's low-margin line (sensitivity + ``rx_low_margin_db``) when the module
gives none, the same limits ``optical_rules`` judges a reading against; for Tx the module's own Tx
low thresholds; for errors the rate the diagnosis calls erroring.

Pure: points and limits in, fits and dates out; no clock (the latest point is "now").
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from statistics import median

from diagnosis.context import Work
from diagnosis.enums import Assessment, Verdict
from diagnosis.optics import rx_limits
from diagnosis.path import PortEnd
from diagnosis.readings import OpticalReading, RxTrendPoint
from diagnosis.result import EvidenceItem
from diagnosis.thresholds import Thresholds
from diagnosis.wording import fmt_db

_DAY_S = 86400.0
# Theil-Sen is O(n^2) in pairs: a longer series is first reduced to this many time buckets, each
# its median (a glitch stays one bucket's problem). 96 buckets over 14 days: one per 3.5 h.
MAX_FIT_POINTS = 96


class Metric(StrEnum):
    """What a trend is fitted on, and which way is worse."""

    RX_DBM = "rx_dbm"
    TX_DBM = "tx_dbm"
    CRC_PER_S = "crc_per_s"


# -1: the value falls as it gets worse (optical power); +1: it rises (error rates)
WORSE: dict[Metric, int] = {Metric.RX_DBM: -1, Metric.TX_DBM: -1, Metric.CRC_PER_S: +1}


class Limit(StrEnum):
    LOW_WARNING = "low_warning"
    LOW_ALARM = "low_alarm"
    ERROR_RATE = "error_rate"


@dataclass(frozen=True)
class Sample:
    time: datetime
    value: float


@dataclass(frozen=True)
class Trend:
    """A robust line through the series since its last restart.

    ``slope_per_day`` in the metric's unit per day; ``level`` the fitted value at ``until`` (the
    latest sample); ``restarted_at`` the first sample after a restart (None: the whole series)."""

    slope_per_day: float
    level: float
    since: datetime
    until: datetime
    points: int
    restarted_at: datetime | None = None

    @property
    def span(self) -> timedelta:
        return self.until - self.since

    def value_at(self, when: datetime) -> float:
        return self.level + self.slope_per_day * (when - self.until).total_seconds() / _DAY_S

    def crossing(self, limit: float, worse: int) -> datetime | None:
        """When the fitted line reaches ``limit`` going the worse way: ``until`` when the level is
        already past it, None when the line does not head there."""
        if (self.level - limit) * worse >= 0:
            return self.until
        if self.slope_per_day * worse <= 0:
            return None
        days = (limit - self.level) / self.slope_per_day
        try:
            return self.until + timedelta(days=days)
        except OverflowError:  # a slope of 1e-12/day reaches the limit after the end of the calendar
            return None


def theil_sen(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float] | None:
    """Slope and intercept of the Theil-Sen line (median of pairwise slopes, median of residuals);
    None with fewer than two distinct x."""
    slopes = [(ys[j] - ys[i]) / (xs[j] - xs[i])
              for i in range(len(xs)) for j in range(i + 1, len(xs)) if xs[j] != xs[i]]
    if not slopes:
        return None
    slope = median(slopes)
    return slope, median(y - slope * x for x, y in zip(xs, ys))


def restart_index(values: Sequence[float], step: float, worse: int, window: int = 3) -> int:
    """Index of the first sample after the last sustained step towards better by at least ``step``
    (0: no restart). Sustained: the median of the ``window`` samples from there on is better than the
    median of the ``window`` before by ``step``; one good-looking sample is not a step, and a step
    needs ``window`` samples after it before it counts. Around one step several neighbouring indices
    qualify (their windows straddle it): the step is where the difference is largest, and between
    equal ones where the sample itself jumps most."""
    runs: list[list[tuple[float, float, int]]] = []
    for i in range(1, len(values) - window + 1):
        before = median(values[max(0, i - window):i])
        after = median(values[i:i + window])
        gain = (before - after) * worse
        if gain >= step:
            jump = (values[i - 1] - values[i]) * worse
            if runs and runs[-1][-1][2] == i - 1:
                runs[-1].append((gain, jump, i))
            else:
                runs.append([(gain, jump, i)])
    if not runs:
        return 0
    return max(runs[-1], key=lambda c: (c[0], c[1]))[2]


def _thinned(samples: Sequence[Sample], buckets: int) -> list[Sample]:
    """At most ``buckets`` samples: the median time and value of each equal-time bucket."""
    if len(samples) <= buckets:
        return list(samples)
    t0, t1 = samples[0].time, samples[-1].time
    width = (t1 - t0) / buckets
    groups: list[list[Sample]] = [[] for _ in range(buckets)]
    for s in samples:
        groups[min(buckets - 1, int((s.time - t0) / width))].append(s)
    out = []
    for g in groups:
        if g:
            out.append(Sample(g[len(g) // 2].time, median(s.value for s in g)))
    return out


def fit(samples: Sequence[Sample], metric: Metric, restart_step: float, *, min_points: int = 3) -> Trend | None:
    """The trend of a series (any order; oldest first after sorting), restarted after the last
    sustained step towards better; None with fewer than ``min_points`` samples since then."""
    series = sorted(samples, key=lambda s: s.time)
    if not series:
        return None
    worse = WORSE[metric]
    cut = restart_index([s.value for s in series], restart_step, worse)
    kept = series[cut:]
    if len(kept) < min_points:
        return None
    points = _thinned(kept, MAX_FIT_POINTS)
    t0 = points[0].time
    line = theil_sen([(p.time - t0).total_seconds() / _DAY_S for p in points], [p.value for p in points])
    if line is None:
        return None
    slope, intercept = line
    until = kept[-1].time
    level = intercept + slope * (until - t0).total_seconds() / _DAY_S
    return Trend(slope_per_day=slope, level=level, since=kept[0].time, until=until, points=len(kept),
                 restarted_at=kept[0].time if cut else None)


@dataclass(frozen=True)
class Crossing:
    limit: Limit
    limit_value: float
    limit_from: str  # where the limit came from (module DDM, inventory, transceiver default, rule)
    at: datetime | None  # None: the trend does not head there
    within_horizon: bool


@dataclass(frozen=True)
class EarlyWarning:
    """One port's trend of one metric with its projected crossings; ``flagged`` when a crossing falls
    inside the horizon while the value has not crossed yet (an alarm then says it, not a forecast)."""

    device: str
    port: str
    metric: Metric
    trend: Trend
    crossings: tuple[Crossing, ...]
    flagged: bool

    @property
    def first_crossing(self) -> datetime | None:
        return min((c.at for c in self.crossings if c.at is not None), default=None)


def limits(metric: Metric, end: PortEnd | None, reading: OpticalReading | None,
           thresholds: Thresholds) -> list[tuple[Limit, float, str]]:
    """The limits a metric's trend is projected onto, with where each came from (the diagnosis's own)."""
    out: list[tuple[Limit, float, str]] = []
    if metric == Metric.RX_DBM and end is not None:
        lim = rx_limits(end, reading)
        if lim.low_warn_dbm is not None:
            out.append((Limit.LOW_WARNING, lim.low_warn_dbm, "module DDM low-warning threshold"))
        elif lim.sensitivity_dbm is not None:
            out.append((Limit.LOW_WARNING, lim.sensitivity_dbm + thresholds.rx_low_margin_db,
                        f"{lim.sensitivity_from} + {fmt_db(thresholds.rx_low_margin_db)} dB low-margin rule"))
        if lim.sensitivity_dbm is not None:
            out.append((Limit.LOW_ALARM, lim.sensitivity_dbm, lim.sensitivity_from))
    elif metric == Metric.TX_DBM and reading is not None:
        if reading.tx_low_warn_dbm is not None:
            out.append((Limit.LOW_WARNING, reading.tx_low_warn_dbm, "module DDM Tx low-warning threshold"))
        if reading.tx_low_alarm_dbm is not None:
            out.append((Limit.LOW_ALARM, reading.tx_low_alarm_dbm, "module DDM Tx low-alarm threshold"))
    elif metric == Metric.CRC_PER_S:
        out.append((Limit.ERROR_RATE, thresholds.crc_fault_per_s, "CRC/input error rate rule"))
    return out


def early_warning(device: str, port: str, metric: Metric, samples: Sequence[Sample],
                  port_limits: Sequence[tuple[Limit, float, str]], horizon: timedelta,
                  thresholds: Thresholds) -> EarlyWarning | None:
    """The trend of one port's metric and when it crosses each limit; None without a trend."""
    step = thresholds.trend_restart_step_db if metric != Metric.CRC_PER_S else thresholds.crc_fault_per_s
    trend = fit(samples, metric, step, min_points=thresholds.trend_min_points)
    if trend is None:
        return None
    worse = WORSE[metric]
    crossings = []
    for limit, value, source in port_limits:
        at = trend.crossing(value, worse)
        crossings.append(Crossing(limit, value, source, at,
                                  within_horizon=at is not None and at - trend.until <= horizon))
    already = any(c.at == trend.until for c in crossings)
    long_enough = trend.span >= thresholds.trend_min_span
    flagged = long_enough and not already and any(c.within_horizon for c in crossings)
    return EarlyWarning(device, port, metric, trend, tuple(crossings), flagged)


# -- the diagnosis rule ----------------------------------------------------------------------------
def slope_db_per_day(points: list[RxTrendPoint]) -> float | None:
    """Theil-Sen slope of Rx power against time, in dB/day (None for fewer than 2 instants)."""
    if not points:
        return None
    t0 = points[0].time
    line = theil_sen([(p.time - t0).total_seconds() / _DAY_S for p in points], [p.rx_dbm for p in points])
    return None if line is None else line[0]


def check_rx_trend(work: Work) -> None:
    th = work.thresholds
    series: dict[tuple[str, str], list[RxTrendPoint]] = {}
    for point in work.index.observations.rx_trend:
        series.setdefault((point.device, point.port), []).append(point)
    for segment, end in work.path.ports():
        points = sorted(series.get(end.key, []), key=lambda p: p.time)
        if len(points) < th.trend_min_points:
            continue  # the trend is optional input: no series is no gap
        trend = fit([Sample(p.time, p.rx_dbm) for p in points], Metric.RX_DBM, th.trend_restart_step_db,
                    min_points=th.trend_min_points)
        if trend is None or trend.span < th.trend_min_span:
            continue
        used = [p for p in points if p.time >= trend.since]
        slope, span = trend.slope_per_day, trend.span
        drop = -slope * span.total_seconds() / _DAY_S
        declining = slope <= -th.trend_decline_db_per_day and drop >= th.trend_min_drop_db
        days = span.total_seconds() / _DAY_S
        restarted_zh = restarted_en = ""
        if trend.restarted_at is not None:
            restarted_zh = f"（{trend.restarted_at:%m-%d %H:%M} 起光功率回升，视为更换模块后重新计算）"
            restarted_en = f" (restarted at {trend.restarted_at:%Y-%m-%d %H:%M} UTC: the power rose, a new module or fibre)"
        when_zh = when_en = ""
        port_limits = limits(Metric.RX_DBM, end, work.index.optical.get(end.key), th)
        warn = next((v for lim, v, _ in port_limits if lim == Limit.LOW_WARNING), None)
        crossing = trend.crossing(warn, -1) if warn is not None and declining else None
        if crossing is not None and crossing > trend.until:
            when_zh = f"，预计 {crossing:%Y-%m-%d} 低于告警前门限 {fmt_db(warn)} dBm"
            when_en = f", projected below its low warning {fmt_db(warn)} dBm on {crossing:%Y-%m-%d}"
        work.add(EvidenceItem(
            name="rx_trend_db_per_day", value=round(slope, 3), unit="dB/day",
            assessment=Assessment.WARN if declining else Assessment.OK,
            sources=(used[0].source, used[-1].source), limit=-th.trend_decline_db_per_day,
            threshold=(f"warning at or below -{fmt_db(th.trend_decline_db_per_day)} dB/day with a drop of at "
                       f"least {fmt_db(th.trend_min_drop_db)} dB (Theil-Sen fit)"),
            segment=segment.index, device=end.device, port=end.port,
            note_zh=f"{trend.points}个样本，{days:.1f}天内下降 {fmt_db(drop)} dB{when_zh}{restarted_zh}",
            note_en=f"{trend.points} samples over {days:.1f} days, fitted drop {fmt_db(drop)} dB{when_en}{restarted_en}"))
        if declining:
            work.find(Verdict.RX_POWER_DECLINING,
                      f"{end.label} 收光功率 {days:.1f} 天内持续下降约 {fmt_db(drop)} dB（{fmt_db(slope)} dB/天）：光纤劣化预警"
                      f"{when_zh}",
                      f"{end.label} Rx power fell about {fmt_db(drop)} dB over {days:.1f} days ({fmt_db(slope)} "
                      f"dB/day): early warning of fiber degradation{when_en}",
                      segment=segment.index, end=end)
