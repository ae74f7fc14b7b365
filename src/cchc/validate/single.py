"""Validating one batch: both suites of its entity in one GX run, then its verdict."""

from __future__ import annotations

import logging
import time
from dataclasses import replace

from cchc.settings import get_settings
from cchc.validate.entities import ENTITIES, Entity
from cchc.validate.gx import GxProject, open_project
from cchc.validate.outcome import ValidationError, ValidationOutcome, error_outcome
from cchc.validate.results import ExpectationOutcome, outcome_of
from cchc.validate.statistics import refresh_statistics
from cchc.validate.verdict import batch_rows, not_pending, pending_row, record_verdict

log = logging.getLogger(__name__)


def suite_configs(project: GxProject, entity: Entity) -> tuple[list, dict[str, str], dict[str, str]]:
    """Both suites' configurations, and per configuration id its suite and severity."""
    configs, owner, severity = [], {}, {}
    for name, level in ((entity.critical_suite, "critical"), (entity.warning_suite, "warning")):
        for config in project.configurations(name):
            configs.append(config)
            owner[config.id] = name
            severity[config.id] = level
    return configs, owner, severity


def run_suites(project: GxProject, entity: Entity, batch_id: int, rows: int) -> list[ExpectationOutcome]:
    """Both suites on one batch in one GX graph; results stored for Data Docs."""
    configs, owner, severity = suite_configs(project, entity)
    run = project.run(entity.name, batch_id, configs, id_columns=entity.id_columns, ledger_batch_id=batch_id)
    by_suite: dict[str, list] = {}
    for r in run.results:
        by_suite.setdefault(owner[r.expectation_config.id], []).append(r)
    project.store(run, by_suite, f"batch-{batch_id}")
    return [
        outcome_of(r, owner[r.expectation_config.id], severity[r.expectation_config.id], rows)
        for r in run.results
    ]


def validate_batch(batch_id: int, *, project: GxProject | None = None) -> ValidationOutcome:
    """Validate one pending batch and record the verdict; other statuses are left as they are."""
    from cchc.warehouse.connection import connect, loader_target

    settings = get_settings()
    target = loader_target(settings)
    project = project or open_project(settings, target)
    started = time.perf_counter()
    with connect(target) as conn:
        row = pending_row(conn, batch_id)
        if row.status != "pending":
            return not_pending(batch_id, row)
        entity = ENTITIES.get(row.entity)
        if entity is None:
            raise ValidationError(f"batch {batch_id}: no suites for entity {row.entity!r}")
        rows = batch_rows(conn, row.entity, batch_id)
        refresh_statistics(target, row.entity, [batch_id])
        outcomes = run_suites(project, entity, batch_id, rows)
        outcome = record_verdict(conn, batch_id, row, outcomes, rows)
    outcome = replace(outcome, seconds=time.perf_counter() - started)
    log.info(
        "batch %s (%s, %s rows): %s in %.2fs %s",
        batch_id, row.entity, rows, outcome.status, outcome.seconds, outcome.reason or "",
    )  # fmt: skip
    return outcome


def validate_one(project: GxProject, target, batch_id: int) -> ValidationOutcome:
    try:
        return validate_batch(batch_id, project=project)
    except Exception as err:  # one batch never stops the others
        log.exception("validation of batch %s failed", batch_id)
        return error_outcome(target, batch_id, err)
