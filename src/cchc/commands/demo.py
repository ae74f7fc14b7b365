"""`cchc demo` (what `make demo` runs): the nightly pipeline end to end on this machine.

Bootstrap the embedded warehouse → generate a small world if there is none → start the portal
simulator on 127.0.0.1 (faults on) → `dbt seed` + `dbt parse` → deliver the files that have
"arrived" and run the cchc_nightly DAG through Airflow for each of the last few days → print a
KPI summary from the marts and where to look next. Running it again loads nothing twice: the
world and the delivered files are reused, batches already loaded come back as duplicates.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from contextlib import ExitStack
from datetime import date, timedelta

log = logging.getLogger(__name__)

# April to mid-July: trends, a year to date, and Q2's Biểu 06 reports (they arrive ~10 July)
DEMO_START = date(2026, 4, 1)
DEMO_END = date(2026, 7, 20)
DEMO_DOSSIERS = 5000


def register(sub) -> None:
    p = sub.add_parser("demo", help="run the nightly DAG for a few days of a small world and print the KPIs")
    p.add_argument("--days", type=int, default=3, help="nightly runs, ending on the world's last day")
    p.add_argument("--faults", default="demo", help="portal simulator fault plan (default: demo; none)")
    p.set_defaults(func=run)


def _step(message: str) -> None:
    print(f"==> {message}", flush=True)


def ensure_world(settings) -> dict:
    """The world under settings.world_dir, generated (small) when absent."""
    import json

    world_json = settings.world_dir / "world.json"
    if not world_json.is_file():
        from cchc_world.generate.generator import PRESETS, Config, generate

        preset = PRESETS["demo"]
        cfg = Config(
            out=settings.world_dir,
            seed=42,
            dossiers=DEMO_DOSSIERS,
            start=DEMO_START,
            end=DEMO_END,
            provinces=preset["provinces"],
            mess_rate=None,
            mess_overrides={},
            formats=preset.get("formats", ("csv", "jsonl", "xlsx")),
            deliver_all=False,
        )
        stats = generate(cfg)
        _step(
            f"world generated in {stats.get('seconds', 0):.1f}s: {stats.get('dossiers')} dossiers, {stats.get('exports')} exports"
        )
    else:
        _step(f"reusing the world in {settings.world_dir}")
    return json.loads(world_json.read_text(encoding="utf-8"))


def where_next(settings, target) -> str:
    return "\n".join(
        [
            "Where to look next:",
            "  dashboards        make bi     -> http://127.0.0.1:8088 (Superset; login admin / cchc-local)",
            f"  GX Data Docs      {settings.data_docs_dir / 'index.html'}",
            "  docs sites        make docs   -> http://127.0.0.1:8081 (GX Data Docs, dbt docs; offline)",
            "  batch ledger      .venv/bin/cchc batches [--status quarantined]",
            f"  warehouse (psql)  .venv/bin/cchc db psql    # {target.libpq_url}",
            "  BI role           .venv/bin/cchc db psql --bi   (bi_reader: marts only)",
            "  Airflow UI        make airflow-ui   -> http://127.0.0.1:8080 (DAG cchc_nightly)",
            "  production shape  make stack  (Celery workers, Redis, scheduler; see docs/OPERATIONS.md)",
            "  rerun a day       .venv/bin/cchc run --date YYYY-MM-DD [--to YYYY-MM-DD]",
        ]
    )


def run(args) -> int:
    from cchc.settings import get_settings

    started = time.perf_counter()
    settings = get_settings()
    if not settings.demo:
        print("cchc demo uses demo keys: set CCHC_DEMO=1 (make demo does)", file=sys.stderr)
        return 2

    from cchc.pipeline import local_airflow
    from cchc.pipeline.dates import run_after_for

    _step("warehouse")
    env = local_airflow.prepare_environment(settings)  # bootstraps the warehouse too
    _step(f"warehouse ready: {env['CCHC_PG_HOST']} db {env['CCHC_PG_DBNAME']}")
    world = ensure_world(settings)
    provinces = [p["code"] for p in world["provinces"]]
    last_day = date.fromisoformat(world["end"])
    days = [last_day - timedelta(days=n) for n in range(max(1, args.days) - 1, -1, -1)]

    from cchc_world.portal_sim.testing import start_in_thread

    portal_url = start_in_thread(settings.world_dir, faults=None if args.faults == "none" else args.faults)
    # The DAG's tasks run in this process (dag.test): they read these through get_settings().
    os.environ["CCHC_PORTAL_URL"] = str(portal_url)
    os.environ["CCHC_PROVINCES"] = ",".join(provinces)
    # Nobody waits hours for a late export in a demo: it times out, the next night catches it up.
    os.environ.setdefault("CCHC_EXPORT_WAIT_SECONDS", "5")
    os.environ.setdefault("CCHC_RETRY_DELAY_SECONDS", "3")
    _step(f"portal simulator on {portal_url} (faults: {args.faults})")
    from cchc.pipeline.run_lock import exclusive_run

    # one local run at a time (the SQLite metadata DB is shared with `cchc run`)
    with ExitStack() as cleanup:
        cleanup.callback(portal_url.stop)
        cleanup.enter_context(exclusive_run(settings.airflow_home, wait_seconds=3600))
        from cchc.commands.run import ensure_manifest
        from cchc.transform.dbt import run_dbt

        _step("dbt seed (reference data) + dbt parse (manifest for Cosmos)")
        run_dbt(["seed"])
        ensure_manifest(force=True)
        _step("airflow metadata DB")
        local_airflow.ensure_metadata_db()
        dag = local_airflow.load_dag("cchc_nightly", settings)
        # the catalogue comes weekly (cchc_reference); Decision 766's procedure counts need it
        from cchc.pipeline.portal_pulls import pull_catalogue

        try:
            catalogue = pull_catalogue()
            _step(f"procedure catalogue pulled, as the weekly cchc_reference DAG does: {catalogue['counts']}")
        except Exception as exc:  # the nightly runs go on without it, as in production
            _step(f"procedure catalogue not pulled: {exc}")

        from cchc_world.generate.deliveries import deliver

        reports = []
        for day in days:
            placed = deliver(settings.world_dir, run_after_for(day))
            _step(f"{day}: {len(placed)} file(s) arrived; running cchc_nightly through Airflow")
            report = local_airflow.run_dag_for(dag, day)
            failed = ", ".join(report.failed_tasks) or "-"
            _step(f"{day}: run {report.state} in {report.seconds:.0f}s (failed tasks: {failed})")
            reports.append(report)

    from cchc.reports.kpi_table import format_table, province_kpis
    from cchc.warehouse.connection import loader_target

    print()
    print(f"KPIs per province (months {world['start'][:7]}..{world['end'][:7]}, from marts):")
    print(format_table(province_kpis()))
    print()
    print(where_next(settings, loader_target(settings)))
    print(f"\ndemo finished in {time.perf_counter() - started:.0f}s")
    # A run that ends failed (a quarantined file, a province missing) is the demo working as
    # designed: the marts were still built from everything accepted.
    return 0
