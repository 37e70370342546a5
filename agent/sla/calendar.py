"""Working days (工作日) of the Chinese calendar, for report deadlines (rule 10).

Where a day's status comes from, first that knows the day's year wins (``coverage`` says which):

1. a holiday file (the State Council's yearly schedule, ``agent.sla.schedules``): the shipped ones
   under ``agent/sla/holidays/`` and ``SlaSettings.holiday_files``;
2. the ``chinese-calendar`` package (holidays and adjusted working weekends, 调休);
3. the statutory holidays of 《全国年节及纪念日放假办法》 with their make-up days, Monday to Friday
   otherwise: the adjusted working weekends of such a year are unknown, so a deadline near a long
   holiday may be a day off. Logged as a warning once per year; ``board_warnings`` gives the duty
   board the years (this one and the next) that have no schedule.

A deadline "within N working days" falls at the close of business of the N-th working day after the
resolution day. The source (rule 10: 2个工作日内提交故障报告) names no hour, so the default close of
business is the end of the day (24:00 local); ``SlaSettings.report_day_end`` sets another (e.g. 18:00).
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from zoneinfo import ZoneInfo

import chinese_calendar

from agent.sla.schedules import HolidaySchedule, load_schedules, statutory_holidays

log = logging.getLogger("faultline.sla.calendar")


class CalendarSource(StrEnum):
    HOLIDAY_FILE = "holiday_file"  # the State Council's schedule, as data
    PACKAGE = "chinese_calendar"
    STATUTORY = "statutory"  # the law's holidays only: the year's adjusted working days (调休) unknown


@dataclass(frozen=True)
class YearCoverage:
    """Which source decides the working days of ``year``."""

    year: int
    source: CalendarSource
    detail: str

    @property
    def complete(self) -> bool:
        return self.source is not CalendarSource.STATUTORY

    def message(self) -> str:
        if self.complete:
            return f"{self.year}: working days from {self.source.value} ({self.detail})"
        return (f"{self.year} 无国务院节假日安排数据 / no holiday schedule for {self.year} ({self.detail}): counting the "
                f"statutory holidays of 全国年节及纪念日放假办法 and their make-up days; the adjusted working days "
                f"(调休) are unknown, so report deadlines near a holiday may be off by a day: add the State "
                f"Council's schedule as a holiday file (FAULTLINE_SLA__HOLIDAY_FILES)")

    def to_dict(self) -> dict[str, object]:
        return {"year": self.year, "source": self.source.value, "complete": self.complete, "detail": self.detail,
                "message": self.message()}


def _package_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


class WorkingDayCalendar:
    """Working days in ``timezone`` (Asia/Shanghai by default)."""

    def __init__(self, timezone: str = "Asia/Shanghai", day_end: str = "24:00",
                 holiday_files: Iterable[str | Path] = (),
                 schedules: Mapping[int, HolidaySchedule] | None = None) -> None:
        self.tz = ZoneInfo(timezone)
        hours, minutes = (int(part) for part in day_end.split(":"))
        if not (0 <= minutes < 60 and (0 <= hours < 24 or (hours, minutes) == (24, 0))):
            raise ValueError(f"close of business must be HH:MM up to 24:00, got {day_end!r}")
        self.day_end = timedelta(hours=hours, minutes=minutes)  # after local midnight
        self.schedules: dict[int, HolidaySchedule] = dict(
            schedules if schedules is not None else load_schedules(holiday_files))
        self._warned_years: set[int] = set()
        self._package_years: dict[int, bool] = {}

    def coverage(self, year: int) -> YearCoverage:
        if year in self.schedules:
            s = self.schedules[year]
            return YearCoverage(year, CalendarSource.HOLIDAY_FILE, f"{s.source}; {s.path}")
        version = getattr(chinese_calendar, "__version__", "?")
        if self._knows(year):
            return YearCoverage(year, CalendarSource.PACKAGE, f"chinese-calendar {version}")
        return YearCoverage(year, CalendarSource.STATUTORY, f"chinese-calendar {version} has no data, no holiday file")

    def board_warnings(self, today: date) -> list[YearCoverage]:
        """For the duty board: this year and the next, where no schedule is known (empty when all is well)."""
        return [c for c in (self.coverage(today.year), self.coverage(today.year + 1)) if not c.complete]

    def _knows(self, year: int) -> bool:
        if year not in self._package_years:
            self._package_years[year] = _package_knows(year)
        return self._package_years[year]

    def is_working_day(self, day: date) -> bool:
        # A day a notice lists explicitly wins, even of the neighbouring year (2012's notice made
        # Sat 2011-12-31 a working day).
        for year in (day.year, day.year + 1, day.year - 1):
            schedule = self.schedules.get(year)
            said = schedule.says(day) if schedule is not None else None
            if said is not None:
                return said
        if day.year in self.schedules:
            return day.weekday() < 5
        if self._knows(day.year):
            return bool(chinese_calendar.is_workday(day))
        if day.year not in self._warned_years:
            self._warned_years.add(day.year)
            log.warning("%s", self.coverage(day.year).message())
        return day.weekday() < 5 and day not in statutory_holidays(day.year)

    def local_date(self, at: datetime) -> date:
        return at.astimezone(self.tz).date()

    def nth_working_day_after(self, day: date, n: int) -> date:
        """The n-th working day strictly after ``day`` (the day itself does not count)."""
        if n < 1:
            raise ValueError(f"working day count must be at least 1, got {n}")
        d = day
        while n:
            d += timedelta(days=1)
            if self.is_working_day(d):
                n -= 1
        return d

    def end_of_day(self, day: date) -> datetime:
        """Close of business of ``day`` in the calendar's zone (``day_end``, 24:00 by default), in UTC."""
        extra_days, rest = divmod(self.day_end, timedelta(days=1))
        local = time(rest.seconds // 3600, rest.seconds // 60 % 60)  # wall time: no DST arithmetic
        return datetime.combine(day + timedelta(days=extra_days), local, tzinfo=self.tz).astimezone(UTC)

    def format_local(self, at: datetime) -> str:
        """``at`` as local wall time; a 24:00 close of business reads as 24:00 of its own day."""
        local = at.astimezone(self.tz)
        if self.day_end == timedelta(days=1) and local.time() == time(0):
            return f"{(local.date() - timedelta(days=1)).isoformat()} 24:00"
        return local.strftime("%Y-%m-%d %H:%M")

    def report_due(self, resolved_at: datetime, working_days: int) -> datetime:
        """Report deadline: the end of the ``working_days``-th working day after the resolution date."""
        return self.end_of_day(self.nth_working_day_after(self.local_date(resolved_at), working_days))
