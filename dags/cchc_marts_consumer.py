"""cchc_bi_extract — an example consumer: runs whenever cchc_nightly has refreshed the marts
(asset `cchc.marts`), e.g. to refresh a BI extract or mail a report. Here it logs the row count
of each mart table."""

from __future__ import annotations

from airflow.sdk import DAG, task

from cchc.pipeline import assets
from cchc.pipeline.dag_defaults import dag_defaults

with DAG(
    dag_id="cchc_bi_extract",
    description="Example downstream DAG scheduled on the marts asset",
    schedule=[assets.MARTS],
    **dag_defaults(retries=False, one_run_at_a_time=False),
    tags=["cchc", "example"],
    doc_md=__doc__,
) as dag:

    @task(multiple_outputs=False)
    def count_mart_rows() -> dict:
        from cchc.pipeline.extract import mart_row_counts

        return mart_row_counts()

    count_mart_rows()
