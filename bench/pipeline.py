"""This pipeline's stages, calling the project's own entry points exactly as the DAG does.

- ingest: `cchc.sources.onestop.ingest.ingest_export` over every export of the phase, each
  province's in business-date order, provinces in parallel workers (one per core, as the DAG's
  mapped province tasks run side by side; parse + pseudonymise + COPY + ledger, batches left
  `pending`);
- validate: `cchc.validate.validate_pending()` (GX in PostgreSQL, accept / quarantine);
- dbt: `cchc.transform.dbt.run_dbt(["build"])` on the fresh warehouse (seeds, every model, data
  tests and unit tests), then for the nightly increment `run_dbt(["build", "--exclude",
  "resource_type:seed"])`: the same build, incremental models merging only what changed (the
  reference seeds do not change overnight). Both build as of the phase's last business date, as
  the DAG passes its night's, and the same way (`run_dbt(..., as_of=)`: an environment variable,
  so dbt reuses its saved parse; without a date dbt builds as of today, and every dossier still
  open in the world would be carried over every month from the world's end to today).

A stage whose code has not landed raises `Unavailable`, and the benchmark says so.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from datetime import date


class Unavailable(RuntimeError):
    """The code this stage measures is not in the project (yet)."""


def _attr(module: str, name: str):
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as err:
        raise Unavailable(f"{module}.{name} is not available: {err}") from err


def ingest(plan_exports: list[dict], workers: int | None = None) -> dict:
    """Every export of the phase, a province's in business-date order. Provinces go to parallel
    workers, one per core (at most), as the DAG's mapped per-province tasks run side by side; the
    biggest province is dealt first (longest-processing-time), so the lanes end close together."""
    find_exports = _attr("cchc.sources.onestop.discover", "find_exports")
    _attr("cchc.sources.onestop.ingest", "ingest_export")
    wanted = {(e["province"], e["date"]) for e in plan_exports}
    size = Counter()
    for e in plan_exports:
        size[e["province"]] += sum(e["rows"].values())
    exports = [
        e
        for e in find_exports()
        if (str(e.province_code), _iso(e.business_date)) in wanted and getattr(e, "ready", True)
    ]
    exports.sort(key=lambda e: (_iso(e.business_date), str(e.province_code)))
    workers = max(1, min(workers or os.cpu_count() or 1, len(size)))
    lanes: list[list] = [[] for _ in range(workers)]
    load = [0] * workers
    for province, rows_in in size.most_common():
        lane = load.index(min(load))
        load[lane] += rows_in
        lanes[lane] += [e for e in exports if str(e.province_code) == province]
    for lane in lanes:
        lane.sort(key=lambda e: (_iso(e.business_date), str(e.province_code)))
    statuses: Counter = Counter()
    rows = 0
    if workers == 1:
        done = [_ingest_lane(lanes[0])]
    else:
        # fork: the workers inherit settings and imports; no connection is open yet
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            done = list(pool.map(_ingest_lane, [lane for lane in lanes if lane]))
    for lane_statuses, lane_rows in done:
        statuses.update(lane_statuses)
        rows += lane_rows
    missing = len(wanted) - len(exports)
    return {
        "rows": rows,
        "detail": {
            "exports": len(exports),
            "exports_not_found": missing,
            "batches": statuses,
            "workers": workers,
        },
    }


def _ingest_lane(exports: list) -> tuple[Counter, int]:
    ingest_export = _attr("cchc.sources.onestop.ingest", "ingest_export")
    statuses: Counter = Counter()
    rows = 0
    for export in exports:
        for outcome in ingest_export(export):
            statuses[outcome.status] += 1
            if outcome.status in {"pending", "accepted"}:
                rows += outcome.rows_loaded or 0
    return statuses, rows


def validate() -> dict:
    validate_pending = _attr("cchc.validate", "validate_pending")
    from cchc.warehouse.connection import connect

    with connect() as conn:
        pending_rows = conn.execute(
            "select coalesce(sum(rows_loaded), 0) from audit.batches where status = 'pending'"
        ).fetchone()[0]
    outcomes = validate_pending()
    statuses = Counter(str(getattr(o, "status", "?")) for o in outcomes)
    return {"rows": int(pending_rows), "detail": {"batches": len(outcomes), "statuses": statuses}}


def dbt(mode: str, after_batch: int = 0, as_of: str | None = None) -> dict:
    """`after_batch`: the increment's rows are those of accepted batches with a larger id; `as_of`:
    the business date the DAG would pass, else dbt's default (today)."""
    run_dbt = _attr("cchc.transform.dbt", "run_dbt")
    from cchc.warehouse.connection import connect

    with connect() as conn:
        rows = conn.execute(
            "select coalesce(sum(rows_loaded), 0) from audit.batches where status = 'accepted' and batch_id > %s",
            (after_batch,),
        ).fetchone()[0]
    args = ["build"] if mode == "full" else ["build", "--exclude", "resource_type:seed"]
    result = run_dbt(args, check=False, as_of=as_of)
    statuses = Counter(result.nodes.values())
    with connect() as conn:
        marts = _count(conn, "marts.fct_dossier")
    detail = {
        "args": args,
        "as_of": as_of,
        "nodes": statuses,
        "fct_dossier_rows": marts,
        "failures": result.failures[:20],
        "slowest": slowest_nodes(result.raw),
    }
    if not result.success:
        raise StageFailed(f"dbt {' '.join(args)} failed: {'; '.join(result.failures[:5])}", detail, int(rows))
    return {"rows": int(rows), "detail": detail}


def slowest_nodes(run_result, top: int = 12) -> list[list]:
    """The nodes that took longest (seconds, name): what dominates a dbt stage."""
    timed = [
        (round(float(getattr(r, "execution_time", 0) or 0), 2), r.node.unique_id.split(".", 1)[1])
        for r in getattr(run_result, "results", None) or []
    ]
    return [list(t) for t in sorted(timed, reverse=True)[:top]]


class StageFailed(RuntimeError):
    def __init__(self, message: str, detail: dict, rows: int = 0):
        super().__init__(message)
        self.detail = detail
        self.rows = rows


def _count(conn, table: str) -> int | None:
    exists = conn.execute("select to_regclass(%s)", (table,)).fetchone()[0]
    if exists is None:
        return None
    return conn.execute(f"select count(*) from {table}").fetchone()[0]


def _iso(value) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)
