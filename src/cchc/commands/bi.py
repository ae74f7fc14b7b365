"""`cchc bi up | down | export | status` — Apache Superset on the marts (what `make bi` runs).

import: the same files and fence into a Superset running elsewhere (compose's superset-init).
up:     its own virtualenv from bi/requirements.lock, a metadata DB under the state folder, the
        warehouse connected as bi_reader (marts only), the dashboards imported from bi/superset/,
        the province fence applied; serves http://127.0.0.1:8088 (local login admin / cchc-local).
down:   stops the server.
export: writes the dashboards, charts and datasets as they are in Superset back to bi/superset/
        (after someone edited them in the UI), to be reviewed and committed like code.
"""

from __future__ import annotations


def register(sub) -> None:
    parser = sub.add_parser("bi", help="Apache Superset on the marts: up, down, export, status")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    up = actions.add_parser("up", help="install (once), start and import the dashboards")
    up.add_argument("--port", type=int, default=8088)
    up.add_argument("--no-import", action="store_true", help="start without importing bi/superset/")
    up.set_defaults(func=run_up)
    down = actions.add_parser("down", help="stop the server")
    down.set_defaults(func=run_down)
    export = actions.add_parser("export", help="write Superset's dashboards back to bi/superset/")
    export.add_argument("--port", type=int, default=8088)
    export.set_defaults(func=run_export)
    imp = actions.add_parser(
        "import", help="import bi/superset/ and the province fence into a running Superset"
    )
    imp.add_argument("--url", default="http://127.0.0.1:8088")
    imp.add_argument("--user", default="admin")
    imp.add_argument(
        "--password-env",
        default="SUPERSET_ADMIN_PASSWORD",
        help="environment variable holding the user's password (default SUPERSET_ADMIN_PASSWORD)",
    )
    imp.set_defaults(func=run_import)
    status = actions.add_parser("status", help="is it running, and where")
    status.set_defaults(func=run_status)


def run_up(args) -> int:
    from cchc.bi.up import bring_up
    from cchc.pipeline.local_airflow import prepare_environment

    prepare_environment()  # the embedded warehouse runs and bi_reader exists
    result = bring_up(args.port, import_assets=not args.no_import)
    t = result["timings"]
    print(
        f"Superset on {result['url']} (login admin / cchc-local) in {result['seconds']:.0f}s "
        f"(virtualenv {t['venv']:.0f}s, metadata DB {t['initialise']:.0f}s, start {t['start']:.0f}s)"
    )
    if "roles" in result:
        print(f"dashboards imported from bi/superset/; {result['roles']} province roles fenced to their rows")
    print("stop it with: make bi-stop")
    return 0


def run_down(args) -> int:
    from cchc.bi import server
    from cchc.bi.environment import paths

    print("Superset stopped" if server.stop(paths()) else "Superset was not running")
    return 0


def run_export(args) -> int:
    from cchc.bi.assets import export_assets
    from cchc.bi.client import SupersetClient
    from cchc.bi.environment import ADMIN_PASSWORD, ADMIN_USER, paths

    p = paths()
    client = SupersetClient(f"http://127.0.0.1:{args.port}", ADMIN_USER, ADMIN_PASSWORD)
    written = export_assets(client, p.assets)
    print(f"{len(written)} file(s) written to {p.assets}; review with git diff")
    return 0


def run_import(args) -> int:
    """What compose's superset-init runs: the files and the fence into a Superset of elsewhere,
    the warehouse as this environment's bi_reader sees it."""
    import os
    import time

    from cchc.bi import assets, security
    from cchc.bi.client import SupersetClient
    from cchc.bi.environment import ADMIN_PASSWORD, paths, warehouse_uri

    password = os.environ.get(args.password_env) or ADMIN_PASSWORD
    p = paths()
    for attempt in range(30):  # the server may still be starting
        try:
            client = SupersetClient(args.url, args.user, password)
            break
        except Exception:
            if attempt == 29:
                raise
            time.sleep(5)
    uri, bi_password = warehouse_uri()
    assets.import_assets(client, p.assets, uri, bi_password)
    roles = security.apply(client, security.load(p.assets / "security.yaml"))
    print(f"dashboards imported into {args.url}; {len(roles)} province roles fenced to their rows")
    return 0


def run_status(args) -> int:
    from cchc.bi import server
    from cchc.bi.environment import paths

    pid = server.running_pid(paths())
    print(f"Superset running (pid {pid})" if pid else "Superset not running")
    return 0 if pid else 1
