"""One province-day of Source A: ingest every file of its exports and the reports that arrived,
then validate each new batch.

Problems are raised after everything else of the province-day was processed (one bad file loses
nothing else): a quarantined batch as `BatchesQuarantined` (data: no retry can fix it), a failed
load as `BatchesFailed` (left to Airflow's retries, as is any other exception).
"""

from __future__ import annotations

import logging
import time
from datetime import date
from typing import Any

from cchc.pipeline.batches import as_list, raise_for_bad, rows_loaded, tally, validate_new

log = logging.getLogger(__name__)


def ingest_and_validate(province_code: str, business_date: date) -> dict[str, Any]:
    """Ingest and validate one province-day; returns counts and the batches it touched."""
    from cchc.sources.onestop.discover import find_exports
    from cchc.sources.onestop.ingest import ingest_export, ingest_reports

    started = time.perf_counter()
    exports = find_exports(business_date, province_code=province_code)
    outcomes: list[dict[str, Any]] = []
    for export in exports:
        outcomes += as_list(ingest_export(export))
    outcomes += as_list(ingest_reports(province_code))
    outcomes = validate_new(outcomes)
    summary = {
        "province_code": province_code,
        "business_date": business_date.isoformat(),
        "exports": len(exports),
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
