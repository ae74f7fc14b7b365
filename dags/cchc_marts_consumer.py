"""cchc_bi_extract — an example consumer: runs whenever cchc_nightly has refreshed the marts
(asset `cchc.marts`), e.g. to refresh a BI extract or mail a report. Here it logs the row count
of each mart table."""

from __future__ import annotations

import pendulum
from airflow.sdk import DAG, task

from cchc.pipeline import assets
from cchc.settings import LOCAL_TZ

with DAG(
    dag_id="cchc_bi_extract",
    description="Example downstream DAG scheduled on the marts asset",
    schedule=[assets.MARTS],
    start_date=pendulum.datetime(2025, 1, 1, tz=LOCAL_TZ),
    catchup=False,
    tags=["cchc", "example"],
    doc_md=__doc__,
) as dag:

    @task
    def count_mart_rows() -> dict:
        from cchc.pipeline.extract import mart_row_counts

        return mart_row_counts()

    count_mart_rows()
