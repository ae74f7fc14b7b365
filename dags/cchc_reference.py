"""cchc_reference — weekly (Monday 02:00 Asia/Ho_Chi_Minh): the national procedure catalogue from
the portal, then the administrative-unit and calendar reference seeds, rebuilt from their
packages and reloaded with `dbt seed`."""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import DAG, CronTriggerTimetable, task

from cchc.pipeline import assets
from cchc.settings import LOCAL_TZ, get_settings

settings = get_settings()

with DAG(
    dag_id="cchc_reference",
    description="Weekly procedure catalogue and administrative-unit reference refresh",
    schedule=CronTriggerTimetable("0 2 * * 1", timezone=LOCAL_TZ, interval=timedelta(days=7)),
    start_date=pendulum.datetime(2025, 1, 1, tz=LOCAL_TZ),
    catchup=False,
    max_active_runs=1,
    default_args={
        "owner": "cchc",
        "retries": 2,
        "retry_delay": timedelta(seconds=settings.retry_delay_seconds),
    },
    tags=["cchc", "reference"],
    doc_md=__doc__,
) as dag:

    @task(outlets=[assets.RAW_PORTAL["formalities"]])
    def pull_catalogue() -> dict:
        from cchc.pipeline.portal import pull_catalogue

        return pull_catalogue()

    @task
    def rebuild_seed_files() -> None:
        from cchc.pipeline.reference import rebuild_seed_files

        rebuild_seed_files()

    @task(outlets=[assets.REFERENCE])
    def load_seeds() -> None:
        from cchc.transform.dbt import seed

        seed()

    pull_catalogue() >> rebuild_seed_files() >> load_seeds()
