"""Run in a subprocess by the tests: import the DAG folder with the project's Airflow environment
and write, as JSON to the file named by argv[1], what the tests assert on. (Airflow fixes its configuration at first import,
so it gets a fresh interpreter rather than sharing the pytest process.)"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import date, datetime


def ui_structure_error(dag) -> str | None:
    """What the api-server's grid and graph structure endpoints would raise for this DAG, if anything:
    they draw the serialized DAG, sorting every task group topologically (Cosmos makes one per dbt
    model folder, so folders that read each other both ways are a cycle and a 500 in the UI)."""
    from airflow.api_fastapi.core_api.services.ui.task_group import (
        task_group_to_dict,
        task_group_to_dict_grid,
    )
    from airflow.serialization.serialized_objects import DagSerialization

    served = DagSerialization.deserialize_dag(DagSerialization.serialize_dag(dag))
    try:
        task_group_to_dict_grid(served.task_group)
        task_group_to_dict(served.task_group)
    except Exception as err:  # the endpoint's 500
        return f"{type(err).__name__}: {err}"
    return None


def main() -> None:
    from cchc.settings import get_settings

    settings = get_settings()
    os.environ.update(settings.airflow_env())
    started = time.perf_counter()
    from airflow.dag_processing.dagbag import DagBag

    import_airflow = time.perf_counter() - started
    started = time.perf_counter()
    bag = DagBag(dag_folder=str(settings.dags_dir))
    bag_seconds = time.perf_counter() - started
    # The dag-processor re-parses files in a process that has already imported Cosmos and its
    # plugin (fastapi …); the second parse is what each re-parse costs.
    warm = DagBag(dag_folder=str(settings.dags_dir))

    from airflow.serialization.encoders import coerce_to_core_timetable

    from cchc.pipeline.dates import business_date_of, run_after_for

    out: dict = {
        "import_airflow_seconds": import_airflow,
        "dagbag_seconds": bag_seconds,
        "file_seconds": {s.file: s.duration.total_seconds() for s in bag.dagbag_stats},
        "warm_file_seconds": {s.file: s.duration.total_seconds() for s in warm.dagbag_stats},
        "import_errors": {str(k): str(v) for k, v in bag.import_errors.items()},
        "dags": {},
    }
    for dag_id, dag in bag.dags.items():
        tasks = {}
        for task_id, task in dag.task_dict.items():
            tasks[task_id] = {
                "type": type(task).__name__,
                "trigger_rule": str(getattr(task.trigger_rule, "value", task.trigger_rule)),
                "retries": task.retries,
                "upstream": sorted(task.upstream_task_ids),
                "outlets": [getattr(a, "name", str(a)) for a in task.outlets],
                "mapped": task.get_closest_mapped_task_group() is not None,
                "deferrable_trigger": "ExportReadyTrigger" if hasattr(task, "execute_complete") else None,
            }
        info = {
            "tasks": tasks,
            "schedule": str(type(dag.timetable).__name__),
            "ui_structure_error": ui_structure_error(dag),
        }
        timetable = coerce_to_core_timetable(dag.timetable)
        if dag_id == "cchc_nightly":
            run_after = run_after_for(date(2026, 11, 21))
            interval = timetable.infer_manual_data_interval(run_after=run_after)
            info["manual_interval"] = [interval.start.isoformat(), interval.end.isoformat()]
            info["business_date"] = business_date_of(interval.start).isoformat()
            # What the scheduler would create next after a given point in time.
            from airflow.timetables.base import DataInterval, TimeRestriction

            restriction = TimeRestriction(earliest=None, latest=None, catchup=True)
            last = DataInterval(
                datetime.fromisoformat("2026-11-20T00:00:00+07:00"),
                datetime.fromisoformat("2026-11-21T01:30:00+07:00"),
            )
            nxt = timetable.next_dagrun_info(last_automated_data_interval=last, restriction=restriction)
            info["next_run"] = {
                "run_after": nxt.run_after.isoformat(),
                "start": nxt.data_interval.start.isoformat(),
                "end": nxt.data_interval.end.isoformat(),
                "business_date": business_date_of(nxt.data_interval.start).isoformat(),
            }
            deadline = dag.deadline[0] if isinstance(dag.deadline, list) else dag.deadline
            from airflow import plugins_manager

            from cchc.pipeline.deadline import deadline_for

            reference_path = f"{type(deadline.reference).__module__}.{type(deadline.reference).__qualname__}"
            due_next = deadline_for(nxt.data_interval.start, created_at=nxt.run_after)
            due_backfill = deadline_for(
                nxt.data_interval.start, created_at=datetime.fromisoformat("2026-11-25T09:00:00+07:00")
            )
            info["deadline"] = {
                "reference": type(deadline.reference).__name__,
                "interval_seconds": deadline.interval.total_seconds(),
                "callback": deadline.callback.path,
                # the scheduler, api-server and triggerer rebuild the reference through the plugin
                "reference_registered": reference_path in plugins_manager.get_deadline_references_plugins(),
                "next_run_due": (due_next + deadline.interval).isoformat() if due_next else None,
                "backfill_due": due_backfill.isoformat() if due_backfill else None,
            }
            info["max_active_runs"] = dag.max_active_runs
        if dag_id in ("cchc_bi_extract", "cchc_reports"):
            info["schedule_assets"] = (
                [a.name for a in getattr(dag.timetable, "asset_condition", {}).objects]
                if (hasattr(getattr(dag.timetable, "asset_condition", None), "objects"))
                else str(dag.timetable.asset_condition)
            )
        out["dags"][dag_id] = info
    with open(sys.argv[1], "w") as fh:
        json.dump(out, fh, default=str)


if __name__ == "__main__":
    main()
