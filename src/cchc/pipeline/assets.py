"""Airflow assets the pipeline produces, so other DAGs can be scheduled on them."""

from __future__ import annotations

from airflow.sdk import Asset

from cchc.sources.portal.records import ENDPOINTS

RAW_ONESTOP = [
    Asset(name=f"raw.{entity}", uri=f"cchc://warehouse/raw/{entity}", group="raw")
    for entity in ("onestop_hoso", "onestop_bosung", "bieu06_rows")
]
# One asset per portal endpoint, from the endpoint list itself (a new endpoint needs no line here).
RAW_PORTAL = {
    name: Asset(name=spec.table, uri=f"cchc://warehouse/raw/{spec.entity}", group="raw")
    for name, spec in ENDPOINTS.items()
}
# Downstream consumers (BI extracts, reports) schedule on this one.
MARTS = Asset(name="cchc.marts", uri="cchc://warehouse/marts", group="marts")
REFERENCE = Asset(name="cchc.reference", uri="cchc://warehouse/staging/reference", group="reference")
