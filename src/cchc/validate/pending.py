"""Validating many batches: every pending one (the nightly leftovers, `cchc validate --pending`)
or the ones an ingestion just loaded. Batches of one entity go in groups (`cchc.validate.group`),
oldest first; entities whose verdicts other rules read come first; a batch whose validation
breaks stays pending and is reported with its error, the others go on."""

from __future__ import annotations

from cchc import ledger
from cchc.settings import get_settings
from cchc.validate import grouped as grouped_mod
from cchc.validate.group import validate_group
from cchc.validate.gx import GxProject, open_project
from cchc.validate.outcome import ValidationOutcome
from cchc.validate.single import validate_one

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
        return [validate_one(project, target, batch_id) for batch_id in pending]
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
    return [done[b] if b in done else validate_one(project, target, b) for b in batch_ids]


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
