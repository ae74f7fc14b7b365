"""Validating a group of pending batches of one entity with one GX run, then a verdict per batch
(why and when a group is trusted: `cchc.validate.grouped`)."""

from __future__ import annotations

import logging
import time
from dataclasses import replace

from cchc.settings import get_settings
from cchc.validate import grouped as grouped_mod
from cchc.validate.entities import ENTITIES, Entity
from cchc.validate.gx import GxProject, open_project
from cchc.validate.outcome import ValidationOutcome, error_outcome
from cchc.validate.results import MAX_EXAMPLES, outcome_of
from cchc.validate.single import suite_configs, validate_one
from cchc.validate.statistics import refresh_statistics
from cchc.validate.verdict import not_pending, pending_row, record_verdict

log = logging.getLogger(__name__)


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
        return [validate_one(project, target, b) for b in ids]
    configs, owner, severity = suite_configs(project, entity)
    if not grouped_mod.groupable(entity.name, configs):
        log.info("%s: rules that relate rows across a batch; one batch at a time", entity.name)
        return [validate_one(project, target, b) for b in ids]
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
        return [validate_one(project, target, b) for b in ids]
    results, flagged, rows, split_rows = split
    share = (time.perf_counter() - started) / len(ids)
    outcomes = []
    for batch_id in ids:
        if batch_id in flagged:
            outcomes.append(validate_one(project, target, batch_id))
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
            outcomes.append(error_outcome(target, batch_id, err))
    return outcomes


def _run_group(project: GxProject, target, entity: Entity, ids: list[int], configs: list, owner: dict):
    """One GX run over the group. Returns (GX result per suite configuration id, batches with an
    unexpected row, rows per batch), or None when the split per batch cannot be trusted."""
    from cchc.warehouse.connection import connect

    run_configs = grouped_mod.group_run_configs(configs)
    run = project.run(entity.name, ids, list(run_configs.values()), id_columns=entity.id_columns)
    original = {config.id: config_id for config_id, config in run_configs.items()}
    results = {original[r.expectation_config.id]: r for r in run.results}
    by_suite: dict[str, list] = {}
    for config_id, r in results.items():
        by_suite.setdefault(owner[config_id], []).append(r)
    project.store(run, by_suite, f"batches-{ids[0]}-{ids[-1]}")
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
        row = pending_row(conn, batch_id)
        if row.status != "pending":
            return not_pending(batch_id, row)
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
        outcome = record_verdict(conn, batch_id, row, outcomes, rows)
    outcome = replace(outcome, seconds=share + time.perf_counter() - started)
    log.info(
        "batch %s (%s, %s rows, grouped): %s %s",
        batch_id,
        row.entity,
        rows,
        outcome.status,
        outcome.reason or "",
    )
    return outcome
