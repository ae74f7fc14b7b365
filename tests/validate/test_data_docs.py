"""Data Docs render every stored result, failed custom expectations included.

GX's renderer of a failed result reads `unexpected_percent` and `element_count` whenever
`unexpected_count` is there; a result without them is logged as a rendering error and its
statement is left out of the page.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from cchc.settings import get_settings
from cchc.validate import build_data_docs, validate_batch

DAY = dt.date(2026, 11, 20)
MEASURES = ("received_total", "received_online", "received_direct_postal", "carried_over", "resolved_total",
            "resolved_early", "resolved_on_time", "resolved_late", "in_progress_total", "in_progress_within",
            "in_progress_overdue")  # fmt: skip


def _report_batch(db, raw, province: str) -> int:
    """One report row whose received total is 10 ≠ 3 + 5 + 1: one of its four checks breaks."""
    bid = raw.make_batch(db, "reports", "bieu06_rows", province, DAY, f"bieu06_{province}.xlsx")
    values = (10, 3, 5, 1, 6, 2, 3, 1, 4, 3, 1)
    raw.insert_rows(db, "bieu06_rows", bid, [
        {"report_id": f"bieu06_{province}", "province_code": province, "unit_code": "00001",
         "unit_name": "UBND xã A", "period_start": dt.date(2026, 10, 1), "period_end": dt.date(2026, 10, 31),
         "sheet_name": "Sheet1", "source_row": 10, "field_name": "Hộ tịch", "is_total": False,
         "measure": measure, "reported_value": value}
        for measure, value in zip(MEASURES, values, strict=True)
    ])  # fmt: skip
    return bid


def _page(suite: str, batch_id: int) -> str:
    folder = get_settings().data_docs_dir / "validations" / suite.replace(".", "/")
    [page] = [p for p in folder.rglob("*.html") if f"batch-{batch_id}" in str(p)]
    return Path(page).read_text(encoding="utf-8")


def test_failed_custom_expectations_render_without_errors(db, raw, catalogue, caplog):
    rows = [raw.good_dossier("DD", DAY, i) for i in range(3)]
    rows[0]["ngay_hen_tra"] = dt.datetime(2026, 11, 1)  # expect_rows_to_not_match, critical
    hoso = raw.hoso_batch(db, "DD", DAY, rows)
    assert validate_batch(hoso).status == "quarantined"
    report = _report_batch(db, raw, "DE")
    assert validate_batch(report).status == "accepted"
    identity = {r["expectation"]: r for r in raw.results(db, report)}["expect_bieu06_identities_to_hold"]
    assert (identity["success"], identity["unexpected_count"], identity["element_count"]) == (False, 1, 4)

    with caplog.at_level(logging.WARNING, logger="great_expectations"):
        build_data_docs()
    errors = [
        r for r in caplog.records if r.name.startswith("great_expectations") and r.levelno >= logging.ERROR
    ]
    assert errors == [], errors[0].getMessage()[:2000] if errors else ""

    critical = _page("onestop_hoso.critical", hoso)
    # the failing expectation (its query), and the statement that used to be lost to the error
    assert "where ngay_hen_tra::date &lt; ngay_tiep_nhan::date" in critical
    assert "1 unexpected values found. ≈33.33% of 3 total rows." in critical
    warning = _page("bieu06_rows.warning", report)
    statement = "1 unexpected values found. 25% of 4 total rows."  # one of the row's four checks
    assert statement in warning
    assert "where not c.ok" in warning.split(statement)[0].rsplit("Unexpected rows query:", 1)[-1]
