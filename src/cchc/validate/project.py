"""Opening the GX file project (`expectations/`) against the warehouse, once per process.

A nightly run validates hundreds of batches, so the context, the data source, its engine and
the suites are built once and reused. A batch is the rows of one `batch_id` of one raw table:
the asset's `by_batch_id` batch definition (a column-value partitioner on `batch_id`). GX's
own `get_batch` first lists every distinct `batch_id` of the table to match the request
against, a scan of the whole raw table per batch; `batch_for` builds the same batch spec
directly, so the work per batch follows the batch's size, not the warehouse's.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cchc.settings import Settings, WarehouseTarget, get_settings

if TYPE_CHECKING:
    from great_expectations.core import ExpectationSuite
    from great_expectations.data_context import FileDataContext
    from great_expectations.datasource.fluent.interfaces import Batch

log = logging.getLogger(__name__)

DATASOURCE = "warehouse"
BATCH_DEFINITION = "by_batch_id"
PLUGIN_MODULE = "cchc_expectations"

_lock = threading.Lock()
_projects: dict[tuple, GxProject] = {}


@dataclass
class GxProject:
    context: FileDataContext
    suites: dict[str, ExpectationSuite]

    def suite(self, name: str) -> ExpectationSuite:
        if name not in self.suites:
            self.suites[name] = self.context.suites.get(name)
        return self.suites[name]

    def batch_for(self, entity: str, batch_id: int | Sequence[int]) -> Batch:
        """The rows of `batch_id` in raw.<entity>, as a GX batch (SQL: `where batch_id = N`).

        Given several ids, one batch over all their rows (`where batch_id in (…)`): a group of
        batches validated in one GX run, whose results are then split per batch by the caller.
        """
        from great_expectations.compatibility.sqlalchemy import sqlalchemy as sa
        from great_expectations.core.batch import BatchMarkers, LegacyBatchDefinition
        from great_expectations.core.id_dict import IDDict
        from great_expectations.datasource.fluent.interfaces import Batch
        from great_expectations.execution_engine.sqlalchemy_batch_data import SqlAlchemyBatchData

        ids = [int(batch_id)] if isinstance(batch_id, int) else sorted(int(b) for b in batch_id)
        if not ids:
            raise ValueError("batch_for needs at least one batch id")
        identifier: int | list[int] = ids[0] if isinstance(batch_id, int) else ids
        asset = self.context.data_sources.get(DATASOURCE).get_asset(entity)
        definition = asset.get_batch_definition(BATCH_DEFINITION)
        partitioner = definition.partitioner
        request = asset.build_batch_request(options={"batch_id": ids[0]}, partitioner=partitioner)
        sql_partitioner = asset.get_partitioner_implementation(partitioner)
        spec_kwargs = asset._create_batch_spec_kwargs()
        spec_kwargs["partitioner_method"] = sql_partitioner.method_name
        spec_kwargs["partitioner_kwargs"] = sql_partitioner.partitioner_method_kwargs()
        spec_kwargs["batch_identifiers"] = {"batch_id": identifier}
        spec = asset._create_batch_spec(spec_kwargs)
        engine = asset.datasource.get_execution_engine()
        if len(ids) == 1 and isinstance(batch_id, int):
            data, markers = engine.get_batch_data_and_markers(spec)
        else:
            # The partitioner compares batch_id with one value; a group needs `in (…)`. The
            # selectable is what GX would build, with that one condition changed.
            table = sa.table(spec["table_name"], schema=spec.get("schema_name"))
            selectable = sa.select(sa.text("*")).select_from(table).where(sa.column("batch_id").in_(ids))
            data = SqlAlchemyBatchData(
                execution_engine=engine,
                selectable=selectable,
                create_temp_table=False,
                source_table_name=spec["table_name"],
                source_schema_name=spec.get("schema_name"),
            )
            markers = BatchMarkers({"ge_load_time": dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S.%fZ")})
        legacy = LegacyBatchDefinition(
            datasource_name=DATASOURCE,
            data_connector_name="fluent",
            data_asset_name=asset.name,
            batch_identifiers=IDDict({"batch_id": identifier}),
        )
        return Batch(
            datasource=asset.datasource,
            data_asset=asset,
            batch_request=request,
            data=data,
            batch_markers=markers,
            batch_spec=spec,
            batch_definition=legacy,
            metadata={"batch_id": identifier},
        )


def runtime_environment(settings: Settings, target: WarehouseTarget) -> dict[str, str]:
    """The `${cchc_*}` values of great_expectations.yml."""
    return {
        "cchc_warehouse_url": target.sqlalchemy_url,
        "cchc_gx_results_dir": str(settings.state_dir / "gx" / "validations"),
        "cchc_data_docs_dir": str(settings.data_docs_dir),
    }


def open_project(settings: Settings | None = None, target: WarehouseTarget | None = None) -> GxProject:
    """The GX project for this warehouse, built on first use and cached per process."""
    settings = settings or get_settings()
    if target is None:
        from cchc.warehouse.connection import loader_target

        target = loader_target(settings)
    env = runtime_environment(settings, target)
    key = (str(settings.gx_project_dir), *sorted(env.items()))
    with _lock:
        project = _projects.get(key)
        if project is None:
            project = _projects[key] = _open(settings, env)
        return project


def _open(settings: Settings, env: dict[str, str]) -> GxProject:
    import great_expectations as gx

    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    context = gx.get_context(
        mode="file", project_root_dir=str(settings.gx_project_dir), runtime_environment=env
    )
    # The plugins folder is on sys.path now; the suites name its classes.
    importlib.import_module(PLUGIN_MODULE)
    return GxProject(context=context, suites={})


def forget_projects() -> None:
    """Drop cached contexts (tests that change settings between calls)."""
    with _lock:
        _projects.clear()
