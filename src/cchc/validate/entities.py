"""What validation needs to know about each raw entity: its table and the columns that
identify a row in an example (never a personal field)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Entity:
    name: str  # = audit.batches.entity = the raw table's name
    id_columns: tuple[str, ...]  # identify an offending row in stored examples

    @property
    def table(self) -> str:
        return f"raw.{self.name}"

    @property
    def critical_suite(self) -> str:
        return f"{self.name}.critical"

    @property
    def warning_suite(self) -> str:
        return f"{self.name}.warning"


ENTITIES: dict[str, Entity] = {
    e.name: e
    for e in (
        Entity("onestop_hoso", ("source_row", "ma_ho_so")),
        Entity("onestop_bosung", ("source_row", "ma_ho_so", "lan_bo_sung")),
        Entity("bieu06_rows", ("report_id", "source_row", "measure")),
        Entity("portal_formalities", ("code",)),
        Entity("portal_dossier_sync", ("dossier_code",)),
        Entity("portal_payments", ("transaction_id",)),
        Entity("portal_petitions", ("id",)),
        Entity("portal_ratings", ("dossier_code", "rated_at")),
        Entity("portal_service_results", ("year", "month", "department_code")),
    )
}
