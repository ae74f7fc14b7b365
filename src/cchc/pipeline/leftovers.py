"""Batches an earlier run left pending: killed after its COPY committed (a rerun then finds the
file a duplicate of that batch), or its validation broke. Every night validates them before dbt,
so nothing loaded waits for a person, and the run summary names whatever is still not accepted."""

from __future__ import annotations

import logging
from typing import Any

from cchc.pipeline.batches import as_dict, tally

log = logging.getLogger(__name__)


def validate_leftovers() -> dict[str, Any]:
    """Validate every batch still pending, of any entity and date. Never raises for a batch: a
    validation that broke leaves it pending, and the run summary reports it."""
    from cchc.validate import validate_pending

    outcomes = [as_dict(o) for o in validate_pending()]
    broken = [f"batch {o['batch_id']}: {o['error']}" for o in outcomes if o.get("error")]
    summary = {"validated": len(outcomes), "counts": tally(outcomes), "errors": broken}
    if outcomes:
        log.info("pending batches from earlier runs validated: %s", summary["counts"])
    for line in broken:
        log.warning("still pending: %s", line)
    return summary


def still_pending(limit: int = 20) -> dict[str, Any]:
    """Batches not accepted yet (pending: loaded but not validated), oldest first."""
    from cchc.warehouse.connection import connect

    with connect() as conn:
        total = conn.execute("select count(*) from audit.batches where status = 'pending'").fetchone()[0]
        rows = conn.execute(
            "select batch_id, entity, province_code, business_date, file_name from audit.batches "
            "where status = 'pending' order by batch_id limit %s",
            (limit,),
        ).fetchall()
    return {
        "count": total,
        "batches": [
            f"batch {b} {entity} {province or '-'} {day} {name}" for b, entity, province, day, name in rows
        ],
    }
