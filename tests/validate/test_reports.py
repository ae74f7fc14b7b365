"""Biểu 06 reports: broken identities are warnings stored per report row with both sides and
the difference; a count that cannot be right quarantines the report."""

from __future__ import annotations

import datetime as dt

from cchc.report_measures import REPORT_MEASURES
from cchc.validate import validate_batch

MEASURES = REPORT_MEASURES
#             rec  onl dir  car  res  ear  ont  lat  ip  wit  ovd
HO_TICH = (10, 3, 5, 1, 6, 2, 3, 1, 4, 3, 1)  # received: 10 ≠ 3 + 5 + 1
CHUNG_THUC = (5, 2, 2, 1, 5, 5, 0, 0, 0, 0, 0)
TOTAL = (15, 5, 7, 2, 11, 8, 3, 1, 4, 3, 1)  # received 15 ≠ 14; resolved 11 ≠ 12; early 8 ≠ 2 + 5


def _report(db, raw, report_id, rows, province="R1"):
    bid = raw.make_batch(db, "reports", "bieu06_rows", province, dt.date(2026, 11, 5), f"{report_id}.xlsx")
    records = []
    for source_row, field, is_total, values in rows:
        for measure, value in zip(MEASURES, values, strict=True):
            records.append(
                {
                    "report_id": report_id,
                    "province_code": province,
                    "unit_code": "00001",
                    "unit_name": "UBND xã A",
                    "period_start": dt.date(2026, 10, 1),
                    "period_end": dt.date(2026, 10, 31),
                    "sheet_name": "Sheet1",
                    "source_row": source_row,
                    "field_name": field,
                    "is_total": is_total,
                    "measure": measure,
                    "reported_value": value,
                }
            )
    raw.insert_rows(db, "bieu06_rows", bid, records)
    return bid


def test_broken_identities_are_warnings_stored_with_their_differences(db, raw, gx_project):
    report = "bieu06_00001_20261001_20261031"
    bid = _report(
        db,
        raw,
        report,
        [
            (10, "Hộ tịch", False, HO_TICH),
            (11, "Chứng thực", False, CHUNG_THUC),
            (12, "Tổng cộng", True, TOTAL),
        ],
    )
    outcome = validate_batch(bid)
    assert outcome.status == "accepted"
    assert "Biểu 06 identities broken (audit.report_identity_checks): 4" in outcome.warnings
    checks = db.execute(
        "select field_name, source_row, rule, lhs, rhs, difference, ok from audit.report_identity_checks "
        "where batch_id = %s",
        (bid,),
    ).fetchall()
    assert len(checks) == 3 * 4 + 11  # four identities per row, and the total row per measure
    broken = sorted(c[:6] for c in checks if not c[6])
    assert broken == sorted(
        [
            (
                "Hộ tịch",
                10,
                "received_total = received_online + received_direct_postal + carried_over",
                10,
                9,
                1,
            ),
            (
                "Tổng cộng",
                12,
                "received_total = received_online + received_direct_postal + carried_over",
                15,
                14,
                1,
            ),
            (
                "Tổng cộng",
                12,
                "resolved_total = resolved_early + resolved_on_time + resolved_late",
                11,
                12,
                -1,
            ),
            ("Tổng cộng", 12, "total row resolved_early = sum of field rows", 8, 7, 1),
        ]
    )
    stored = {r["expectation"]: r for r in raw.results(db, bid)}
    identity = stored["expect_bieu06_identities_to_hold"]
    assert (identity["severity"], identity["success"], identity["unexpected_count"]) == ("warning", False, 4)
    assert identity["element_count"] == len(checks)  # the share Data Docs show is of the checks made
    assert {e["rule"] for e in identity["unexpected_examples"]} >= {
        "total row resolved_early = sum of field rows"
    }


def test_a_report_that_adds_up_has_every_check_ok(db, raw, gx_project):
    total = tuple(a + b for a, b in zip(CHUNG_THUC, CHUNG_THUC, strict=True))
    bid = _report(
        db,
        raw,
        "bieu06_00002_20261001_20261031",
        [
            (10, "Hộ tịch", False, CHUNG_THUC),
            (11, "Chứng thực", False, CHUNG_THUC),
            (12, "Tổng cộng", True, total),
        ],
    )
    outcome = validate_batch(bid)
    assert outcome.status == "accepted"
    assert not [w for w in outcome.warnings if "Biểu 06" in w]
    oks = db.execute(
        "select bool_and(ok), count(*) from audit.report_identity_checks where batch_id = %s", (bid,)
    )
    assert oks.fetchone() == (True, 23)


def test_a_negative_count_quarantines_the_report(db, raw, gx_project):
    bad = list(HO_TICH)
    bad[7] = -1
    bid = _report(db, raw, "bieu06_00003_20261001_20261031", [(10, "Hộ tịch", False, tuple(bad))])
    outcome = validate_batch(bid)
    assert outcome.status == "quarantined"
    assert outcome.reason == "negative count in 1 of 11 rows"
    messages = {r["message"] for r in raw.results(db, bid)}
    assert "report without a total row (Tổng cộng) in 11 of 11 rows" in messages
