"""A warehouse of the BI tests' own, with a generated world loaded and built, and Superset on it
with the dashboards imported from bi/superset/ and the province fence applied."""

from __future__ import annotations

import os
from datetime import date

import pytest

START, END = date(2026, 5, 1), date(2026, 6, 30)
PROVINCES = ("01", "91")


def _load_world(world) -> None:
    from cchc import ledger
    from cchc.sources.onestop.discover import find_exports
    from cchc.sources.onestop.ingest import ingest_export
    from cchc.sources.portal.pull import pull_catalogue, pull_endpoint, pull_service_results
    from cchc.sources.reports.ingest_reports import ingest_reports
    from cchc.transform.dbt import build, seed
    from cchc.warehouse.connection import connect

    for export in find_exports():
        ingest_export(export)
    ingest_reports()
    pull_catalogue()
    for endpoint in ("dossier-sync", "payments", "ratings", "petitions"):
        pull_endpoint(endpoint, START, list(PROVINCES))
        pull_endpoint(endpoint, END, list(PROVINCES), max_catch_up_days=10_000)
    for month in (5, 6):
        pull_service_results(2026, month)
        pull_service_results(2026, month, time_type="year")
    with connect() as conn:
        for (batch_id,) in conn.execute(
            "select batch_id from audit.batches where status = 'pending'"
        ).fetchall():
            ledger.accept(conn, batch_id)
        conn.commit()
    seed(full_refresh=True)
    build(full_refresh=True, variables={"as_of_date": END.isoformat()}, exclude=["resource_type:seed"])


@pytest.fixture(scope="module")
def bi(warehouse, tmp_path_factory):
    """Superset on a warehouse of its own (the session's holds other areas' dossiers): yields
    (url, settings); stopped, and the environment given back, when the module is done (the
    session's other tests read their settings from the same variables)."""
    from cchc.bi import server
    from cchc.bi.environment import paths
    from cchc.bi.up import bring_up
    from cchc.settings import get_settings
    from cchc.warehouse import embedded
    from cchc.warehouse.bootstrap import bootstrap
    from cchc_world.generate.generator import Config, generate
    from cchc_world.portal_sim.testing import start_in_thread

    shared = {k: os.environ.get(k) for k in ("CCHC_STATE_DIR", "CCHC_WORLD_DIR", "CCHC_PORTAL_URL")}
    state = tmp_path_factory.mktemp("bi-state")
    world = tmp_path_factory.mktemp("bi-world") / "world"
    os.environ["CCHC_STATE_DIR"] = str(state)
    os.environ["CCHC_WORLD_DIR"] = str(world)
    settings = get_settings()
    try:
        bootstrap(settings)
        generate(Config(out=world, seed=5, dossiers=1500, start=START, end=END, provinces=PROVINCES,
                        formats=("csv", "jsonl"), deliver_all=True))  # fmt: skip
        sim = start_in_thread(world)
        os.environ["CCHC_PORTAL_URL"] = str(sim)
        try:
            _load_world(world)
        finally:
            sim.stop()
        result = bring_up(None, settings=get_settings())
        yield result["url"], get_settings()
    finally:
        server.stop(paths(get_settings()))
        embedded.stop(get_settings().pgdata_dir)
        for key, value in shared.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture
def db_of_bi(bi):
    """A loader connection to the BI tests' warehouse."""
    from cchc.warehouse.connection import connect, loader_target

    _, settings = bi
    with connect(loader_target(settings), autocommit=True) as conn:
        yield conn
