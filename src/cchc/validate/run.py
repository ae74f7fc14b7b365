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
`validate_pending` validates the batches of one entity in groups (one GX run over the group,
verdicts per batch: `cchc.validate.grouped`); `validate_batch` runs GX on one batch.
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
from cchc.validate import grouped as grouped_mod
from cchc.validate.entities import ENTITIES, Entity
from cchc.validate.project import GxProject, open_project
from cchc.validate.results import MAX_EXAMPLES, ExpectationOutcome, outcome_of, reason

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


def _run_configs(project: GxProject, batch, configs: list, batch_id: int | None, id_columns: tuple[str, ...]):
    """Run expectation configurations on a GX batch in one graph (shared metrics are computed
    once, column metrics bundled into few queries)."""
    validator = project.context.get_validator_using_batch_list(expectation_suite=None, batch_list=[batch])
    params = {"ledger_batch_id": batch_id} if batch_id is not None else {}
    configs = validator.process_expectations_for_validation(configs, params)
    return validator.graph_validate(
        configurations=configs, runtime_configuration={"result_format": _result_format(id_columns)}
    )


def _store_for_data_docs(
    project: GxProject, batch, suite_results: dict[str, list], run_name: str, params
) -> None:
    """Store each suite's results in GX's validation results store (what Data Docs render)."""
    from great_expectations.core.expectation_validation_result import ExpectationSuiteValidationResult
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )
    from great_expectations.validator.validator import calc_validation_statistics

    run_id = RunIdentifier(run_name=run_name, run_time=dt.datetime.now(dt.UTC))
    for suite_name, mine in suite_results.items():
        stats = calc_validation_statistics(mine)
        suite_result = ExpectationSuiteValidationResult(
            success=stats.success,
            results=mine,
            suite_name=suite_name,
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
                "batch_parameters": {"batch_id": params},
                "active_batch_definition": batch.batch_definition.to_json_dict(),
            },
            batch_id=batch.id,
        )
        suite_id = ExpectationSuiteIdentifier(name=suite_name)
        project.context.validation_results_store.store_validation_results(
            suite_validation_result=suite_result,
            suite_validation_result_identifier=ValidationResultIdentifier(
                batch_identifier=batch.id, expectation_suite_identifier=suite_id, run_id=run_id
            ),
            expectation_suite_identifier=suite_id,
        )


def _suite_configs(project: GxProject, entity: Entity) -> tuple[list, dict[str, str], dict[str, str]]:
    """Both suites' configurations, and per configuration id its suite and severity."""
    configs, owner, severity = [], {}, {}
    for name, level in ((entity.critical_suite, "critical"), (entity.warning_suite, "warning")):
        for config in project.suite(name).expectation_configurations:
            configs.append(config)
            owner[config.id] = name
            severity[config.id] = level
    return configs, owner, severity


def _run_suites(project: GxProject, entity: Entity, batch_id: int, rows: int) -> list[ExpectationOutcome]:
    """Both suites on one batch in one GX graph; results stored for Data Docs."""
    batch = project.batch_for(entity.name, batch_id)
    configs, owner, severity = _suite_configs(project, entity)
    results = _run_configs(project, batch, configs, batch_id, entity.id_columns)
    by_suite: dict[str, list] = {}
    for r in results:
        by_suite.setdefault(owner[r.expectation_config.id], []).append(r)
    _store_for_data_docs(project, batch, by_suite, f"batch-{batch_id}", batch_id)
    return [
        outcome_of(r, owner[r.expectation_config.id], severity[r.expectation_config.id], rows)
        for r in results
    ]


def refresh_statistics(target, entity: str, batch_ids: list[int], *, min_rows: int = 10_000) -> bool:
    """ANALYZE the raw table when these batches are most of what changed since its statistics.

    Autovacuum re-analyzes a table after 10% of it changed: at 28M rows, never for one night. The
    planner then believes the new `batch_id`s hold no rows and joins a million-row batch to itself
    with nested loops (GX's uniqueness query ran for more than 20 minutes on one night at 10M
    dossiers). Returns whether it analyzed."""
    from cchc.warehouse.connection import connect

    table = ENTITIES[entity].name
    with connect(target, autocommit=True) as conn:
        rows = conn.execute(
            "select coalesce(sum(rows_loaded), 0) from audit.batches where batch_id = any(%s)",
            (list(batch_ids),),
        ).fetchone()[0]
        if rows < min_rows:
            return False
        changed = conn.execute(
            "select n_mod_since_analyze from pg_stat_user_tables where schemaname = 'raw' and relname = %s",
            (table,),
        ).fetchone()
        if changed is None or changed[0] < rows // 2:
            return False
        conn.execute(f"analyze raw.{table}")
    log.info("analyzed raw.%s before validating %s rows", table, rows)
    return True


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


def _pending_row(conn: psycopg.Connection, batch_id: int):
    row = conn.execute(
        "select entity, province_code, business_date, file_name, status from audit.batches "
        "where batch_id = %s for update",
        (batch_id,),
    ).fetchone()
    if row is None:
        raise ValidationError(f"batch {batch_id} is not in audit.batches")
    return row


def _record_verdict(
    conn: psycopg.Connection, entity_name: str, batch_id: int, outcomes: list[ExpectationOutcome]
) -> tuple[str, str | None, list[str], list[int]]:
    """Store the results and accept or quarantine, in the caller's transaction."""
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
    if failed_critical:
        why = reason(failed_critical)
        ledger.quarantine(conn, batch_id, why)
        return "quarantined", why, warnings, []
    return "loaded", None, warnings, ledger.accept(conn, batch_id, warnings)


def validate_batch(batch_id: int, *, project: GxProject | None = None) -> ValidationOutcome:
    """Validate one pending batch and record the verdict; other statuses are left as they are."""
    from cchc.warehouse.connection import connect, loader_target

    settings = get_settings()
    target = loader_target(settings)
    project = project or open_project(settings, target)
    started = time.perf_counter()
    with connect(target) as conn:
        entity_name, province, business_date, file_name, status = _pending_row(conn, batch_id)
        if status != "pending":
            return ValidationOutcome(
                batch_id, entity_name, province, business_date, file_name, status, validated=False
            )
        entity = ENTITIES.get(entity_name)
        if entity is None:
            raise ValidationError(f"batch {batch_id}: no suites for entity {entity_name!r}")
        rows = _batch_rows(conn, entity_name, batch_id)
        refresh_statistics(target, entity_name, [batch_id])
        outcomes = _run_suites(project, entity, batch_id, rows)
        status, verdict, warnings, superseded = _record_verdict(conn, entity_name, batch_id, outcomes)
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


# Reference rules read other entities' verdicts (the catalogue: accepted formalities; known
# dossiers: loaded or pending dossier exports), so those entities are judged first in a run.
_FIRST = ("portal_formalities", "onestop_hoso")


def validate_pending(entity: str | None = None, *, grouped: bool = True) -> list[ValidationOutcome]:
    """Validate every pending batch (of one entity, or all). A batch whose validation breaks
    stays pending and is reported with its error; the others go on.

    Batches of one entity are validated in groups (`cchc.validate.grouped`), oldest first within
    an entity; entities whose verdicts other rules read come first. `grouped=False`: one GX
    run per batch, oldest first (what a group falls back to).
    """
    from cchc.warehouse.connection import connect, loader_target

    settings = get_settings()
    target = loader_target(settings)
    with connect(target) as conn:
        pending = ledger.pending_batches(conn, entity=entity)
    if not pending:
        return []
    project = open_project(settings, target)
    if not grouped:
        return [_validate_one(project, target, batch_id) for batch_id in pending]
    return list(_validate_by_entity(project, target, pending).values())


def validate_batches(batch_ids: list[int]) -> list[ValidationOutcome]:
    """Validate the given batches (e.g. what one ingestion just loaded), grouped by entity as
    `validate_pending` does; outcomes in the order of `batch_ids`. A batch whose validation
    broke comes back with `error` set and stays pending."""
    from cchc.warehouse.connection import loader_target

    settings = get_settings()
    target = loader_target(settings)
    project = open_project(settings, target)
    done = _validate_by_entity(project, target, batch_ids)
    return [done[b] if b in done else _validate_one(project, target, b) for b in batch_ids]


def _validate_by_entity(project: GxProject, target, batch_ids: list[int]) -> dict[int, ValidationOutcome]:
    """Outcomes by batch id, in the order validated: entity by entity (`_entity_order`), each
    entity's batches in groups (`cchc.validate.grouped.plan_groups`), oldest first."""
    from cchc.warehouse.connection import connect

    with connect(target) as conn:
        plan = conn.execute(
            "select batch_id, entity, coalesce(rows_loaded, 0) from audit.batches where batch_id = any(%s) "
            "order by batch_id",
            (list(batch_ids),),
        ).fetchall()
    by_entity: dict[str, list[tuple[int, int]]] = {}
    for batch_id, name, rows in plan:
        by_entity.setdefault(name, []).append((batch_id, rows))
    done: dict[int, ValidationOutcome] = {}
    for name in _entity_order(by_entity):
        for group in grouped_mod.plan_groups(by_entity[name]):
            done.update((o.batch_id, o) for o in validate_group(group, project=project))
    return done


def _entity_order(by_entity: dict[str, list[tuple[int, int]]]) -> list[str]:
    return sorted(
        by_entity, key=lambda e: (e not in _FIRST, _FIRST.index(e) if e in _FIRST else 0, by_entity[e][0][0])
    )


def _validate_one(project: GxProject, target, batch_id: int) -> ValidationOutcome:
    try:
        return validate_batch(batch_id, project=project)
    except Exception as err:  # one batch never stops the others
        log.exception("validation of batch %s failed", batch_id)
        return _error_outcome(target, batch_id, err)


def validate_group(batch_ids: list[int], *, project: GxProject | None = None) -> list[ValidationOutcome]:
    """Validate pending batches of one entity with one GX run over all of them, then record a
    verdict per batch, oldest first, each in its own transaction (see `cchc.validate.grouped`).
    A batch with any unexpected row, or a group whose split cannot be trusted, is validated
    alone by GX."""
    from cchc.warehouse.connection import connect, loader_target

    settings = get_settings()
    target = loader_target(settings)
    project = project or open_project(settings, target)
    ids = sorted(batch_ids)
    with connect(target) as conn:
        names = {
            r[0]
            for r in conn.execute(
                "select distinct entity from audit.batches where batch_id = any(%s)", (ids,)
            )
        }
    entity = ENTITIES.get(next(iter(names))) if len(names) == 1 else None
    if len(ids) < 2 or entity is None:
        return [_validate_one(project, target, b) for b in ids]
    configs, owner, severity = _suite_configs(project, entity)
    if not grouped_mod.groupable(entity.name, configs):
        log.info("%s: rules that relate rows across a batch; one batch at a time", entity.name)
        return [_validate_one(project, target, b) for b in ids]
    refresh_statistics(target, entity.name, ids)
    started = time.perf_counter()
    try:
        split = _run_group(project, target, entity, ids, configs, owner)
    except Exception:  # the group run itself broke: each batch gets its own chance
        log.exception(
            "group validation of %s batches %s failed; validating them one by one", entity.name, ids
        )
        split = None
    if split is None:
        return [_validate_one(project, target, b) for b in ids]
    results, flagged, rows, split_rows = split
    share = (time.perf_counter() - started) / len(ids)
    outcomes = []
    for batch_id in ids:
        if batch_id in flagged:
            outcomes.append(_validate_one(project, target, batch_id))
            continue
        try:
            outcomes.append(
                _verdict_from_group(
                    target,
                    entity,
                    batch_id,
                    rows.get(batch_id, 0),
                    configs,
                    results,
                    split_rows,
                    owner,
                    severity,
                    share,
                )
            )
        except Exception as err:
            log.exception("validation of batch %s failed", batch_id)
            outcomes.append(_error_outcome(target, batch_id, err))
    return outcomes


def _run_group(project: GxProject, target, entity: Entity, ids: list[int], configs: list, owner: dict):
    """One GX run over the group. Returns (GX result per suite configuration id, batches with an
    unexpected row, rows per batch), or None when the split per batch cannot be trusted."""
    from cchc.warehouse.connection import connect

    run_configs = grouped_mod.group_run_configs(configs)
    batch = project.batch_for(entity.name, ids)
    gx_results = _run_configs(project, batch, list(run_configs.values()), None, entity.id_columns)
    original = {run.id: config_id for config_id, run in run_configs.items()}
    results = {original[r.expectation_config.id]: r for r in gx_results}
    by_suite: dict[str, list] = {}
    for config_id, r in results.items():
        by_suite.setdefault(owner[config_id], []).append(r)
    _store_for_data_docs(project, batch, by_suite, f"batches-{ids[0]}-{ids[-1]}", ids)
    flagged: set[int] = set()
    split_rows: dict[str, dict] = {}
    config_by_id = {c.id: c for c in configs}
    with connect(target, autocommit=True) as conn:
        rows = dict(
            conn.execute(
                f"select batch_id, count(*) from {entity.table} where batch_id = any(%s) group by batch_id",
                (ids,),
            ).fetchall()
        )
        for config_id, r in results.items():
            if grouped_mod.raised_error(r):
                if not grouped_mod.data_independent_error(r):
                    log.warning("group %s of %s: %s could not run; one by one", ids, entity.name, config_id)
                    return None
                continue
            if r.success:
                continue
            config = config_by_id[config_id]
            if config.type in grouped_mod.ROW_TYPES:
                # row rules report count and examples themselves: split them here, no GX re-run
                found = grouped_mod.row_samples_by_batch(conn, entity.table, ids, config, MAX_EXAMPLES)
                total = sum(n for n, _ in found.values())
                if total != int((r.result or {}).get("unexpected_count") or -1):
                    log.warning(
                        "group %s of %s: %s split %s; one by one", ids, entity.name, config.type, total
                    )
                    return None
                split_rows[config_id] = found
                continue
            counts = grouped_mod.unexpected_by_batch(conn, entity.table, ids, config)
            expected = (r.result or {}).get("unexpected_count")
            if counts is None or expected is None or sum(counts.values()) != int(expected):
                log.warning(
                    "group %s of %s: cannot split %s per batch (%s vs %s); one by one",
                    ids,
                    entity.name,
                    config.type,
                    counts and sum(counts.values()),
                    expected,
                )
                return None
            flagged.update(b for b, n in counts.items() if n)
    return results, flagged, rows, split_rows


def _verdict_from_group(
    target,
    entity: Entity,
    batch_id: int,
    rows: int,
    configs,
    results,
    split_rows,
    owner,
    severity,
    share: float,
) -> ValidationOutcome:
    from cchc.warehouse.connection import connect

    started = time.perf_counter()
    with connect(target) as conn:
        entity_name, province, business_date, file_name, status = _pending_row(conn, batch_id)
        if status != "pending":
            return ValidationOutcome(
                batch_id, entity_name, province, business_date, file_name, status, validated=False
            )
        outcomes = []
        recent: dict = {}
        ordered = grouped_mod.gx_order(configs)
        # GX lists the expectations whose metrics failed first, then the others
        errored = [c for c in ordered if c.id in results and grouped_mod.raised_error(results[c.id])]
        for config in errored + [c for c in ordered if c not in errored]:
            if config.type == grouped_mod.BAND:
                result = grouped_mod.band_result(conn, config, batch_id, rows, recent)
            elif config.id in split_rows:
                count, sample = split_rows[config.id].get(batch_id, (0, []))
                result = grouped_mod.failed_row_result(config, count, sample, rows)
            else:
                result = grouped_mod.clean_result(config, results[config.id], rows)
            outcomes.append(outcome_of(result, owner[config.id], severity[config.id], rows))
        status, verdict, warnings, superseded = _record_verdict(conn, entity_name, batch_id, outcomes)
    seconds = share + time.perf_counter() - started
    log.info("batch %s (%s, %s rows, grouped): %s %s", batch_id, entity_name, rows, status, verdict or "")
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
    from cchc.docs.offline_assets import make_offline, vendor_dir

    make_offline(settings.data_docs_dir, vendor_dir(settings.home))  # no CDN: renders offline
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
