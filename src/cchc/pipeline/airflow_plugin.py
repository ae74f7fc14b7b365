"""The project's Airflow plugin: makes the custom deadline reference known to the scheduler,
api-server and triggerer (they rebuild it from the serialized DAG by its class path).

Registered as the `airflow.plugins` entry point `cchc` in pyproject.toml, so every Airflow
component that has the package installed loads it; no plugins folder to keep in sync.
"""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

from cchc.pipeline.deadline import MartsDueMorningAfter


class CchcPlugin(AirflowPlugin):
    name = "cchc"
    deadline_references = [MartsDueMorningAfter]  # noqa: RUF012 (AirflowPlugin declares a list)
