"""Recording a verdict, in the caller's transaction, together with its evidence.

What this writes (read by dbt: `marts.fct_pipeline_batches`, `marts.fct_report_reconciliation`):
- `audit.batches`: a pending batch becomes `accepted` (warnings appended to `warnings`, earlier
  accepted batches of the same slot become `superseded`) or `quarantined` with `reason` = every
  failed critical expectation and how badly ("NgayHenTra before NgayTiepNhan in 1,204 of
  18,311 rows"). Both happen in one transaction with the results, so a reader never sees a
  verdict without its evidence.
- `audit.validation_results`: one row per expectation (see `cchc.validate.results`).
- `audit.report_identity_checks` (Biểu 06 batches): every identity per report row, ok or not,
  with both sides and the difference.
A critical expectation that could not run at all (a SQL error) leaves the batch pending and
raises: a bug or an outage is not the data's fault, and the next run retries it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import NamedTuple

import psycopg

from cchc import ledger
from cchc.validate.entities import ENTITIES
from cchc.validate.outcome import ValidationError, ValidationOutcome
from cchc.validate.results import ExpectationOutcome, reason


def batch_rows(conn: psycopg.Connection, entity: str, batch_id: int) -> int:
    return conn.execute(
        f"select count(*) from raw.{ENTITIES[entity].name} where batch_id = %s", (batch_id,)
    ).fetchone()[0]


def _store_identity_checks(conn: psycopg.Connection, batch_id: int) -> None:
    from cchc_expectations import bieu06_identity_checks_sql

    checks = bieu06_identity_checks_sql("(select * from raw.bieu06_rows where batch_id = %(b)s) as batch")
    conn.execute("delete from audit.report_identity_checks where batch_id = %(b)s", {"b": batch_id})
    conn.execute(
        "insert into audit.report_identity_checks "
        "(batch_id, report_id, field_name, source_row, rule, lhs, rhs, difference, ok) "
        f"select %(b)s, report_id, field_name, source_row, rule, lhs, rhs, difference, ok from ({checks}) c",
        {"b": batch_id},
    )


class BatchRow(NamedTuple):
    """The ledger's row of a batch, as a verdict reports it."""

    entity: str
    province_code: str | None
    business_date: dt.date | None
    file_name: str | None
    status: str


def pending_row(conn: psycopg.Connection, batch_id: int) -> BatchRow:
    """The batch's ledger row, locked for the verdict (a second run waits, then finds it judged)."""
    row = conn.execute(
        "select entity, province_code, business_date, file_name, status from audit.batches "
        "where batch_id = %s for update",
        (batch_id,),
    ).fetchone()
    if row is None:
        raise ValidationError(f"batch {batch_id} is not in audit.batches")
    return BatchRow(*row)


def not_pending(batch_id: int, row: BatchRow) -> ValidationOutcome:
    """A batch another run judged already: reported as it is, nothing ran."""
    return ValidationOutcome(batch_id, *row, validated=False)


def record_verdict(
    conn: psycopg.Connection, batch_id: int, row: BatchRow, outcomes: list[ExpectationOutcome], rows: int
) -> ValidationOutcome:
    """Store the results and accept or quarantine, in the caller's transaction."""
    entity_name = row.entity
    broken = [o for o in outcomes if o.severity == "critical" and o.not_evaluated]
    if broken:
        raise ValidationError(
            f"batch {batch_id} ({entity_name}): critical expectation could not run: "
            + "; ".join(o.message for o in broken)
        )
    conn.execute("delete from audit.validation_results where batch_id = %s", (batch_id,))
    with conn.cursor() as cur:
        cur.executemany(
            "insert into audit.validation_results (batch_id, suite_name, expectation, severity, "
            "success, element_count, unexpected_count, observed_value, unexpected_examples, message) "
            "values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [o.row(batch_id) for o in outcomes],
        )
    if entity_name == "bieu06_rows":
        _store_identity_checks(conn, batch_id)
    failed_critical = [o for o in outcomes if o.severity == "critical" and not o.success]
    warnings = [o.message for o in outcomes if o.severity == "warning" and not o.success]
    judged = ValidationOutcome(batch_id, *row._replace(status=ledger.ACCEPTED), warnings=warnings, rows=rows)
    if failed_critical:
        why = reason(failed_critical)
        ledger.quarantine(conn, batch_id, why)
        return replace(judged, status="quarantined", reason=why)
    return replace(judged, superseded=ledger.accept(conn, batch_id, warnings))
