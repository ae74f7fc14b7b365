"""Working-day arithmetic on integer day numbers (days since 1970-01-01), vectorised.

A thin adapter over `cchc.reference.calendar` (the seed dbt's dim_date is built from), so the
generator counts working days exactly like the warehouse.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from cchc.reference import calendar as ref

EPOCH = date(1970, 1, 1)


def day_number(d: date) -> int:
    return (d - EPOCH).days


def day_date(n: int) -> date:
    return EPOCH + timedelta(days=int(n))


def _d64(days) -> np.ndarray:
    return np.asarray(days, dtype=np.int64).astype("datetime64[D]")


def add(days, n) -> np.ndarray:
    """The n-th working day after (n > 0) or before (n < 0) each day."""
    return ref.add_working_days_array(_d64(days), np.asarray(n, dtype=np.int64)).astype(np.int64)


def between(a, b) -> np.ndarray:
    """Working days after a, up to and including b."""
    return ref.working_days_between_array(_d64(a), _d64(b)).astype(np.int64)


def is_working(days) -> np.ndarray:
    return ref.is_working_day_array(_d64(days))
