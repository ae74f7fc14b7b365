"""One province-day of Source A: ingest every file of its exports and the reports that arrived,
then validate each new batch.

Besides the business date's own export, the task picks up every ready export of the province
from earlier dates that the ledger has not taken with the content its manifest declares: an
export that arrived days late, a corrected copy, or (on a first run) the history already in the
landing area. Whether an export is new is decided by content (manifest and sha256 against the
ledger), never by file times, so a copy restored with old times or a re-delivery under a retired
province code is still seen. Re-ingesting a taken export is harmless (same sha256: `duplicate`)
but costs reading it, so taken folders are skipped.

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
from cchc.warehouse.connection import connect

log = logging.getLogger(__name__)


def _taken_files(province_code: str | None = None) -> dict[tuple[str, date], set[tuple[str, str]]]:
    """(file name, sha256) of every file the ledger took, by (province code, export date).
    A failed load does not count: it is tried again."""
    with connect() as conn:
        rows = conn.execute(
            "select province_code, business_date, file_name, sha256 from audit.batches "
            "where source = 'onestop' and business_date is not null and status <> 'failed'"
            + (" and province_code = %s" if province_code else ""),
            (province_code,) if province_code else (),
        ).fetchall()
    taken: dict[tuple[str, date], set[tuple[str, str]]] = {}
    for code, day, name, sha in rows:
        taken.setdefault((code, day), set()).add((name, sha))
    return taken


def is_taken(export, taken: dict[tuple[str, date], set[tuple[str, str]]]) -> bool:
    """By content, never by file times: every file its manifest lists is in the ledger with the
    sha256 the manifest declares. A corrected export (new manifest) is new again; a truncated one
    (its batch recorded the bytes it found, not the declared sha256) is looked at again each night
    until a good copy arrives. An unreadable manifest: taken once its files were all recorded."""
    from cchc.sources.onestop.manifest import MANIFEST, ManifestError, read_manifest

    seen = taken.get((export.province_code, export.business_date), set())
    try:
        wanted = {(f.name, f.sha256) for f in read_manifest(export.path).files}
    except ManifestError:
        names = {p.name for p in export.path.iterdir() if p.is_file() and p.name != MANIFEST}
        return bool(names) and names <= {name for name, _ in seen}
    return bool(wanted) and wanted <= seen


def untaken_exports(up_to: date, province_code: str | None = None) -> list:
    """Ready exports dated up to `up_to` that the ledger has not taken, whatever their province
    code (a retired code's re-delivery after the 2025 merger included)."""
    from cchc.sources.onestop.discover import find_exports

    taken = _taken_files(province_code)
    return [
        e
        for e in find_exports(None, province_code=province_code)
        if e.ready and e.business_date <= up_to and not is_taken(e, taken)
    ]


def exports_to_ingest(province_code: str, business_date: date) -> list:
    """The business date's export, plus earlier ready exports the ledger has not taken: an export
    that arrived days late, a corrected copy, or (on a first run) the history already in the
    landing area."""
    from cchc.sources.onestop.discover import find_exports

    chosen = {e.path: e for e in find_exports(business_date, province_code=province_code)}
    for export in untaken_exports(business_date, province_code):
        chosen.setdefault(export.path, export)
    exports = sorted(chosen.values(), key=lambda e: e.business_date)
    late = [e.business_date.isoformat() for e in exports if e.business_date != business_date]
    if late:
        log.info("province %s: also ingesting %d earlier export(s): %s", province_code, len(late), late[:10])
    for export in exports:
        log.info(
            "province %s: taking export %s (%s)",
            province_code,
            export.path.name,
            "ready" if export.ready else "not ready",
        )
    return exports


def ingest_and_validate(province_code: str, business_date: date) -> dict[str, Any]:
    """Ingest and validate one province-day; returns counts and the batches it touched."""
    from cchc.sources.onestop.ingest import ingest_export
    from cchc.sources.reports.ingest_reports import ingest_reports

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
