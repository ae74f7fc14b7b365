"""When a night's marts are due: 06:00 local the morning after its business date.

Airflow's built-in references do not fit this timetable. The nightly run's logical date is
midnight of the business date (its data interval is stretched back to the start of that day), so
"logical date + 4h30" landed at 04:30 *on* the business day, about 21 hours before the run even
starts, and every night showed as missed. `MartsDueMorningAfter` reads the run's own data
interval instead.

A run created after its morning has passed (a backfill, a rerun of an old night) gets no
deadline: the morning it could have made is gone, and its lateness is not that night's incident.

The class is registered with Airflow by the `cchc` plugin (`cchc.pipeline.airflow_plugin`, an
`airflow.plugins` entry point), so that the scheduler can read it back from the serialized DAG.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from airflow.sdk import BaseDeadlineReference, deadline_reference

from cchc.pipeline.dates import LOCAL, business_date_of

MARTS_DUE_AT = time(6, 0)


def marts_due_at(business_date: date) -> datetime:
    """06:00 local on the morning after the business date."""
    return datetime.combine(business_date + timedelta(days=1), MARTS_DUE_AT, tzinfo=LOCAL)


def deadline_for(data_interval_start: datetime | None, created_at: datetime) -> datetime | None:
    """The deadline of a run for the night starting at `data_interval_start`, created at `created_at`;
    None when there is nothing to wait for (no data interval, or the morning already passed)."""
    if data_interval_start is None:
        return None
    due = marts_due_at(business_date_of(data_interval_start))
    return due if created_at < due else None


@deadline_reference
class MartsDueMorningAfter(BaseDeadlineReference):
    """Deadline reference: 06:00 local the morning after the run's business date (use interval 0)."""

    required_kwargs = frozenset({"dag_id", "run_id"})

    def _evaluate_with(self, *, session: Any, dag_id: str, run_id: str, **_: Any) -> datetime | None:
        from airflow.models import DagRun
        from sqlalchemy import select

        start = session.scalar(
            select(DagRun.data_interval_start).where(DagRun.dag_id == dag_id, DagRun.run_id == run_id)
        )
        return deadline_for(start, datetime.now(UTC))
