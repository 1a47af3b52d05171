"""Working days (工作日) as offices count them: the State Council's holiday schedule,
including the weekend days worked in exchange (调休), from the chinesecalendar package,
and over it the office's own changes (models.cases.CalendarDay: a local holiday, a
weekend day worked), which callers with a session pass in as `overrides`
(services/case_settings.calendar_overrides).

The schedule of a year is published late in the year before; for a year the package does
not know yet, Monday to Friday are the working days. Deadlines such as "rectify a 差评
within 5 working days" are counted here, never by adding calendar days.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

import chinese_calendar

# a day the office made a holiday (False) or a working day (True)
Overrides = Mapping[date, bool]


def is_working_day(day: date, overrides: Overrides | None = None) -> bool:
    if overrides and day in overrides:
        return overrides[day]
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # a year whose schedule is not published in the package
        return day.weekday() < 5


def add_working_days(start: date, days: int, overrides: Overrides | None = None) -> date:
    """The day `days` working days after `start` (start itself not counted): 5 working days
    from a Friday before an ordinary week is the next Friday."""
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    while days:
        day += timedelta(days=1)
        if is_working_day(day, overrides):
            days -= 1
    return day


def working_days_between(start: date, end: date, overrides: Overrides | None = None) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += is_working_day(day, overrides)
    return count
