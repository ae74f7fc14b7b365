"""Opening the GX file project (`expectations/`) against the warehouse, once per process.

A nightly run validates hundreds of batches, so the context, the data source, its engine and
the suites are built once and reused. A batch is the rows of one `batch_id` of one raw table:
the asset's `by_batch_id` batch definition (a column-value partitioner on `batch_id`). GX's
own `get_batch` first lists every distinct `batch_id` of the table to match the request
against, a scan of the whole raw table per batch; `batch_for` builds the same batch spec
directly, so the work per batch follows the batch's size, not the warehouse's.
"""

from __future__ import annotations

import importlib
import logging
import threading
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

    def batch_for(self, entity: str, batch_id: int) -> Batch:
        """The rows of `batch_id` in raw.<entity>, as a GX batch (SQL: `where batch_id = N`)."""
        from great_expectations.core.batch import LegacyBatchDefinition
        from great_expectations.core.id_dict import IDDict
        from great_expectations.datasource.fluent.interfaces import Batch

        asset = self.context.data_sources.get(DATASOURCE).get_asset(entity)
        definition = asset.get_batch_definition(BATCH_DEFINITION)
        partitioner = definition.partitioner
        request = asset.build_batch_request(options={"batch_id": batch_id}, partitioner=partitioner)
        sql_partitioner = asset.get_partitioner_implementation(partitioner)
        spec_kwargs = asset._create_batch_spec_kwargs()
        spec_kwargs["partitioner_method"] = sql_partitioner.method_name
        spec_kwargs["partitioner_kwargs"] = sql_partitioner.partitioner_method_kwargs()
        spec_kwargs["batch_identifiers"] = {"batch_id": batch_id}
        spec = asset._create_batch_spec(spec_kwargs)
        data, markers = asset.datasource.get_execution_engine().get_batch_data_and_markers(spec)
        legacy = LegacyBatchDefinition(
            datasource_name=DATASOURCE,
            data_connector_name="fluent",
            data_asset_name=asset.name,
            batch_identifiers=IDDict({"batch_id": batch_id}),
        )
        return Batch(
            datasource=asset.datasource,
            data_asset=asset,
            batch_request=request,
            data=data,
            batch_markers=markers,
            batch_spec=spec,
            batch_definition=legacy,
            metadata={"batch_id": batch_id},
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
