"""`python -m bench` end to end at a tiny N, so the benchmark cannot rot.

Asserts the shape of the result and that every stage measured something (rows > 0, a wall
time, a peak memory); never what the times are — those belong to the machine.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .support import run_bench, scratch_dir

STAGES = [
    "setup.catalogue",
    "floor.full",
    "floor.minimum",
    "pipeline.ingest.full",
    "pipeline.validate.full",
    "pipeline.dbt.full",
    "floor.increment",
    "pipeline.ingest.increment",
    "pipeline.validate.increment",
    "pipeline.dbt.increment",
    "check.reference",
    "usual.load_validate.full",
    "usual.load_validate.increment",
    "usual.dbt_tables",
]


@pytest.mark.slow
@pytest.mark.timeout(1600)
def test_bench_runs_end_to_end_at_tiny_n():
    with scratch_dir("cchc-bench-test-") as tmp_path:
        _run_and_check(tmp_path)


def _run_and_check(tmp_path: Path) -> None:
    out = tmp_path / "results"
    pgdata = tmp_path / "work" / "n300" / "pgdata"
    args = [
        "bench", "--dossiers", "300", "--start", "2025-06-30", "--end", "2025-07-03",
        "--provinces", "01", "--increment-share", "0.1",
        "--work", str(tmp_path / "work"), "--out", str(out),
    ]  # fmt: skip
    stdout, left_running = run_bench(args, timeout=1500, pgdatas=[pgdata])
    assert "targets (issues 7 and 17):" in stdout

    files = list(out.glob("*.json"))
    assert len(files) == 1
    result = json.loads(files[0].read_text())
    assert result["dossiers"] == 300
    assert result["machine"]["cpus"] >= 1 and result["machine"]["memory_gb"] > 0
    assert result["machine"]["postgres"]
    assert result["stages"]["generate"]["status"] == "ok"
    assert result["stages"]["generate"]["rows"] > 0
    assert result["plan"]["rows"]["full"] > 0 and result["plan"]["rows"]["increment"] > 0
    for name in STAGES:
        stage = result["stages"][name]
        assert stage["status"] == "ok", (name, stage.get("error"))
        assert stage["rows"] > 0, name
        assert stage["wall_s"] > 0 and stage["cpu_s"] >= 0, name
        assert stage["peak_mb"] > 0 and stage["samples"] > 0, name
    # The catalogue a real warehouse has before any night was pulled and accepted.
    assert result["stages"]["setup.catalogue"]["detail"]["counts"] == {"accepted": 1}
    # Floor and pipeline took in the same rows from the same files.
    assert result["stages"]["floor.full"]["rows"] == result["stages"]["pipeline.ingest.full"]["rows"]
    assert result["stages"]["usual.load_validate.full"]["rows"] == result["stages"]["floor.full"]["rows"]
    # The design's minimum typed every row of the clean world, and timed each of its parts.
    least = result["stages"]["floor.minimum"]
    assert least["rows"] == result["stages"]["floor.full"]["rows"]
    assert 0 < least["detail"]["dossiers"] <= least["detail"]["rows_by_entity"]["hoso"]
    assert set(least["detail"]["sections"]) == {
        "copy", "type, check, pseudonymise", "latest version per dossier", "start great_expectations", "start dbt",
    }  # fmt: skip
    assert all(part["wall_s"] > 0 for part in least["detail"]["sections"].values())
    assert result["totals"]["design minimum (full)"]["status"] == "ok"
    for run in ("floor (full)", "pipeline (full)", "usual way (full)", "pipeline (increment)"):
        assert result["totals"][run]["status"] == "ok", run
    verdicts = {t["target"]: t["verdict"] for t in result["targets"]}
    assert len(verdicts) == 7 and set(verdicts.values()) <= {"PASS", "FAIL", "n/a"}
    # The increment's marts equal a from-scratch build of the same world.
    assert verdicts["marts equal a from-scratch build"] == "PASS"
    assert result["stages"]["check.reference"]["detail"]["differences"] == {}
    # The bench's own warehouse lives under its work folder and was stopped by the bench itself.
    assert (pgdata / "PG_VERSION").exists()
    assert not left_running
