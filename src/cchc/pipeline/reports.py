"""The monthly statutory reports, after the marts are fresh: the last complete month's Biểu 06 per
province and per unit into the outbox (`cchc.reports.outbox`). A month is complete once the marts
were built as of its last day; every night after that rewrites only reports whose figures changed
(a late or corrected export), so running it every night is both idempotent and how corrections
reach the outbox."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from cchc.reports.outbox import write_month
from cchc.settings import get_settings
from cchc.warehouse.connection import connect

log = logging.getLogger(__name__)


def last_complete_month(as_of: date) -> date:
    """The first day of the latest month whose last day is on or before `as_of`."""
    if (as_of + timedelta(days=1)).day == 1:
        return as_of.replace(day=1)
    return (as_of.replace(day=1) - timedelta(days=1)).replace(day=1)


def write_outbox() -> dict:
    with connect(autocommit=True) as conn:
        row = conn.execute("select max(as_of_date) from audit.monthly_builds").fetchone()
        if row is None or row[0] is None:
            log.info("no marts built yet: no report to write")
            return {"month": None, "written": 0, "unchanged": 0}
        month = last_complete_month(row[0])
        result = write_month(conn, month, get_settings().outbox_dir)
    return {"month": month.isoformat(), **result}
