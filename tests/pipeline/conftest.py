"""Fixtures of the orchestration tests: the DAG folder probed in a fresh interpreter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

HERE = Path(__file__).parent

# Some tests import Airflow in-process (the trigger, the callback): keep its home out of ~/airflow.
os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="cchc-airflow-home-"))


def probe_dags(out_dir: Path, env_extra: dict[str, str] | None = None) -> dict:
    env = {**os.environ, **(env_extra or {})}
    out = out_dir / "dag_probe.json"
    proc = subprocess.run(
        [sys.executable, str(HERE / "support" / "probe_dags.py"), str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    return json.loads(out.read_text())


@pytest.fixture(scope="session")
def dbt_manifest(warehouse) -> Path:
    """`dbt parse` into the session's state folder, as `make`/`cchc run` do before Airflow."""
    from cchc.pipeline.dbt_group import manifest_path
    from cchc.transform.dbt import run_dbt

    run_dbt(["parse"])
    path = manifest_path()
    assert path.is_file()
    return path


@pytest.fixture(scope="session")
def dag_probe(dbt_manifest, tmp_path_factory) -> dict:
    """The DAG folder as the dag-processor sees it, with the Cosmos-rendered dbt group."""
    return probe_dags(tmp_path_factory.mktemp("probe"))
