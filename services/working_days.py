"""Working days (工作日) as offices count them: the State Council's holiday schedule,
including the weekend days worked in exchange (调休), from the chinesecalendar package.

The schedule of a year is published late in the year before; for a year the package does
not know yet, Monday to Friday are the working days. Deadlines such as "rectify a 差评
within 5 working days" are counted here, never by adding calendar days.
"""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar


def is_working_day(day: date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # a year whose schedule is not published in the package
        return day.weekday() < 5


def add_working_days(start: date, days: int) -> date:
    """The day `days` working days after `start` (start itself not counted): 5 working days
    from a Friday before an ordinary week is the next Friday."""
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    while days:
        day += timedelta(days=1)
        if is_working_day(day):
            days -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += is_working_day(day)
    return count
