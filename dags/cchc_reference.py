"""cchc_reference — weekly (Monday 02:00 Asia/Ho_Chi_Minh): the national procedure catalogue from
the portal, then the administrative-unit and calendar reference seeds, rebuilt from their
packages and reloaded with `dbt seed`."""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import DAG, CronTriggerTimetable, task

from cchc.pipeline import assets
from cchc.pipeline.dag_defaults import dag_defaults
from cchc.settings import LOCAL_TZ, get_settings

settings = get_settings()

with DAG(
    dag_id="cchc_reference",
    description="Weekly procedure catalogue and administrative-unit reference refresh",
    schedule=CronTriggerTimetable("0 2 * * 1", timezone=LOCAL_TZ, interval=timedelta(days=7)),
    **dag_defaults(),
    tags=["cchc", "reference"],
    doc_md=__doc__,
) as dag:

    @task(multiple_outputs=False, outlets=[assets.RAW_PORTAL["formalities"]])
    def pull_catalogue() -> dict:
        from cchc.pipeline.portal_pulls import pull_catalogue

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
