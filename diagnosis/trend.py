"""Early warning (预警): a slow downward trend of Rx power over days on the same port points to fiber
degradation before any alarm. Least-squares slope over the stored samples of each circuit port."""
from __future__ import annotations

from diagnosis.context import Work
from diagnosis.enums import Assessment, Verdict
from diagnosis.readings import RxTrendPoint
from diagnosis.result import EvidenceItem
from diagnosis.wording import fmt_db

_DAY_S = 86400.0


def slope_db_per_day(points: list[RxTrendPoint]) -> float | None:
    """Least-squares slope of Rx power against time, in dB/day (None for fewer than 2 instants)."""
    t0 = points[0].time
    xs = [(p.time - t0).total_seconds() / _DAY_S for p in points]
    ys = [p.rx_dbm for p in points]
    n = len(points)
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    var = sum((x - mean_x) ** 2 for x in xs)
    if var == 0:
        return None
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys)) / var


def check_rx_trend(work: Work) -> None:
    th = work.thresholds
    series: dict[tuple[str, str], list[RxTrendPoint]] = {}
    for point in work.index.observations.rx_trend:
        series.setdefault((point.device, point.port), []).append(point)
    for segment, end in work.path.ports():
        points = sorted(series.get(end.key, []), key=lambda p: p.time)
        if len(points) < th.trend_min_points:
            continue  # the trend is optional input: no series is no gap
        span = points[-1].time - points[0].time
        slope = slope_db_per_day(points)
        if slope is None or span < th.trend_min_span:
            continue
        drop = -slope * span.total_seconds() / _DAY_S
        declining = slope <= -th.trend_decline_db_per_day and drop >= th.trend_min_drop_db
        days = span.total_seconds() / _DAY_S
        work.add(EvidenceItem(
            name="rx_trend_db_per_day", value=round(slope, 3), unit="dB/day",
            assessment=Assessment.WARN if declining else Assessment.OK,
            sources=(points[0].source, points[-1].source), limit=-th.trend_decline_db_per_day,
            threshold=(f"warning at or below -{fmt_db(th.trend_decline_db_per_day)} dB/day with a drop of at "
                       f"least {fmt_db(th.trend_min_drop_db)} dB"),
            segment=segment.index, device=end.device, port=end.port,
            note_zh=f"{len(points)}个样本，{days:.1f}天内下降 {fmt_db(drop)} dB",
            note_en=f"{len(points)} samples over {days:.1f} days, fitted drop {fmt_db(drop)} dB"))
        if declining:
            work.find(Verdict.RX_POWER_DECLINING,
                      f"{end.label} 收光功率 {days:.1f} 天内持续下降约 {fmt_db(drop)} dB（{fmt_db(slope)} dB/天）：光纤劣化预警",
                      f"{end.label} Rx power fell about {fmt_db(drop)} dB over {days:.1f} days ({fmt_db(slope)} "
                      f"dB/day): early warning of fiber degradation",
                      segment=segment.index, end=end)
