"""Working days (工作日) of the Chinese calendar, for report deadlines (rule 10).

Statutory holidays and the adjusted working weekends (调休) come from the ``chinese-calendar`` package.
A year the installed package has no data for is logged as an error (once per year) and counted
Monday to Friday, so an outdated package degrades the deadline instead of crashing the sweep.

A deadline "within N working days" falls at the close of business of the N-th working day after the
resolution day. The source (rule 10: 2个工作日内提交故障报告) names no hour, so the default close of
business is the end of the day (24:00 local); ``SlaSettings.report_day_end`` sets another (e.g. 18:00).
"""
from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

log = logging.getLogger("faultline.sla.calendar")


class WorkingDayCalendar:
    """Working days in ``timezone`` (Asia/Shanghai by default)."""

    def __init__(self, timezone: str = "Asia/Shanghai", day_end: str = "24:00") -> None:
        self.tz = ZoneInfo(timezone)
        hours, minutes = (int(part) for part in day_end.split(":"))
        if not (0 <= minutes < 60 and (0 <= hours < 24 or (hours, minutes) == (24, 0))):
            raise ValueError(f"close of business must be HH:MM up to 24:00, got {day_end!r}")
        self.day_end = timedelta(hours=hours, minutes=minutes)  # after local midnight
        self._warned_years: set[int] = set()

    def is_working_day(self, day: date) -> bool:
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError as exc:
            if day.year not in self._warned_years:
                self._warned_years.add(day.year)
                log.error(
                    "chinese-calendar has no holiday data for %s (%s); counting Monday-Friday as working "
                    "days for that year: upgrade the chinesecalendar package",
                    day.year, exc,
                )
            return day.weekday() < 5

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
