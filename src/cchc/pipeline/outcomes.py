"""The run summary: what every province and endpoint of one nightly run ended as.

It is recorded in audit.run_outcomes (one row per run, province/endpoint and step) and the task
that writes it fails the run when anything failed, so that a partly failed night is visible in
Airflow even though dbt built the marts from everything that was accepted.
"""

from __future__ import annotations

import json
import logging
from datetime import date
from typing import Any

from cchc.warehouse.connection import connect

log = logging.getLogger(__name__)

OK_STATES = frozenset({"success", "skipped"})


class RunHadFailures(RuntimeError):
    """Some province or endpoint failed this run (the marts were still rebuilt)."""


def record(run_id: str, business_date: date, rows: list[tuple[str, str, str, str | None]]) -> None:
    """rows: (province_code or endpoint, step, status, detail)."""
    with connect() as conn:
        for key, step, status, detail in rows:
            conn.execute(
                """
                insert into audit.run_outcomes (run_id, business_date, province_code, step, status, detail)
                values (%s, %s, %s, %s, %s, %s)
                on conflict (run_id, province_code, step)
                do update set status = excluded.status, detail = excluded.detail, recorded_at = now()
                """,
                (run_id, business_date, key, step, status, detail),
            )


def record_marts_refreshed(run_id: str, business_date: date) -> None:
    """The marts of this night are built (the deadline callback reads this)."""
    record(run_id, business_date, [("*", "marts_refreshed", "success", None)])
    log.info("marts refreshed for business date %s (run %s)", business_date, run_id)


def marts_refreshed_at(business_date: date):
    """When the marts of that business date were last refreshed by any run, or None."""
    with connect() as conn:
        row = conn.execute(
            """
            select max(recorded_at) from audit.run_outcomes
            where business_date = %s and step = 'marts_refreshed' and status = 'success'
            """,
            (business_date,),
        ).fetchone()
    return row[0] if row else None


def summarise_run(
    run_id: str,
    business_date: date,
    provinces: list[str],
    province_states: dict[str, str],
    results: list[dict[str, Any]],
    step_states: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Record and return the run's outcome; raise RunHadFailures when something failed.

    province_states: final Airflow state of each province's ingestion (missing = never ran).
    results: what the successful ingestion and pull tasks returned.
    step_states: final state of the other steps (portal pulls, dbt, docs) by name.
    """
    by_province = {r["province_code"]: r for r in results if r and r.get("province_code")}
    rows: list[tuple[str, str, str, str | None]] = []
    failed: list[str] = []
    for code in provinces:
        state = province_states.get(code, "not run")
        result = by_province.get(code)
        detail = json.dumps(result["counts"]) if result else None
        rows.append((code, "onestop", state, detail))
        if state not in OK_STATES:
            failed.append(f"province {code}: {state}")
    for step, state in sorted((step_states or {}).items()):
        rows.append(("*", step, state, None))
        if state not in OK_STATES:
            failed.append(f"{step}: {state}")
    from cchc.pipeline.leftovers import still_pending

    pending = still_pending()
    if pending["count"]:
        # loaded but never judged: out of the marts until validated (`cchc validate --pending`)
        rows.append(("*", "batches still pending", "failed", json.dumps(pending)))
        failed.append(f"{pending['count']} batch(es) still pending: " + "; ".join(pending["batches"][:5]))
    record(run_id, business_date, rows)
    summary = {
        "run_id": run_id,
        "business_date": business_date.isoformat(),
        "provinces_ok": sorted(c for c in provinces if province_states.get(c) in OK_STATES),
        "failed": failed,
        "rows_loaded": sum(int(r.get("rows_loaded") or 0) for r in results if r),
        "still_pending": pending,
    }
    log.info(
        "run %s for %s: %d/%d provinces ok, %d rows loaded%s",
        run_id,
        business_date,
        len(summary["provinces_ok"]),
        len(provinces),
        summary["rows_loaded"],
        f"; FAILED: {'; '.join(failed)}" if failed else "",
    )
    if failed:
        raise RunHadFailures(f"run for {business_date} had failures: {'; '.join(failed)}")
    return summary
