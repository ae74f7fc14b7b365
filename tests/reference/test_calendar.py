"""Working-day calendar: holidays, moved days off, and the index arithmetic (scalar = vectorised)."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from cchc.reference import calendar as cal


def test_range_and_weekends():
    assert cal.calendar_range() == (date(2020, 1, 1), date(2030, 12, 31))
    assert not cal.is_working_day(date(2025, 11, 22))  # Saturday
    assert cal.is_working_day(date(2025, 11, 21))


def test_holidays_and_moved_days_off():
    assert not cal.is_working_day(date(2025, 9, 2))
    assert cal.holiday_name(date(2025, 9, 2)) == "Quốc khánh"
    assert not cal.is_working_day(date(2025, 5, 2))  # day off moved from Saturday 26 April
    assert cal.is_working_day(date(2025, 4, 26))  # ... which was worked
    assert not cal.is_working_day(date(2026, 4, 27))  # Hùng Kings' day on a Sunday, observed Monday
    assert not cal.is_working_day(date(2025, 1, 29))  # Tết
    assert cal.holiday_name(date(2025, 9, 3)) is None


def test_index_arithmetic():
    assert cal.working_days_between(date(2025, 8, 29), date(2025, 9, 3)) == 1
    assert cal.working_days_between(date(2025, 9, 3), date(2025, 8, 29)) == -1
    assert cal.working_days_between(date(2025, 11, 17), date(2025, 11, 17)) == 0
    assert cal.add_working_days(date(2025, 8, 29), 1) == date(2025, 9, 3)
    assert cal.add_working_days(date(2025, 11, 21), 3) == date(2025, 11, 26)  # Fri + 3 → Wed
    assert cal.add_working_days(date(2025, 11, 22), 1) == date(2025, 11, 24)  # from a Saturday
    assert cal.add_working_days(date(2025, 9, 3), -1) == date(2025, 8, 29)
    assert cal.add_working_days(date(2025, 9, 2), -1) == date(2025, 8, 29)  # from a holiday
    assert cal.add_working_days(date(2025, 9, 2), 0) == date(2025, 9, 2)
    assert cal.next_working_day(date(2025, 9, 1)) == date(2025, 9, 3)
    with pytest.raises(cal.OutsideCalendar, match="2031-01-05"):
        cal.is_working_day(date(2031, 1, 5))


def test_add_then_count_round_trips():
    day = date(2024, 12, 20)
    for n in range(1, 40):
        due = cal.add_working_days(day, n)
        assert cal.working_days_between(day, due) == n
        assert cal.is_working_day(due)


def test_vectorised_agrees_with_scalar():
    rng = np.random.default_rng(7)
    days = np.datetime64("2021-01-01") + rng.integers(0, 3000, 2000).astype("timedelta64[D]")
    ns = rng.integers(-30, 30, 2000)
    got = cal.add_working_days_array(days, ns)
    for d, n, g in zip(days.tolist(), ns.tolist(), got.tolist(), strict=True):
        assert g == cal.add_working_days(d, n)
    other = days + rng.integers(0, 60, 2000).astype("timedelta64[D]")
    between = cal.working_days_between_array(days, other)
    assert between.tolist() == [
        cal.working_days_between(a, b) for a, b in zip(days.tolist(), other.tolist(), strict=True)
    ]
    assert cal.is_working_day_array(days).tolist() == [cal.is_working_day(d) for d in days.tolist()]
    with pytest.raises(cal.OutsideCalendar):
        cal.working_day_index_array(np.array([date(2019, 12, 31)], dtype="datetime64[D]"))


def test_every_year_has_its_fixed_holidays():
    for year in range(2020, 2031):
        for day in (date(year, 1, 1), date(year, 4, 30), date(year, 5, 1), date(year, 9, 2)):
            assert not cal.is_working_day(day), day
        working = sum(cal.is_working_day(date(year, 1, 1) + timedelta(days=i)) for i in range(365))
        assert 240 <= working <= 252, (year, working)
