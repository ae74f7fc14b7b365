"""What every cchc DAG shares, so a new DAG starts from the same operational defaults: a fixed start
date in local time, no catch-up (backfills are explicit: `cchc run --date`), one run at a time, and
for DAGs whose tasks talk to the outside world, two retries spaced by the settings' delay."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pendulum

from cchc.settings import LOCAL_TZ, get_settings

START_DATE = pendulum.datetime(2025, 1, 1, tz=LOCAL_TZ)


def dag_defaults(*, retries: bool = True, one_run_at_a_time: bool = True) -> dict[str, Any]:
    """Keyword arguments for `airflow.sdk.DAG(...)`."""
    kwargs: dict[str, Any] = {"start_date": START_DATE, "catchup": False}
    if one_run_at_a_time:
        kwargs["max_active_runs"] = 1
    if retries:
        kwargs["default_args"] = {
            "owner": "cchc",
            "retries": 2,
            "retry_delay": timedelta(seconds=get_settings().retry_delay_seconds),
        }
    return kwargs
