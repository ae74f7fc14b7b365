"""The batch ledger (audit.batches): every file or API window that reaches the warehouse.

Lifecycle of a batch:
    pending      rows are in raw (committed with the ledger row), validation has not run
    accepted     validation passed (warnings allowed): staging reads it
    quarantined  a manifest mismatch, an unreadable file, or a critical expectation failed
    superseded   a later accepted batch of the same (entity, province, date, file) replaced it
    duplicate    the same bytes (sha256) as an earlier batch of the same slot: nothing loaded
    failed       the load itself broke (bug, lost connection); safe to retry

Staging reads only batches whose status is 'accepted', so quarantined or pending data never
reaches marts. Ingestion opens and loads batches; validation calls `accept` or `quarantine`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

import psycopg

ACCEPTED = "accepted"


@dataclass(frozen=True)
class BatchSlot:
    """What a batch replaces when corrected: one file of one export (or one API window)."""

    source: str
    entity: str
    province_code: str | None
    business_date: date | None
    file_name: str


@dataclass(frozen=True)
class BatchOutcome:
    """What one batch ended as; ingestion and validation return these, the run summary lists them."""

    batch_id: int | None
    entity: str
    province_code: str | None
    business_date: date | None
    file_name: str
    status: str
    rows_loaded: int = 0
    reason: str | None = None


def find_same_content(conn: psycopg.Connection, slot: BatchSlot, sha256: str) -> int | None:
    """An earlier batch of this slot with the same bytes that counts (not failed/quarantined)."""
    row = conn.execute(
        """
        select batch_id from audit.batches
        where entity = %s and province_code is not distinct from %s
          and business_date is not distinct from %s and file_name = %s and sha256 = %s
          and status in ('pending', 'accepted', 'superseded')
        order by batch_id limit 1
        """,
        (slot.entity, slot.province_code, slot.business_date, slot.file_name, sha256),
    ).fetchone()
    return row[0] if row else None


def open_batch(
    conn: psycopg.Connection,
    slot: BatchSlot,
    *,
    file_path: str | None,
    sha256: str | None,
    manifest_rows: int | None = None,
    status: str = "pending",
    reason: str | None = None,
) -> int:
    row = conn.execute(
        """
        insert into audit.batches
            (source, entity, province_code, business_date, file_path, file_name, sha256,
             manifest_rows, status, reason)
        values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
        returning batch_id
        """,
        (
            slot.source,
            slot.entity,
            slot.province_code,
            slot.business_date,
            file_path,
            slot.file_name,
            sha256,
            manifest_rows,
            status,
            reason,
        ),
    ).fetchone()
    return row[0]


def record_load(
    conn: psycopg.Connection,
    batch_id: int,
    *,
    rows_in: int,
    rows_loaded: int,
    rows_rejected: int = 0,
    warnings: list[str] | None = None,
) -> None:
    conn.execute(
        """
        update audit.batches
        set rows_in = %s, rows_loaded = %s, rows_rejected = %s,
            warnings = warnings || %s::jsonb, loaded_at = now()
        where batch_id = %s
        """,
        (rows_in, rows_loaded, rows_rejected, json.dumps(warnings or []), batch_id),
    )


def close_as(conn: psycopg.Connection, batch_id: int, status: str, reason: str | None = None) -> None:
    """Final status for batches that never reach validation (duplicate, quarantined, failed)."""
    conn.execute(
        "update audit.batches set status = %s, reason = coalesce(%s, reason), finished_at = now() "
        "where batch_id = %s",
        (status, reason, batch_id),
    )


def accept(conn: psycopg.Connection, batch_id: int, warnings: list[str] | None = None) -> list[int]:
    """Mark a validated batch accepted and supersede the earlier accepted batches of its slot.

    Returns the batch ids it superseded. Must run in the caller's transaction so that a
    reader never sees two accepted versions of the same export file.
    """
    conn.execute(
        """
        update audit.batches
        set status = 'accepted', validated_at = now(), finished_at = now(),
            warnings = warnings || %s::jsonb
        where batch_id = %s
        """,
        (json.dumps(warnings or []), batch_id),
    )
    rows = conn.execute(
        """
        update audit.batches old
        set status = 'superseded', superseded_by = new.batch_id, finished_at = now(),
            reason = 'superseded by corrected batch ' || new.batch_id
        from audit.batches new
        where new.batch_id = %s
          and old.batch_id <> new.batch_id
          and old.entity = new.entity
          and old.province_code is not distinct from new.province_code
          and old.business_date is not distinct from new.business_date
          and old.file_name = new.file_name
          and old.status = 'accepted'
        returning old.batch_id
        """,
        (batch_id,),
    ).fetchall()
    return [r[0] for r in rows]


def quarantine(conn: psycopg.Connection, batch_id: int, reason: str) -> None:
    conn.execute(
        """
        update audit.batches
        set status = 'quarantined', reason = %s, validated_at = now(), finished_at = now()
        where batch_id = %s
        """,
        (reason, batch_id),
    )


class CannotWithdraw(ValueError):
    """The batch does not exist, or holds nothing to withdraw (already quarantined, duplicate…)."""


def withdraw(conn: psycopg.Connection, batch_id: int, reason: str, *, by: str) -> str:
    """An operator takes a batch out of the warehouse: it becomes quarantined with the reason and
    who did it, so staging stops reading it, a rescan of the same bytes never takes it again, and
    the ledger keeps the whole story. Returns the status it had."""
    if not reason.strip():
        raise CannotWithdraw("say why: a withdrawal needs a reason")
    row = conn.execute(
        "select status from audit.batches where batch_id = %s for update", (batch_id,)
    ).fetchone()
    if row is None:
        raise CannotWithdraw(f"no batch {batch_id} in audit.batches")
    if row[0] not in ("accepted", "pending", "superseded"):
        raise CannotWithdraw(f"batch {batch_id} is {row[0]}: nothing of it is in the warehouse to withdraw")
    conn.execute(
        """
        update audit.batches
        set status = 'quarantined', finished_at = now(),
            reason = 'withdrawn by ' || %s || ' on ' || to_char(now(), 'YYYY-MM-DD HH24:MI') || ': ' || %s
                     || coalesce(' (was ' || status || ')', '')
        where batch_id = %s
        """,
        (by, reason.strip(), batch_id),
    )
    return row[0]


def pending_batches(conn: psycopg.Connection, *, entity: str | None = None) -> list[int]:
    rows = conn.execute(
        "select batch_id from audit.batches where status = 'pending' and (%s::text is null or entity = %s) "
        "order by batch_id",
        (entity, entity),
    ).fetchall()
    return [r[0] for r in rows]
