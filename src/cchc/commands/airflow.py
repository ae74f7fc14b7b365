"""`cchc airflow …` — the `airflow` CLI with this project's environment (local SQLite metadata DB
under the state folder, the project's dags/, the warehouse connection for dbt)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def register(sub) -> None:
    parser = sub.add_parser(
        "airflow", help="run the airflow CLI with the project's environment (e.g. `cchc airflow standalone`)"
    )
    parser.add_argument("airflow_args", nargs=argparse.REMAINDER, help="arguments passed to airflow")
    parser.set_defaults(func=run)


def standalone_env() -> dict[str, str]:
    """Local UI only: every user is admin, so no password prompt on 127.0.0.1."""
    return {
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": "8080",
    }


def run(args) -> int:
    from cchc.pipeline.local_airflow import airflow_environment
    from cchc.settings import get_settings

    settings = get_settings()
    argv = list(args.airflow_args)
    env = airflow_environment(settings)
    if argv[:1] == ["standalone"]:
        env.update(standalone_env())
    settings.airflow_home.mkdir(parents=True, exist_ok=True)
    airflow_bin = Path(sys.executable).with_name("airflow")
    # `standalone` starts its components as `airflow …` from PATH: the virtualenv's, even unactivated.
    env["PATH"] = os.pathsep.join([str(airflow_bin.parent), *os.get_exec_path()])
    os.environ.update(env)
    os.execv(str(airflow_bin), [str(airflow_bin), *argv])
    return 0  # not reached
