"""Source A into raw: one batch per export file, each with its own outcome.

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
A session advisory lock per province-day makes a second run
wait for the first, then find its batches and record duplicates instead of loading twice.
"""

from __future__ import annotations

import logging
import time

import psycopg

from cchc import ledger
from cchc.load.copy import copy_rows
from cchc.privacy import Pseudonymiser
from cchc.sources.landing_files import (
    LandingFile,
    advisory_lock,
    close_new,
    failed,
    open_file_batch,
    relative,
)
from cchc.sources.onestop import csv_in_sql
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
REJECT_COLUMNS = ("batch_id", "file_name", "source_row", "column_name", "raw_value", "reason")


class ExportMismatch(Exception):
    """Found while loading (XLSX rows are counted by the loader): the export does not match."""


# -- ledger helpers ---------------------------------------------------------------------------
def _duplicate(conn, slot: ledger.BatchSlot, file: LandingFile, earlier: int) -> ledger.BatchOutcome:
    reason = f"same content (sha256) as batch {earlier}: nothing loaded"
    batch_id = open_file_batch(conn, slot, file, status="duplicate", reason=reason)
    ledger.close_as(conn, batch_id, "duplicate")
    log.info("%s: duplicate of batch %s", relative(file.path), earlier)
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
def _copy_file(
    conn: psycopg.Connection,
    batch_id: int,
    entity: Entity,
    file: LandingFile,
    typer: RowTyper,
    pseudonymiser: Pseudonymiser,
) -> None:
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
        # CSV is typed in the warehouse (csv_in_sql); what COPY would read differently, Python reads.
        if file.path.suffix == ".csv" and csv_in_sql.load(
            conn, table, entity, batch_id, file.path, typer, pseudonymiser
        ):
            return
        copy_rows(conn, table, entity.targets, typer.type_rows(batch_id, rows))


def _ingest_file(
    conn: psycopg.Connection, export: Export, file: LandingFile, pseudonymiser: Pseudonymiser
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
            batch_id = open_file_batch(conn, slot, file)
            typer = RowTyper(entity, file.path.suffix.lstrip("."), file.name, pseudonymiser)
            _copy_file(conn, batch_id, entity, file, typer, pseudonymiser)
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
        return close_new(conn, slot, file, "quarantined", str(exc))
    except ExportMismatch:
        raise
    except Exception as exc:
        return failed(conn, slot, file, exc)
    seconds = time.monotonic() - started
    log.info(
        "%s: batch %s pending, %s rows loaded, %s rejected, %.1f s (%.0f rows/s)",
        relative(file.path),
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
    conn: psycopg.Connection, export: Export, files: list[LandingFile], reason: str
) -> list[ledger.BatchOutcome]:
    outcomes = []
    for file in files:
        entity = entity_for(file.name)
        if entity is None:
            continue
        slot = ledger.BatchSlot(SOURCE, entity.table, export.province_code, export.business_date, file.name)
        outcomes.append(close_new(conn, slot, file, "quarantined", reason))
    return outcomes


def _quarantine_after_load(
    conn: psycopg.Connection,
    export: Export,
    files: list[LandingFile],
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


def _checked_files(export: Export, manifest: Manifest, checks: list[FileCheck]) -> list[LandingFile]:
    files = []
    for check in checks:
        entry = manifest.file(check.name)
        files.append(
            LandingFile(check.name, export.path / check.name, check.sha256, entry.rows if entry else None)
        )
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
    with connect(autocommit=True) as conn, advisory_lock(conn, label):
        present = _export_files(export)
        try:
            manifest = read_manifest(export.path)
            check_belongs_to(manifest, export.province_code, export.business_date)
        except ManifestError as exc:
            files = [
                LandingFile(n, export.path / n, file_sha256(export.path / n), None) for n in sorted(present)
            ]
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
