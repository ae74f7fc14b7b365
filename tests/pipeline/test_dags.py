"""The DAG folder: imports cleanly and fast, has the expected shape, and its timetable gives
each nightly run the previous business day."""

from __future__ import annotations

from pathlib import Path

from .conftest import probe_dags

NIGHTLY = "cchc_nightly"


def test_dag_folder_imports_without_errors(dag_probe):
    assert dag_probe["import_errors"] == {}
    assert set(dag_probe["dags"]) == {"cchc_nightly", "cchc_reference", "cchc_bi_extract", "cchc_reports"}


def test_ui_can_draw_every_dag(dag_probe):
    """The grid and graph views sort task groups topologically: no cycle between dbt folders."""
    errors = {dag_id: info["ui_structure_error"] for dag_id, info in dag_probe["dags"].items()}
    assert errors == dict.fromkeys(dag_probe["dags"])


def test_dag_files_parse_fast(dag_probe):
    # Importing Airflow itself is paid once per process. A file's first parse also pays the
    # one-time imports of Cosmos and its plugin (~1 s); a re-parse, what the dag-processor does
    # every interval, is the DAG's own cost: reading the manifest and building its tasks.
    # Timing is reported, not asserted tightly: the ratio to Airflow's import is the bound.
    cold, warm = dag_probe["file_seconds"], dag_probe["warm_file_seconds"]
    print(
        f"DAG parse seconds: first {cold}; re-parse {warm}; airflow import {dag_probe['import_airflow_seconds']:.2f}s"
    )
    assert max(cold.values()) < dag_probe["import_airflow_seconds"]
    assert max(warm.values()) < max(cold.values())
    assert max(warm.values()) < dag_probe["import_airflow_seconds"] / 4


def test_nightly_shape(dag_probe):
    tasks = dag_probe["dags"][NIGHTLY]["tasks"]
    for task_id in ("discover", "province.wait_for_export", "province.ingest_and_validate", "ready_for_dbt"):
        assert task_id in tasks
    # one mapped instance per province
    assert tasks["province.ingest_and_validate"]["mapped"]
    assert tasks["province.wait_for_export"]["mapped"]
    assert tasks["province.wait_for_export"]["type"] == "ExportReadySensor"
    assert tasks["province.wait_for_export"]["deferrable_trigger"] == "ExportReadyTrigger"
    assert "province.wait_for_export" in tasks["province.ingest_and_validate"]["upstream"]
    portal = sorted(t for t in tasks if t.startswith("portal."))
    assert portal == [
        "portal.pull_dossier_sync",
        "portal.pull_payments",
        "portal.pull_petitions",
        "portal.pull_ratings",
        "portal.pull_service_results",
    ]
    # dbt builds from every accepted batch, whatever happened to a province
    gate = tasks["ready_for_dbt"]
    assert gate["trigger_rule"] == "all_done"
    assert "province.ingest_and_validate" in gate["upstream"] and set(portal) <= set(gate["upstream"])
    # batches earlier runs left pending are validated every night, after this night's, before dbt
    leftovers = tasks["validate_leftovers"]
    assert leftovers["trigger_rule"] == "all_done" and "validate_leftovers" in gate["upstream"]
    assert "province.ingest_and_validate" in leftovers["upstream"] and set(portal) <= set(
        leftovers["upstream"]
    )
    # the summary always runs, never retries, and so decides the run's final state
    summary = tasks["run_summary"]
    assert summary["trigger_rule"] == "all_done" and summary["retries"] == 0
    downstream_of_summary = [t for t, info in tasks.items() if "run_summary" in info["upstream"]]
    assert downstream_of_summary == []
    assert tasks["province.ingest_and_validate"]["retries"] >= 1


def test_nightly_dbt_group_rendered_by_cosmos(dag_probe):
    tasks = dag_probe["dags"][NIGHTLY]["tasks"]
    dbt_tasks = {t: info for t, info in tasks.items() if t.startswith("dbt.")}
    producer = [t for t, i in dbt_tasks.items() if i["type"] == "DbtProducerWatcherOperator"]
    runs = {t: i for t, i in dbt_tasks.items() if i["type"] == "DbtRunWatcherOperator"}
    tests = {t: i for t, i in dbt_tasks.items() if i["type"] == "DbtTestWatcherOperator"}
    assert producer == ["dbt.dbt_producer_watcher"], "one dbt build for the whole group"
    assert dbt_tasks["dbt.dbt_producer_watcher"]["upstream"] == ["ready_for_dbt"]
    assert len(runs) >= 10, f"no Cosmos model tasks in {sorted(dbt_tasks)}"
    assert any("fct_timeliness_monthly" in t for t in runs)
    assert tests, "no test tasks"
    # tests after their model, never retried
    for task_id, info in tests.items():
        assert info["retries"] == 0, task_id
        model = task_id.rsplit(".", 1)[0]
        assert f"{model}.run" in info["upstream"], task_id
    # every model task reports after the build (roots hang off the producer)
    for task_id, info in runs.items():
        assert info["upstream"], task_id
    assert not any(i["type"].startswith("DbtSeed") for i in dbt_tasks.values())
    # the marts asset is emitted after the dbt group
    assert tasks["marts_refreshed"]["outlets"] == ["cchc.marts"]
    assert set(tasks["marts_refreshed"]["upstream"]) <= set(dbt_tasks)


def test_nightly_timetable_covers_the_previous_day(dag_probe):
    nightly = dag_probe["dags"][NIGHTLY]
    assert nightly["schedule"] == "CronTriggerTimetable"
    # the run at 01:30 on the 22nd processes the 21st, from its midnight
    assert nightly["manual_interval"] == ["2026-11-21T00:00:00+07:00", "2026-11-22T01:30:00+07:00"]
    assert nightly["business_date"] == "2026-11-21"
    nxt = nightly["next_run"]
    assert nxt["run_after"] == "2026-11-21T18:30:00+00:00"  # 01:30 on the 22nd, local
    assert nxt["start"] == "2026-11-20T17:00:00+00:00"  # midnight of the 21st, local
    assert nxt["business_date"] == "2026-11-21"
    assert nxt["start"] != nxt["end"]


def test_deadline_alert_at_six_the_morning_after(dag_probe):
    """The run for the 21st (created 01:30 on the 22nd) is due at 06:00 on the 22nd, local; the
    logical date (midnight of the 21st) + 4h30 would have been 04:30 on the 21st, before the run
    exists. A backfill of that night created days later gets no deadline."""
    deadline = dag_probe["dags"][NIGHTLY]["deadline"]
    assert deadline["reference"] == "MartsDueMorningAfter"
    assert deadline["reference_registered"]
    assert deadline["callback"] == "cchc.pipeline.alerts.marts_not_refreshed"
    assert deadline["next_run_due"] == "2026-11-22T06:00:00+07:00"
    assert deadline["backfill_due"] is None


def test_consumer_dags_scheduled_on_marts(dag_probe):
    for dag_id in ("cchc_bi_extract", "cchc_reports"):
        consumer = dag_probe["dags"][dag_id]
        assert consumer["schedule"] == "AssetTriggeredTimetable", dag_id
        assert "cchc.marts" in str(consumer["schedule_assets"]), dag_id


def test_nightly_imports_without_a_manifest(tmp_path: Path):
    """A fresh clone (no `dbt parse` yet) still gets a working DAG: one dbt build task."""
    probe = probe_dags(tmp_path, {"CCHC_STATE_DIR": str(tmp_path)})
    assert probe["import_errors"] == {}
    tasks = probe["dags"][NIGHTLY]["tasks"]
    assert [t for t in tasks if t.startswith("dbt.")] == ["dbt.build"]
