"""`cchc docs build | serve` — the GX Data Docs and dbt docs sites, offline, over HTTP."""

from __future__ import annotations

import contextlib


def register(sub) -> None:
    parser = sub.add_parser("docs", help="build and serve GX Data Docs and dbt docs (127.0.0.1)")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    build = actions.add_parser("build", help="rebuild both sites (GX Data Docs, dbt docs generate)")
    build.set_defaults(func=run_build)
    serve = actions.add_parser("serve", help="serve both sites; builds what is missing first")
    serve.add_argument("--port", type=int, default=8081, help="port (default 8081)")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--no-build", action="store_true", help="serve what exists (the docs container)")
    serve.set_defaults(func=run_serve)


def _build(missing_only: bool) -> None:
    from cchc.pipeline.docs import refresh_data_docs, refresh_dbt_docs
    from cchc.pipeline.local_airflow import prepare_environment
    from cchc.settings import get_settings

    settings = get_settings()
    prepare_environment(settings)  # the warehouse, and dbt's connection
    if not missing_only or not (settings.data_docs_dir / "index.html").is_file():
        print("==> GX Data Docs:", refresh_data_docs()["data_docs"])
    if not missing_only or not (settings.dbt_target_dir / "catalog.json").is_file():
        from cchc.commands.run import ensure_manifest

        ensure_manifest()
        print("==> dbt docs:", refresh_dbt_docs()["dbt_docs"])


def run_build(args) -> int:
    _build(missing_only=False)
    return 0


def run_serve(args) -> int:
    from cchc.docs.server import make_server

    if not args.no_build:
        _build(missing_only=True)
    server = make_server(port=args.port, host=args.host)
    url = f"http://{args.host}:{server.server_address[1]}"
    print(f"docs on {url}/  (GX Data Docs: {url}/data-docs/  dbt docs: {url}/dbt/)  Ctrl-C stops")
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    return 0
