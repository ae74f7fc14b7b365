"""Small raw batches written straight into the warehouse (ledger row + rows), then validated.

Each test uses its own province code so that the row-count band of one test never sees the
history of another.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json

import pytest

from cchc.ledger import BatchSlot, open_batch, record_load

_file_seq = itertools.count(1)


@pytest.fixture(scope="session")
def gx_project(warehouse):
    """The GX project opened once per session (importing GX and opening it takes seconds)."""
    from cchc.validate.gx import open_project

    return open_project()


@pytest.fixture(scope="session")
def catalogue(warehouse, gx_project):
    """An accepted procedure catalogue holding 1.004227 and 2.000815."""
    from cchc.warehouse.connection import connect

    with connect(warehouse) as conn:
        bid = Raw.make_batch(conn, "portal", "portal_formalities", None, dt.date(2026, 1, 1), "formalities")
        for code in ("1.004227", "2.000815"):
            record = {"code": code, "id": code, "name": "Thủ tục", "fieldCode": "HT", "onlineLevel": "KHONG",
                      "processingDays": 5, "dayType": "WORKING", "state": "ACTIVE"}  # fmt: skip
            conn.execute(
                "insert into raw.portal_formalities (batch_id, code, id, name, field_code, online_level, "
                "processing_days, day_type, state, record) values (%s, %s, %s, 'x', 'HT', 'KHONG', 5, "
                "'WORKING', 'ACTIVE', %s)",
                (bid, code, code, json.dumps(record)),
            )
        conn.execute("update audit.batches set status = 'accepted' where batch_id = %s", (bid,))
    return ["1.004227", "2.000815"]


class Raw:
    """Helpers that write ledger rows and raw rows (tests get it as the `raw` fixture)."""

    @staticmethod
    def make_batch(conn, source, entity, province, day, file_name=None, *, rows=0, status="pending") -> int:
        slot = BatchSlot(source, entity, province, day, file_name or f"file-{next(_file_seq)}")
        bid = open_batch(conn, slot, file_path=None, sha256=f"sha-{next(_file_seq)}")
        record_load(conn, bid, rows_in=rows, rows_loaded=rows)
        if status != "pending":
            conn.execute("update audit.batches set status = %s where batch_id = %s", (status, bid))
        return bid

    @staticmethod
    def good_dossier(province: str, day: dt.date, i: int) -> dict:
        received = dt.datetime.combine(day, dt.time(8, 30))
        return {
            "source_row": i + 1,
            "ma_ho_so": f"000.00.01.H{province}-{day:%y%m%d}-{i:04d}",
            "ma_tthc": "1.004227",
            "ma_linh_vuc": "HT",
            "ma_don_vi": "00001",
            "cap_don_vi": "XA",
            "kenh_thuc_hien": 2,
            "muc_do_dvc": "TOAN_TRINH",
            "ngay_nop_ho_so": received - dt.timedelta(hours=1),
            "ngay_tiep_nhan": received,
            "ngay_hen_tra": received + dt.timedelta(days=5),
            "trang_thai_ho_so": 4,
            "duoc_thanh_toan_truc_tuyen": 0,
            "tong_phi_le_phi": 0,
            "ho_so_co_thanh_phan_so_hoa": 1,
            "co_ket_qua_dien_tu": 0,
            "tai_khoan_duoc_xac_thuc_voi_vneid": 1,
            "citizen_key": f"ck{i:062d}",
            "ngay_cap_nhat": received + dt.timedelta(hours=2),
        }

    @staticmethod
    def insert_rows(conn, table: str, batch_id: int, rows: list[dict]) -> None:
        if not rows:
            return
        cols = list(dict.fromkeys(c for r in rows for c in r))
        sql = (
            f"insert into raw.{table} (batch_id, {', '.join(cols)}) "
            f"values (%s, {', '.join(['%s'] * len(cols))})"
        )
        with conn.cursor() as cur:
            cur.executemany(sql, [(batch_id, *[r.get(c) for c in cols]) for r in rows])
        conn.execute("update audit.batches set rows_in = %s, rows_loaded = %s where batch_id = %s",
                     (len(rows), len(rows), batch_id))  # fmt: skip

    @staticmethod
    def hoso_batch(conn, province, day, rows, *, file_name="hoso.csv", status="pending") -> int:
        bid = Raw.make_batch(conn, "onestop", "onestop_hoso", province, day, file_name, status=status)
        Raw.insert_rows(conn, "onestop_hoso", bid, rows)
        return bid

    @staticmethod
    def batch_row(conn, batch_id: int) -> dict:
        cur = conn.execute("select * from audit.batches where batch_id = %s", (batch_id,))
        names = [d.name for d in cur.description]
        return dict(zip(names, cur.fetchone(), strict=True))

    @staticmethod
    def results(conn, batch_id: int) -> list[dict]:
        cur = conn.execute("select * from audit.validation_results where batch_id = %s order by validation_id",
                           (batch_id,))  # fmt: skip
        names = [d.name for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


@pytest.fixture
def raw():
    return Raw
