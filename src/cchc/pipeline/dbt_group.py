"""The dbt build of the nightly DAG, rendered by Cosmos from the project's manifest.

Manifest load mode: the DAG file reads `manifest.json` (written by `dbt parse`: `cchc run` and
`cchc demo` refresh it, the Docker init job writes it) and never runs dbt while parsing.

Cosmos' watcher execution mode: one producer task runs a single `dbt build` (models, then each
model's tests, in dependency order; a failed test stops what depends on it), and every model and
every model's tests appear as their own task, grouped by folder, reporting what the build did.
One dbt invocation instead of one per model: a task per model in local mode costs ~5 s of dbt
start-up each, ~3.5 min a night for this project against ~40 s. Test tasks never retry (a failed
test is a finding, not a glitch). Seeds are refreshed by the weekly cchc_reference DAG, not here.

When the manifest is missing (a fresh clone before `dbt parse`), a single task running
`dbt build` stands in, so the DAG still imports and runs.
"""

from __future__ import annotations

import sys
from pathlib import Path

from cchc.settings import Settings, get_settings
from cchc.transform.dbt import AS_OF_DATE_ENV

GROUP_ID = "dbt"
# One dbt build at a time across every run: a backfill and the scheduled night never build the
# marts concurrently (the pool has one slot; `cchc stack` and compose's init create it).
DBT_POOL = "cchc_dbt"
# Every run builds the warehouse as of its own night, whenever it runs: open dossiers are
# classified against its business date and months run up to its month (macro as_of_date).
AS_OF_DATE_TEMPLATE = "{{ data_interval_start.in_timezone('Asia/Ho_Chi_Minh').to_date_string() }}"


def manifest_path(settings: Settings | None = None) -> Path:
    return (settings or get_settings()).dbt_target_dir / "manifest.json"


def dbt_executable() -> str:
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def build_dbt_group(settings: Settings | None = None, default_args: dict | None = None):
    """The Cosmos DbtTaskGroup for the marts (or a one-task fallback); call inside a DAG context."""
    from airflow.sdk import TaskGroup, task

    settings = settings or get_settings()
    manifest = manifest_path(settings)
    if not manifest.is_file():

        @task(task_id="build", pool=DBT_POOL)
        def dbt_build() -> None:
            from airflow.sdk import get_current_context

            from cchc.pipeline.dates import business_date_of
            from cchc.transform.dbt import build

            day = business_date_of(get_current_context()["data_interval_start"])
            build(exclude=["resource_type:seed"], as_of=day)

        with TaskGroup(GROUP_ID) as fallback:
            dbt_build()
        return fallback

    from cosmos import DbtTaskGroup, ExecutionConfig, ProfileConfig, ProjectConfig, RenderConfig
    from cosmos.constants import ExecutionMode, InvocationMode, LoadMode, SeedRenderingBehavior, TestBehavior

    group = DbtTaskGroup(
        group_id=GROUP_ID,
        project_config=ProjectConfig(
            dbt_project_path=settings.dbt_project_dir,
            manifest_path=manifest,
            project_name="cchc",
        ),
        profile_config=ProfileConfig(
            profile_name="cchc",
            target_name="warehouse",
            profiles_yml_filepath=settings.dbt_project_dir / "profiles.yml",
        ),
        execution_config=ExecutionConfig(
            execution_mode=ExecutionMode.WATCHER,
            invocation_mode=InvocationMode.DBT_RUNNER,
            dbt_executable_path=dbt_executable(),
        ),
        render_config=RenderConfig(
            load_method=LoadMode.DBT_MANIFEST,
            # Exposures document BI consumers; they have nothing to run.
            exclude=["resource_type:exposure"],
            test_behavior=TestBehavior.AFTER_EACH,
            seed_rendering_behavior=SeedRenderingBehavior.NONE,
            emit_datasets=False,
            group_nodes_by_folder=True,
        ),
        # the report date goes in the environment, not --vars: new vars every night would make
        # dbt parse the whole project again (cchc.transform.dbt.AS_OF_DATE_ENV)
        operator_args={"install_deps": False, "env": {AS_OF_DATE_ENV: AS_OF_DATE_TEMPLATE}},
        default_args=default_args or {},
    )
    tasks = list(_walk(group))
    producer = next(t for t in tasks if "Producer" in type(t).__name__)
    producer.pool = DBT_POOL
    for task_obj in tasks:
        if "test" in type(task_obj).__name__.lower():
            task_obj.retries = 0
        # The model tasks report on the build rather than watch it live: starting them after the
        # producer keeps `dag.test()` (one task at a time) from waiting on a build not yet run.
        if task_obj is not producer and _is_root(task_obj, tasks):
            producer >> task_obj
    return group


def _is_root(task_obj, tasks) -> bool:
    ids = {t.task_id for t in tasks}
    return hasattr(task_obj, "producer_task_id") and not (task_obj.upstream_task_ids & ids)


def _walk(group):
    for child in group.children.values():
        if hasattr(child, "children"):
            yield from _walk(child)
        else:
            yield child
