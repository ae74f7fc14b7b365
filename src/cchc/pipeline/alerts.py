"""The 06:00 deadline alert: marts not refreshed in time.

Airflow's DeadlineAlert calls `marts_not_refreshed` in the triggerer when a nightly run is still
unfinished at 06:00 local. It always logs; when a connection `cchc_alerts` exists
(`AIRFLOW_CONN_CCHC_ALERTS`, an http(s) URL of a webhook: Slack, Teams, Google Chat, …) it also
posts a short JSON message there. Without that connection it is a no-op beyond the log line.
"""

from __future__ import annotations

import asyncio
import json
import logging
import urllib.request
from typing import Any

log = logging.getLogger(__name__)

ALERT_CONN_ID = "cchc_alerts"


def alert_message(context: dict[str, Any] | None) -> dict[str, Any]:
    context = context or {}
    dag_run = context.get("dag_run") or {}
    get = (
        dag_run.get if isinstance(dag_run, dict) else lambda key, default=None: getattr(dag_run, key, default)
    )
    return {
        "text": (
            f"cchc: marts not refreshed by 06:00 (dag {get('dag_id', 'cchc_nightly')}, "
            f"run {get('run_id', '?')}, state {get('state', '?')})"
        ),
        "dag_id": get("dag_id", "cchc_nightly"),
        "run_id": get("run_id"),
    }


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
