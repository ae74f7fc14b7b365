"""The Airflow-specific pieces run on their own: the export trigger and the deadline callback."""

from __future__ import annotations

import asyncio
import json
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar


def _first_event(trigger):
    async def first():
        async for event in trigger.run():
            return event.payload

    return asyncio.run(asyncio.wait_for(first(), timeout=30))


def test_export_trigger_fires_when_the_manifest_arrives(tmp_path):
    from cchc.pipeline.sensors import ExportReadyTrigger

    manifest = tmp_path / "manifest.json"
    deadline = (datetime.now(UTC) + timedelta(seconds=20)).isoformat()
    trigger = ExportReadyTrigger(str(manifest), deadline, poll_seconds=0.05)
    threading.Timer(0.3, manifest.write_text, args=("{}",)).start()
    assert _first_event(trigger) == {"status": "ready", "manifest": str(manifest)}
    # it survives the round trip through the triggerer's serialisation
    classpath, kwargs = trigger.serialize()
    assert classpath == "cchc.pipeline.sensors.ExportReadyTrigger"
    assert kwargs["manifest_path"] == str(manifest) and kwargs["deadline"] == deadline


def test_export_trigger_times_out(tmp_path):
    from cchc.pipeline.sensors import ExportReadyTrigger

    deadline = (datetime.now(UTC) + timedelta(seconds=0.3)).isoformat()
    trigger = ExportReadyTrigger(str(tmp_path / "never.json"), deadline, poll_seconds=0.05)
    assert _first_event(trigger)["status"] == "timeout"


class _Hook(BaseHTTPRequestHandler):
    received: ClassVar[list] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Hook.received.append((self.path, json.loads(body)))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_deadline_callback_is_a_noop_without_a_connection(monkeypatch):
    from cchc.pipeline.alerts import marts_not_refreshed

    monkeypatch.delenv("AIRFLOW_CONN_CCHC_ALERTS", raising=False)
    assert asyncio.run(marts_not_refreshed({"dag_run": {"dag_id": "cchc_nightly"}})) == "logged"


def test_deadline_callback_posts_to_the_configured_webhook(monkeypatch):
    from cchc.pipeline.alerts import marts_not_refreshed

    server = HTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("AIRFLOW_CONN_CCHC_ALERTS", f"http://127.0.0.1:{server.server_port}/hooks%2Fcchc")
        result = asyncio.run(marts_not_refreshed({"dag_run": {"dag_id": "cchc_nightly", "run_id": "r1"}}))
    finally:
        server.shutdown()
    assert result == "posted 200"
    path, payload = _Hook.received[-1]
    assert path == "/hooks/cchc"
    assert "marts not refreshed by 06:00" in payload["text"] and payload["run_id"] == "r1"


# What the scheduler sends the callback: the run as the REST API's DAGRun, and the deadline.
SCHEDULED_RUN = {
    "dag_run": {
        "dag_id": "cchc_nightly",
        "dag_run_id": "scheduled__2026-11-20T17:00:00+00:00",
        "data_interval_start": "2026-11-20T17:00:00Z",
        "state": "running",
    },
    "deadline": {"id": "d1", "deadline_time": "2026-11-21T23:00:00+00:00"},
}


def test_alert_names_the_run_and_night_the_scheduler_sends():
    from cchc.pipeline.alerts import alert_message

    message = alert_message(SCHEDULED_RUN)
    assert message["run_id"] == "scheduled__2026-11-20T17:00:00+00:00"
    assert message["business_date"] == "2026-11-21"
    assert "run scheduled__2026-11-20T17:00:00+00:00" in message["text"] and "run ?" not in message["text"]


def test_no_alert_when_the_marts_of_that_night_were_refreshed_in_time(db, monkeypatch):
    """A run can fail after dbt (a quarantined province); its marts are still fresh: no alert.
    Refreshed after the deadline, or another night refreshed: the alert goes out."""
    from cchc.pipeline.alerts import marts_not_refreshed

    monkeypatch.delenv("AIRFLOW_CONN_CCHC_ALERTS", raising=False)
    db.execute("delete from audit.run_outcomes where business_date in ('2026-11-20', '2026-11-21')")
    db.execute(
        "insert into audit.run_outcomes (run_id, business_date, province_code, step, status, recorded_at)"
        " values ('other', '2026-11-20', '*', 'marts_refreshed', 'success', '2026-11-21T22:00:00Z')"
    )
    assert asyncio.run(marts_not_refreshed(SCHEDULED_RUN)) == "logged"
    db.execute(
        "insert into audit.run_outcomes (run_id, business_date, province_code, step, status, recorded_at)"
        " values ('r', '2026-11-21', '*', 'marts_refreshed', 'success', '2026-11-21T23:30:00Z')"
    )
    assert asyncio.run(marts_not_refreshed(SCHEDULED_RUN)) == "logged"
    db.execute("update audit.run_outcomes set recorded_at = '2026-11-21T22:59:00Z' where run_id = 'r'")
    assert asyncio.run(marts_not_refreshed(SCHEDULED_RUN)) == "refreshed"


def test_local_runs_keep_the_deadline_and_settle_it(warehouse, tmp_path):
    """`cchc run` (dag.test) has no scheduler watching its metadata DB: a run that beats its 06:00
    has its deadline removed, one whose morning passed gets the callback, as the scheduler would."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    out = tmp_path / "deadline.json"
    env = {**os.environ, "CCHC_AIRFLOW_HOME": str(tmp_path / "airflow")}
    env.pop("AIRFLOW_HOME", None)
    env.pop("CCHC_WAREHOUSE_URL", None)
    probe = Path(__file__).parent / "support" / "probe_local_deadline.py"
    proc = subprocess.run([sys.executable, str(probe), str(out)], env=env, capture_output=True, text=True,
                          timeout=300, check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-4000:]
    result = json.loads(out.read_text())
    assert result["met_deadlines_created"] == 1 and result["missed_deadlines_created"] == 1
    assert result["met"] == ["met"] and result["met_left"] == []
    assert result["missed"] == ["logged"] and result["missed_left"] == [True]
