"""What every landing-folder source shares when it turns a file into a ledger batch: the file it
read, a session advisory lock per slot (a second run waits, then finds the first run's batches),
and ledger rows that end at once (quarantined or failed), never repeated for the same bytes."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg

from cchc import ledger
from cchc.settings import get_settings
from cchc.warehouse.connection import connect

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LandingFile:
    name: str
    path: Path
    sha256: str | None
    manifest_rows: int | None


def _lock_key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


@contextmanager
def advisory_lock(conn: psycopg.Connection, name: str) -> Iterator[None]:
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


def relative(path: Path) -> str:
    try:
        return str(path.relative_to(get_settings().landing_dir))
    except ValueError:
        return str(path)


def open_file_batch(conn: psycopg.Connection, slot: ledger.BatchSlot, file: LandingFile, **status) -> int:
    """The ledger row of a landing file (path relative to the landing folder, its sha256 and the
    manifest's row count); `status`/`reason` for a row that ends at once."""
    return ledger.open_batch(
        conn,
        slot,
        file_path=relative(file.path),
        sha256=file.sha256,
        manifest_rows=file.manifest_rows,
        **status,
    )


def close_new(
    conn: psycopg.Connection,
    slot: ledger.BatchSlot,
    file: LandingFile,
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
            batch_id = open_file_batch(conn, slot, file, status=status, reason=reason)
            ledger.close_as(conn, batch_id, status, reason)
    log.warning("%s %s: %s", relative(file.path), status, reason)
    return ledger.BatchOutcome(
        batch_id, slot.entity, slot.province_code, slot.business_date, slot.file_name, status, 0, reason
    )


def failed(
    conn: psycopg.Connection, slot: ledger.BatchSlot, file: LandingFile, exc: Exception
) -> ledger.BatchOutcome:
    reason = f"load failed: {type(exc).__name__}: {exc}"[:2000]
    log.exception("%s: %s", relative(file.path), reason)
    try:
        if conn.broken:
            with connect(autocommit=True) as fresh:
                return close_new(fresh, slot, file, "failed", reason)
        return close_new(conn, slot, file, "failed", reason)
    except psycopg.Error:
        log.exception("could not record the failure of %s in the ledger", relative(file.path))
        return ledger.BatchOutcome(
            None, slot.entity, slot.province_code, slot.business_date, slot.file_name, "failed", 0, reason
        )
