"""Working days beyond the chinese-calendar package (issue 16): holiday files (the State Council's
yearly schedule) take precedence; a year without data counts the statutory holidays of
全国年节及纪念日放假办法 and warns once that its adjusted working days (调休) are unknown."""
from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest

from agent.settings import Settings
from agent.sla import SlaEngine
from agent.sla.calendar import CalendarSource, WorkingDayCalendar
from agent.sla.clocks import compute_clocks
from agent.sla.errors import HolidayFileError
from agent.sla.model import ClockKind, SlaEvent, SlaEventKind, SlaRules
from agent.sla.schedules import load_schedules, parse_schedule, statutory_holidays

SH = ZoneInfo("Asia/Shanghai")

# Test data in the shape of a State Council notice for 2027 (not the real notice: it was not
# published when this was written). Spring Festival Feb 5-13 off, Sat Feb 20 worked.
NOTICE_2027 = """\
year: 2027
source: test notice for 2027
holidays:
  - {name: 元旦, first: 2027-01-01, last: 2027-01-03}
  - {name: 春节, first: 2027-02-05, last: 2027-02-13}
workdays: [2027-02-20]
"""


def sh(y, mo, d, h=0, mi=0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=SH)


@pytest.fixture
def notice_2027(tmp_path):
    path = tmp_path / "2027.yaml"
    path.write_text(NOTICE_2027, encoding="utf-8")
    return path


def test_the_package_really_stops_at_2026():
    # the premise of the issue; when a newer package knows 2027 the fallback tests below still hold
    # through WorkingDayCalendar(schedules={}), but this reminds that the data moved on
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2027, 1, 1))


def test_shipped_2026_file_agrees_with_the_package_on_every_day_of_2026():
    from_file = WorkingDayCalendar(schedules=load_schedules())
    assert from_file.coverage(2026).source is CalendarSource.HOLIDAY_FILE
    d, wrong = date(2026, 1, 1), []
    while d.year == 2026:
        if from_file.is_working_day(d) != chinese_calendar.is_workday(d):
            wrong.append(d)
        d += timedelta(days=1)
    assert wrong == []


@pytest.mark.parametrize("year", [2025, 2026])
def test_every_statutory_day_off_is_off_in_the_real_schedules(year):
    # the law in force since 2025: every day it fixes (with article 6's make-up days) was a day off
    # in the State Council's actual schedule
    days = statutory_holidays(year)
    assert len([n for n in days.values() if not n.endswith("补假")]) == 13  # 1+4+1+2+1+1+3 days
    assert [d for d in days if chinese_calendar.is_workday(d)] == []


def test_statutory_2027_dates_from_the_lunar_calendar():
    days = statutory_holidays(2027)
    assert days[date(2027, 1, 1)] == "元旦"
    assert [d for d, n in days.items() if n == "春节"] == [date(2027, 2, d) for d in (5, 6, 7, 8)]  # 除夕..初三
    assert days[date(2027, 4, 5)] == "清明节"
    assert days[date(2027, 6, 9)] == "端午节" and days[date(2027, 9, 15)] == "中秋节"
    # Sat Feb 6 and Sun Feb 7 are made up on Tue 9 and Wed 10; Oct 2-3 (Sat, Sun) on Oct 4-5
    assert days[date(2027, 2, 9)] == days[date(2027, 2, 10)] == "春节补假"
    assert days[date(2027, 10, 4)] == days[date(2027, 10, 5)] == "国庆节补假"


def test_report_due_over_new_year_2027_without_data_warns_once_and_skips_new_years_day(caplog):
    caplog.set_level(logging.WARNING, logger="faultline.sla.calendar")
    cal = WorkingDayCalendar(schedules={})
    # resolved Wed Dec 30 2026: Thu Dec 31 (1), Fri Jan 1 2027 is New Year's Day, Mon Jan 4 (2)
    assert cal.report_due(sh(2026, 12, 30, 16), 2) == sh(2027, 1, 5).astimezone(UTC)
    assert cal.report_due(sh(2026, 12, 31, 9), 1) == sh(2027, 1, 5).astimezone(UTC)
    cal.report_due(sh(2027, 1, 4, 9), 2)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "2027" in warnings[0] and "调休" in warnings[0]
    assert [c.year for c in cal.board_warnings(date(2026, 12, 4))] == [2027]


def test_report_due_over_new_year_2027_with_a_holiday_file_needs_no_warning(notice_2027, caplog):
    caplog.set_level(logging.WARNING, logger="faultline.sla.calendar")
    cal = WorkingDayCalendar(holiday_files=[notice_2027])
    assert cal.report_due(sh(2026, 12, 30, 16), 2) == sh(2027, 1, 5).astimezone(UTC)
    assert cal.coverage(2027).source is CalendarSource.HOLIDAY_FILE
    assert cal.board_warnings(date(2026, 12, 4)) == []
    # the file's adjusted working Saturday counts; the law's guess (Feb 9-10 make-up only) is not used
    assert cal.is_working_day(date(2027, 2, 20)) and not cal.is_working_day(date(2027, 2, 11))
    assert cal.report_due(sh(2027, 2, 4, 10), 1) == sh(2027, 2, 16).astimezone(UTC)  # Feb 5-13 off, Sun 14, Mon 15
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_without_the_file_the_same_spring_festival_deadline_follows_the_law():
    cal = WorkingDayCalendar(schedules={})
    # Feb 5-8 by law, Tue 9 and Wed 10 made up for the weekend: Thu Feb 11 is the first working day
    assert cal.report_due(sh(2027, 2, 4, 10), 1) == sh(2027, 2, 12).astimezone(UTC)


def test_a_holiday_file_takes_precedence_over_the_package(tmp_path):
    # a corrected notice for a year the package knows: the file wins
    path = tmp_path / "2026.yaml"
    path.write_text("year: 2026\nsource: corrected\nholidays:\n  - {name: 补假, first: 2026-03-02}\n", encoding="utf-8")
    cal = WorkingDayCalendar(holiday_files=[path])
    assert chinese_calendar.is_workday(date(2026, 3, 2))
    assert not cal.is_working_day(date(2026, 3, 2))
    assert cal.is_working_day(date(2026, 2, 14)) is False  # no longer the package's make-up Saturday


def test_a_notice_may_list_a_day_of_the_year_before(tmp_path):
    path = tmp_path / "2027.yaml"
    path.write_text(NOTICE_2027.replace("workdays: [2027-02-20]", "workdays: [2027-02-20, 2026-12-27]"), encoding="utf-8")
    cal = WorkingDayCalendar(holiday_files=[path])
    assert cal.is_working_day(date(2026, 12, 27))  # a Sunday made a working day by the 2027 notice


@pytest.mark.parametrize("text, problem", [
    ("year: 2027\nholidays:\n  - {name: x, first: 2027-02-30}\n", "not a date"),
    ("holidays: []\n", "year"),
    ("year: 2027\nholidays:\n  - {name: x, first: 2027-01-01}\nworkdays: [2027-01-01]\n", "both"),
    ("year: 2027\nholidays:\n  - {name: x, first: 2027-02-10, last: 2027-02-01}\n", "at most 16 days"),
    ("year: 2027\nworkdays: [2029-05-01]\n", "outside the year"),
    ("year: [\n", "not YAML"),
])
def test_a_wrong_holiday_file_is_refused_loudly(text, problem):
    with pytest.raises(HolidayFileError, match=problem):
        parse_schedule(text, "bad.yaml")


def test_a_missing_configured_file_is_refused(tmp_path):
    with pytest.raises(HolidayFileError, match="nope.yaml"):
        WorkingDayCalendar(holiday_files=[tmp_path / "nope.yaml"])


def test_the_setting_reaches_the_engines_report_clock(notice_2027):
    # FAULTLINE_SLA__HOLIDAY_FILES -> SlaSettings.holiday_files -> the engine's calendar -> the report clock
    settings = Settings(sla={"holiday_files": [str(notice_2027)]})
    engine = SlaEngine(settings, clock=None)
    t0 = sh(2027, 2, 4, 9).astimezone(UTC)
    events = [SlaEvent(SlaEventKind.CREATED, t0), SlaEvent(SlaEventKind.SIGNED, t0 + timedelta(minutes=3)),
              SlaEvent(SlaEventKind.RESOLVED, t0 + timedelta(hours=1))]
    tc = compute_clocks(events, SlaRules.from_settings(settings.sla), engine.calendar, t0 + timedelta(hours=2))
    report = tc.clock(ClockKind.REPORT)
    assert report.due_at == sh(2027, 2, 17).astimezone(UTC)  # 2 working days: Mon Feb 15, end of Tue Feb 16
