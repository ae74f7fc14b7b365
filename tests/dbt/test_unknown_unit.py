"""A dossier whose MaDonVi the reference does not know still belongs to the province whose export
carried it: it counts in that province and the nation (as unit unknown), and its code is listed
for the people who fix it (issue 15)."""

from __future__ import annotations

from datetime import date, datetime

from cchc.transform.dbt import build

from .conftest import SKIP

DAY = date(2022, 2, 14)  # a month no other test loads


def test_an_unknown_unit_counts_in_its_province_and_is_listed(seeded, db, raw_loader):
    def dossier(code: str, unit: str) -> dict:
        return {
            "ma_ho_so": code,
            "ma_don_vi": unit,
            "ngay_nop_ho_so": datetime(2022, 2, 14, 8),
            "ngay_tiep_nhan": datetime(2022, 2, 14, 8, 30),
            "ngay_hen_tra": datetime(2022, 2, 18, 17),
            "ngay_ket_thuc_xu_ly": datetime(2022, 2, 16, 10),
            "trang_thai_ho_so": 10,
            "ngay_cap_nhat": datetime(2022, 2, 16, 10),
        }

    # 00004 is a commune of Hà Nội (01) on that day; 99999 exists nowhere
    raw_loader.hoso([dossier("UNK-1", "00004"), dossier("UNK-2", "99999")], province="01", day=DAY)
    build(
        select=[
            "+fct_timeliness_province_monthly",
            "+fct_timeliness_national_monthly",
            "+fct_unknown_unit_codes",
        ],
        variables={"as_of_date": "2022-02-28"},
        exclude=SKIP,
    )
    unit_rows = db.execute(
        "select unit_code, unit_key is null, province_code_current, received_total from marts.fct_timeliness_monthly "
        "where month_start = '2022-02-01' order by unit_code"
    ).fetchall()
    assert unit_rows == [("00004", False, "01", 1), ("99999", True, "01", 1)]
    province = db.execute(
        "select sum(received_total), sum(resolved_early) from marts.fct_timeliness_province_monthly "
        "where month_start = '2022-02-01' and province_code_current = '01'"
    ).fetchone()
    assert province == (2, 2)
    national = db.execute(
        "select sum(received_total) from marts.fct_timeliness_national_monthly where month_start = '2022-02-01'"
    ).fetchone()
    assert national == (2,)
    listed = db.execute(
        "select unit_code, province_code_current, dossiers, first_received_date from marts.fct_unknown_unit_codes "
        "where unit_code = '99999'"
    ).fetchall()
    assert listed == [("99999", "01", 1, DAY)]
