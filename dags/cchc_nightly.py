"""cchc_nightly — every night at 01:30 (Asia/Ho_Chi_Minh), the previous business day.

discover → per province (mapped): wait for the export (deferrable) → ingest + validate
         → portal pulls per endpoint (in parallel)
→ validate_leftovers (batches earlier runs left pending) → ready_for_dbt (all done: builds from every accepted batch even if a province failed)
→ dbt (Cosmos, one task per model, tests after all) → marts_refreshed (asset)
→ docs (GX Data Docs, dbt docs) → run_summary (fails the run if anything failed).

Thin on purpose: every task calls a function of `cchc.pipeline`; nothing touches the database
or Airflow Variables at import.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import (
    DAG,
    AsyncCallback,
    CronTriggerTimetable,
    DeadlineAlert,
    TriggerRule,
    get_current_context,
    task,
    task_group,
)
from airflow.sdk.exceptions import AirflowFailException

from cchc.pipeline import assets, dates
from cchc.pipeline.alerts import marts_not_refreshed
from cchc.pipeline.dag_defaults import dag_defaults
from cchc.pipeline.dbt_group import build_dbt_group
from cchc.pipeline.deadline import MartsDueMorningAfter
from cchc.pipeline.portal_pulls import DAILY_ENDPOINTS
from cchc.pipeline.sensors import ExportReadySensor
from cchc.settings import LOCAL_TZ, get_settings

settings = get_settings()


def _business_date():
    return dates.business_date_of(get_current_context()["data_interval_start"])


with DAG(
    dag_id="cchc_nightly",
    description="Nightly ingestion, validation and marts for the previous business day",
    schedule=CronTriggerTimetable(dates.NIGHTLY_CRON, timezone=LOCAL_TZ, interval=dates.NIGHTLY_INTERVAL),
    **dag_defaults(),
    deadline=DeadlineAlert(
        # 06:00 local the morning after the business date (not the logical date: see deadline.py)
        reference=MartsDueMorningAfter(),
        interval=timedelta(0),
        callback=AsyncCallback(marts_not_refreshed),
    ),
    tags=["cchc", "nightly"],
    doc_md=__doc__,
) as dag:

    @task
    def discover() -> list[str]:
        from cchc.pipeline.expected_exports import exports_for

        refs = exports_for(_business_date())
        print(f"{len(refs)} province(s) expected, {sum(r.ready for r in refs)} export(s) ready")
        return [r.province_code for r in refs]

    @task(multiple_outputs=False, outlets=assets.RAW_ONESTOP)
    def ingest_and_validate(province_code: str) -> dict:
        from cchc.pipeline.batches import BatchesQuarantined
        from cchc.pipeline.onestop import ingest_and_validate

        try:
            return ingest_and_validate(province_code, _business_date())
        except BatchesQuarantined as err:
            # Data problem: retrying cannot fix it; the other provinces continue.
            raise AirflowFailException(str(err)) from err

    @task_group(group_id="province")
    def province(province_code: str):
        wait = ExportReadySensor(
            task_id="wait_for_export",
            province_code=province_code,
            wait_seconds=settings.export_wait_seconds,
            poll_seconds=min(60, max(1, settings.export_wait_seconds // 10)),
            retries=0,
        )
        wait >> ingest_and_validate(province_code)

    @task_group(group_id="portal")
    def portal():
        @task(multiple_outputs=False)
        def pull(endpoint: str) -> dict:
            from cchc.pipeline.batches import BatchesQuarantined
            from cchc.pipeline.portal_pulls import pull_day

            try:
                return pull_day(endpoint, _business_date())
            except BatchesQuarantined as err:
                raise AirflowFailException(str(err)) from err

        @task(multiple_outputs=False, outlets=[assets.RAW_PORTAL["service-results"]])
        def pull_service_results() -> dict:
            from cchc.pipeline.batches import BatchesQuarantined
            from cchc.pipeline.portal_pulls import pull_service_results

            try:
                return pull_service_results(_business_date())
            except BatchesQuarantined as err:
                raise AirflowFailException(str(err)) from err

        for endpoint in DAILY_ENDPOINTS:
            pull.override(
                task_id=f"pull_{endpoint.replace('-', '_')}", outlets=[assets.RAW_PORTAL[endpoint]]
            )(endpoint)
        pull_service_results()

    @task(multiple_outputs=False, trigger_rule=TriggerRule.ALL_DONE)
    def validate_leftovers() -> dict:
        """Batches earlier runs left pending (a kill after COPY, a broken validation): validated
        every night, whatever happened upstream, before dbt reads the accepted ones."""
        from cchc.pipeline.leftovers import validate_leftovers as validate

        return validate()

    @task(trigger_rule=TriggerRule.ALL_DONE)
    def ready_for_dbt() -> None:
        """Runs whatever happened upstream: dbt reads only accepted batches."""

    @task(outlets=[assets.MARTS])
    def marts_refreshed() -> None:
        """Records that this night's marts are built (the 06:00 alert checks it) and emits the
        marts asset (downstream DAGs schedule on it)."""
        from cchc.pipeline.outcomes import record_marts_refreshed

        record_marts_refreshed(get_current_context()["run_id"], _business_date())

    @task(multiple_outputs=False, trigger_rule=TriggerRule.ALL_DONE)
    def data_docs() -> dict:
        from cchc.pipeline.docs import refresh_data_docs

        return refresh_data_docs()

    @task(multiple_outputs=False)
    def dbt_docs() -> dict:
        from cchc.pipeline.docs import refresh_dbt_docs

        return refresh_dbt_docs()

    @task(multiple_outputs=False, trigger_rule=TriggerRule.ALL_DONE, retries=0)
    def run_summary(provinces: list[str] | None) -> dict:
        from cchc.pipeline.airflow_state import province_results, province_states, step_states
        from cchc.pipeline.outcomes import RunHadFailures, summarise_run

        context = get_current_context()
        try:
            return summarise_run(
                run_id=context["run_id"],
                business_date=_business_date(),
                provinces=list(provinces or []),
                province_states=province_states(context, list(provinces or [])),
                results=province_results(context),
                step_states=step_states(context),
            )
        except RunHadFailures as err:
            raise AirflowFailException(str(err)) from err

    provinces = discover()
    provinces_done = province.expand(province_code=provinces)
    portal_done = portal()
    gate = ready_for_dbt()
    leftovers = validate_leftovers()
    [provinces_done, portal_done] >> leftovers
    [provinces_done, portal_done, leftovers] >> gate
    dbt = build_dbt_group()
    refreshed = marts_refreshed()
    gate >> dbt >> refreshed
    docs = [data_docs(), dbt_docs()]
    refreshed >> docs[1]
    dbt >> docs[0]
    docs >> run_summary(provinces)
