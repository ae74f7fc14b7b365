"""Run the project's DAGs through Airflow itself on this machine: `dag.test()` on a local SQLite
metadata DB under the state folder, no scheduler. This is what `cchc run` and `cchc demo` use,
so the code path is the scheduler's: same DAG file, same task callables, same trigger rules.

Airflow reads its configuration when first imported, so `prepare_environment()` must run before
anything imports `airflow`.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from datetime import date

from cchc.pipeline.dates import run_after_for
from cchc.settings import Settings, get_settings

log = logging.getLogger(__name__)


@dataclass
class DagRunReport:
    dag_id: str
    business_date: date
    run_id: str
    state: str
    seconds: float
    task_states: dict[str, str] = field(default_factory=dict)
    task_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def failed_tasks(self) -> list[str]:
        return sorted(k for k, v in self.task_states.items() if v in {"failed", "upstream_failed"})


def airflow_environment(settings: Settings | None = None, *, with_warehouse: bool = True) -> dict[str, str]:
    """Airflow's variables for this project, plus dbt's connection variables (profiles.yml)."""
    settings = settings or get_settings()
    env = dict(settings.airflow_env())
    if with_warehouse:
        from cchc.warehouse.bootstrap import bootstrap

        env.update(bootstrap(settings).dbt_env())
        env["CCHC_DBT_THREADS"] = str(settings.dbt_threads)
    return env


def prepare_environment(settings: Settings | None = None) -> dict[str, str]:
    settings = settings or get_settings()
    env = airflow_environment(settings)
    settings.airflow_home.mkdir(parents=True, exist_ok=True)
    # Airflow and dbt read their configuration from the process environment only.
    os.environ.update(env)
    return env


def ensure_metadata_db() -> None:
    """Create or upgrade the local SQLite metadata DB (idempotent, ~10 s the first time)."""
    from airflow import settings as airflow_settings
    from airflow.utils import db

    if airflow_settings.Session is None:
        airflow_settings.configure_orm()
    started = time.perf_counter()
    db.upgradedb()
    ensure_pools()
    log.info("airflow metadata DB ready (%.1fs)", time.perf_counter() - started)


def ensure_pools() -> None:
    """The pool that lets one dbt build run at a time (see dbt_group.DBT_POOL)."""
    from airflow.models.pool import Pool

    from cchc.pipeline.dbt_group import DBT_POOL

    Pool.create_or_update_pool(
        DBT_POOL, slots=1, description="one dbt build of the marts at a time", include_deferred=False
    )


def load_dag(dag_id: str, settings: Settings | None = None):
    from airflow.dag_processing.dagbag import DagBag

    settings = settings or get_settings()
    bag = DagBag(dag_folder=str(settings.dags_dir))
    if bag.import_errors:
        raise RuntimeError(f"DAG import errors: {bag.import_errors}")
    dag = bag.get_dag(dag_id)
    if dag is None:
        raise RuntimeError(f"DAG {dag_id} not found in {settings.dags_dir}")
    return dag


def _task_states(dag_run) -> tuple[dict[str, str], dict[str, float]]:
    from airflow.utils.session import create_session

    states: dict[str, str] = {}
    seconds: dict[str, float] = {}
    with create_session() as session:
        for ti in dag_run.get_task_instances(session=session):
            key = ti.task_id if ti.map_index < 0 else f"{ti.task_id}[{ti.map_index}]"
            states[key] = str(getattr(ti.state, "value", ti.state))
            if ti.duration is not None:
                seconds[key] = float(ti.duration)
    return states, seconds


def run_dag_for(dag, business_date: date) -> DagRunReport:
    """One dag.test() run for a business date (logical date = the nightly run time).

    The run id follows from the logical date, so re-running a date reuses its run.

    The 06:00 deadline is kept: the run's deadline row is created from the DAG as synced to the
    metadata DB, and `settle_deadlines` then does what the scheduler would (no scheduler watches
    the local DB). Only the in-memory copy drops it, because Airflow 3.3's `dag.test()` looks the
    in-memory alerts up as database ids when a run succeeds and crashes.
    """
    started = time.perf_counter()
    dag.deadline = None
    when = run_after_for(business_date)
    dag_run = dag.test(logical_date=when, run_after=when)
    seconds = time.perf_counter() - started
    state = str(getattr(dag_run.state, "value", dag_run.state))
    states, task_seconds = _task_states(dag_run)
    settle_deadlines(dag_run.dag_id, dag_run.run_id)
    report = DagRunReport(dag.dag_id, business_date, dag_run.run_id, state, seconds, states, task_seconds)
    log.info("%s %s: %s in %.1fs", dag.dag_id, business_date, state, seconds)
    return report


def settle_deadlines(dag_id: str, run_id: str) -> list[str]:
    """The scheduler's part for a finished local run: a deadline the run beat is removed; one that
    has passed is handled by the same callback the triggerer would call. Returns what happened."""
    import asyncio

    from airflow.api_fastapi.core_api.datamodels.dag_run import DAGRunResponse
    from airflow.models import DagRun
    from airflow.models.deadline import Deadline
    from airflow.sdk.timezone import utcnow
    from airflow.utils.session import create_session
    from sqlalchemy import select

    from cchc.pipeline.alerts import marts_not_refreshed

    outcomes: list[str] = []
    with create_session() as session:
        run = session.scalar(select(DagRun).where(DagRun.dag_id == dag_id, DagRun.run_id == run_id))
        if run is None:
            return outcomes
        for deadline in session.scalars(
            select(Deadline).where(Deadline.dagrun_id == run.id, ~Deadline.missed)
        ).all():
            if (
                str(run.state) in {"success", "DagRunState.SUCCESS"}
                and run.end_date <= deadline.deadline_time
            ):
                session.delete(deadline)
                outcomes.append("met")
            elif utcnow() >= deadline.deadline_time:
                context = {
                    "dag_run": DAGRunResponse.model_validate(run).model_dump(mode="json"),
                    "deadline": {"id": str(deadline.id), "deadline_time": deadline.deadline_time.isoformat()},
                }
                outcomes.append(asyncio.run(marts_not_refreshed(context)))
                deadline.missed = True
            else:
                outcomes.append("pending")
    if outcomes:
        log.info("deadline of %s: %s", run_id, ", ".join(outcomes))
    return outcomes
