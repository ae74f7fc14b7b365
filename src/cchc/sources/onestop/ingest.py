"""Source A into raw: one batch per export file or report file, each with its own outcome.

Protocol (docs/ARCHITECTURE.md, `cchc.ledger`):
1. an export without manifest.json is not ready: nothing happens;
2. every file is checked against the manifest (sha256, data rows) before anything loads; a
   mismatch closes every file of the export `quarantined`, naming file, expected and found
   (XLSX rows are counted by the loader, inside the still uncommitted transaction of the
   dossier file, which is loaded first: a mismatch there also leaves nothing of the export);
3. same bytes as an earlier batch of the slot → a `duplicate` ledger row, nothing loaded;
4. otherwise ledger row + COPY + rejected rows + `record_load` commit in ONE transaction and the
   batch stays `pending` for validation; a crash or kill half-way leaves nothing, and the next
   run loads the file whole;
5. a file that cannot be loaded as a whole (missing required column, unreadable) is
   `quarantined` alone; a bug or lost connection leaves it `failed`, safe to retry.
A session advisory lock per province-day (and per province for reports) makes a second run
wait for the first, then find its batches and record duplicates instead of loading twice.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import psycopg

from cchc import ledger
from cchc.load.copy import copy_rows
from cchc.privacy import Pseudonymiser
from cchc.settings import get_settings
from cchc.sources.onestop import bieu06
from cchc.sources.onestop.columns import HOSO_FILES, Entity, entity_for
from cchc.sources.onestop.discover import Export
from cchc.sources.onestop.manifest import (
    MANIFEST,
    FileCheck,
    Manifest,
    ManifestError,
    check_belongs_to,
    check_export,
    file_sha256,
    read_manifest,
)
from cchc.sources.onestop.readers import open_csv, open_jsonl, open_xlsx, sheet_names
from cchc.sources.onestop.typed_rows import FileRejected, RowTyper, TypingReport
from cchc.warehouse.connection import connect

log = logging.getLogger(__name__)

SOURCE = "onestop"
REPORTS_SOURCE = "reports"
REPORTS_ENTITY = "bieu06_rows"
REJECT_COLUMNS = ("batch_id", "file_name", "source_row", "column_name", "raw_value", "reason")


class ExportMismatch(Exception):
    """Found while loading (XLSX rows are counted by the loader): the export does not match."""


@dataclass(frozen=True)
class _File:
    name: str
    path: Path
    sha256: str | None
    manifest_rows: int | None


# -- locking ----------------------------------------------------------------------------------
def _lock_key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


@contextmanager
def _advisory_lock(conn: psycopg.Connection, name: str) -> Iterator[None]:
    key = _lock_key(name)
    if not conn.execute("select pg_try_advisory_lock(%s)", (key,)).fetchone()[0]:
        log.info("%s is being ingested by another run: waiting for it to finish", name)
        started = time.monotonic()
        conn.execute("select pg_advisory_lock(%s)", (key,))
        log.info("%s: lock acquired after %.1f s", name, time.monotonic() - started)
    try:
        yield
    finally:
        if not conn.closed and not conn.broken:
            conn.execute("select pg_advisory_unlock(%s)", (key,))


# -- ledger helpers ---------------------------------------------------------------------------
def _relative(path: Path) -> str:
    try:
        return str(path.relative_to(get_settings().landing_dir))
    except ValueError:
        return str(path)


def _close_new(
    conn: psycopg.Connection,
    slot: ledger.BatchSlot,
    file: _File,
    status: str,
    reason: str,
) -> ledger.BatchOutcome:
    """A ledger row that ends at once (quarantined/failed), not repeated for the same bytes."""
    with conn.transaction():
        same = conn.execute(
            """
            select batch_id from audit.batches
            where source = %s and entity = %s and province_code is not distinct from %s
              and business_date is not distinct from %s and file_name = %s
              and sha256 is not distinct from %s and status = %s and reason = %s
            order by batch_id desc limit 1
            """,
            (
                slot.source,
                slot.entity,
                slot.province_code,
                slot.business_date,
                slot.file_name,
                file.sha256,
                status,
                reason,
            ),
        ).fetchone()
        if same and status == "quarantined":
            batch_id = same[0]
        else:
            batch_id = ledger.open_batch(
                conn,
                slot,
                file_path=_relative(file.path),
                sha256=file.sha256,
                manifest_rows=file.manifest_rows,
                status=status,
                reason=reason,
            )
            ledger.close_as(conn, batch_id, status, reason)
    log.warning("%s %s: %s", _relative(file.path), status, reason)
    return ledger.BatchOutcome(
        batch_id, slot.entity, slot.province_code, slot.business_date, slot.file_name, status, 0, reason
    )


def _failed(
    conn: psycopg.Connection, slot: ledger.BatchSlot, file: _File, exc: Exception
) -> ledger.BatchOutcome:
    reason = f"load failed: {type(exc).__name__}: {exc}"[:2000]
    log.exception("%s: %s", _relative(file.path), reason)
    try:
        if conn.broken:
            with connect(autocommit=True) as fresh:
                return _close_new(fresh, slot, file, "failed", reason)
        return _close_new(conn, slot, file, "failed", reason)
    except psycopg.Error:
        log.exception("could not record the failure of %s in the ledger", _relative(file.path))
        return ledger.BatchOutcome(
            None, slot.entity, slot.province_code, slot.business_date, slot.file_name, "failed", 0, reason
        )


def _duplicate(conn, slot: ledger.BatchSlot, file: _File, earlier: int) -> ledger.BatchOutcome:
    reason = f"same content (sha256) as batch {earlier}: nothing loaded"
    batch_id = ledger.open_batch(
        conn,
        slot,
        file_path=_relative(file.path),
        sha256=file.sha256,
        manifest_rows=file.manifest_rows,
        status="duplicate",
        reason=reason,
    )
    ledger.close_as(conn, batch_id, "duplicate")
    log.info("%s: duplicate of batch %s", _relative(file.path), earlier)
    return ledger.BatchOutcome(
        batch_id, slot.entity, slot.province_code, slot.business_date, slot.file_name, "duplicate", 0, reason
    )


def storable(text: str | None) -> str | None:
    """A rejected value as PostgreSQL text can hold it: a NUL (which text cannot store, and which
    would fail the whole file) is written as the four characters \\x00."""
    return text.replace("\x00", "\\x00") if text is not None else None


def _store_rejects(conn: psycopg.Connection, batch_id: int, file_name: str, report: TypingReport) -> None:
    if report.rejects:
        copy_rows(
            conn,
            "audit.rejected_rows",
            REJECT_COLUMNS,
            (
                (batch_id, file_name, r.source_row, r.column, storable(r.value), storable(r.reason))
                for r in report.rejects
            ),
        )


def _warnings(file_name: str, report: TypingReport) -> list[str]:
    warnings: list[str] = []
    if report.unknown_columns:
        warnings.append(f"{file_name}: unknown column(s) not loaded: {', '.join(report.unknown_columns)}")
    if report.rejected_rows:
        first = report.rejects[0]
        where = f"row {first.source_row}" + (f" column {first.column}" if first.column else "")
        value = f" value {first.value!r}" if first.value is not None else ""
        warnings.append(
            f"{file_name}: {report.rejected_rows} row(s) rejected (audit.rejected_rows); "
            f"first: {where}{value}: {first.reason}"
        )
    return warnings


# -- one export file --------------------------------------------------------------------------
def _copy_file(conn: psycopg.Connection, batch_id: int, entity: Entity, file: _File, typer: RowTyper) -> None:
    table = f"raw.{entity.table}"
    if file.path.suffix == ".jsonl":
        with open_jsonl(file.path) as objects:
            copy_rows(conn, table, entity.targets, typer.type_objects(batch_id, objects))
        return
    opener = open_xlsx if file.path.suffix == ".xlsx" else open_csv
    with opener(file.path) as (header, rows):
        try:
            typer.check_header(header)
        except FileRejected as exc:
            if file.path.suffix != ".xlsx":
                raise
            names = sheet_names(file.path)
            raise FileRejected(
                f"{exc} (read the workbook's first sheet {names[0]!r}; its sheets: {', '.join(map(repr, names))})"
            ) from None
        copy_rows(conn, table, entity.targets, typer.type_rows(batch_id, rows))


def _ingest_file(
    conn: psycopg.Connection, export: Export, file: _File, pseudonymiser: Pseudonymiser
) -> ledger.BatchOutcome:
    entity = entity_for(file.name)
    assert entity is not None
    slot = ledger.BatchSlot(SOURCE, entity.table, export.province_code, export.business_date, file.name)
    started = time.monotonic()
    try:
        with conn.transaction():
            earlier = ledger.find_same_content(conn, slot, file.sha256)
            if earlier is not None:
                return _duplicate(conn, slot, file, earlier)
            batch_id = ledger.open_batch(
                conn,
                slot,
                file_path=_relative(file.path),
                sha256=file.sha256,
                manifest_rows=file.manifest_rows,
            )
            typer = RowTyper(entity, file.path.suffix.lstrip("."), file.name, pseudonymiser)
            _copy_file(conn, batch_id, entity, file, typer)
            report = typer.report
            if file.manifest_rows is not None and report.rows_in != file.manifest_rows:
                raise ExportMismatch(
                    f"{file.name}: expected {file.manifest_rows} data rows, found {report.rows_in}"
                )
            _store_rejects(conn, batch_id, file.name, report)
            ledger.record_load(
                conn,
                batch_id,
                rows_in=report.rows_in,
                rows_loaded=report.rows_ok,
                rows_rejected=report.rejected_rows,
                warnings=_warnings(file.name, report),
            )
    except FileRejected as exc:
        return _close_new(conn, slot, file, "quarantined", str(exc))
    except ExportMismatch:
        raise
    except Exception as exc:
        return _failed(conn, slot, file, exc)
    seconds = time.monotonic() - started
    log.info(
        "%s: batch %s pending, %s rows loaded, %s rejected, %.1f s (%.0f rows/s)",
        _relative(file.path),
        batch_id,
        report.rows_ok,
        report.rejected_rows,
        seconds,
        report.rows_in / seconds if seconds else 0,
    )
    return ledger.BatchOutcome(
        batch_id,
        entity.table,
        export.province_code,
        export.business_date,
        file.name,
        "pending",
        report.rows_ok,
    )


def _quarantine_export(
    conn: psycopg.Connection, export: Export, files: list[_File], reason: str
) -> list[ledger.BatchOutcome]:
    outcomes = []
    for file in files:
        entity = entity_for(file.name)
        if entity is None:
            continue
        slot = ledger.BatchSlot(SOURCE, entity.table, export.province_code, export.business_date, file.name)
        outcomes.append(_close_new(conn, slot, file, "quarantined", reason))
    return outcomes


def _quarantine_after_load(
    conn: psycopg.Connection,
    export: Export,
    files: list[_File],
    done: list[ledger.BatchOutcome],
    reason: str,
) -> list[ledger.BatchOutcome]:
    # Files of the export committed before the mismatch showed up are withdrawn as well.
    outcomes = []
    for outcome in done:
        if outcome.status == "pending" and outcome.batch_id is not None:
            with conn.transaction():
                ledger.quarantine(conn, outcome.batch_id, reason)
            outcome = ledger.BatchOutcome(
                outcome.batch_id,
                outcome.entity,
                outcome.province_code,
                outcome.business_date,
                outcome.file_name,
                "quarantined",
                0,
                reason,
            )
        outcomes.append(outcome)
    return outcomes + _quarantine_export(conn, export, files[len(done) :], reason)


def _export_files(export: Export) -> list[str]:
    names = [
        p.name for p in export.path.iterdir() if p.is_file() and not p.is_symlink() and p.name != MANIFEST
    ]
    for name in names:
        if entity_for(name) is None:
            log.warning("%s: ignoring %s, not an export file of the contract", export.path, name)
    return [n for n in names if entity_for(n) is not None]


def _checked_files(export: Export, manifest: Manifest, checks: list[FileCheck]) -> list[_File]:
    files = []
    for check in checks:
        entry = manifest.file(check.name)
        files.append(_File(check.name, export.path / check.name, check.sha256, entry.rows if entry else None))
    # Dossiers first, so that a count mismatch found while loading them stops the export before
    # anything of it is committed.
    return sorted(files, key=lambda f: (f.name not in HOSO_FILES, f.name))


def ingest_export(export: Export) -> list[ledger.BatchOutcome]:
    """Load every file of one export as its own batch; returns one outcome per file."""
    label = f"{SOURCE}:{export.province_code}:{export.business_date.isoformat()}"
    if not export.ready or not export.path.is_dir():
        log.info("%s: no %s yet, export not ready (will be picked up when it arrives)", label, MANIFEST)
        return []
    pseudonymiser = Pseudonymiser()
    with connect(autocommit=True) as conn, _advisory_lock(conn, label):
        present = _export_files(export)
        try:
            manifest = read_manifest(export.path)
            check_belongs_to(manifest, export.province_code, export.business_date)
        except ManifestError as exc:
            files = [_File(n, export.path / n, file_sha256(export.path / n), None) for n in sorted(present)]
            return _quarantine_export(conn, export, files, f"export {label} quarantined: {exc}")
        checks = [c for c in check_export(export.path, manifest, present) if entity_for(c.name) is not None]
        files = _checked_files(export, manifest, checks)
        problems = [c.problem for c in checks if c.problem]
        if sum(f.name in HOSO_FILES for f in files) > 1:
            problems.append("more than one hoso file (the contract allows exactly one of csv/xlsx/jsonl)")
        if problems:
            reason = f"export {label} does not match its manifest: " + "; ".join(problems)
            return _quarantine_export(conn, export, files, reason)
        outcomes: list[ledger.BatchOutcome] = []
        for file in files:
            try:
                outcomes.append(_ingest_file(conn, export, file, pseudonymiser))
            except ExportMismatch as exc:
                reason = f"export {label} does not match its manifest: {exc}"
                return _quarantine_after_load(conn, export, files, outcomes, reason)
        return outcomes


# -- Biểu 06 reports --------------------------------------------------------------------------
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
            log.warning("ignoring %s: not the code of a province (of any day)", _relative(province_dir))
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
    slot = ledger.BatchSlot(
        REPORTS_SOURCE, REPORTS_ENTITY, province_code, name.period_end if name else None, path.name
    )
    file = _File(path.name, path, file_sha256(path), None)
    if _seen(conn, slot, file.sha256) is not None:
        log.debug("%s: already handled", _relative(path))
        return None
    try:
        report = bieu06.read_bieu06(path)
    except bieu06.ReportRejected as exc:
        return _close_new(conn, slot, file, "quarantined", str(exc))
    except Exception as exc:
        return _failed(conn, slot, file, exc)
    try:
        with conn.transaction():
            batch_id = ledger.open_batch(conn, slot, file_path=_relative(path), sha256=file.sha256)
            rows = copy_rows(
                conn, f"raw.{REPORTS_ENTITY}", bieu06.RAW_COLUMNS, report.long_rows(batch_id, province_code)
            )
            ledger.record_load(
                conn,
                batch_id,
                rows_in=len(report.rows),
                rows_loaded=rows,
                warnings=[f"{path.name}: {w}" for w in report.warnings],
            )
    except Exception as exc:
        return _failed(conn, slot, file, exc)
    log.info(
        "%s: batch %s pending, %s field rows, %s values", _relative(path), batch_id, len(report.rows), rows
    )
    return ledger.BatchOutcome(
        batch_id, REPORTS_ENTITY, province_code, slot.business_date, path.name, "pending", rows
    )


def ingest_reports(province_code: str | None = None) -> list[ledger.BatchOutcome]:
    """Load Biểu 06 reports not seen before (new or changed bytes); one outcome per such file."""
    outcomes: list[ledger.BatchOutcome] = []
    files = _report_files(province_code)
    if not files:
        return outcomes
    with connect(autocommit=True) as conn:
        for province in sorted({p for p, _ in files}):
            with _advisory_lock(conn, f"{REPORTS_SOURCE}:{province}"):
                for _, path in (f for f in files if f[0] == province):
                    outcome = _ingest_report(conn, province, path)
                    if outcome is not None:
                        outcomes.append(outcome)
    return outcomes
