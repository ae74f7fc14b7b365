"""Biểu 06 reports (the statutory timeliness form, Biểu số 06/VPCP/KSTT) from the landing folder into
raw: one batch per report file not seen before (new or changed bytes), in `raw.bieu06_rows`.

Reports are their own source in the ledger (`source = 'reports'`, entity `bieu06_rows`) and in dbt
(`stg_reports__bieu06_rows`): provinces send them beside, not inside, their one-stop exports.
Layout: `<landing>/reports/<province>/<file>.xlsx`; they stay there and are rescanned every night.
A session advisory lock per province makes a second run wait for the first.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import psycopg

from cchc import ledger
from cchc.load.copy import copy_rows
from cchc.settings import get_settings
from cchc.sources import landing_files as landing
from cchc.sources.onestop.manifest import file_sha256
from cchc.sources.reports import bieu06_reader as bieu06
from cchc.warehouse.connection import connect

log = logging.getLogger(__name__)

SOURCE = "reports"
ENTITY = "bieu06_rows"


def _province_codes_ever() -> frozenset[str]:
    """Province codes of either map (a report's period can be before or after 2025-07-01)."""
    from cchc.reference import admin_units

    return admin_units.province_codes(date(2025, 6, 30)) | admin_units.province_codes(date(2025, 7, 1))


def _report_files(province_code: str | None) -> list[tuple[str, Path]]:
    root = get_settings().landing_dir / "reports"
    if not root.is_dir():
        return []
    wanted = {province_code} if province_code else set(get_settings().province_filter)
    found = []
    for province_dir in sorted(p for p in root.iterdir() if p.is_dir() and not p.is_symlink()):
        if province_dir.name not in _province_codes_ever():
            log.warning(
                "ignoring %s: not the code of a province (of any day)", landing.relative(province_dir)
            )
            continue
        if wanted and province_dir.name not in wanted:
            continue
        for path in sorted(province_dir.iterdir()):
            if (
                path.is_file()
                and not path.is_symlink()
                and path.suffix.lower() == ".xlsx"
                and not path.name.startswith("~$")
            ):
                found.append((province_dir.name, path))
    return found


def _seen(conn: psycopg.Connection, slot: ledger.BatchSlot, sha256: str) -> int | None:
    # Reports stay in the landing folder and are rescanned every night: bytes already handled
    # (loaded, pending, quarantined…) are not news and get no new ledger row.
    row = conn.execute(
        """
        select batch_id from audit.batches
        where source = %s and entity = %s and province_code is not distinct from %s
          and file_name = %s and sha256 = %s and status <> 'failed'
        order by batch_id desc limit 1
        """,
        (slot.source, slot.entity, slot.province_code, slot.file_name, sha256),
    ).fetchone()
    return row[0] if row else None


def _ingest_report(conn: psycopg.Connection, province_code: str, path: Path) -> ledger.BatchOutcome | None:
    name = bieu06.parse_file_name(path.name)
    slot = ledger.BatchSlot(SOURCE, ENTITY, province_code, name.period_end if name else None, path.name)
    file = landing.LandingFile(path.name, path, file_sha256(path), None)
    if _seen(conn, slot, file.sha256) is not None:
        log.debug("%s: already handled", landing.relative(path))
        return None
    try:
        report = bieu06.read_bieu06(path)
    except bieu06.ReportRejected as exc:
        return landing.close_new(conn, slot, file, "quarantined", str(exc))
    except Exception as exc:
        return landing.failed(conn, slot, file, exc)
    try:
        with conn.transaction():
            batch_id = landing.open_file_batch(conn, slot, file)
            rows = copy_rows(
                conn, f"raw.{ENTITY}", bieu06.RAW_COLUMNS, report.long_rows(batch_id, province_code)
            )
            ledger.record_load(
                conn,
                batch_id,
                rows_in=len(report.rows),
                rows_loaded=rows,
                warnings=[f"{path.name}: {w}" for w in report.warnings],
            )
    except Exception as exc:
        return landing.failed(conn, slot, file, exc)
    log.info(
        "%s: batch %s pending, %s field rows, %s values",
        landing.relative(path),
        batch_id,
        len(report.rows),
        rows,
    )
    return ledger.BatchOutcome(
        batch_id, ENTITY, province_code, slot.business_date, path.name, "pending", rows
    )


def ingest_reports(province_code: str | None = None) -> list[ledger.BatchOutcome]:
    """Load Biểu 06 reports not seen before (new or changed bytes); one outcome per such file."""
    outcomes: list[ledger.BatchOutcome] = []
    files = _report_files(province_code)
    if not files:
        return outcomes
    with connect(autocommit=True) as conn:
        for province in sorted({p for p, _ in files}):
            with landing.advisory_lock(conn, f"{SOURCE}:{province}"):
                for _, path in (f for f in files if f[0] == province):
                    outcome = _ingest_report(conn, province, path)
                    if outcome is not None:
                        outcomes.append(outcome)
    return outcomes
