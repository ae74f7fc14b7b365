"""`cchc stack up | down | status | airflow …` — the production shape on this machine (`make stack`).

`up` starts the embedded PostgreSQL (warehouse + Airflow metadata DB), Redis, Airflow's
api-server, scheduler, dag-processor, triggerer and two Celery workers, and the portal simulator
serving the demo world, whose exports it delivers up to its last night (pass
`--deliver-until` to choose, `--no-deliver` to deliver none). `down` stops exactly what `up`
started. `airflow …` runs the Airflow CLI against the stack (e.g. a backfill).
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date, timedelta
from pathlib import Path


def register(sub) -> None:
    parser = sub.add_parser(
        "stack", help="the production-shaped Airflow stack (Celery, Redis) on this machine"
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    up = actions.add_parser("up", help="start everything (make stack)")
    up.add_argument("--faults", default="none", help="portal simulator fault plan (default none; demo)")
    up.add_argument(
        "--deliver-until", help="deliver the world's files that arrived by this night (YYYY-MM-DD)"
    )
    up.add_argument("--no-deliver", action="store_true", help="deliver no files (tests deliver their own)")
    up.set_defaults(func=run_up)
    down = actions.add_parser("down", help="stop what `up` started (make stack-down)")
    down.set_defaults(func=run_down)
    status = actions.add_parser("status", help="what `up` started and whether it runs")
    status.set_defaults(func=run_status)
    fill = actions.add_parser(
        "backfill", help="run the nightly DAG for past business dates through the scheduler"
    )
    fill.add_argument("--from", dest="first", required=True, help="first business date, YYYY-MM-DD")
    fill.add_argument("--to", dest="last", help="last business date (inclusive), YYYY-MM-DD")
    fill.set_defaults(func=run_backfill)
    cli = actions.add_parser("airflow", help="the airflow CLI against the stack, e.g. `backfill create …`")
    cli.add_argument("airflow_args", nargs=argparse.REMAINDER)
    cli.set_defaults(func=run_airflow)


def _print_next(info, world: dict) -> None:
    last = date.fromisoformat(world["end"])
    first = last - timedelta(days=1)
    print(
        "\n".join(
            [
                "",
                "The stack is up (cchc stack status; logs under " + str(info.log_dir) + "):",
                f"  Airflow UI         {info.api_url}   (local stack: every user is admin, loopback only)",
                f"  portal simulator   {info.portal_url}",
                "Run two nights of the demo world through the scheduler and the Celery workers:",
                f"  .venv/bin/cchc stack backfill --from {first} --to {last}",
                "then watch cchc_nightly's grid in the UI. Stop everything: make stack-down",
            ]
        )
    )


def run_up(args) -> int:
    from cchc.commands.demo import ensure_world
    from cchc.commands.run import ensure_manifest
    from cchc.pipeline.dates import run_after_for
    from cchc.settings import get_settings
    from cchc.stack.services import StackError, down, up
    from cchc.transform.dbt import run_dbt
    from cchc_world.generate.deliveries import deliver

    settings = get_settings()
    try:
        from cchc.pipeline.local_airflow import prepare_environment

        prepare_environment(settings)  # the warehouse, and dbt's connection for seed and parse
        world = ensure_world(settings)
        run_dbt(["seed"])
        ensure_manifest(force=True)
        if not args.no_deliver:
            until = date.fromisoformat(args.deliver_until) if args.deliver_until else None
            until = until or date.fromisoformat(world["end"])
            placed = deliver(settings.world_dir, run_after_for(until))
            print(
                f"==> {len(placed)} file(s) delivered to {settings.landing_dir} (arrived by the night of {until})"
            )
        info = up(settings, faults=None if args.faults == "none" else args.faults)
    except StackError as err:
        print(f"cchc stack up: {err}", file=sys.stderr)
        down(settings)
        return 1
    except BaseException:
        down(settings)  # never leave half a stack running
        raise
    _print_next(info, world)
    return 0


def run_down(args) -> int:
    from cchc.stack.services import down

    for name, outcome in down():
        print(f"{name:14s} {outcome}")
    return 0


def run_status(args) -> int:
    from cchc.stack.services import status

    rows = status()
    if not rows:
        print("the stack is not running (cchc stack up)")
    for name, pid, running in rows:
        print(f"{name:14s} pid {pid:<8d} {'running' if running else 'stopped'}")
    return 0 if rows and all(r[2] for r in rows) else 1


def run_backfill(args) -> int:
    from cchc.pipeline.dates import parse_date
    from cchc.stack.services import StackError, backfill

    first = parse_date(args.first)
    last = parse_date(args.last) if args.last else first
    try:
        backfill(first, last)
    except StackError as err:
        print(f"cchc stack backfill: {err}", file=sys.stderr)
        return 1
    print(f"backfill of cchc_nightly for {first}..{last} created: the scheduler runs it (see the grid)")
    return 0


def run_airflow(args) -> int:
    from cchc.stack.services import stack_env, venv_bin

    env = stack_env()
    airflow_bin = venv_bin("airflow")
    os.environ.update(env)
    os.execv(airflow_bin, [str(Path(airflow_bin)), *args.airflow_args])
    return 0  # not reached
