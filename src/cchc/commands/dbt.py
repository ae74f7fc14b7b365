"""`cchc dbt ARGS…` — dbt with this project's profile, target folder and warehouse connection."""

from __future__ import annotations

import argparse


def register(sub) -> None:
    parser = sub.add_parser(
        "dbt",
        help="run dbt against the configured warehouse, e.g. `cchc dbt build --select fct_dossier`",
    )
    parser.add_argument("dbt_args", nargs=argparse.REMAINDER, help="arguments passed to dbt")
    parser.set_defaults(func=run)


def run(args) -> int:
    from cchc.transform.dbt import run_dbt
    from cchc.warehouse.bootstrap import bootstrap

    bootstrap()
    result = run_dbt(args.dbt_args or ["--help"], check=False)
    for failure in result.failures:
        print(failure)
    return 0 if result.success else 1
