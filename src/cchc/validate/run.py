"""Validate batches: run the entity's critical and warning suites on one batch in PostgreSQL,
store the results, then accept the batch or quarantine it.

What this writes (read by dbt: `marts.fct_pipeline_batches`, `marts.fct_report_reconciliation`):
- `audit.batches`: a pending batch becomes `loaded` (warnings appended to `warnings`, earlier
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
import logging
import time
from dataclasses import dataclass, field

import psycopg

from cchc import ledger
from cchc.settings import get_settings
from cchc.validate.entities import ENTITIES
from cchc.validate.project import GxProject, open_project
from cchc.validate.results import outcome_of, reason

log = logging.getLogger(__name__)


class ValidationError(RuntimeError):
    """Validation could not reach a verdict; the batch stays pending."""


@dataclass(frozen=True)
class ValidationOutcome:
    batch_id: int
    entity: str
    province_code: str | None
    business_date: dt.date | None
    file_name: str | None
    status: str  # loaded | quarantined, or the batch's unchanged status when it was not pending
    reason: str | None = None
    warnings: list[str] = field(default_factory=list)
    superseded: list[int] = field(default_factory=list)
    rows: int = 0
    seconds: float = 0.0
    validated: bool = True  # False: the batch was not pending, nothing ran
    error: str | None = None  # set by validate_pending when validation itself broke

    def as_batch_outcome(self) -> ledger.BatchOutcome:
        return ledger.BatchOutcome(
            batch_id=self.batch_id,
            entity=self.entity,
            province_code=self.province_code,
            business_date=self.business_date,
            file_name=self.file_name or "",
            status=self.status,
            rows_loaded=self.rows,
            reason=self.reason or self.error,
        )


def _result_format(id_columns: tuple[str, ...]) -> dict:
    return {
        "result_format": "SUMMARY",
        "partial_unexpected_count": 5,
        "unexpected_index_column_names": list(id_columns),
    }


def _run_suites(
    project: GxProject, batch, suite_names: list[str], batch_id: int, id_columns: tuple[str, ...]
):
    """Run the suites on the batch in one GX graph (shared metrics are computed once, column
    metrics bundled into few queries); store each suite's result for Data Docs.

    Returns (suite name, GX expectation result) pairs.
    """
    from great_expectations.core.expectation_validation_result import ExpectationSuiteValidationResult
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )
    from great_expectations.validator.validator import calc_validation_statistics

    suites = [project.suite(name) for name in suite_names]
    owner = {}
    configs = []
    for suite in suites:
        for config in suite.expectation_configurations:
            owner[config.id] = suite.name
            configs.append(config)
    validator = project.context.get_validator_using_batch_list(
        expectation_suite=suites[0], batch_list=[batch]
    )
    configs = validator.process_expectations_for_validation(configs, {"ledger_batch_id": batch_id})
    results = validator.graph_validate(
        configurations=configs, runtime_configuration={"result_format": _result_format(id_columns)}
    )
    pairs = [(owner[r.expectation_config.id], r) for r in results]
    run_id = RunIdentifier(run_name=f"batch-{batch_id}", run_time=dt.datetime.now(dt.UTC))
    for suite in suites:
        mine = [r for name, r in pairs if name == suite.name]
        stats = calc_validation_statistics(mine)
        suite_result = ExpectationSuiteValidationResult(
            success=stats.success,
            results=mine,
            suite_name=suite.name,
            statistics={
                "evaluated_expectations": stats.evaluated_expectations,
                "successful_expectations": stats.successful_expectations,
                "unsuccessful_expectations": stats.unsuccessful_expectations,
                "success_percent": stats.success_percent,
            },
            meta={
                "run_id": run_id,
                "validation_time": run_id.run_time,
                "batch_spec": dict(batch.batch_spec),
                "batch_parameters": {"batch_id": batch_id},
                "active_batch_definition": batch.batch_definition.to_json_dict(),
            },
            batch_id=batch.id,
        )
        suite_id = ExpectationSuiteIdentifier(name=suite.name)
        project.context.validation_results_store.store_validation_results(
            suite_validation_result=suite_result,
            suite_validation_result_identifier=ValidationResultIdentifier(
                batch_identifier=batch.id, expectation_suite_identifier=suite_id, run_id=run_id
            ),
            expectation_suite_identifier=suite_id,
        )
    return pairs


def _batch_rows(conn: psycopg.Connection, entity: str, batch_id: int) -> int:
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


def validate_batch(batch_id: int, *, project: GxProject | None = None) -> ValidationOutcome:
    """Validate one pending batch and record the verdict; other statuses are left as they are."""
    from cchc.warehouse.connection import connect, loader_target

    settings = get_settings()
    target = loader_target(settings)
    project = project or open_project(settings, target)
    started = time.perf_counter()
    with connect(target) as conn:
        row = conn.execute(
            "select entity, province_code, business_date, file_name, status from audit.batches "
            "where batch_id = %s for update",
            (batch_id,),
        ).fetchone()
        if row is None:
            raise ValidationError(f"batch {batch_id} is not in audit.batches")
        entity_name, province, business_date, file_name, status = row
        if status != "pending":
            return ValidationOutcome(
                batch_id, entity_name, province, business_date, file_name, status, validated=False
            )
        entity = ENTITIES.get(entity_name)
        if entity is None:
            raise ValidationError(f"batch {batch_id}: no suites for entity {entity_name!r}")
        rows = _batch_rows(conn, entity_name, batch_id)
        batch = project.batch_for(entity_name, batch_id)
        severity = {entity.critical_suite: "critical", entity.warning_suite: "warning"}
        pairs = _run_suites(project, batch, list(severity), batch_id, entity.id_columns)
        outcomes = [outcome_of(result, name, severity[name], rows) for name, result in pairs]
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
        superseded: list[int] = []
        if failed_critical:
            why = reason(failed_critical)
            ledger.quarantine(conn, batch_id, why)
            status, verdict = "quarantined", why
        else:
            superseded = ledger.accept(conn, batch_id, warnings)
            status, verdict = "loaded", None
    seconds = time.perf_counter() - started
    log.info(
        "batch %s (%s, %s rows): %s in %.2fs %s", batch_id, entity_name, rows, status, seconds, verdict or ""
    )
    return ValidationOutcome(
        batch_id,
        entity_name,
        province,
        business_date,
        file_name,
        status,
        reason=verdict,
        warnings=warnings,
        superseded=superseded,
        rows=rows,
        seconds=seconds,
    )


def validate_pending(entity: str | None = None) -> list[ValidationOutcome]:
    """Validate every pending batch (of one entity, or all), oldest first. A batch whose
    validation breaks stays pending and is reported with its error; the others go on."""
    from cchc.warehouse.connection import connect, loader_target

    settings = get_settings()
    target = loader_target(settings)
    with connect(target) as conn:
        pending = ledger.pending_batches(conn, entity=entity)
    if not pending:
        return []
    project = open_project(settings, target)
    outcomes = []
    for batch_id in pending:
        try:
            outcomes.append(validate_batch(batch_id, project=project))
        except Exception as err:  # one batch never stops the others
            log.exception("validation of batch %s failed", batch_id)
            outcomes.append(_error_outcome(target, batch_id, err))
    return outcomes


def _error_outcome(target, batch_id: int, err: Exception) -> ValidationOutcome:
    from cchc.warehouse.connection import connect

    with connect(target) as conn:
        row = conn.execute(
            "select entity, province_code, business_date, file_name, status from audit.batches "
            "where batch_id = %s",
            (batch_id,),
        ).fetchone()
    entity, province, day, file_name, status = row or ("?", None, None, None, "pending")
    return ValidationOutcome(
        batch_id, entity, province, day, file_name, status, validated=False, error=str(err)
    )


def build_data_docs(keep_days: int = 14) -> str:
    """Rebuild GX Data Docs (static HTML) under settings.data_docs_dir; return the index path.

    Incremental: only validation results stored since the last build are rendered (plus the
    suites and the index). Results older than `keep_days` leave the GX store and the site; the
    warehouse keeps every result in audit.validation_results anyway.
    """
    settings = get_settings()
    project = open_project(settings)
    results_dir = settings.state_dir / "gx" / "validations"
    marker = settings.state_dir / "gx" / "data_docs_built_at"
    now = dt.datetime.now(dt.UTC)
    _prune(results_dir, now - dt.timedelta(days=keep_days))
    _prune(settings.data_docs_dir / "validations", now - dt.timedelta(days=keep_days))
    index = settings.data_docs_dir / "index.html"
    since = (
        dt.datetime.fromisoformat(marker.read_text().strip()) if marker.exists() and index.exists() else None
    )
    if since is None:
        project.context.build_data_docs()
    else:
        store = project.context.validation_results_store
        new = [key for key in store.list_keys() if key.run_id.run_time and key.run_id.run_time >= since]
        suites = list(project.context.expectations_store.list_keys())
        project.context.build_data_docs(resource_identifiers=[*suites, *new])
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(now.isoformat())
    return str(index)


def _prune(folder, older_than: dt.datetime) -> None:
    if not folder.is_dir():
        return
    cutoff = older_than.timestamp()
    for path in folder.rglob("*"):
        if path.is_file() and path.suffix in {".json", ".html"} and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
