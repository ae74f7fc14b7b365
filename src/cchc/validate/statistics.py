"""Fresh planner statistics before a large validation (see refresh_statistics)."""

from __future__ import annotations

import logging

from cchc.validate.entities import ENTITIES

log = logging.getLogger(__name__)


def refresh_statistics(target, entity: str, batch_ids: list[int], *, min_rows: int = 1_000) -> bool:
    """ANALYZE the raw table when these batches are most of what changed since its statistics.

    Autovacuum re-analyzes a table after 10% of it changed: at 28M rows, never for one night. The
    planner then believes the new `batch_id`s hold no rows and joins a million-row batch to itself
    with nested loops (GX's uniqueness query ran for more than 20 minutes on one night at 10M
    dossiers). The join is quadratic, so small batches pay too: 3,807 supplement rows took 6.3 s
    in that query at 1M (an ANALYZE of the table, 0.1 s); below 1,000 rows it costs less than the
    ANALYZE. Returns whether it analyzed."""
    from cchc.warehouse.connection import connect

    table = ENTITIES[entity].name
    with connect(target, autocommit=True) as conn:
        rows = conn.execute(
            "select coalesce(sum(rows_loaded), 0) from audit.batches where batch_id = any(%s)",
            (list(batch_ids),),
        ).fetchone()[0]
        if rows < min_rows:
            return False
        changed = conn.execute(
            "select n_mod_since_analyze from pg_stat_user_tables where schemaname = 'raw' and relname = %s",
            (table,),
        ).fetchone()
        if changed is None or changed[0] < rows // 2:
            return False
        conn.execute(f"analyze raw.{table}")
    log.info("analyzed raw.%s before validating %s rows", table, rows)
    return True
