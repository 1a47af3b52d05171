"""Working days follow the published holiday schedule, with Monday–Friday beyond it."""

from datetime import date

from services.working_days import add_working_days, is_working_day, working_days_between


def test_national_day_week_is_not_worked_and_its_exchange_saturday_is():
    assert not is_working_day(date(2026, 10, 1))  # 国庆节
    assert not is_working_day(date(2026, 10, 7))
    assert is_working_day(date(2026, 10, 10))  # Saturday worked in exchange (调休)


def test_five_working_days_from_an_ordinary_friday_is_the_next_friday():
    assert add_working_days(date(2026, 11, 20), 5) == date(2026, 11, 27)


def test_five_working_days_across_mid_autumn_and_national_day():
    # from Fri 25 Sep (中秋节): Mon 28, Tue 29, Wed 30 Sep; 1–7 Oct off; Thu 8, Fri 9 Oct
    assert add_working_days(date(2026, 9, 25), 5) == date(2026, 10, 9)


def test_a_year_without_a_published_schedule_counts_monday_to_friday():
    assert is_working_day(date(2027, 3, 1))  # a Monday
    assert not is_working_day(date(2027, 3, 6))  # a Saturday
    assert add_working_days(date(2027, 3, 5), 5) == date(2027, 3, 12)


def test_working_days_between_counts_the_end_not_the_start():
    assert working_days_between(date(2026, 11, 20), date(2026, 11, 27)) == 5
    assert working_days_between(date(2026, 11, 27), date(2026, 11, 20)) == 0
