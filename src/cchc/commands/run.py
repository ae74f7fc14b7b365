"""`cchc run --date D [--to D2]` — run the cchc_nightly DAG for those business dates through
Airflow (`dag.test()`, local metadata DB, no scheduler): the scheduler's code path."""

from __future__ import annotations

import logging
import sys

log = logging.getLogger(__name__)


def register(sub) -> None:
    parser = sub.add_parser(
        "run", help="run the nightly DAG for a business date or a range (through Airflow)"
    )
    parser.add_argument("--date", required=True, help="first business date, YYYY-MM-DD")
    parser.add_argument("--to", help="last business date (inclusive), YYYY-MM-DD")
    parser.add_argument("--dag", default="cchc_nightly", help="DAG id (default cchc_nightly)")
    parser.add_argument("--no-parse", action="store_true", help="do not refresh the dbt manifest first")
    parser.add_argument(
        "--wait",
        type=float,
        default=3600,
        help="seconds to wait for another local run to finish (default 3600)",
    )
    parser.set_defaults(func=run)


def ensure_manifest(force: bool = False) -> bool:
    """`dbt parse` when the manifest is missing or older than the dbt project; True if it ran."""
    from cchc.pipeline.dbt_group import manifest_path
    from cchc.settings import get_settings

    settings = get_settings()
    manifest = manifest_path(settings)
    if not force and manifest.is_file():
        newest = max(
            (
                p.stat().st_mtime
                for p in settings.dbt_project_dir.rglob("*")
                if p.is_file() and "target" not in p.parts
            ),
            default=0.0,
        )
        if newest <= manifest.stat().st_mtime:
            return False
    from cchc.transform.dbt import run_dbt

    run_dbt(["parse"])
    return True


def run_dates(dag_id: str, dates, *, parse: bool = True, wait_seconds: float = 3600):
    """Run `dag_id` once per business date, in order; returns the DagRunReports. One local run at a
    time (they share the SQLite metadata DB): a second one waits up to `wait_seconds`."""
    from cchc.pipeline import local_airflow
    from cchc.pipeline.run_lock import exclusive_run
    from cchc.settings import get_settings

    with exclusive_run(get_settings().airflow_home, wait_seconds):
        local_airflow.prepare_environment()
        if parse:
            ensure_manifest()
        local_airflow.ensure_metadata_db()
        dag = local_airflow.load_dag(dag_id)
        return [local_airflow.run_dag_for(dag, day) for day in dates]


def print_reports(reports, out=sys.stdout) -> None:
    for r in reports:
        failed = ", ".join(r.failed_tasks) or "-"
        print(
            f"{r.dag_id} {r.business_date}: {r.state:8s} {r.seconds:6.1f}s  failed tasks: {failed}", file=out
        )


def run(args) -> int:
    from cchc.pipeline.dates import date_range, parse_date

    first = parse_date(args.date)
    last = parse_date(args.to) if args.to else first
    from cchc.pipeline.run_lock import RunInProgress

    try:
        reports = run_dates(
            args.dag, date_range(first, last), parse=not args.no_parse, wait_seconds=args.wait
        )
    except RunInProgress as err:
        print(f"cchc run: {err}", file=sys.stderr)
        return 3
    print_reports(reports)
    return 0 if all(r.state == "success" for r in reports) else 1
