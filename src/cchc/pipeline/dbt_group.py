"""The dbt build of the nightly DAG, rendered by Cosmos from the project's manifest.

Manifest load mode: the DAG file reads `manifest.json` (written by `dbt parse`, see
`cchc dbt-parse`/`make`) and never runs dbt while parsing. One task per model, grouped by folder,
then the data tests after all models (no retries on tests: a failed test is a finding, not a
glitch). Seeds are refreshed by the weekly cchc_reference DAG, not here.

When the manifest is missing (a fresh clone before `dbt parse`), a single task running
`dbt build` stands in, so the DAG still imports and runs.
"""

from __future__ import annotations

import sys
from pathlib import Path

from cchc.settings import Settings, get_settings

GROUP_ID = "dbt"


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

        @task(task_id="build")
        def dbt_build() -> None:
            from cchc.transform.dbt import build

            build(exclude=["resource_type:seed"])

        with TaskGroup(GROUP_ID) as fallback:
            dbt_build()
        return fallback

    from cosmos import DbtTaskGroup, ExecutionConfig, ProfileConfig, ProjectConfig, RenderConfig
    from cosmos.constants import InvocationMode, LoadMode, SeedRenderingBehavior, TestBehavior

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
            invocation_mode=InvocationMode.DBT_RUNNER,
            dbt_executable_path=dbt_executable(),
        ),
        render_config=RenderConfig(
            load_method=LoadMode.DBT_MANIFEST,
            test_behavior=TestBehavior.AFTER_ALL,
            seed_rendering_behavior=SeedRenderingBehavior.NONE,
            emit_datasets=False,
            group_nodes_by_folder=True,
        ),
        operator_args={"install_deps": False},
        default_args=default_args or {},
    )
    for task_obj in _walk(group):
        if "test" in type(task_obj).__name__.lower():
            task_obj.retries = 0
    return group


def _walk(group):
    for child in group.children.values():
        if hasattr(child, "children"):
            yield from _walk(child)
        else:
            yield child
