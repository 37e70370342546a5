"""The readings history (历史性能数据): samples from surveys, the hourly roll-up, retention, and reads.

Raw samples (``optical_sample``) are rolled up per port and clock hour into count/min/max/sum per
metric (``reading_hourly``) once the hour is over and its last poll has had time to land; raw rows are
then removed after ``poll_retention_days`` (never before their hour is rolled up), hourly rows after
``readings_hourly_retention_days``. The roll-up is one INSERT ... SELECT ... GROUP BY per hour, the
same SQL on SQLite and PostgreSQL (the hour is a bound range, not a date function of either dialect).
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlalchemy import Float, and_, case, cast, delete, func, insert, literal, select
from sqlalchemy.orm import Session

from agent.models.telemetry import METRICS, OpticalSample, ReadingHourly
from collectors import DeviceSurvey, OperStatus
from collectors import readings as cr
from collectors.rates import counter_rates

log = logging.getLogger("faultline.telemetry")

HOUR = timedelta(hours=1)


class Resolution(StrEnum):
    RAW = "raw"
    HOURLY = "hourly"
    AUTO = "auto"  # raw where the range is short and still held raw, else hourly


# A range longer than this is read hourly under ``auto``: 2 days of 5-minute samples is 576 points,
# as many as a chart can show; 30 days hourly is 720.
AUTO_RAW_SPAN = timedelta(days=2)


def hour_floor(t: datetime) -> datetime:
    return t.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


# -- samples from a poll ----------------------------------------------------------------------------
@dataclass(frozen=True)
class PortRates:
    in_mbps: float | None = None
    out_mbps: float | None = None
    crc_per_s: float | None = None
    in_errors_per_s: float | None = None
    fault: str | None = None  # why two counter samples gave no rate (a measurement fault, with raw values)


def rates_between(first: cr.CounterSample | None, second: cr.CounterSample, speed_mbps: int | None) -> PortRates:
    """The port's rates over the interval between two polls (``collectors.rates``, timed by the
    samples' own responses); none for the first poll of a port or a measurement fault."""
    if first is None or second.read_at <= first.read_at:
        return PortRates()
    r = counter_rates(first, second, speed_bps=speed_mbps * 1e6 if speed_mbps else None)
    if r.fault is not None:
        return PortRates(fault=f"{r.fault.reason} ({r.fault.raw})")
    return PortRates(in_mbps=None if r.in_bps is None else r.in_bps / 1e6,
                     out_mbps=None if r.out_bps is None else r.out_bps / 1e6,
                     crc_per_s=r.crc_per_s, in_errors_per_s=r.in_errors_per_s)


def sample_rows(survey: DeviceSurvey, at: datetime, previous: Mapping[tuple[str, str], cr.CounterSample],
                speeds: Mapping[tuple[str, str], int | None]) -> tuple[list[dict], list[str]]:
    """One row per port the survey read anything of, and the measurement faults met (loudly: a rate
    two samples cannot give is logged with its raw counters and stored as no rate, never as a rate)."""
    optical = {r.port: r for r in survey.optical}
    status = {r.port: r for r in survey.interfaces}
    counters = {c.port: c for c in survey.counters}
    rows, faults = [], []
    for port in sorted(set(optical) | set(status) | set(counters)):
        o, s, c = optical.get(port), status.get(port), counters.get(port)
        key = (survey.device, port)
        rates = rates_between(previous.get(key), c, speeds.get(key)) if c is not None else PortRates()
        if rates.fault:
            faults.append(f"{survey.device} {port}: {rates.fault}")
        rx = o.rx_dbm if o is not None else None
        rows.append(dict(device_name=survey.device, port_name=port, at=at,
                         rx_dbm=rx if rx is None or rx > -100 else None,  # -inf: no light, not a level
                         tx_dbm=o.tx_dbm if o is not None else None,
                         oper=str(s.oper) if s is not None else None, admin=str(s.admin) if s is not None else None,
                         in_mbps=rates.in_mbps, out_mbps=rates.out_mbps, crc_per_s=rates.crc_per_s,
                         in_errors_per_s=rates.in_errors_per_s))
    return rows, faults


def store_samples(session: Session, rows: Sequence[dict]) -> int:
    """Insert the rows in one executemany (the caller commits)."""
    if rows:
        session.execute(insert(OpticalSample), list(rows))
    return len(rows)


# -- roll-up and retention --------------------------------------------------------------------------
def _hour_select(hour: datetime):
    s = OpticalSample
    cols = [s.device_name, s.port_name, literal(hour, ReadingHourly.hour.type).label("hour"),
            func.count().label("samples"),
            func.sum(case((and_(s.oper.is_not(None), s.oper != str(OperStatus.UP)), 1), else_=0)).label("oper_down")]
    for m in METRICS:
        col = getattr(s, m)
        cols += [func.count(col).label(f"{m}_n"), func.min(col).label(f"{m}_min"), func.max(col).label(f"{m}_max"),
                 func.sum(cast(col, Float)).label(f"{m}_sum")]
    return (select(*cols).where(s.at >= hour, s.at < hour + HOUR).group_by(s.device_name, s.port_name))


def _hourly_columns() -> list[str]:
    cols = ["device_name", "port_name", "hour", "samples", "oper_down"]
    for m in METRICS:
        cols += [f"{m}_n", f"{m}_min", f"{m}_max", f"{m}_sum"]
    return cols


def roll_up_hour(session: Session, hour: datetime) -> int:
    """(Re)build one hour's roll-up from the raw samples: rows of that hour are replaced, so a late
    sample or a second run gives the same result (the caller commits)."""
    hour = hour_floor(hour)
    session.execute(delete(ReadingHourly).where(ReadingHourly.hour == hour))
    result = session.execute(insert(ReadingHourly).from_select(_hourly_columns(), _hour_select(hour)))
    return result.rowcount or 0


def rolled_up_until(session: Session) -> datetime | None:
    """The end of the last rolled-up hour (None before the first roll-up)."""
    last = session.scalar(select(func.max(ReadingHourly.hour)))
    return None if last is None else last + HOUR


def roll_up(session: Session, now: datetime, settle: timedelta) -> list[datetime]:
    """Roll up every complete hour not yet rolled up whose end is at least ``settle`` ago (a poll that
    started before the hour ended may still be writing into it). Returns the hours done."""
    done_until = rolled_up_until(session)
    first_raw = session.scalar(select(func.min(OpticalSample.at)).where(
        OpticalSample.at >= done_until) if done_until else select(func.min(OpticalSample.at)))
    if first_raw is None:
        return []
    hour, stop = hour_floor(first_raw), hour_floor(now - settle)
    hours = []
    while hour + HOUR <= stop:
        if roll_up_hour(session, hour):
            hours.append(hour)
        hour += HOUR
    return hours


@dataclass(frozen=True)
class Pruned:
    raw: int
    hourly: int


def prune(session: Session, now: datetime, raw_keep: timedelta, hourly_keep: timedelta) -> Pruned:
    """Delete raw samples older than ``raw_keep`` (only where their hour is rolled up: the roll-up never
    loses what retention removed) and hourly rows older than ``hourly_keep``."""
    raw_before = now - raw_keep
    done_until = rolled_up_until(session)
    raw = 0
    if done_until is not None:
        raw = session.execute(delete(OpticalSample).where(
            OpticalSample.at < min(raw_before, done_until))).rowcount or 0
    hourly = session.execute(delete(ReadingHourly).where(ReadingHourly.hour < now - hourly_keep)).rowcount or 0
    return Pruned(raw, hourly)


# -- reads ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Point:
    at: datetime
    value: float | None = None  # raw
    min: float | None = None  # hourly
    avg: float | None = None
    max: float | None = None
    n: int | None = None


def read_raw(session: Session, device: str, port: str, metric: str, start: datetime, end: datetime,
             limit: int) -> list[Point]:
    col = getattr(OpticalSample, metric)
    rows = session.execute(select(OpticalSample.at, col).where(
        OpticalSample.device_name == device, OpticalSample.port_name == port, OpticalSample.at >= start,
        OpticalSample.at <= end, col.is_not(None)).order_by(OpticalSample.at).limit(limit)).all()
    return [Point(at=r[0], value=r[1]) for r in rows]


def read_hourly(session: Session, device: str, port: str, metric: str, start: datetime, end: datetime,
                limit: int) -> list[Point]:
    h = ReadingHourly
    n, lo, hi, total = (getattr(h, f"{metric}_{x}") for x in ("n", "min", "max", "sum"))
    rows = session.execute(select(h.hour, n, lo, hi, total).where(
        h.device_name == device, h.port_name == port, h.hour >= hour_floor(start), h.hour <= end, n > 0)
        .order_by(h.hour).limit(limit)).all()
    return [Point(at=r[0], min=r[2], max=r[3], avg=r[4] / r[1], n=r[1]) for r in rows]


def choose_resolution(asked: Resolution, start: datetime, end: datetime, now: datetime, raw_keep: timedelta) -> Resolution:
    if asked != Resolution.AUTO:
        return asked
    if end - start <= AUTO_RAW_SPAN and start >= now - raw_keep:
        return Resolution.RAW
    return Resolution.HOURLY


def series_for_trend(session: Session, ports: Iterable[tuple[str, str]], metric: str, since: datetime
                     ) -> dict[tuple[str, str], list[tuple[datetime, float]]]:
    """Per port, the metric since ``since`` as the trend reads it: the hourly averages of the rolled-up
    hours and the raw samples after them (a bounded number of points however long the window)."""
    wanted = set(ports)
    done_until = rolled_up_until(session) or since
    h, s = ReadingHourly, OpticalSample
    n, total = getattr(h, f"{metric}_n"), getattr(h, f"{metric}_sum")
    out: dict[tuple[str, str], list[tuple[datetime, float]]] = {}
    for dev, port, hour, count, sm in session.execute(select(h.device_name, h.port_name, h.hour, n, total).where(
            h.hour >= hour_floor(since), h.hour < done_until, n > 0).order_by(h.hour)):
        if (dev, port) in wanted:
            out.setdefault((dev, port), []).append((hour + HOUR / 2, sm / count))
    col = getattr(s, metric)
    for dev, port, at, value in session.execute(select(s.device_name, s.port_name, s.at, col).where(
            s.at >= max(since, done_until), col.is_not(None)).order_by(s.at)):
        if (dev, port) in wanted:
            out.setdefault((dev, port), []).append((at, value))
    return out
