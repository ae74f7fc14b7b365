"""The benchmark's parts that need no warehouse: measuring, splitting, rewriting, judging."""

from __future__ import annotations

import subprocess
import sys

import yaml
from bench import generated_world, report
from bench.dbt_tables import make_table_project
from bench.monitor import MB, _Sampler


def test_sampler_sees_the_memory_of_the_child_tree():
    # The child allocates 200 MiB in a grandchild: the tree, not just the child, is measured.
    code = (
        "import subprocess, sys; subprocess.run([sys.executable, '-c', "
        '"x = bytearray(200 * 2**20); import time; time.sleep(1.5)"])'
    )
    proc = subprocess.Popen([sys.executable, "-c", code])
    sampler = _Sampler(proc.pid, None)
    sampler.start()
    proc.wait()
    sampler.stop_event.set()
    sampler.join()
    assert sampler.samples > 5
    assert sampler.peak_client / MB > 190
    assert sampler.peak_total == sampler.peak_client  # no server given


def _export(day: str, rows: int) -> dict:
    return {"province": "01", "date": day, "rows": {"hoso.csv": rows}, "csv_files": {}, "hoso_format": "csv"}


def test_split_takes_the_last_days_closest_to_the_share():
    exports = [_export(f"2025-06-{d:02d}", 100) for d in range(1, 31)]  # 3,000 rows, 100 a day
    phases = generated_world.split(exports, 0.03)
    assert [e["date"] for e in phases["increment"]] == ["2025-06-30"]
    phases = generated_world.split(exports, 0.10)
    assert sorted(e["date"] for e in phases["increment"]) == [f"2025-06-{d}" for d in range(28, 31)]
    assert len(phases["full"]) + len(phases["increment"]) == 30
    # Trailing days without rows (weekends) do not make an increment by themselves.
    weekend = [*exports, _export("2025-07-01", 0), _export("2025-07-02", 0)]
    dates = sorted(e["date"] for e in generated_world.split(weekend, 0.03)["increment"])
    assert dates == ["2025-06-30", "2025-07-01", "2025-07-02"]
    # One day only: the full load is never left empty.
    assert generated_world.split([_export("2025-06-01", 5)], 0.5)["full"]


def test_table_project_has_no_view_or_incremental_left(tmp_path):
    src = tmp_path / "src"
    (src / "models" / "m").mkdir(parents=True)
    (src / "dbt_project.yml").write_text(
        yaml.safe_dump(
            {
                "name": "cchc",
                "models": {
                    "cchc": {"staging": {"+materialized": "view"}, "marts": {"+materialized": "table"}}
                },
            }
        )
    )
    (src / "models" / "m" / "fct.sql").write_text(
        "{{ config(materialized='incremental', unique_key='id') }}\nselect 1 as id"
    )
    (src / "models" / "m" / "stg.sql").write_text('{{ config(materialized = "view") }}\nselect 1 as id')
    (src / "models" / "m" / "_m.yml").write_text(
        yaml.safe_dump({"models": [{"name": "x", "config": {"materialized": "ephemeral"}}]})
    )
    (src / "target").mkdir()
    made = make_table_project(src, tmp_path / "copy")
    copy = tmp_path / "copy"
    assert not (copy / "target").exists()
    text = "\n".join(p.read_text() for p in copy.rglob("*") if p.is_file())
    for kind in ("incremental", "view", "ephemeral"):
        assert kind not in text
    assert "materialized='table', unique_key='id'" in (copy / "models" / "m" / "fct.sql").read_text()
    project = yaml.safe_load((copy / "dbt_project.yml").read_text())
    assert project["models"]["cchc"]["staging"]["+materialized"] == "table"
    assert len(made["files_rewritten"]) == 3
    # The source project is untouched.
    assert "incremental" in (src / "models" / "m" / "fct.sql").read_text()


def _stage(wall: float, peak: float, rows: int = 1000) -> dict:
    return {
        "status": "ok",
        "rows": rows,
        "wall_s": wall,
        "cpu_s": wall,
        "peak_mb": peak,
        "peak_server_shared_mb": 10.0,
    }


def _result(
    n: int, pipeline_wall: float, usual_wall: float, inc_wall: float = 1.0, inc_rows: int = 30
) -> dict:
    stages = {
        "floor.full": _stage(10, 50),
        "floor.minimum": _stage(20, 40),
        "pipeline.ingest.full": _stage(pipeline_wall / 3, 200),
        "pipeline.validate.full": _stage(pipeline_wall / 3, 300),
        "pipeline.dbt.full": _stage(pipeline_wall / 3, 250),
        "pipeline.ingest.increment": _stage(inc_wall, 100, rows=inc_rows),
        "pipeline.validate.increment": _stage(0, 100, rows=inc_rows),
        "pipeline.dbt.increment": _stage(0, 100, rows=inc_rows),
        "check.reference": {**_stage(5, 100), "detail": {"tables": 40, "rows": 1000, "differences": {}}},
        "usual.load_validate.full": _stage(usual_wall / 2, 1500),
        "usual.dbt_tables": _stage(usual_wall / 2, 400),
    }
    result = {"dossiers": n, "stages": stages, "args": {"start": "2025-06-02", "provinces": "01,91"}}
    result["totals"] = report.totals(stages)
    return result


def test_targets_pass_and_fail_on_the_figures():
    # Ten times the changes in ten times the time: the cost follows the changes.
    good = _result(10_000_000, pipeline_wall=30, usual_wall=600, inc_wall=10, inc_rows=300)
    base = _result(1_000_000, pipeline_wall=3, usual_wall=60, inc_wall=1)
    base["file"] = "base.json"
    verdicts = {t["target"]: t["verdict"] for t in report.targets(good, [base])}
    assert verdicts == {
        "full load end to end ≤ 3× floor": "PASS",
        "≥ 10× faster than the usual way": "PASS",
        "≤ 1/4 of the usual way's peak memory": "PASS",
        "increment over 10M ≤ 1.5× increment over 1M": "PASS",
        "increment at 10M ≤ 300 s": "PASS",
        "peak memory ≤ 768 MB in every stage": "PASS",
        "marts equal a from-scratch build": "PASS",
    }
    # The design's own minimum is shown beside the ratio, never judged.
    full_load = next(
        t for t in report.targets(good, [base]) if t["target"] == "full load end to end ≤ 3× floor"
    )
    assert "the design's minimum alone is 2.0× (wall), 2.0× (cpu)" in full_load["detail"]
    bad = _result(10_000_000, pipeline_wall=60, usual_wall=100, inc_wall=400, inc_rows=30)
    bad["stages"]["pipeline.dbt.full"]["peak_mb"] = 800
    bad["stages"]["check.reference"] = {
        **bad["stages"]["check.reference"],
        "status": "failed",
        "error": "marts differ from the reference build: ['fct_dossier']",
    }
    bad["totals"] = report.totals(bad["stages"])
    verdicts = {t["target"]: t["verdict"] for t in report.targets(bad, [base])}
    assert set(verdicts.values()) == {"FAIL"}
    # A world of another shape is no baseline.
    base["args"] = {**base["args"], "provinces": "01"}
    lines = {t["target"]: t["verdict"] for t in report.targets(good, [base])}
    assert lines["increment over 10M ≤ 1.5× increment over 1M"] == "n/a"
    # The 300 s night is judged at 10M only; smaller worlds show their figure.
    small = {t["target"]: t for t in report.targets(base, [])}
    assert small["increment at 10M ≤ 300 s"]["verdict"] == "n/a"
    assert "1 s for 30 rows" in small["increment at 10M ≤ 300 s"]["detail"]


def test_missing_stage_is_not_available_never_a_pass():
    res = _result(1000, pipeline_wall=3, usual_wall=60)
    del res["stages"]["pipeline.validate.full"]
    res["totals"] = report.totals(res["stages"])
    lines = {t["target"]: t for t in report.targets(res, [])}
    assert lines["full load end to end ≤ 3× floor"]["verdict"] == "n/a"
    assert "pipeline.validate.full" in lines["full load end to end ≤ 3× floor"]["detail"]
    assert lines["increment over 10M ≤ 1.5× increment over 1M"]["verdict"] == "n/a"
    assert res["totals"]["pipeline (full)"]["status"] == "incomplete"


def test_report_renders_every_stage_and_target():
    res = _result(1000, pipeline_wall=3, usual_wall=60)
    for s in res["stages"].values():
        s.update(cpu_client_s=1, peak_client_mb=1, peak_server_private_mb=1, rows_per_s=1, error=None)
    res.update(
        machine={"cpus": 2, "memory_gb": 24, "loadavg_start": [0, 0, 0], "postgres": "18"},
        plan={"rows": {"full": 970, "increment": 30}, "increment_days": 1, "increment_share_actual": 0.03},
        targets=report.targets(res, []),
    )
    text = report.render(res)
    for name in res["stages"]:
        assert name in text
    assert "PASS" in text and "n/a" in text
