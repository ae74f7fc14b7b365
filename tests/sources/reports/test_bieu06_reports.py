"""Biểu 06 forms as printed: title rows, period line, merged two-row header, total, signatures."""

from __future__ import annotations

import contextlib
from datetime import date
from pathlib import Path

import pytest

from cchc.report_measures import REPORT_MEASURES
from cchc.sources.reports import bieu06_reader as bieu06
from cchc.sources.reports.ingest_reports import ingest_reports

GROUPS = [
    ("Số hồ sơ nhận giải quyết", ["Tổng số", "Trực tuyến", "Trực tiếp và dịch vụ bưu chính", "Từ kỳ trước"]),
    ("Số hồ sơ đã giải quyết", ["Tổng số", "Trước hạn", "Đúng hạn", "Quá hạn"]),
    ("Số hồ sơ đang giải quyết", ["Tổng số", "Trong hạn", "Quá hạn"]),
]
# measures in the printed order of GROUPS
ORDER = REPORT_MEASURES

FIELDS = [
    ("Hộ tịch", [120, 80, 30, 10, 100, 60, 30, 10, 20, 15, 5]),
    ("Chứng thực", ["10.807", 7, "10.500", 300, 10_800, 10_000, 700, 100, 7, 7, 0]),
    ("Đất đai", [50, 20, 25, 5, 40, 10, 20, 10, 10, 4, 6]),
]


def write_form(
    path: Path,
    fields=FIELDS,
    *,
    shuffle_groups: bool = False,
    numbering: bool = True,
    total_label: str = "Tổng cộng",
    unit_line: str = "Đơn vị báo cáo: UBND xã Tân Phú",
) -> None:
    import xlsxwriter

    groups = list(reversed(GROUPS)) if shuffle_groups else GROUPS
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Biểu 06")
    merge = wb.add_format({"align": "center", "valign": "vcenter", "text_wrap": True, "border": 1})
    ws.write(0, 0, unit_line)
    ws.write(0, 8, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    ws.write(1, 8, "Độc lập - Tự do - Hạnh phúc")
    ws.write(2, 0, "Biểu số 06/VPCP/KSTT")
    ws.merge_range(
        3, 0, 3, 12, "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT TTHC TẠI CƠ QUAN, ĐƠN VỊ TRỰC TIẾP GIẢI QUYẾT TTHC", merge
    )
    ws.merge_range(4, 0, 4, 12, "Kỳ báo cáo: từ ngày 01/01/2025 đến ngày 31/03/2025", merge)
    header = 6
    ws.merge_range(header, 0, header + 1, 0, "STT", merge)
    ws.merge_range(header, 1, header + 1, 1, "Lĩnh vực\ngiải quyết", merge)
    column = 2
    order: list[str] = []
    for label, subs in groups:
        ws.merge_range(header, column, header, column + len(subs) - 1, label, merge)
        for sub in subs:
            ws.write(header + 1, column, sub, merge)
            column += 1
        start = GROUPS.index((label, subs))
        offset = sum(len(s) for _, s in GROUPS[:start])
        order.extend(ORDER[offset : offset + len(subs)])
    row = header + 2
    if numbering:
        for c in range(column):
            ws.write(row, c, f"({c + 1})")
        row += 1
    totals = [0] * len(ORDER)
    for n, (name, values) in enumerate(fields, start=1):
        ws.write(row, 0, n)
        ws.write(row, 1, name)
        by_measure = dict(zip(ORDER, values, strict=True))
        for c, measure in enumerate(order, start=2):
            ws.write(row, c, by_measure[measure])
        for i, v in enumerate(values):
            with contextlib.suppress(ValueError):  # the malformed cell under test adds nothing
                totals[i] += bieu06.parse_count(v) or 0
        row += 1
    ws.merge_range(row, 0, row, 1, total_label, merge)
    by_measure = dict(zip(ORDER, totals, strict=True))
    for c, measure in enumerate(order, start=2):
        ws.write(row, c, by_measure[measure])
    ws.write(row + 2, 1, "Người lập biểu")
    ws.write(row + 2, 9, "THỦ TRƯỞNG ĐƠN VỊ")
    ws.write(row + 3, 9, "(Ký, ghi rõ họ tên, đóng dấu)")
    wb.close()


def _values(db, batch_id: int) -> dict[tuple[str, str], int | None]:
    rows = db.execute(
        "select field_name, measure, reported_value from raw.bieu06_rows where batch_id = %s", (batch_id,)
    ).fetchall()
    return {(f, m): v for f, m, v in rows}


@pytest.mark.parametrize("shuffle", [False, True], ids=["printed-order", "groups-reordered"])
def test_good_form_becomes_long_rows(landing, db, shuffle):
    folder = landing.report_dir("91")
    unit = f"3028{int(shuffle)}"
    write_form(folder / f"bieu06_{unit}_20250101_20250331.xlsx", shuffle_groups=shuffle)
    outcomes = ingest_reports("91")

    assert [o.status for o in outcomes] == ["pending"]
    outcome = outcomes[0]
    assert outcome.rows_loaded == 4 * 11
    assert outcome.business_date == date(2025, 3, 31)
    values = _values(db, outcome.batch_id)
    assert values[("Hộ tịch", "received_online")] == 80
    assert values[("Hộ tịch", "in_progress_overdue")] == 5
    assert values[("Chứng thực", "received_total")] == 10_807
    assert values[("Chứng thực", "received_direct_postal")] == 10_500
    assert values[("Đất đai", "resolved_late")] == 10
    assert values[("Tổng cộng", "resolved_total")] == 100 + 10_800 + 40
    meta = db.execute(
        "select distinct report_id, province_code, unit_code, unit_name, period_start, period_end, "
        "sheet_name from raw.bieu06_rows where batch_id = %s",
        (outcome.batch_id,),
    ).fetchall()
    assert meta == [
        (
            f"bieu06_{unit}_20250101_20250331",
            "91",
            unit,
            "UBND xã Tân Phú",
            date(2025, 1, 1),
            date(2025, 3, 31),
            "Biểu 06",
        )
    ]
    totals = db.execute(
        "select source_row, is_total from raw.bieu06_rows where batch_id = %s and field_name = 'Tổng cộng' "
        "limit 1",
        (outcome.batch_id,),
    ).fetchone()
    assert totals == (13, True)
    # rescanning the folder the next night finds nothing new
    assert ingest_reports("91") == []


def test_form_without_numbering_row_and_tong_so_total(landing, db):
    folder = landing.report_dir("01")
    write_form(folder / "bieu06_00004_20250401_20250430.xlsx", numbering=False, total_label="Tổng số")
    outcome = ingest_reports("01")[0]
    values = _values(db, outcome.batch_id)
    assert values[("Tổng số", "received_online")] == 80 + 7 + 20
    assert len(values) == 4 * 11


def test_malformed_count_quarantines_the_report(landing, db):
    folder = landing.report_dir("92")
    bad = [list(v) for _, v in FIELDS]
    bad[1][1] = "2.0461"  # a digit group of four: Chứng thực, received online
    fields = [(name, values) for (name, _), values in zip(FIELDS, bad, strict=True)]
    write_form(folder / "bieu06_31001_20250101_20250331.xlsx", fields)
    outcomes = ingest_reports("92")

    assert [o.status for o in outcomes] == ["quarantined"]
    reason = outcomes[0].reason
    assert "sheet 'Biểu 06'" in reason and "row 11" in reason and "column D" in reason
    assert "'2.0461'" in reason
    assert (
        db.execute(
            "select count(*) from raw.bieu06_rows where batch_id = %s", (outcomes[0].batch_id,)
        ).fetchone()[0]
        == 0
    )
    assert ingest_reports("92") == []  # the same bad file is not quarantined again every night


def test_bad_file_name_is_quarantined_and_others_still_load(landing, db):
    folder = landing.report_dir("93")
    write_form(folder / "bao_cao_quy_1.xlsx")
    write_form(folder / "bieu06_31002_20250101_20250331.xlsx")
    outcomes = {o.file_name: o for o in ingest_reports("93")}
    assert outcomes["bao_cao_quy_1.xlsx"].status == "quarantined"
    assert "file name" in outcomes["bao_cao_quy_1.xlsx"].reason
    assert outcomes["bieu06_31002_20250101_20250331.xlsx"].status == "pending"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(10807, 10807), (10807.0, 10807), ("10.807", 10807), ("1.250.000", 1250000), (" 42 ", 42), ("", None)],
)
def test_parse_count_accepts_vietnamese_notation(value, expected):
    assert bieu06.parse_count(value) == expected


@pytest.mark.parametrize("value", ["2.0461", "10,807", "1.2", "-3", 12.5, "abc", "1..000"])
def test_parse_count_rejects_malformed(value):
    with pytest.raises(ValueError):
        bieu06.parse_count(value)
