"""Working days (工作日) of the Chinese calendar, for report deadlines (rule 10).

Statutory holidays and the adjusted working weekends (调休) come from the ``chinese-calendar`` package.
A year the installed package has no data for is logged as an error (once per year) and counted
Monday to Friday, so an outdated package degrades the deadline instead of crashing the sweep.
"""
from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

log = logging.getLogger(__name__)


class WorkingDayCalendar:
    """Working days in ``timezone`` (Asia/Shanghai by default)."""

    def __init__(self, timezone: str = "Asia/Shanghai") -> None:
        self.tz = ZoneInfo(timezone)
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
        """End of ``day`` in the calendar's zone (24:00 local, i.e. the next local midnight), in UTC."""
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=self.tz).astimezone(UTC)

    def report_due(self, resolved_at: datetime, working_days: int) -> datetime:
        """Report deadline: the end of the ``working_days``-th working day after the resolution date."""
        return self.end_of_day(self.nth_working_day_after(self.local_date(resolved_at), working_days))
