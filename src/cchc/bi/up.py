"""`cchc bi up` end to end: the virtualenv, the metadata DB, the server, the warehouse connected
as bi_reader, the dashboards from bi/superset/, the province fence."""

from __future__ import annotations

import time

from cchc.bi import assets, security, server
from cchc.bi.client import SupersetClient
from cchc.bi.environment import ADMIN_PASSWORD, ADMIN_USER, ensure_venv, paths, warehouse_uri
from cchc.settings import Settings, get_settings


def bring_up(port: int = 8088, *, settings: Settings | None = None, import_assets: bool = True) -> dict:
    settings = settings or get_settings()
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
