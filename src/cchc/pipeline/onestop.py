"""One province-day of Source A: ingest every file of its exports and the reports that arrived,
then validate each new batch.

Besides the business date's own export, the task picks up every ready export of the province
from earlier dates that the ledger has not seen, or that changed since it was last ingested: an
export that arrived days late, a corrected copy, or (on a first run) the history already in the
landing area. Re-ingesting a seen export is harmless (same sha256: `duplicate`) but costs reading
it, so seen and unchanged folders are skipped.

Problems are raised after everything else of the province-day was processed (one bad file loses
nothing else): a quarantined batch as `BatchesQuarantined` (data: no retry can fix it), a failed
load as `BatchesFailed` (left to Airflow's retries, as is any other exception).
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, date, datetime
from typing import Any

from cchc.pipeline.batches import as_list, raise_for_bad, rows_loaded, tally, validate_new
from cchc.warehouse.connection import connect

log = logging.getLogger(__name__)


def _last_ingested(province_code: str) -> dict[date, datetime]:
    """When each of the province's export dates was last ingested (a failed load does not count:
    it is tried again)."""
    with connect() as conn:
        rows = conn.execute(
            "select business_date, max(started_at) from audit.batches "
            "where source = 'onestop' and province_code = %s and business_date is not null "
            "and status <> 'failed' group by 1",
            (province_code,),
        ).fetchall()
    return dict(rows)


def _changed_since(folder, when: datetime) -> bool:
    stamp = max((p.stat().st_mtime for p in folder.iterdir() if p.is_file()), default=0.0)
    return datetime.fromtimestamp(stamp, tz=UTC) > when


def exports_to_ingest(province_code: str, business_date: date) -> list:
    """The business date's export, plus earlier ready exports not yet (or no longer) ingested."""
    from cchc.sources.onestop.discover import find_exports

    seen = _last_ingested(province_code)
    chosen = []
    for export in find_exports(None, province_code=province_code):
        if export.business_date > business_date:
            continue
        day = export.business_date
        unseen = export.ready and (day not in seen or _changed_since(export.path, seen[day]))
        if day == business_date or unseen:
            chosen.append(export)
    late = [e.business_date.isoformat() for e in chosen if e.business_date != business_date]
    if late:
        log.info("province %s: also ingesting %d earlier export(s): %s", province_code, len(late), late[:10])
    return chosen


def ingest_and_validate(province_code: str, business_date: date) -> dict[str, Any]:
    """Ingest and validate one province-day; returns counts and the batches it touched."""
    from cchc.sources.onestop.ingest import ingest_export, ingest_reports

    started = time.perf_counter()
    exports = exports_to_ingest(province_code, business_date)
    outcomes: list[dict[str, Any]] = []
    for export in exports:
        outcomes += as_list(ingest_export(export))
    outcomes += as_list(ingest_reports(province_code))
    outcomes = validate_new(outcomes)
    summary = {
        "province_code": province_code,
        "business_date": business_date.isoformat(),
        "exports": len(exports),
        "late_exports": sorted({e.business_date.isoformat() for e in exports} - {business_date.isoformat()}),
        "batches": outcomes,
        "counts": tally(outcomes),
        "rows_loaded": rows_loaded(outcomes),
        "seconds": round(time.perf_counter() - started, 3),
    }
    log.info(
        "province %s %s: %d export(s), batches %s, %d rows loaded",
        province_code,
        business_date,
        len(exports),
        summary["counts"],
        summary["rows_loaded"],
    )
    raise_for_bad(f"province {province_code} on {business_date}", outcomes)
    return summary
