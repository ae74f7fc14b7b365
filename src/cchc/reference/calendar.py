"""Vietnamese working days, read from `ref_vn_calendar.csv` (the same seed dbt's dim_date uses).

Everything rests on one array: the *working-day index* of a day = the number of working days
from the calendar's first day up to and including it (dim_date.working_day_index). Then
  working_days_between(a, b) = index(b) - index(a)   (working days after a, up to and including b)
and adding n working days is one lookup, scalar or vectorised over numpy arrays.
"""

from __future__ import annotations

import csv
from datetime import date, timedelta
from functools import cache

import numpy as np

from cchc.reference import paths


class OutsideCalendar(ValueError):
    """A date outside the seed's range (2020-01-01..2030-12-31)."""


class _Calendar:
    def __init__(self) -> None:
        with (paths.seed_dir() / paths.CALENDAR_CSV).open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        self.start = date.fromisoformat(rows[0]["date_day"])
        self.end = date.fromisoformat(rows[-1]["date_day"])
        if (self.end - self.start).days + 1 != len(rows):
            raise ValueError(f"{paths.CALENDAR_CSV} is not one row per day from {self.start} to {self.end}")
        self.start64 = np.datetime64(self.start, "D")
        self.working = np.array([r["is_working_day"] == "true" for r in rows], dtype=bool)
        self.index = np.cumsum(self.working, dtype=np.int32)
        # day offsets of the working days: the k-th working day (1-based) is at working_offsets[k-1]
        self.working_offsets = np.flatnonzero(self.working).astype(np.int32)
        self.holiday_names = {
            date.fromisoformat(r["date_day"]): r["holiday_name"] for r in rows if r["holiday_name"]
        }

    def offset(self, d: date) -> int:
        if not self.start <= d <= self.end:
            raise OutsideCalendar(f"{d.isoformat()} is outside the calendar {self.start}..{self.end}")
        return (d - self.start).days

    def offsets(self, days: np.ndarray) -> np.ndarray:
        off = (np.asarray(days, dtype="datetime64[D]") - self.start64).astype(np.int64)
        if off.size and (off.min() < 0 or off.max() >= len(self.working)):
            bad = np.asarray(days, dtype="datetime64[D]").ravel()[
                ((off < 0) | (off >= len(self.working))).ravel()
            ]
            raise OutsideCalendar(f"{bad[0]} is outside the calendar {self.start}..{self.end}")
        return off


@cache
def _cal() -> _Calendar:
    return _Calendar()


def calendar_range() -> tuple[date, date]:
    c = _cal()
    return c.start, c.end


def is_working_day(d: date) -> bool:
    c = _cal()
    return bool(c.working[c.offset(d)])


def holiday_name(d: date) -> str | None:
    """The public holiday (or moved day off) on that date, in Vietnamese; None otherwise."""
    _cal().offset(d)
    return _cal().holiday_names.get(d)


def working_day_index(d: date) -> int:
    """Working days from the calendar start up to and including d (dim_date.working_day_index)."""
    c = _cal()
    return int(c.index[c.offset(d)])


def working_days_between(a: date, b: date) -> int:
    """Working days after a, up to and including b (negative if b < a; 0 if a == b)."""
    return working_day_index(b) - working_day_index(a)


def add_working_days(d: date, n: int) -> date:
    """The n-th working day after d (n > 0), before d (n < 0), or d itself (n == 0).

    E.g. a 3-working-day procedure received on Friday is due on Wednesday.
    """
    if n == 0:
        return d
    c = _cal()
    off = c.offset(d)
    # k = 1-based rank of the target among all working days
    k = int(c.index[off]) + n if n > 0 else int(c.index[off]) - int(c.working[off]) + n + 1
    if not 1 <= k <= len(c.working_offsets):
        raise OutsideCalendar(f"{d.isoformat()} {n:+d} working days falls outside the calendar")
    return c.start + timedelta(days=int(c.working_offsets[k - 1]))


def next_working_day(d: date) -> date:
    """d itself if it is a working day, else the first working day after it."""
    return d if is_working_day(d) else add_working_days(d, 1)


# -- vectorised (numpy datetime64[D] arrays) ---------------------------------------------------


def is_working_day_array(days: np.ndarray) -> np.ndarray:
    c = _cal()
    return c.working[c.offsets(days)]


def working_day_index_array(days: np.ndarray) -> np.ndarray:
    c = _cal()
    return c.index[c.offsets(days)]


def working_days_between_array(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return working_day_index_array(b).astype(np.int64) - working_day_index_array(a)


def add_working_days_array(days: np.ndarray, n: np.ndarray | int) -> np.ndarray:
    """Element-wise add_working_days; returns datetime64[D]."""
    c = _cal()
    off = c.offsets(days)
    n = np.broadcast_to(np.asarray(n, dtype=np.int64), off.shape)
    idx = c.index[off].astype(np.int64)
    k = np.where(n > 0, idx + n, idx - c.working[off] + n + 1)
    k = np.where(n == 0, 1, k)  # placeholder for n == 0, replaced below
    if k.size and (k.min() < 1 or k.max() > len(c.working_offsets)):
        raise OutsideCalendar("adding working days falls outside the calendar")
    target = np.where(n == 0, off, c.working_offsets[k - 1])
    return c.start64 + target.astype("timedelta64[D]")


def reload() -> None:
    """Forget the cached calendar (after `build_seeds` rewrote it in this process)."""
    _cal.cache_clear()
