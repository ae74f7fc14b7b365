"""`cchc bi up` end to end: the virtualenv, the metadata DB, the server, the warehouse connected
as bi_reader, the dashboards from bi/superset/, the province fence."""

from __future__ import annotations

import socket
import time

from cchc.bi import assets, security, server
from cchc.bi.client import SupersetClient
from cchc.bi.environment import ADMIN_PASSWORD, ADMIN_USER, ensure_venv, paths, warehouse_uri
from cchc.settings import Settings, get_settings


def bring_up(
    port: int | None = 8088, *, settings: Settings | None = None, import_assets: bool = True
) -> dict:
    """`port=None`: any free loopback port (tests, benchmarks: beside a Superset on 8088)."""
    settings = settings or get_settings()
    port = port or _free_port()
    p = paths(settings)
    timings = {}
    started = time.perf_counter()
    ensure_venv(p)
    timings["venv"] = time.perf_counter() - started
    server.initialise(p, port)
    timings["initialise"] = time.perf_counter() - started - timings["venv"]
    url = server.start(p, port)
    timings["start"] = time.perf_counter() - started - timings["venv"] - timings["initialise"]
    result = {"url": url, "timings": timings}
    if import_assets:
        client = SupersetClient(url, ADMIN_USER, ADMIN_PASSWORD)
        uri, password = warehouse_uri(settings)
        assets.import_assets(client, p.assets, uri, password)
        fence = security.load(p.assets / "security.yaml")
        result["roles"] = len(security.apply(client, fence))
    result["seconds"] = time.perf_counter() - started
    return result


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
