"""`python -m bench.history_increment` at a tiny size, so it cannot rot: the JSON's shape, every
build ok, and both warehouses' increments built the same rows. Never what the times are."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bench.history_increment import months_before

from .support import run_bench, scratch_dir


def test_months_before_the_final_day():
    from datetime import date

    assert months_before(date(2026, 6, 30), 3) == date(2026, 4, 1)
    assert months_before(date(2026, 6, 30), 30) == date(2024, 1, 1)
    assert months_before(date(2026, 1, 15), 1) == date(2026, 1, 1)
    assert months_before(date(2026, 1, 15), 2) == date(2025, 12, 1)


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_history_increment_runs_at_tiny_size():
    with scratch_dir("cchc-history-test-") as tmp_path:
        _run_and_check(tmp_path)


def _run_and_check(tmp_path: Path) -> None:
    out, work = tmp_path / "results", tmp_path / "work"
    args = [
        "bench.history_increment", "--dossiers-per-month", "60",
        "--short-months", "1", "--long-months", "2", "--provinces", "01",
        "--work", str(work), "--out", str(out),
    ]  # fmt: skip
    pgdatas = [work / label / "pgdata" for label in ("short", "long")]
    stdout, left_running = run_bench(args, timeout=850, pgdatas=pgdatas)
    assert "long/short:" in stdout
    assert not left_running

    files = list(out.glob("history_increment_*.json"))
    assert len(files) == 1
    result = json.loads(files[0].read_text())
    assert result["final_day"] == "2026-06-30"
    assert result["world"]["config"]["start"] == "2026-05-01"
    short, long_ = result["runs"]["short"], result["runs"]["long"]
    assert (short["history_months"], long_["history_months"]) == (1, 2)
    assert short["history_first_day"] == "2026-06-01" and long_["history_first_day"] == "2026-05-01"
    for run in (short, long_):
        assert run["history"]["rows"] > 0 and run["final_day"]["rows"] > 0
        for build in ("full", "increment"):
            stage = run[build]
            assert stage["status"] == "ok", stage.get("error")
            assert stage["wall_s"] > 0 and stage["cpu_s"] >= 0 and stage["peak_mb"] > 0
            seconds = stage["detail"]["model_seconds"]
            assert "model.cchc.fct_dossier" in seconds and all(s >= 0 for s in seconds.values())
    # more history, the same night: the same rows in, the same fct_dossier rows out of them
    assert long_["history"]["rows"] > short["history"]["rows"]
    assert long_["fct_dossier_rows"] > short["fct_dossier_rows"]
    assert short["final_day"]["rows"] == long_["final_day"]["rows"] == short["increment_raw_rows"]
    assert short["increment_fct_rows"] > 0
    for key in ("increment_raw_rows", "increment_fct_rows", "increment_fct_digest"):
        assert short[key] == long_[key], key
    assert result["summary"]["same_increment_rows"] is True
    assert result["summary"]["increment_wall_ratio_long_short"] > 0
