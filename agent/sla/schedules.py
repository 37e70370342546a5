"""Where the working days of a year come from when the ``chinese-calendar`` package has no data for it.

Two sources, both data rather than code:

- **Holiday files** (``HolidaySchedule``): the State Council's yearly notice (国务院办公厅关于 N 年部分
  节假日安排的通知) as YAML — the holidays (放假) and the adjusted working days (调休上班) it lists.
  The files shipped under ``agent/sla/holidays/`` and any named in ``SlaSettings.holiday_files``
  are loaded; a file for a year takes precedence over the package for that year. The notice is
  published each November, so a file for the next year can be dropped in before the package is updated.
- **The statutory holidays** (``statutory_holidays``): 《全国年节及纪念日放假办法》 (as amended in 2024,
  in force from 2025) fixes the holidays of every year: New Year's Day 1 day, Spring Festival 4 days
  (除夕 to 正月初三), Qingming 1, Labour Day 2 (May 1-2), Dragon Boat 1 (五月初五), Mid-Autumn 1 (八月十五),
  National Day 3 (Oct 1-3); a holiday falling on a Saturday or Sunday is made up on a working day
  (article 6: 适逢周六、周日，应当在工作日补假), taken here as the next weekday that is not itself a holiday.
  The lunar dates and the Qingming solar term are computed with ``lunar-python``. What the law does
  not fix is the year's adjusted working weekends (调休): without the notice those stay unknown, and
  the calendar says so (``WorkingDayCalendar.coverage``).

File format (one year per file; dates as YAML dates)::

    year: 2027
    source: 国务院办公厅关于2027年部分节假日安排的通知
    holidays:
      - {name: 元旦, first: 2027-01-01, last: 2027-01-03}
    workdays: [2027-02-20]      # adjusted working days (may fall in the year before: 2011-12-31)
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import yaml

from agent.sla.errors import HolidayFileError

BUILTIN_DIR = Path(__file__).with_name("holidays")


@dataclass(frozen=True)
class HolidaySchedule:
    """One year's State Council schedule: every day off by name, every adjusted working day."""

    year: int
    source: str
    holidays: dict[date, str] = field(default_factory=dict)
    workdays: frozenset[date] = frozenset()
    path: str = ""

    def says(self, day: date) -> bool | None:
        """Working day per this schedule: True/False for a listed day, None when it lists nothing."""
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return None


def _day(value: object, where: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise HolidayFileError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from exc


def parse_schedule(text: str, where: str) -> HolidaySchedule:
    """Parse one holiday file; anything ambiguous is refused with the file and entry named."""
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise HolidayFileError(f"{where}: not YAML: {exc}") from exc
    except ValueError as exc:  # a date-shaped scalar that is no date (2027-02-30)
        raise HolidayFileError(f"{where}: not a date: {exc}") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("year"), int):
        raise HolidayFileError(f"{where}: a holiday file needs 'year: YYYY' at the top")
    year = doc["year"]
    holidays: dict[date, str] = {}
    for i, entry in enumerate(doc.get("holidays") or []):
        spot = f"{where}: holidays[{i}]"
        if not isinstance(entry, dict) or not entry.get("name") or "first" not in entry:
            raise HolidayFileError(f"{spot}: needs name and first (and last for more than one day)")
        first = _day(entry["first"], spot)
        last = _day(entry.get("last", first), spot)
        if last < first or (last - first).days > 15:
            raise HolidayFileError(f"{spot}: {first} .. {last} is not a holiday of at most 16 days")
        d = first
        while d <= last:
            if d in holidays:
                raise HolidayFileError(f"{spot}: {d} is already the holiday {holidays[d]}")
            holidays[d] = str(entry["name"])
            d += timedelta(days=1)
    workdays = frozenset(_day(v, f"{where}: workdays") for v in doc.get("workdays") or [])
    clash = sorted(workdays & holidays.keys())
    if clash:
        raise HolidayFileError(f"{where}: listed both as holiday and as working day: {clash}")
    # A notice covers its own year; New Year's adjustments may reach a few days into the neighbours.
    stray = sorted(d for d in (*holidays, *workdays) if abs(d.year - year) > 1
                   or (d.year != year and not (date(year - 1, 12, 1) <= d <= date(year + 1, 1, 31))))
    if stray:
        raise HolidayFileError(f"{where}: dates outside the year {year}: {stray}")
    return HolidaySchedule(year, str(doc.get("source") or where), holidays, workdays, where)


def load_schedules(extra_files: Iterable[str | Path] = ()) -> dict[int, HolidaySchedule]:
    """The shipped schedules, then the configured files (a configured file replaces a shipped year)."""
    out: dict[int, HolidaySchedule] = {}
    paths = [*sorted(BUILTIN_DIR.glob("*.yaml")), *(Path(p) for p in extra_files)]
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise HolidayFileError(f"holiday file {path}: {exc.strerror or exc}") from exc
        schedule = parse_schedule(text, str(path))
        out[schedule.year] = schedule
    return out


def _make_up(days: dict[date, str]) -> dict[date, str]:
    """Article 6: each holiday on a Saturday or Sunday is made up on the next weekday not already off."""
    out = dict(days)
    for d in sorted(days):
        if d.weekday() >= 5:
            m = d + timedelta(days=1)
            while m.weekday() >= 5 or m in out:
                m += timedelta(days=1)
            out[m] = f"{days[d]}补假"
    return out


@lru_cache(maxsize=64)
def statutory_holidays(year: int) -> dict[date, str]:
    """The days off the law fixes for ``year`` (with article 6's make-up days), without the 调休."""
    from lunar_python import (
        Lunar,  # the lunar calendar and solar terms (see module docstring)
    )

    new_year = Lunar.fromYmd(year, 1, 1).getSolar()
    first = date(new_year.getYear(), new_year.getMonth(), new_year.getDay())
    days: dict[date, str] = {date(year, 1, 1): "元旦"}
    for k in range(-1, 3):  # 除夕 (the eve, whether 腊月廿九 or 三十) to 正月初三
        days[first + timedelta(days=k)] = "春节"
    qingming = Lunar.fromYmd(year, 3, 1).getJieQiTable()["清明"]
    days[date(qingming.getYear(), qingming.getMonth(), qingming.getDay())] = "清明节"
    days[date(year, 5, 1)] = days[date(year, 5, 2)] = "劳动节"
    for month, day, name in ((5, 5, "端午节"), (8, 15, "中秋节")):
        s = Lunar.fromYmd(year, month, day).getSolar()
        days[date(s.getYear(), s.getMonth(), s.getDay())] = name
    for d in (1, 2, 3):
        # Mid-Autumn can fall on Oct 1-3 (2020, 2031): the law then gives no extra day
        day_ = date(year, 10, d)
        days[day_] = f"{days[day_]}/国庆节" if day_ in days else "国庆节"
    return _make_up(days)
