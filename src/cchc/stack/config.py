"""The environment every component of the local stack shares.

As in docker-compose.yml: CeleryExecutor, Redis as the broker, PostgreSQL as the metadata DB
(a database `airflow` of its own, owned by role `airflow`, beside the warehouse `cchc` in the
same embedded server), the result backend in that database, one Fernet key and one JWT secret for
all components (generated once, kept 0600 under the stack folder, never in the repo), everything
on 127.0.0.1. The metadata URL uses psycopg 3, which Airflow 3 also needs for its async engine.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from pathlib import Path

from psycopg import sql

from cchc.settings import LOCAL_TZ, Settings, WarehouseTarget

METADATA_DB = "airflow"
METADATA_ROLE = "airflow"
WORKERS = ("worker1", "worker2")


def side_ports(api_port: int) -> dict[str, int]:
    """The other loopback ports of a stack, shifted with its api-server port so that two stacks
    (a developer's and a test's) can run side by side: the scheduler's health check, the
    triggerer's log server and each Celery worker's log server (Airflow's defaults at 8080)."""
    shift = api_port - 8080
    return {
        "scheduler_health": 8974 + shift,
        "triggerer_logs": 8794 + shift,
        "worker1_logs": 8793 + shift,
        "worker2_logs": 8795 + shift,
    }


def stack_secrets(folder: Path) -> dict[str, str]:
    """The Fernet key and JWT secret of this stack, created on first use."""
    path = folder / "secrets.json"
    if path.is_file():
        return json.loads(path.read_text(encoding="utf-8"))
    folder.mkdir(parents=True, exist_ok=True)
    values = {
        "fernet_key": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "jwt_secret": secrets.token_urlsafe(32),
    }
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(values, fh)
    return values


def ensure_metadata_database(admin: WarehouseTarget) -> WarehouseTarget:
    """Role and database `airflow` in the warehouse's server; returns the target to use."""
    from cchc.warehouse.connection import connect

    with connect(admin.with_dbname("postgres"), autocommit=True) as conn:
        if conn.execute("select 1 from pg_roles where rolname = %s", (METADATA_ROLE,)).fetchone() is None:
            conn.execute(sql.SQL("create role {} login").format(sql.Identifier(METADATA_ROLE)))
        if conn.execute("select 1 from pg_database where datname = %s", (METADATA_DB,)).fetchone() is None:
            conn.execute(
                sql.SQL("create database {} owner {}").format(
                    sql.Identifier(METADATA_DB), sql.Identifier(METADATA_ROLE)
                )
            )
            # the metadata DB is Airflow's alone (the owner keeps its rights; PUBLIC loses connect)
            conn.execute(
                sql.SQL("revoke connect on database {} from public").format(sql.Identifier(METADATA_DB))
            )
    return WarehouseTarget(user=METADATA_ROLE, dbname=METADATA_DB, host=admin.host, port=admin.port)


def metadata_urls(target: WarehouseTarget) -> tuple[str, str]:
    """(SQLAlchemy URL for Airflow, Celery result-backend URL)."""
    where = (
        f"localhost/{target.dbname}?host={target.host}&port={target.port}"
        if target.is_socket
        else f"{target.host}:{target.port}/{target.dbname}"
    )
    return (
        f"postgresql+psycopg://{target.user}@{where}",
        f"db+postgresql+psycopg2://{target.user}@{where}",
    )


def airflow_env(settings: Settings, metadata: WarehouseTarget, base_env: dict[str, str]) -> dict[str, str]:
    """Environment of every Airflow component of the stack (on top of the project's own)."""
    keys = stack_secrets(settings.stack_dir)
    sqlalchemy_url, result_backend = metadata_urls(metadata)
    api = f"http://127.0.0.1:{settings.stack_api_port}"
    ports = side_ports(settings.stack_api_port)
    return {
        **base_env,
        "AIRFLOW_HOME": str(settings.stack_dir / "airflow"),
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__CORE__DEFAULT_TIMEZONE": LOCAL_TZ,
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
        "AIRFLOW__CORE__FERNET_KEY": keys["fernet_key"],
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{api}/execution/",
        "AIRFLOW__API_AUTH__JWT_SECRET": keys["jwt_secret"],
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(settings.stack_api_port),
        "AIRFLOW__API__BASE_URL": api,
        # A local stack on loopback: every user is admin, as `airflow standalone` does.
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": sqlalchemy_url,
        # Airflow would derive postgresql+asyncpg:// (not installed); psycopg 3 is sync and async.
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC": sqlalchemy_url,
        "AIRFLOW__CELERY__BROKER_URL": f"redis://127.0.0.1:{settings.stack_redis_port}/0",
        "AIRFLOW__CELERY__RESULT_BACKEND": result_backend,
        "AIRFLOW__CELERY__WORKER_CONCURRENCY": "2",
        "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "True",
        "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_HOST": "127.0.0.1",
        "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT": str(ports["scheduler_health"]),
        "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(ports["triggerer_logs"]),
        # New DAG files and manifests show up within seconds, not the default 5 minutes.
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "30",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
    }
