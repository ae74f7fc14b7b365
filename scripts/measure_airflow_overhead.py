"""How much Airflow adds: one business date through `dag.test()` of cchc_nightly versus the same
pipeline functions called directly, in the same process and on the same warehouse state.

    CCHC_DEMO=1 .venv/bin/python scripts/measure_airflow_overhead.py 2026-06-30

Run it on a date that was already run once (after `cchc demo` or `cchc run`), so that both
sides do the same work: every file comes back as a duplicate, dbt rebuilds the marts, the docs
are refreshed. The direct side runs the steps one after another, as dag.test() does.
"""

from __future__ import annotations

import sys
import time
from datetime import date


def direct(business_date: date) -> dict[str, float]:
    from cchc.pipeline import docs, expected_exports, onestop, portal_pulls
    from cchc.pipeline.batches import BatchesFailed, BatchesQuarantined
    from cchc.transform.dbt import build

    timings: dict[str, float] = {}

    def timed(name, fn, *args):
        started = time.perf_counter()
        try:
            fn(*args)
        except (BatchesQuarantined, BatchesFailed) as err:
            print(f"  {name}: {err}"[:200])
        timings[name] = time.perf_counter() - started

    refs = expected_exports.exports_for(business_date)
    for ref in refs:
        timed(f"onestop {ref.province_code}", onestop.ingest_and_validate, ref.province_code, business_date)
    for endpoint in portal_pulls.DAILY_ENDPOINTS:
        timed(f"portal {endpoint}", portal_pulls.pull_day, endpoint, business_date)
    timed("portal service-results", portal_pulls.pull_service_results, business_date)
    timed("dbt build", lambda: build(exclude=["resource_type:seed"], check=False))
    timed("data docs", docs.refresh_data_docs)
    timed("dbt docs", docs.refresh_dbt_docs)
    return timings


def main(argv: list[str]) -> int:
    from cchc.pipeline import local_airflow
    from cchc.pipeline.dates import parse_date

    business_date = parse_date(argv[0])
    local_airflow.prepare_environment()
    local_airflow.ensure_metadata_db()
    started = time.perf_counter()
    dag = local_airflow.load_dag("cchc_nightly")
    load_seconds = time.perf_counter() - started
    report = local_airflow.run_dag_for(dag, business_date)
    task_seconds = sum(report.task_seconds.values())
    steps = direct(business_date)
    direct_seconds = sum(steps.values())
    print(f"DagBag load (once per process):       {load_seconds:7.1f} s")
    print(
        f"through Airflow (dag.test, {len(report.task_seconds)} tasks): {report.seconds:7.1f} s ({report.state})"
    )
    print(f"  of which inside task callables:     {task_seconds:7.1f} s")
    print(f"direct function calls:                {direct_seconds:7.1f} s")
    for name, seconds in steps.items():
        print(f"  {name:32s} {seconds:7.1f} s")
    print(f"Airflow overhead:                     {report.seconds - direct_seconds:7.1f} s per run")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
