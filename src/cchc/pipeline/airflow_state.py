"""What the run summary needs to know about the other tasks of its own run (via the Task SDK)."""

from __future__ import annotations

from typing import Any

PROVINCE_TASK = "province.ingest_and_validate"
PROVINCE_SENSOR = "province.wait_for_export"
OTHER_STEPS = ["validate_leftovers", "marts_refreshed", "data_docs", "dbt_docs"]


def _value(state: Any) -> str:
    return str(getattr(state, "value", state) or "none")


def _states(context, task_group_id: str | None = None, task_ids: list[str] | None = None) -> dict[str, str]:
    ti = context["ti"]
    result = ti.get_task_states(
        dag_id=ti.dag_id, run_ids=[ti.run_id], task_group_id=task_group_id, task_ids=task_ids
    )
    return {key: _value(state) for key, state in (result.get(ti.run_id) or {}).items()}


def province_states(context, provinces: list[str]) -> dict[str, str]:
    """Final state of each province's ingestion; 'export missing' when its sensor timed out."""
    states = _states(context, task_group_id="province")
    out: dict[str, str] = {}
    for index, code in enumerate(provinces):
        state = states.get(f"{PROVINCE_TASK}_{index}", "none")
        if state == "upstream_failed" and states.get(f"{PROVINCE_SENSOR}_{index}") == "failed":
            state = "export missing"
        out[code] = state
    return out


def province_results(context) -> list[dict[str, Any]]:
    pulled = context["ti"].xcom_pull(task_ids=PROVINCE_TASK, default=None)
    if pulled is None:
        return []
    if isinstance(pulled, dict):
        return [pulled]
    return [r for r in pulled if r]


def step_states(context) -> dict[str, str]:
    """One state per other step: each portal pull, dbt as a whole (worst of its tasks), the docs."""
    out: dict[str, str] = dict(_states(context, task_group_id="portal"))
    out.update(_states(context, task_ids=OTHER_STEPS))
    dbt_states = set(_states(context, task_group_id="dbt").values())
    if dbt_states:
        bad = sorted(dbt_states - {"success", "skipped"})
        out["dbt"] = bad[0] if bad else "success"
    return out
