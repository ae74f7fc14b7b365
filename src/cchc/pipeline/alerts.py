"""The 06:00 deadline alert: marts not refreshed in time.

Airflow's DeadlineAlert calls `marts_not_refreshed` in the triggerer when a nightly run has not
succeeded by 06:00 local the morning after its business date (`deadline.py`). A run can fail and
still have refreshed the marts (one province quarantined, dbt built from the rest): the callback
first asks the warehouse (`audit.run_outcomes`, step `marts_refreshed`) whether that night's marts
were refreshed before the deadline, and alerts only when they were not. It then always logs; when a
connection `cchc_alerts` exists
(`AIRFLOW_CONN_CCHC_ALERTS`, an http(s) URL of a webhook: Slack, Teams, Google Chat, …) it also
posts a short JSON message there. Without that connection it is a no-op beyond the log line.
"""

from __future__ import annotations

import asyncio
import json
import logging
import urllib.request
from datetime import date, datetime
from typing import Any

from cchc.pipeline.dates import business_date_of

log = logging.getLogger(__name__)

ALERT_CONN_ID = "cchc_alerts"


def _run_field(context: dict[str, Any] | None, key: str, default: Any = None) -> Any:
    """A field of the run the deadline belongs to. The scheduler sends the run as the REST API's
    DAGRun (`dag_run_id`, `data_interval_start`, …); `run_id` is accepted too."""
    dag_run = (context or {}).get("dag_run") or {}
    get = (
        dag_run.get if isinstance(dag_run, dict) else lambda key, default=None: getattr(dag_run, key, default)
    )
    if key == "dag_run_id":
        return get("dag_run_id") or get("run_id") or default
    return get(key, default)


def business_date_in(context: dict[str, Any] | None) -> date | None:
    start = _run_field(context, "data_interval_start")
    if not start:
        return None
    return business_date_of(datetime.fromisoformat(str(start)) if isinstance(start, str) else start)


def alert_message(context: dict[str, Any] | None) -> dict[str, Any]:
    dag_id = _run_field(context, "dag_id", "cchc_nightly")
    run_id = _run_field(context, "dag_run_id")
    day = business_date_in(context)
    night = f" for {day.isoformat()}" if day else ""
    return {
        "text": (
            f"cchc: marts{night} not refreshed by 06:00 (dag {dag_id}, run {run_id or '?'}, "
            f"state {_run_field(context, 'state', '?')})"
        ),
        "dag_id": dag_id,
        "run_id": run_id,
        "business_date": day.isoformat() if day else None,
    }


def _deadline_time(context: dict[str, Any] | None) -> datetime | None:
    value = ((context or {}).get("deadline") or {}).get("deadline_time")
    if not value:
        return None
    return datetime.fromisoformat(str(value)) if isinstance(value, str) else value


def webhook_url(conn: Any) -> str | None:
    """The URL to post to. `AIRFLOW_CONN_CCHC_ALERTS=https://hooks.example/services/T/B/C` parses as
    conn_type https, host hooks.example, schema services/T/B/C; a host may also carry the scheme."""
    if conn is None:
        return None
    host = (getattr(conn, "host", None) or "").strip()
    if not host:
        return None
    if "://" in host:
        return host
    scheme = getattr(conn, "conn_type", None) or "https"
    scheme = scheme if scheme in {"http", "https"} else "https"
    port = f":{conn.port}" if getattr(conn, "port", None) else ""
    path = (getattr(conn, "schema", None) or "").lstrip("/")
    return f"{scheme}://{host}{port}/{path}"


def _post(url: str, payload: dict[str, Any]) -> int:
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


async def marts_not_refreshed(context: dict[str, Any] | None = None, conn_id: str = ALERT_CONN_ID) -> str:
    day, due = business_date_in(context), _deadline_time(context)
    if day is not None and due is not None:
        refreshed = await asyncio.to_thread(_refreshed_at, day)
        if refreshed is not None and refreshed <= due:
            log.info("marts for %s were refreshed at %s, before %s: no alert", day, refreshed, due)
            return "refreshed"
    payload = alert_message(context)
    log.warning(payload["text"])
    try:
        from airflow.sdk import BaseHook

        conn = await BaseHook.aget_connection(conn_id)
    except Exception:  # not configured: the log line is the whole alert
        return "logged"
    url = webhook_url(conn)
    if not url:
        return "logged"
    status = await asyncio.to_thread(_post, url, payload)
    return f"posted {status}"


def _refreshed_at(business_date: date) -> datetime | None:
    """When the marts of that night were last refreshed, or None (also when the warehouse cannot
    be asked: then the alert goes out, which is the safe side)."""
    from cchc.pipeline.outcomes import marts_refreshed_at

    try:
        return marts_refreshed_at(business_date)
    except Exception as err:
        log.warning("could not ask the warehouse whether the marts were refreshed: %s", err)
        return None
