"""Incremental runs: a second day's batches recompute only the dossiers they touch, and the marts
equal a full refresh afterwards. Unit 00008 (Phường Ngọc Hà), dossiers I01-I06."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from cchc.transform.dbt import build

from .conftest import SKIP, RawLoader

AS_OF = {"as_of_date": "2025-11-30"}
UNIT = "00008"


def dt(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def hoso(code, received, due, ended, status, updated):
    return {
        "ma_ho_so": code,
        "ma_don_vi": UNIT,
        "ngay_tiep_nhan": dt(received),
        "ngay_hen_tra": dt(due),
        "ngay_ket_thuc_xu_ly": dt(ended),
        "trang_thai_ho_so": status,
        "tong_phi_le_phi": 50000,
        "duoc_thanh_toan_truc_tuyen": 1 if code in ("I01", "I02") else 0,
        "ngay_cap_nhat": dt(updated),
    }


def request(code, no, requested, supplied, new_due, updated):
    return {
        "ma_ho_so": code,
        "lan_bo_sung": no,
        "ngay_yeu_cau_bo_sung": dt(requested),
        "ngay_cong_dan_bo_sung": dt(supplied),
        "ngay_hen_tra_moi": dt(new_due),
        "ngay_cap_nhat": dt(updated),
    }


DAY1 = [
    hoso("I01", "2025-11-03 08:00", "2025-11-10 17:00", "2025-11-07 10:00", 10, "2025-11-20 10:00"),
    hoso("I02", "2025-11-04 08:00", "2025-11-11 17:00", None, 4, "2025-11-20 10:00"),
    hoso("I03", "2025-11-05 08:00", "2025-11-12 17:00", None, 4, "2025-11-20 10:00"),
    hoso("I04", "2025-11-06 08:00", "2025-11-13 17:00", None, 5, "2025-11-20 10:00"),
    hoso("I05", "2025-10-06 08:00", "2025-12-13 17:00", None, 4, "2025-11-20 10:00"),
]
DAY1_BOSUNG = [request("I04", 1, "2025-11-10 09:00", None, "2025-11-20 17:00", "2025-11-20 10:00")]
DAY2 = [
    hoso("I02", "2025-11-04 08:00", "2025-11-11 17:00", "2025-11-14 10:00", 10, "2025-11-21 10:00"),
    hoso("I06", "2025-11-21 08:00", "2025-11-28 17:00", None, 2, "2025-11-21 10:00"),
]
DAY2_BOSUNG = [request("I03", 1, "2025-11-21 09:00", None, "2025-11-28 17:00", "2025-11-21 10:00")]
# the province re-sent day 1's bosung.csv corrected: I04's request was answered and moved the due date
DAY1_BOSUNG_CORRECTED = [
    request("I04", 1, "2025-11-10 09:00", "2025-11-12 09:00", "2025-11-25 17:00", "2025-11-20 11:00")
]


def run_stamps(db, table: str, column: str) -> dict[str, object]:
    return dict(
        db.execute(f"select dossier_code, {column} from {table} where dossier_code like 'I%'").fetchall()
    )


def marts_snapshot(db) -> dict[str, list[tuple]]:
    """Every fact table's rows (bookkeeping columns starting with '_' left out), sorted."""
    tables = [
        r[0]
        for r in db.execute(
            "select table_name from information_schema.tables "
            "where table_schema = 'marts' and table_name like 'fct%' order by table_name"
        ).fetchall()
    ]
    snapshot = {}
    for table in tables:
        cols = [
            r[0]
            for r in db.execute(
                "select column_name from information_schema.columns where table_schema = 'marts' "
                "and table_name = %s and column_name not like '\\_%%' order by ordinal_position",
                (table,),
            ).fetchall()
        ]
        rows = db.execute(f"select {', '.join(cols)} from marts.{table}").fetchall()
        snapshot[table] = sorted(rows, key=repr)
    return snapshot


@pytest.mark.slow
def test_second_day_recomputes_only_changed_dossiers_and_equals_full_refresh(seeded, warehouse, db):
    loader = RawLoader(db)
    loader.hoso(DAY1, day=date(2025, 11, 20))
    loader.bosung(DAY1_BOSUNG, day=date(2025, 11, 20))
    build(variables=AS_OF, exclude=SKIP)
    fct_before = run_stamps(db, "marts.fct_dossier", "_fct_run_at")
    stg_before = run_stamps(db, "staging.stg_onestop__dossiers", "_stg_run_at")
    assert set(fct_before) == {"I01", "I02", "I03", "I04", "I05"}
    assert db.execute("select due_date from marts.fct_dossier where dossier_code = 'I04'").fetchone() == (
        date(2025, 11, 20),
    )

    loader.hoso(DAY2, day=date(2025, 11, 21))
    loader.bosung(DAY2_BOSUNG, day=date(2025, 11, 21))
    loader.bosung(DAY1_BOSUNG_CORRECTED, day=date(2025, 11, 20))  # supersedes day 1's bosung batch
    build(variables=AS_OF, exclude=SKIP)
    fct_after = run_stamps(db, "marts.fct_dossier", "_fct_run_at")
    stg_after = run_stamps(db, "staging.stg_onestop__dossiers", "_stg_run_at")

    changed_stg = {code for code, stamp in stg_after.items() if stg_before.get(code) != stamp}
    changed_fct = {code for code, stamp in fct_after.items() if fct_before.get(code) != stamp}
    assert changed_stg == {"I02", "I06"}
    assert changed_fct == {"I02", "I03", "I04", "I06"}
    # nothing outside this test's dossiers was touched either
    untouched = db.execute(
        "select count(*) from marts.fct_dossier where dossier_code not like 'I%' "
        "and _fct_run_at = (select max(_fct_run_at) from marts.fct_dossier)"
    ).fetchone()
    assert untouched == (0,)
    state = dict(
        db.execute(
            "select dossier_code, timeliness || '/' || due_date from marts.fct_dossier where dossier_code like 'I%'"
        ).fetchall()
    )
    assert state == {
        "I01": "early/2025-11-10",
        "I02": "late/2025-11-11",
        "I03": "in_progress_overdue/2025-11-28",
        "I04": "in_progress_overdue/2025-11-25",
        "I05": "in_progress_within/2025-12-13",
        "I06": "in_progress_overdue/2025-11-28",
    }

    incremental = marts_snapshot(db)
    build(full_refresh=True, variables=AS_OF, exclude=SKIP)
    assert marts_snapshot(db) == incremental


def test_an_empty_fct_dossier_takes_every_staged_dossier(seeded, db):
    # built before any export arrived (e.g. the first night after deployment), fct_dossier has no
    # last run: its next incremental run must take every staged dossier, not compare with null
    RawLoader(db).hoso([hoso("E01", "2025-11-03 08:00", "2025-11-10 17:00", None, 4, "2025-11-20 10:00")])
    build(["+fct_dossier"], variables=AS_OF, exclude=SKIP)
    db.execute("truncate marts.fct_dossier")
    build(["fct_dossier"], variables=AS_OF, exclude=SKIP)
    missing = db.execute(
        "select count(*) from staging.stg_onestop__dossiers as s "
        "where not exists (select from marts.fct_dossier as f where f.dossier_code = s.dossier_code)"
    ).fetchone()
    assert missing == (0,)
    assert db.execute("select count(*) from marts.fct_dossier where dossier_code = 'E01'").fetchone() == (1,)
