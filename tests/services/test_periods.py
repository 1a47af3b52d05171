"""Reporting periods and the period before them."""

from datetime import date

import pytest

from services.errors import BoardError
from services.periods import PeriodKind, period_containing, previous, trend_window

TODAY = date(2026, 11, 24)


@pytest.mark.parametrize(
    ("kind", "start", "end", "prev_start"),
    [
        ("month", date(2026, 11, 1), date(2026, 12, 1), date(2026, 10, 1)),
        ("quarter", date(2026, 10, 1), date(2027, 1, 1), date(2026, 7, 1)),
        ("year", date(2026, 1, 1), date(2027, 1, 1), date(2025, 1, 1)),
    ],
)
def test_calendar_periods(kind, start, end, prev_start):
    period = period_containing(PeriodKind(kind), TODAY)
    assert (period.start, period.end) == (start, end)
    before = previous(period)
    assert (before.start, before.end) == (prev_start, start)


def test_january_month_goes_back_a_year():
    period = period_containing(PeriodKind.month, date(2026, 1, 15))
    assert previous(period).start == date(2025, 12, 1)


def test_custom_range_is_inclusive_and_previous_has_same_length():
    period = period_containing(PeriodKind.custom, TODAY, date(2026, 11, 1), date(2026, 11, 10))
    assert period.days == 10 and period.end == date(2026, 11, 11)
    before = previous(period)
    assert before.days == 10 and before.end == period.start
    assert period.label() == "2026-11-01 – 2026-11-10"


@pytest.mark.parametrize(
    ("start", "end", "key"),
    [
        (None, date(2026, 1, 1), "dashboard.period_incomplete"),
        (date(2026, 2, 1), date(2026, 1, 1), "dashboard.period_reversed"),
        (date(2010, 1, 1), date(2026, 1, 1), "dashboard.period_too_long"),
    ],
)
def test_bad_custom_ranges_are_refused(start, end, key):
    with pytest.raises(BoardError) as err:
        period_containing(PeriodKind.custom, TODAY, start, end)
    assert err.value.key == key


def test_trend_window_covers_twelve_months_to_the_period_end():
    window = trend_window(period_containing(PeriodKind.month, TODAY))
    assert (window.start, window.end) == (date(2025, 12, 1), date(2026, 12, 1))
