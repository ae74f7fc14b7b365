"""Bringing the stack up in order, and down again.

Order: warehouse and metadata DB (embedded PostgreSQL) → Redis → `airflow db migrate` and the dbt
pool → api-server → scheduler, dag-processor, triggerer → two Celery workers → portal simulator.
Each long-running process is recorded as it starts, so `down` stops exactly what `up` started
(and the embedded PostgreSQL only if `up` was the one that started it).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from cchc.settings import Settings, get_settings
from cchc.stack import config
from cchc.stack.processes import Registry, alive, start, stop

log = logging.getLogger(__name__)


class StackError(RuntimeError):
    """The stack cannot start (or a component did not come up)."""


@dataclass(frozen=True)
class StackInfo:
    api_url: str
    portal_url: str
    env: dict[str, str]
    log_dir: Path


def venv_bin(name: str) -> str:
    candidate = Path(sys.executable).with_name(name)
    return str(candidate) if candidate.exists() else name


def _wait(what: str, ready, timeout: float, item=None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        if item is not None and not alive(item.pid):
            raise StackError(f"{what} exited while starting: see {item.log_file}")
        time.sleep(0.5)
    raise StackError(f"{what} not ready after {timeout:.0f}s" + (f": see {item.log_file}" if item else ""))


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def _log_says(path: str, text: str) -> bool:
    try:
        return text in Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


def _airflow(env: dict[str, str], *args: str, timeout: float = 600) -> str:
    proc = subprocess.run(
        [venv_bin("airflow"), *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if proc.returncode != 0:
        raise StackError(f"airflow {' '.join(args)} failed: {(proc.stdout + proc.stderr)[-3000:]}")
    return proc.stdout


def stack_env(settings: Settings | None = None) -> dict[str, str]:
    """The environment of the stack's Airflow components (also for `cchc stack airflow …`)."""
    from cchc.pipeline.local_airflow import airflow_environment
    from cchc.warehouse.connection import admin_target

    settings = settings or get_settings()
    if not settings.embedded:
        raise StackError("cchc stack runs on the embedded PostgreSQL: unset CCHC_WAREHOUSE_URL")
    metadata = config.ensure_metadata_database(admin_target(settings))
    env = {**os.environ, **airflow_environment(settings)}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return config.airflow_env(settings, metadata, env)


def up(
    settings: Settings | None = None, *, faults: str | None = None, portal_port: int | None = None
) -> StackInfo:
    from urllib.parse import urlparse

    from cchc.warehouse import embedded

    settings = settings or get_settings()
    registry = Registry(settings.stack_dir)
    running = [s.name for s in registry.load() if alive(s.pid)]
    if running:
        raise StackError(f"the stack is already running ({', '.join(running)}): `cchc stack down` first")
    registry.save([])
    log_dir = settings.stack_dir / "logs"
    postgres_was_running = embedded.socket_dir(settings.pgdata_dir) is not None
    (settings.stack_dir / "postgres.json").parent.mkdir(parents=True, exist_ok=True)
    (settings.stack_dir / "postgres.json").write_text(
        json.dumps({"started_by_stack": not postgres_was_running}), encoding="utf-8"
    )
    env = stack_env(settings)  # bootstraps the warehouse, creates the metadata DB
    # Tonight's regular run starts when the DAG is unpaused; on a demo world no export comes for
    # it, so its sensors give up after 10 minutes here rather than 3 hours (unless set).
    env.setdefault("CCHC_EXPORT_WAIT_SECONDS", "600")
    portal_port = portal_port or urlparse(settings.portal_base_url).port or 8765
    env["CCHC_PORTAL_URL"] = f"http://127.0.0.1:{portal_port}"
    (settings.stack_dir / "airflow").mkdir(parents=True, exist_ok=True)

    redis = start(
        "redis",
        [venv_bin("redis-server"), "--bind", "127.0.0.1", "--port", str(settings.stack_redis_port),
         "--save", "", "--appendonly", "no", "--protected-mode", "yes"],
        env, log_dir, registry,
    )  # fmt: skip
    _wait("redis", lambda: _port_open(settings.stack_redis_port), 30, redis)

    log.info("airflow db migrate (metadata DB %s)", config.METADATA_DB)
    _airflow(env, "db", "migrate")
    from cchc.pipeline.dbt_group import DBT_POOL

    _airflow(env, "pools", "set", DBT_POOL, "1", "one dbt build of the marts at a time")

    api_url = f"http://127.0.0.1:{settings.stack_api_port}"
    api = start("api-server", [venv_bin("airflow"), "api-server"], env, log_dir, registry)
    _wait("api-server", lambda: _http_ok(f"{api_url}/api/v2/version"), 180, api)
    scheduler = start("scheduler", [venv_bin("airflow"), "scheduler"], env, log_dir, registry)
    start("dag-processor", [venv_bin("airflow"), "dag-processor"], env, log_dir, registry)
    start("triggerer", [venv_bin("airflow"), "triggerer"], env, log_dir, registry)
    workers = []
    for name in config.WORKERS:
        port = config.side_ports(settings.stack_api_port)[f"{name}_logs"]
        worker_env = {**env, "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(port)}
        workers.append(
            start(
                name,
                [venv_bin("airflow"), "celery", "worker", "--celery-hostname", f"{name}@%h"],
                worker_env,
                log_dir,
                registry,
            )
        )
    portal = start(
        "portal-sim",
        [venv_bin("cchc"), "portal-sim", "--world", str(settings.world_dir), "--port", str(portal_port),
         *(["--faults", faults] if faults else [])],
        env, log_dir, registry,
    )  # fmt: skip
    health = f"http://127.0.0.1:{config.side_ports(settings.stack_api_port)['scheduler_health']}/health"
    _wait("scheduler", lambda: _http_ok(health), 180, scheduler)
    for worker in workers:
        _wait(worker.name, lambda w=worker: _log_says(w.log_file, " ready."), 180, worker)
    _wait("portal simulator", lambda: _port_open(portal_port), 60, portal)
    return StackInfo(api_url, env["CCHC_PORTAL_URL"], env, log_dir)


def down(settings: Settings | None = None) -> list[tuple[str, str]]:
    """Stop what `up` started, newest first; then the embedded PostgreSQL if `up` started it."""
    from cchc.warehouse import embedded

    settings = settings or get_settings()
    registry = Registry(settings.stack_dir)
    results = [(item.name, stop(item)) for item in reversed(registry.load())]
    registry.save([])
    marker = settings.stack_dir / "postgres.json"
    if marker.is_file() and json.loads(marker.read_text(encoding="utf-8")).get("started_by_stack"):
        results.append(("postgres", "stopped" if embedded.stop(settings.pgdata_dir) else "not running"))
        marker.unlink()
    return results


def status(settings: Settings | None = None) -> list[tuple[str, int, bool]]:
    settings = settings or get_settings()
    return [(s.name, s.pid, alive(s.pid)) for s in Registry(settings.stack_dir).load()]


def backfill(first, last, settings: Settings | None = None, dag_id: str = "cchc_nightly") -> str:
    """Have the scheduler run the nightly DAG for business dates first..last (Airflow's own
    backfill, executed by the Celery workers), one night at a time and in order, as the nights
    happened (each builds the marts as of its own night, so the last one built is the last night).

    Backfills only run for an unpaused DAG, so the DAG is unpaused first (which also lets the
    scheduler start tonight's regular run). Airflow selects runs by their run-after time, which for
    business date D is 01:30 local on D+1, so the range is given as those times."""
    from cchc.pipeline.dates import run_after_for

    env = stack_env(settings)
    _airflow(env, "dags", "unpause", dag_id)
    return _airflow(
        env,
        "backfill",
        "create",
        "--dag-id",
        dag_id,
        "--from-date",
        run_after_for(first).isoformat(),
        "--to-date",
        run_after_for(last).isoformat(),
        "--max-active-runs",
        "1",
    )
