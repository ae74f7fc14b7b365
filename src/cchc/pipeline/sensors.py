"""Waiting for a late export without holding a worker: a deferrable sensor and its trigger.

The trigger carries its own deadline, so the wait ends the same way under the triggerer and under
`dag.test()` (which runs triggers inline): with an event saying ready or timed out.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from airflow.sdk import BaseSensorOperator
from airflow.sdk.exceptions import AirflowSensorTimeout
from airflow.triggers.base import BaseTrigger, TriggerEvent

from cchc.pipeline.dates import business_date_of
from cchc.pipeline.expected_exports import expects_export, export_ref
from cchc.sources.onestop.manifest import MANIFEST


class ExportReadyTrigger(BaseTrigger):
    """Fires once the manifest exists, or when the deadline passes."""

    def __init__(self, manifest_path: str, deadline: str, poll_seconds: float = 60.0):
        super().__init__()
        self.manifest_path = manifest_path
        self.deadline = deadline
        self.poll_seconds = poll_seconds

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "manifest_path": self.manifest_path,
                "deadline": self.deadline,
                "poll_seconds": self.poll_seconds,
            },
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        deadline = datetime.fromisoformat(self.deadline)
        path = Path(self.manifest_path)
        while True:
            if await asyncio.to_thread(path.is_file):
                yield TriggerEvent({"status": "ready", "manifest": self.manifest_path})
                return
            remaining = (deadline - datetime.now(UTC)).total_seconds()
            if remaining <= 0:
                yield TriggerEvent({"status": "timeout", "manifest": self.manifest_path})
                return
            await asyncio.sleep(min(self.poll_seconds, remaining))


class ExportReadySensor(BaseSensorOperator):
    """Succeeds when the province's export for the run's business date has its manifest."""

    template_fields = ("province_code",)
    ui_color = "#e8f4fa"

    def __init__(self, *, province_code: str, wait_seconds: int, poll_seconds: float = 60.0, **kwargs):
        super().__init__(timeout=wait_seconds, poke_interval=poll_seconds, **kwargs)
        self.province_code = province_code
        self.wait_seconds = wait_seconds
        self.poll_seconds = poll_seconds

    def _ref(self, context):
        return export_ref(str(self.province_code), business_date_of(context["data_interval_start"]))

    def poke(self, context) -> bool:
        return self._ref(context).ready

    def execute(self, context) -> str | None:
        ref = self._ref(context)
        if ref.ready:
            return str(ref.path / MANIFEST)
        if not expects_export(ref.province_code, ref.business_date):
            # A retired code mapped only for its backlog (late or corrected exports of its days).
            self.log.info(
                "province %s is not a province on %s: nothing to wait for, taking its backlog",
                ref.province_code,
                ref.business_date,
            )
            return None
        self.log.info("export %s not ready yet: waiting up to %ss (deferred)", ref.path, self.wait_seconds)
        deadline = datetime.now(UTC) + timedelta(seconds=self.wait_seconds)
        self.defer(
            trigger=ExportReadyTrigger(str(ref.path / MANIFEST), deadline.isoformat(), self.poll_seconds),
            method_name="execute_complete",
            timeout=timedelta(seconds=self.wait_seconds + 60),
        )
        return None

    def execute_complete(self, context, event: dict[str, Any] | None = None) -> str:
        if event and event.get("status") == "ready":
            return event["manifest"]
        manifest = (event or {}).get("manifest")
        raise AirflowSensorTimeout(
            f"province {self.province_code}: no export manifest {manifest} after {self.wait_seconds}s"
        )
