from datetime import date

from frontoffice.working_days import add_working_days, is_working_day, working_days_between


def test_christmas_and_boxing_day_are_not_working_days():
    assert not is_working_day(date(2026, 12, 25))
    assert not is_working_day(date(2026, 12, 28))  # Boxing Day falls on a Saturday: substitute
    assert is_working_day(date(2026, 12, 29))


def test_adding_working_days_skips_weekends_and_bank_holidays():
    # Thursday 24 December 2026 + 3 working days: 25, 26-27, 28 are off -> 29, 30, 31.
    assert add_working_days(date(2026, 12, 24), 3) == date(2026, 12, 31)
    # Friday + 1 working day is Monday.
    assert add_working_days(date(2026, 11, 27), 1) == date(2026, 11, 30)
    assert add_working_days(date(2026, 11, 27), 0) == date(2026, 11, 27)


def test_easter_monday_and_early_may_bank_holiday():
    assert not is_working_day(date(2027, 3, 29))  # Easter Monday 2027
    assert not is_working_day(date(2027, 5, 3))  # Early May bank holiday


def test_working_days_between_counts_the_same_days_add_skips():
    start = date(2026, 12, 24)
    assert working_days_between(start, add_working_days(start, 7)) == 7
    assert working_days_between(add_working_days(start, 7), start) == -7
