"""Rule 10 working days: 2026 National Day and Spring Festival, 调休 make-up days, unknown years."""
from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from agent.sla.calendar import WorkingDayCalendar

SH = ZoneInfo("Asia/Shanghai")


def sh(y, mo, d, h=0, mi=0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=SH)


@pytest.fixture
def cal() -> WorkingDayCalendar:
    return WorkingDayCalendar("Asia/Shanghai")


def test_2026_holiday_data_is_what_the_tests_assume(cal):
    # chinese-calendar 1.11 data for 2026: National Day Oct 1-7 off, make-up working Sun Sep 20 and
    # Sat Oct 10; Spring Festival Feb 15-23 off, make-up working Sat Feb 14 and Sat Feb 28.
    assert all(not cal.is_working_day(date(2026, 10, d)) for d in range(1, 8))
    assert cal.is_working_day(date(2026, 9, 20)) and date(2026, 9, 20).weekday() == 6
    assert cal.is_working_day(date(2026, 10, 10)) and date(2026, 10, 10).weekday() == 5
    assert all(not cal.is_working_day(date(2026, 2, d)) for d in range(15, 24))
    assert cal.is_working_day(date(2026, 2, 14)) and cal.is_working_day(date(2026, 2, 28))
    assert not cal.is_working_day(date(2026, 10, 11))  # an ordinary Sunday


def test_rule10_report_due_across_national_day_2026(cal):
    # resolved Wed Sep 30 afternoon: Oct 1-7 are holidays -> working days Oct 8 (1), Oct 9 (2)
    resolved = sh(2026, 9, 30, 15)
    assert cal.report_due(resolved, 2) == sh(2026, 10, 10).astimezone(UTC)  # end of Fri Oct 9
    assert cal.report_due(resolved, 1) == sh(2026, 10, 9).astimezone(UTC)  # end of Thu Oct 8


def test_rule10_report_due_counts_the_make_up_working_saturday(cal):
    # resolved Fri Oct 9: Sat Oct 10 is a make-up working day (调休), Sun Oct 11 is not
    resolved = sh(2026, 10, 9, 11)
    assert cal.report_due(resolved, 1) == sh(2026, 10, 11).astimezone(UTC)  # end of Sat Oct 10
    assert cal.report_due(resolved, 2) == sh(2026, 10, 13).astimezone(UTC)  # end of Mon Oct 12


def test_rule10_report_due_counts_the_make_up_working_sunday_before_national_day(cal):
    resolved = sh(2026, 9, 19, 9)  # Saturday
    assert cal.report_due(resolved, 1) == sh(2026, 9, 21).astimezone(UTC)  # end of Sun Sep 20


def test_rule10_report_due_across_spring_festival_2026(cal):
    # resolved Fri Feb 13: Sat Feb 14 works (调休), Feb 15-23 off, Tue Feb 24 works
    resolved = sh(2026, 2, 13, 20)
    assert cal.report_due(resolved, 1) == sh(2026, 2, 15).astimezone(UTC)  # end of Sat Feb 14
    assert cal.report_due(resolved, 2) == sh(2026, 2, 25).astimezone(UTC)  # end of Tue Feb 24


def test_resolution_date_is_taken_in_shanghai_not_utc(cal):
    # 2026-02-13 17:30 UTC is already Sat Feb 14 01:30 in Shanghai: day 1 is then Tue Feb 24
    resolved = datetime(2026, 2, 13, 17, 30, tzinfo=UTC)
    assert cal.report_due(resolved, 1) == sh(2026, 2, 25).astimezone(UTC)


def test_unknown_year_logs_a_warning_once_and_counts_the_statutory_holidays(cal, caplog):
    caplog.set_level(logging.WARNING, logger="faultline.sla.calendar")
    fri = date(2031, 1, 3)
    assert fri.weekday() == 4
    assert cal.nth_working_day_after(fri, 1) == date(2031, 1, 6)  # Monday, weekend skipped
    assert cal.nth_working_day_after(fri, 2) == date(2031, 1, 7)
    assert not cal.is_working_day(date(2031, 1, 1))  # New Year's Day by law, whatever the package knows
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "2031" in warnings[0].getMessage()
    assert "调休" in warnings[0].getMessage()


def test_report_due_spanning_into_an_unknown_year_does_not_crash(cal):
    # Thu Dec 31 2026 (known) -> Jan 2027 (unknown to the package): Fri Jan 1 is New Year's Day by law
    due = cal.report_due(sh(2026, 12, 31, 10), 2)
    assert due == sh(2027, 1, 6).astimezone(UTC)  # Mon Jan 4 (1), Tue Jan 5 (2) -> end of Jan 5


def test_zero_working_days_is_refused(cal):
    with pytest.raises(ValueError, match="at least 1"):
        cal.nth_working_day_after(date(2026, 3, 2), 0)


def test_rule10_close_of_business_from_settings_moves_the_deadline_to_that_local_time():
    # resolved Fri Oct 9 2026; day 1 is the make-up Saturday Oct 10 (调休); close of business 18:00
    cob = WorkingDayCalendar("Asia/Shanghai", day_end="18:00")
    assert cob.report_due(sh(2026, 10, 9, 11), 1) == sh(2026, 10, 10, 18).astimezone(UTC)
    assert cob.report_due(sh(2026, 9, 30, 15), 2) == sh(2026, 10, 9, 18).astimezone(UTC)  # across National Day
    assert cob.format_local(cob.report_due(sh(2026, 10, 9, 11), 1)) == "2026-10-10 18:00"


def test_default_close_of_business_is_the_end_of_the_day_and_reads_as_24_00(cal):
    due = cal.report_due(sh(2026, 10, 9, 11), 1)
    assert due == sh(2026, 10, 11).astimezone(UTC)  # unchanged default: 24:00 of Sat Oct 10
    assert cal.format_local(due) == "2026-10-10 24:00"


@pytest.mark.parametrize("bad", ["25:00", "24:30", "18:60"])
def test_a_close_of_business_past_24_00_is_refused(bad):
    with pytest.raises(ValueError, match="close of business"):
        WorkingDayCalendar("Asia/Shanghai", day_end=bad)
