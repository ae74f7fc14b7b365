"""Run dbt in-process (dbtRunner) against the configured warehouse.

Airflow runs the same project through Cosmos; everything else (the CLI, tests, `cchc run`)
comes through here, so the connection, target and log folders are set in one place.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cchc.settings import Settings, get_settings

log = logging.getLogger(__name__)


class DbtError(RuntimeError):
    """A dbt command failed; the message names the nodes that failed and why."""


@dataclass
class DbtResult:
    success: bool
    args: list[str]
    failures: list[str] = field(default_factory=list)
    nodes: dict[str, str] = field(default_factory=dict)  # unique_id -> status
    raw: Any = None


def _node_statuses(result: Any) -> tuple[dict[str, str], list[str]]:
    nodes: dict[str, str] = {}
    failures: list[str] = []
    for res in getattr(result, "results", None) or []:
        node = getattr(res, "node", None)
        uid = getattr(node, "unique_id", str(node))
        status = str(getattr(res, "status", ""))
        nodes[uid] = status
        if status in {"error", "fail", "runtime error"}:
            failures.append(f"{uid}: {status}: {getattr(res, 'message', '')}")
    return nodes, failures


# The report date of a build (macro as_of_date). An environment variable rather than --vars: dbt
# parses the whole project again whenever --vars change (10.6 s of a 1M night here), while the
# macro reads the environment only when a model runs, so each night reuses the saved parse.
AS_OF_DATE_ENV = "CCHC_AS_OF_DATE"


def run_dbt(
    args: list[str],
    *,
    settings: Settings | None = None,
    check: bool = True,
    as_of: date | str | None = None,
) -> DbtResult:
    """Invoke `dbt <args>` with the project, profile, target and log paths of these settings.
    `as_of`: the report date; without it, `--vars as_of_date` if the args give it, else today
    (a CCHC_AS_OF_DATE inherited from the environment is not used)."""
    from dbt.cli.main import dbtRunner

    from cchc.warehouse.connection import loader_target

    settings = settings or get_settings()
    # profiles.yml reads its connection with env_var(); dbt only looks in os.environ.
    os.environ.update(loader_target(settings).dbt_env())
    os.environ["CCHC_DBT_THREADS"] = str(settings.dbt_threads)
    settings.dbt_target_dir.mkdir(parents=True, exist_ok=True)
    settings.dbt_log_dir.mkdir(parents=True, exist_ok=True)
    full = [
        *args,
        "--project-dir",
        str(settings.dbt_project_dir),
        "--profiles-dir",
        str(settings.dbt_project_dir),
        "--target-path",
        str(settings.dbt_target_dir),
        "--log-path",
        str(settings.dbt_log_dir),
    ]
    log.info("dbt %s%s", " ".join(args), f" (as of {as_of})" if as_of else "")
    previous = os.environ.pop(AS_OF_DATE_ENV, None)
    if as_of:
        os.environ[AS_OF_DATE_ENV] = str(as_of)
    try:
        res = dbtRunner().invoke(full)
    finally:
        os.environ.pop(AS_OF_DATE_ENV, None)
        if previous is not None:
            os.environ[AS_OF_DATE_ENV] = previous
    nodes, failures = _node_statuses(res.result)
    out = DbtResult(
        success=bool(res.success), args=list(args), failures=failures, nodes=nodes, raw=res.result
    )
    if check and not out.success:
        detail = "; ".join(failures) or repr(res.exception)
        raise DbtError(f"dbt {' '.join(args)} failed: {detail}")
    return out


def _vars_args(variables: dict[str, Any] | None) -> list[str]:
    if not variables:
        return []
    import json

    return ["--vars", json.dumps(variables)]


def seed(*, settings: Settings | None = None, full_refresh: bool = False) -> DbtResult:
    """Load the reference seeds (administrative units, succession, calendar)."""
    return run_dbt(["seed", *(["--full-refresh"] if full_refresh else [])], settings=settings)


def build(
    select: list[str] | None = None,
    *,
    full_refresh: bool = False,
    variables: dict[str, Any] | None = None,
    exclude: list[str] | None = None,
    settings: Settings | None = None,
    check: bool = True,
    as_of: date | str | None = None,
) -> DbtResult:
    """`dbt build` (seeds, models, data tests and unit tests, in DAG order), as of `as_of`
    (`run_dbt`)."""
    args = ["build"]
    if select:
        # a test of two models (a relationship, a reconciliation) runs only when both are in the
        # selection: dbt's default would run it on half a build and fail on the missing table
        args += ["--select", *select, "--indirect-selection", "cautious"]
    if exclude:
        args += ["--exclude", *exclude]
    if full_refresh:
        args.append("--full-refresh")
    args += _vars_args(variables)
    return run_dbt(args, settings=settings, check=check, as_of=as_of)
