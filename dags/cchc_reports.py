"""cchc_reports — the statutory reports, whenever cchc_nightly has refreshed the marts (asset
`cchc.marts`): the last complete month's Biểu 06 of every province and unit into the outbox
(`<state>/outbox/<YYYY-MM>/<province>/`). Idempotent: a file is rewritten only when its figures
changed, so a late export's correction reaches the outbox the next night."""

from __future__ import annotations

from airflow.sdk import DAG, task

from cchc.pipeline import assets
from cchc.pipeline.dag_defaults import dag_defaults

with DAG(
    dag_id="cchc_reports",
    description="Last complete month's Biểu 06 per province and unit into the outbox",
    schedule=[assets.MARTS],
    **dag_defaults(retries=False),
    tags=["cchc", "reports"],
    doc_md=__doc__,
) as dag:

    @task(multiple_outputs=False)
    def write_bieu06_outbox() -> dict:
        from cchc.pipeline.reports import write_outbox

        return write_outbox()

    write_bieu06_outbox()
