"""Every call into Great Expectations, behind one narrow interface.

The rest of `cchc.validate` knows suites, configurations and results, never how GX runs them:

- `open_project()`: the file project (`expectations/`) against this warehouse, once per process;
- `GxProject.configurations(suite)`: a suite's expectation configurations;
- `GxProject.run(entity, batch_ids, configs, …)`: the configurations on the rows of one or several
  ledger batches, in one GX graph, in PostgreSQL;
- `GxProject.store(run, results_by_suite, run_name)`: results where Data Docs read them;
- `GxProject.build_data_docs(since)`: the static site, whole or for results stored since a time;
- `configuration(type, kwargs, meta, id)`: a configuration built in code (group runs).

Why internals: GX's public `get_batch` lists every distinct `batch_id` of the raw table to match a
request against (a scan of the whole table per batch), and it cannot validate several batches as
one. `run` builds the batch spec GX would build, runs the suites' configurations in one graph
(shared metrics computed once) with `Validator.graph_validate`, and `store` writes the suite
results GX's checkpoint would write. Those internals (LegacyBatchDefinition, SqlAlchemyBatchData,
graph_validate, calc_validation_statistics, the results store) appear in this file only, and
`tests/validate/test_gx_interface.py` pins what they return: a GX upgrade that changes them fails
that test and touches this file.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

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


@dataclass(frozen=True)
class GxRun:
    """One GX run: the batch it read and a result per configuration, in GX's order."""

    batch: Batch
    batch_ids: int | list[int]
    results: list[Any]  # ExpectationValidationResult


@dataclass
class GxProject:
    context: FileDataContext
    suites: dict[str, ExpectationSuite] = field(default_factory=dict)
    # no example queries for rules no row breaks (examples_where_unexpected); off: GX as shipped
    skip_clean_examples: bool = True

    def configurations(self, suite_name: str) -> list[Any]:
        """The suite's expectation configurations (ExpectationConfiguration: id, type, kwargs, meta)."""
        if suite_name not in self.suites:
            self.suites[suite_name] = self.context.suites.get(suite_name)
        return list(self.suites[suite_name].expectation_configurations)

    def run(
        self,
        entity: str,
        batch_ids: int | Sequence[int],
        configs: list[Any],
        *,
        id_columns: Sequence[str],
        ledger_batch_id: int | None = None,
    ) -> GxRun:
        """Run `configs` on the rows of raw.<entity> with these ledger batch ids, in one graph.

        `ledger_batch_id` fills the suites' `$PARAMETER ledger_batch_id` (rules that compare a batch
        with its neighbours). Results carry up to five unexpected examples, identified by
        `id_columns`."""
        batch, identifier = self._batch(entity, batch_ids)
        validator = self.context.get_validator_using_batch_list(expectation_suite=None, batch_list=[batch])
        examples_where_unexpected(validator.execution_engine, self.skip_clean_examples)
        params = {"ledger_batch_id": ledger_batch_id} if ledger_batch_id is not None else {}
        configs = validator.process_expectations_for_validation(configs, params)
        result_format = {
            "result_format": "SUMMARY",
            "partial_unexpected_count": 5,
            "unexpected_index_column_names": list(id_columns),
        }
        results = validator.graph_validate(
            configurations=configs, runtime_configuration={"result_format": result_format}
        )
        return GxRun(batch=batch, batch_ids=identifier, results=list(results))

    def store(self, run: GxRun, results_by_suite: dict[str, list[Any]], run_name: str) -> None:
        """Store each suite's results in GX's validation results store (what Data Docs render)."""
        from great_expectations.core.expectation_validation_result import ExpectationSuiteValidationResult
        from great_expectations.core.run_identifier import RunIdentifier
        from great_expectations.data_context.types.resource_identifiers import (
            ExpectationSuiteIdentifier,
            ValidationResultIdentifier,
        )
        from great_expectations.validator.validator import calc_validation_statistics

        run_id = RunIdentifier(run_name=run_name, run_time=dt.datetime.now(dt.UTC))
        for suite_name, mine in results_by_suite.items():
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
                    "batch_spec": dict(run.batch.batch_spec),
                    "batch_parameters": {"batch_id": run.batch_ids},
                    "active_batch_definition": run.batch.batch_definition.to_json_dict(),
                },
                batch_id=run.batch.id,
            )
            suite_id = ExpectationSuiteIdentifier(name=suite_name)
            self.context.validation_results_store.store_validation_results(
                suite_validation_result=suite_result,
                suite_validation_result_identifier=ValidationResultIdentifier(
                    batch_identifier=run.batch.id, expectation_suite_identifier=suite_id, run_id=run_id
                ),
                expectation_suite_identifier=suite_id,
            )

    def build_data_docs(self, since: dt.datetime | None = None) -> None:
        """Render the Data Docs site: everything, or the suites and the results stored since `since`."""
        if since is None:
            self.context.build_data_docs()
            return
        store = self.context.validation_results_store
        new = [key for key in store.list_keys() if key.run_id.run_time and key.run_id.run_time >= since]
        suites = list(self.context.expectations_store.list_keys())
        self.context.build_data_docs(resource_identifiers=[*suites, *new])

    def _batch(self, entity: str, batch_id: int | Sequence[int]) -> tuple[Batch, int | list[int]]:
        """The rows of `batch_id` in raw.<entity>, as a GX batch (SQL: `where batch_id = N`), and the
        batch's identifier (the id, or the sorted ids).

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
            raise ValueError("a GX run needs at least one batch id")
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
        batch = Batch(
            datasource=asset.datasource,
            data_asset=asset,
            batch_request=request,
            data=data,
            batch_markers=markers,
            batch_spec=spec,
            batch_definition=legacy,
            metadata={"batch_id": identifier},
        )
        return batch, identifier


# -- examples only where there is something to show --------------------------------------------
# For each of GX's built-in map rules (not null, in set, between, regex, unique), a SUMMARY result
# asks for its unexpected count (computed for all rules together, one scan) and for two lists of
# examples (values, row ids): one query each, ready in the same wave as the count. For a rule no row
# breaks, that query finds nothing, so it reads the whole batch: ~55 full scans of each hoso group
# that only prove emptiness. The wrapper below holds an example metric back until its rule's count
# is known, answers "no examples" when the count is 0, and queries as GX would otherwise. Likewise
# the project's own row rules (one query each for count and examples): those over the batch's own
# columns are counted together in one scan first (cchc_expectations.clean_row_rules), and only
# those some row breaks run their query. The results are the ones GX builds
# (tests/validate/test_gx_interface.py compares both ways).
_EXAMPLE_METRICS = (".unexpected_values", ".unexpected_index_list")
# The project's row rules (expectations/gx/plugins): count and examples in one query per rule.
ROW_RULE_METRIC = "cchc_unexpected_rows.count_and_sample"
# The count is two waves behind the examples (condition -> aggregate -> count); a count that never
# comes (its metric failed) lets the example metric run as GX would after this many waves.
_MAX_WAITS = 4
# Compound uniqueness (a group's per-batch uniqueness, a multi-column key): GX joins every row of
# the batch, all its columns, back to its key's count and sums a flag over the join; the rows the
# rule counts (its filtered_row_count) are a second scan. Both numbers come from one `group by` of
# the key columns instead (`_compound_unique_counts`): same domain (GX's own, with ignore_row_if and
# row_condition), same counts. Examples, when a key repeats, are still GX's own query.
COMPOUND_UNIQUE_COUNT = "compound_columns.unique.unexpected_count"
COMPOUND_UNIQUE_ROWS = "compound_columns.unique.filtered_row_count"


def _count_id(metric: Any) -> tuple | None:
    """The id of the unexpected-count metric of the rule an example metric belongs to."""
    from great_expectations.validator.metric_configuration import MetricConfiguration

    name = metric.metric_name
    suffix = next((s for s in _EXAMPLE_METRICS if name.endswith(s)), None)
    if suffix is None:
        return None
    value_kwargs = {k: v for k, v in (metric.metric_value_kwargs or {}).items() if k != "result_format"}
    count = MetricConfiguration(
        metric_name=name[: -len(suffix)] + ".unexpected_count",
        metric_domain_kwargs=dict(metric.metric_domain_kwargs or {}),
        metric_value_kwargs=value_kwargs,
    )
    return count.id


class _ExamplesWhereUnexpected:
    """Stands in for the execution engine's `resolve_metrics` (see above)."""

    def __init__(self, engine: Any) -> None:
        self._engine = engine
        self._resolve = engine.resolve_metrics
        self._waits: dict[tuple, int] = {}
        self._unique_counts: dict[tuple, tuple[int, int]] = {}
        self.skipped = 0

    def __call__(self, metrics_to_resolve, metrics=None, runtime_configuration=None):
        metrics = metrics if metrics is not None else {}
        now, answered = [], {}
        for metric in metrics_to_resolve:
            count_id = _count_id(metric)
            if count_id is None:
                now.append(metric)
            elif count_id in metrics:
                if metrics[count_id] == 0:
                    answered[metric.id] = []
                    self.skipped += 1
                else:
                    now.append(metric)
            else:
                key = (id(metrics), metric.id)
                waited = self._waits.get(key, 0)
                if waited < _MAX_WAITS:
                    self._waits[key] = waited + 1
                else:
                    now.append(metric)
        if len(self._waits) > 100_000:  # keys of finished resolutions; never needed again
            self._waits.clear()
        for metric in [m for m in now if m.metric_name in (COMPOUND_UNIQUE_COUNT, COMPOUND_UNIQUE_ROWS)]:
            key = (id(metrics), metric.metric_domain_kwargs_id)
            if key not in self._unique_counts:
                if len(self._unique_counts) > 1_000:
                    self._unique_counts.clear()
                self._unique_counts[key] = _compound_unique_counts(self._engine, metric)
            rows, unexpected = self._unique_counts[key]
            answered[metric.id] = unexpected if metric.metric_name == COMPOUND_UNIQUE_COUNT else rows
            now.remove(metric)
        # the project's row rules no row breaks: counted together in one scan of the batch
        row_rules = [m for m in now if m.metric_name == ROW_RULE_METRIC]
        if len(row_rules) > 1:
            clean = _plugin().clean_row_rules(self._engine, row_rules) or {}
            answered.update(clean)
            self.skipped += len(clean)
            now = [m for m in now if m.id not in clean]
        resolved = (
            self._resolve(
                metrics_to_resolve=now, metrics=metrics, runtime_configuration=runtime_configuration
            )
            if now
            else {}
        )
        return {**resolved, **answered}


def _compound_unique_counts(engine: Any, metric: Any) -> tuple[int, int]:
    """(rows in the rule's domain, rows whose key occurs more than once there) for a compound
    uniqueness metric: GX's filtered_row_count and unexpected_count, in one `group by`.

    GX's count joins each row to its key's group on `=`, so a row with a null in its key never
    matches and is never unexpected (however many such rows there are): only complete keys count.
    """
    import sqlalchemy as sa
    from great_expectations.util import get_sqlalchemy_selectable

    domain = dict(metric.metric_domain_kwargs)
    records = get_sqlalchemy_selectable(engine.get_domain_records(domain_kwargs=domain))
    keys = [sa.column(name) for name in domain["column_list"]]
    groups = (
        sa.select(
            sa.func.count().label("n"),
            sa.and_(*(key.is_not(None) for key in keys)).label("complete"),
        )
        .select_from(records)
        .group_by(*keys)
        .subquery("cchc_key_counts")
    )
    repeated = sa.and_(groups.c.n > 1, groups.c.complete)
    query = sa.select(
        sa.func.coalesce(sa.func.sum(groups.c.n), 0),
        sa.func.coalesce(sa.func.sum(groups.c.n).filter(repeated), 0),
    )
    rows, unexpected = engine.execute_query(query).one()
    return int(rows), int(unexpected)


def _plugin() -> Any:
    return importlib.import_module(PLUGIN_MODULE)


def examples_where_unexpected(engine: Any, enabled: bool = True) -> None:
    """Install (or remove) the wrapper on a GX execution engine; idempotent."""
    current = engine.__dict__.get("resolve_metrics")
    if enabled and not isinstance(current, _ExamplesWhereUnexpected):
        engine.resolve_metrics = _ExamplesWhereUnexpected(engine)
    elif not enabled and isinstance(current, _ExamplesWhereUnexpected):
        del engine.resolve_metrics


def configuration(type: str, kwargs: dict, meta: dict | None, id: str) -> Any:
    """An expectation configuration built in code (a group run's per-batch uniqueness rule)."""
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    return ExpectationConfiguration(type=type, kwargs=kwargs, meta=meta, id=id)


# Validation sessions run without parallel query workers: a group's uniqueness and count queries
# otherwise start two workers, each with its own hash tables (work_mem x hash_mem_multiplier), and
# the validation stage's server memory tripled at 1M (249 -> 711 MB) for scans that, on a machine
# whose other core runs the client, finish no sooner. One process per query keeps the stage's peak
# predictable under the 768 MB budget (bench/README.md).
SESSION_OPTIONS = "-c max_parallel_workers_per_gather=0"


def warehouse_url(target: WarehouseTarget) -> str:
    """The data source URL: the loader's, with the validation session options."""
    from urllib.parse import quote

    url = target.sqlalchemy_url
    return f"{url}{'&' if '?' in url else '?'}options={quote(SESSION_OPTIONS)}"


def runtime_environment(settings: Settings, target: WarehouseTarget) -> dict[str, str]:
    """The `${cchc_*}` values of great_expectations.yml."""
    return {
        "cchc_warehouse_url": warehouse_url(target),
        "cchc_gx_results_dir": str(settings.state_dir / "gx" / "validations"),
        "cchc_data_docs_dir": str(settings.data_docs_dir),
    }


def open_project(settings: Settings | None = None, target: WarehouseTarget | None = None) -> GxProject:
    """The GX project for this warehouse, built on first use and cached per process (a night
    validates hundreds of batches: context, data source, engine and suites are built once)."""
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
    return GxProject(context=context)
