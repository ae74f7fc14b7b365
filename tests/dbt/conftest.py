"""Fixtures for the dbt area: a seeded warehouse and helpers that load raw rows through the ledger."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from cchc import ledger

HOSO_COLUMNS = (
    "ma_ho_so",
    "ma_tthc",
    "ten_tthc",
    "ma_linh_vuc",
    "ten_linh_vuc",
    "ma_don_vi",
    "cap_don_vi",
    "kenh_thuc_hien",
    "muc_do_dvc",
    "ngay_nop_ho_so",
    "ngay_tiep_nhan",
    "ngay_hen_tra",
    "ngay_ket_thuc_xu_ly",
    "ngay_tra",
    "ngay_tu_choi",
    "trang_thai_ho_so",
    "duoc_thanh_toan_truc_tuyen",
    "tong_phi_le_phi",
    "ho_so_co_thanh_phan_so_hoa",
    "co_ket_qua_dien_tu",
    "tai_khoan_duoc_xac_thuc_voi_vneid",
    "citizen_key",
    "ngay_cap_nhat",
)
BOSUNG_COLUMNS = (
    "ma_ho_so",
    "lan_bo_sung",
    "ngay_yeu_cau_bo_sung",
    "ngay_cong_dan_bo_sung",
    "ngay_hen_tra_truoc",
    "ngay_hen_tra_moi",
    "ngay_cap_nhat",
)
HOSO_DEFAULTS = {
    "ma_tthc": "1.000894",
    "ten_tthc": "Đăng ký khai sinh",
    "ma_linh_vuc": "HT",
    "ten_linh_vuc": "Hộ tịch",
    "cap_don_vi": "XA",
    "kenh_thuc_hien": 1,
    "muc_do_dvc": "MOT_PHAN",
    "duoc_thanh_toan_truc_tuyen": 0,
    "tong_phi_le_phi": 0,
    "ho_so_co_thanh_phan_so_hoa": 0,
    "co_ket_qua_dien_tu": 0,
    "tai_khoan_duoc_xac_thuc_voi_vneid": 0,
}


@dataclass
class RawLoader:
    """Loads raw rows the way ingestion does: ledger row + rows in one transaction, then a status."""

    conn: object

    def _batch(self, entity: str, source: str, province: str, day: date, file_name: str) -> int:
        slot = ledger.BatchSlot(source, entity, province, day, file_name)
        return ledger.open_batch(self.conn, slot, file_path=f"test/{province}/{day}/{file_name}", sha256=None)

    def hoso(
        self,
        rows: list[dict],
        *,
        province="01",
        day=date(2025, 11, 10),
        status="accepted",
        file_name="hoso.csv",
    ):
        rows = [{**HOSO_DEFAULTS, **row} for row in rows]
        return self._load("onestop_hoso", HOSO_COLUMNS, rows, province, day, file_name, status)

    def bosung(self, rows: list[dict], *, province="01", day=date(2025, 11, 10), status="accepted"):
        return self._load("onestop_bosung", BOSUNG_COLUMNS, rows, province, day, "bosung.csv", status)

    def _load(self, entity, columns, rows, province, day, file_name, status) -> int:
        with self.conn.transaction():
            batch_id = self._batch(entity, "onestop", province, day, file_name)
            cols = ["batch_id", "source_row", *columns]
            for i, row in enumerate(rows, start=1):
                self.conn.execute(
                    f"insert into raw.{entity} ({', '.join(cols)}) values ({', '.join(['%s'] * len(cols))})",
                    [batch_id, i, *(row.get(c) for c in columns)],
                )
            ledger.record_load(self.conn, batch_id, rows_in=len(rows), rows_loaded=len(rows))
        self._finish(batch_id, status)
        return batch_id

    def _finish(self, batch_id: int, status: str) -> None:
        if status == "accepted":
            ledger.accept(self.conn, batch_id)
        elif status == "quarantined":
            ledger.quarantine(self.conn, batch_id, "test: critical expectation failed")
        elif status != "pending":
            ledger.close_as(self.conn, batch_id, status, "test")


@pytest.fixture(scope="session")
def seeded(warehouse):
    """The warehouse with the reference seeds loaded once for the session."""
    from cchc.transform.dbt import seed

    seed(full_refresh=True)
    return warehouse


@pytest.fixture
def raw_loader(db):
    return RawLoader(db)


# Builds that load data skip seeds (loaded once per session) and unit tests (test_unit_tests runs them).
SKIP = ["resource_type:seed", "resource_type:unit_test"]
