"""Dossier batches (raw.onestop_hoso): each mess caught at its severity, good batches loaded."""

from __future__ import annotations

import datetime as dt

import pytest

from cchc.validate import validate_batch, validate_pending

DAY = dt.date(2026, 11, 18)  # a Wednesday


def _rows(raw, province, n, day=DAY):
    return [raw.good_dossier(province, day, i) for i in range(n)]


def test_good_batch_is_loaded_with_every_result_stored(db, raw, catalogue):
    bid = raw.hoso_batch(db, "P01", DAY, _rows(raw, "P01", 6))
    outcome = validate_batch(bid)
    assert outcome.status == "accepted", outcome.reason
    assert outcome.rows == 6
    stored = raw.results(db, bid)
    suites = {r["suite_name"] for r in stored}
    assert suites == {"onestop_hoso.critical", "onestop_hoso.warning"}
    assert all(r["success"] for r in stored if r["severity"] == "critical")
    # Every warning that failed is one a good batch can legitimately raise: the unit reference
    # (staging.ref_admin_units) is not loaded in this test warehouse, so that rule says so.
    failed = [r for r in stored if not r["success"]]
    assert all("not evaluated" in r["message"] or "MaDonVi" in r["message"] for r in failed), failed
    assert raw.batch_row(db, bid)["status"] == "accepted"


@pytest.mark.parametrize(
    ("mess", "change", "reason"),
    [
        (
            "due before received",
            {"ngay_hen_tra": dt.datetime(2026, 11, 17, 8)},
            "NgayHenTra before NgayTiepNhan in 2 of 5 rows",
        ),
        (
            "ended before received",
            {"ngay_ket_thuc_xu_ly": dt.datetime(2026, 11, 1), "trang_thai_ho_so": 9},
            "NgayKetThucXuLy before NgayTiepNhan in 2 of 5 rows",
        ),
        ("negative fee", {"tong_phi_le_phi": -50000}, "TongPhiLePhi negative in 2 of 5 rows"),
        ("unknown channel", {"kenh_thuc_hien": 7}, "KenhThucHien not one of 1, 2, 3 in 2 of 5 rows"),
        (
            "unknown online level",
            {"muc_do_dvc": "MUC_4"},
            "MucDoDVC not one of TOAN_TRINH, MOT_PHAN, KHONG in 2 of 5 rows",
        ),
        (
            "finished without end date",
            {"trang_thai_ho_so": 10},
            "finished dossier (TrangThaiHoSo 9/10) without NgayKetThucXuLy or NgayTra in 2 of 5 rows",
        ),
        (
            "withdrawn without refusal date",
            {"trang_thai_ho_so": 7},
            "withdrawn/stopped dossier (TrangThaiHoSo 7/8) without NgayTuChoi in 2 of 5 rows",
        ),
        (
            "received without date",
            {"ngay_tiep_nhan": None},
            "NgayTiepNhan empty for a received dossier (TrangThaiHoSo not 1 or 3) in 2 of 5 rows",
        ),
        ("missing dossier code", {"ma_ho_so": None}, "MaHoSo empty in 2 of 5 rows"),
    ],
)
def test_critical_mess_quarantines_with_a_reason_a_person_can_act_on(
    db, raw, catalogue, mess, change, reason
):
    province = "Q-" + mess
    rows = _rows(raw, province, 5)
    for row in rows[1:3]:
        row.update(change)
    bid = raw.hoso_batch(db, province, DAY, rows)
    outcome = validate_batch(bid)
    assert outcome.status == "quarantined"
    assert outcome.reason == reason
    ledger_row = raw.batch_row(db, bid)
    assert (ledger_row["status"], ledger_row["reason"]) == ("quarantined", reason)
    failed = [r for r in raw.results(db, bid) if not r["success"] and r["severity"] == "critical"]
    assert [r["message"] for r in failed] == [reason]
    assert failed[0]["unexpected_count"] == 2
    # the examples name the offending rows by source row and dossier code
    assert {e["source_row"] for e in failed[0]["unexpected_examples"]} == {2, 3}


def test_warnings_are_recorded_and_the_batch_loads(db, raw, catalogue):
    rows = _rows(raw, "P02", 4)
    rows[0]["ma_tthc"] = "9.999999"  # a code the catalogue does not have (yet)
    rows[1].update(duoc_thanh_toan_truc_tuyen=1, tong_phi_le_phi=0)
    bid = raw.hoso_batch(db, "P02", DAY, rows)
    outcome = validate_batch(bid)
    assert outcome.status == "accepted"
    assert "MaTTHC not in the accepted catalogue in 1 of 4 rows" in outcome.warnings
    assert "paid online (DuocThanhToanTrucTuyen 1/2) with TongPhiLePhi 0 in 1 of 4 rows" in outcome.warnings
    ledger_row = raw.batch_row(db, bid)
    assert ledger_row["status"] == "accepted"
    assert "MaTTHC not in the accepted catalogue in 1 of 4 rows" in ledger_row["warnings"]
    by_message = {r["message"]: r for r in raw.results(db, bid)}
    catalogue_result = by_message["MaTTHC not in the accepted catalogue in 1 of 4 rows"]
    assert catalogue_result["severity"] == "warning"
    assert catalogue_result["unexpected_examples"] == [
        {"source_row": 1, "ma_ho_so": rows[0]["ma_ho_so"], "ma_tthc": "9.999999"}
    ]


def test_one_run_quarantines_the_bad_batch_and_loads_the_good_one(db, raw, catalogue):
    bad_rows = _rows(raw, "P03", 3)
    bad_rows[0]["ngay_hen_tra"] = dt.datetime(2026, 11, 1)
    bad = raw.hoso_batch(db, "P03", DAY, bad_rows)
    good = raw.hoso_batch(db, "P04", DAY, _rows(raw, "P04", 3))
    outcomes = {o.batch_id: o for o in validate_pending("onestop_hoso")}
    assert outcomes[bad].status == "quarantined"
    assert outcomes[bad].reason == "NgayHenTra before NgayTiepNhan in 1 of 3 rows"
    assert outcomes[good].status == "accepted"
    # validated batches are not validated again
    assert validate_pending("onestop_hoso") == []


def test_corrected_export_is_accepted_and_supersedes(db, raw, catalogue):
    first = raw.hoso_batch(db, "P05", DAY, _rows(raw, "P05", 3))
    assert validate_batch(first).status == "accepted"
    broken_rows = _rows(raw, "P05", 3)
    broken_rows[2]["tong_phi_le_phi"] = -1
    broken = raw.hoso_batch(db, "P05", DAY, broken_rows)
    assert validate_batch(broken).status == "quarantined"
    assert raw.batch_row(db, first)["status"] == "accepted"  # a bad correction replaces nothing
    corrected = raw.hoso_batch(db, "P05", DAY, _rows(raw, "P05", 4))
    outcome = validate_batch(corrected)
    assert outcome.status == "accepted"
    assert outcome.superseded == [first]
    assert raw.batch_row(db, first)["status"] == "superseded"
    assert raw.batch_row(db, first)["superseded_by"] == corrected
    assert raw.batch_row(db, broken)["status"] == "quarantined"


def test_a_batch_that_is_not_pending_is_left_alone(db, raw, catalogue):
    bid = raw.hoso_batch(db, "P06", DAY, _rows(raw, "P06", 2), status="quarantined")
    outcome = validate_batch(bid)
    assert (outcome.status, outcome.validated) == ("quarantined", False)
    assert raw.results(db, bid) == []


def test_a_batch_that_cannot_be_validated_stays_pending_and_the_others_go_on(db, raw, catalogue):
    odd = raw.make_batch(db, "onestop", "onestop_unknown", "P07", DAY, "x.csv")
    good = raw.hoso_batch(db, "P07", DAY, _rows(raw, "P07", 2))
    outcomes = {o.batch_id: o for o in validate_pending()}
    assert outcomes[odd].status == "pending"
    assert "no suites for entity 'onestop_unknown'" in outcomes[odd].error
    assert outcomes[good].status == "accepted"
    assert raw.batch_row(db, odd)["status"] == "pending"
    db.execute("update audit.batches set status = 'failed' where batch_id = %s", (odd,))
