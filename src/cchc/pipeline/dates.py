"""Business dates and the nightly schedule.

The nightly run starts at 01:30 local time and processes the previous day. Its timetable is a
cron trigger whose data interval is stretched back to the start of that day, so that
`data_interval_start` is midnight (local) of the business date and the business date is simply
its local date. A plain cron in Airflow 3 would give `data_interval_start == data_interval_end`.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from cchc.settings import LOCAL_TZ

NIGHTLY_CRON = "30 1 * * *"
NIGHTLY_AT = time(1, 30)
# From midnight of the business date to 01:30 the next day.
NIGHTLY_INTERVAL = timedelta(days=1, hours=1, minutes=30)

LOCAL = ZoneInfo(LOCAL_TZ)


def business_date_of(data_interval_start: datetime) -> date:
    """The business date a run processes: the local date its data interval starts on."""
    return data_interval_start.astimezone(LOCAL).date()


def run_after_for(business_date: date) -> datetime:
    """When the scheduler runs the nightly DAG for `business_date` (01:30 local the next day)."""
    return datetime.combine(business_date + timedelta(days=1), NIGHTLY_AT, tzinfo=LOCAL)


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as err:
        raise ValueError(f"not a date (YYYY-MM-DD): {text!r}") from err


def date_range(first: date, last: date) -> list[date]:
    if last < first:
        raise ValueError(f"--to {last} is before --date {first}")
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]
