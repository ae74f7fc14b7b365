"""The Vietnamese working-day calendar from the `holidays` package.

A working day is Monday–Friday and not a public holiday. The package lists the days off moved by
government decision (*ngày nghỉ bù / hoán đổi*, "Ngày nghỉ (thay cho ngày …)") as holidays; the
weekend day the public sector works in exchange (*làm bù*, e.g. Saturday 2025-04-26 for Friday
2025-05-02) is a working day here, as it is for the offices whose deadlines we count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import holidays
from holidays.countries.vietnam import VietnamStaticHolidays

CALENDAR_START = date(2020, 1, 1)
CALENDAR_END = date(2030, 12, 31)


@dataclass(frozen=True)
class CalendarDay:
    date_day: date
    is_working_day: bool
    holiday_name: str | None


def makeup_working_days(years: range) -> set[date]:
    """Weekend days worked in exchange for a moved day off (from the package's static table)."""
    out: set[date] = set()
    for year, entries in VietnamStaticHolidays.special_public_holidays.items():
        if year not in years:
            continue
        # one entry is (month, day, from_month, from_day[, from_year]); several come as a tuple
        for entry in entries if isinstance(entries[0], tuple) else (entries,):
            if len(entry) < 4:
                continue
            from_year = entry[4] if len(entry) > 4 else year
            worked = date(from_year, entry[2], entry[3])
            if worked.weekday() >= 5:
                out.add(worked)
    return out


def build_calendar(start: date = CALENDAR_START, end: date = CALENDAR_END) -> list[CalendarDay]:
    years = range(start.year, end.year + 1)
    vn = holidays.country_holidays("VN", years=list(years), language="vi")
    makeup = makeup_working_days(years)
    days: list[CalendarDay] = []
    day = start
    while day <= end:
        name = vn.get(day)
        working = day in makeup or (day.weekday() < 5 and name is None)
        days.append(CalendarDay(day, working, name))
        day += timedelta(days=1)
    return days
