"""Airflow assets the pipeline produces, so other DAGs can be scheduled on them."""

from __future__ import annotations

from airflow.sdk import Asset

RAW_ONESTOP = [
    Asset(name=f"raw.{entity}", uri=f"cchc://warehouse/raw/{entity}", group="raw")
    for entity in ("onestop_hoso", "onestop_bosung", "bieu06_rows")
]
RAW_PORTAL = {
    endpoint: Asset(name=f"raw.{entity}", uri=f"cchc://warehouse/raw/{entity}", group="raw")
    for endpoint, entity in (
        ("dossier-sync", "portal_dossier_sync"),
        ("payments", "portal_payments"),
        ("petitions", "portal_petitions"),
        ("ratings", "portal_ratings"),
        ("service-results", "portal_service_results"),
        ("formalities", "portal_formalities"),
    )
}
# Downstream consumers (BI extracts, reports) schedule on this one.
MARTS = Asset(name="cchc.marts", uri="cchc://warehouse/marts", group="marts")
REFERENCE = Asset(name="cchc.reference", uri="cchc://warehouse/staging/reference", group="reference")
