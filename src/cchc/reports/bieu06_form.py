"""Biểu số 06/VPCP/KSTT as units print it (Circular 01/2020/TT-VPCP): an XLSX form with title
rows, the period line, a two-row merged header, a `(1)…` numbering row, one row per field,
`Tổng cộng`, signature lines. `cchc report bieu06` writes it from the marts; the synthetic world
writes the ones units deliver with the same function, so the reader is tested on one layout.
"""

from __future__ import annotations

import io
from datetime import date, datetime

from cchc.report_measures import REPORT_MEASURES

MEASURES = REPORT_MEASURES
GROUPS = (
    ("Số hồ sơ nhận giải quyết", ("Tổng số", "Trực tuyến", "Trực tiếp và dịch vụ bưu chính", "Từ kỳ trước")),
    ("Số hồ sơ đã giải quyết", ("Tổng số", "Trước hạn", "Đúng hạn", "Quá hạn")),
    ("Số hồ sơ đang giải quyết", ("Tổng số", "Trong hạn", "Quá hạn")),
)
IDENTITIES = (
    (
        "received_total = online + direct_postal + carried_over",
        "received_total",
        ("received_online", "received_direct_postal", "carried_over"),
    ),
    (
        "received_total = resolved_total + in_progress_total",
        "received_total",
        ("resolved_total", "in_progress_total"),
    ),
    (
        "resolved_total = early + on_time + late",
        "resolved_total",
        ("resolved_early", "resolved_on_time", "resolved_late"),
    ),
    (
        "in_progress_total = within + overdue",
        "in_progress_total",
        ("in_progress_within", "in_progress_overdue"),
    ),
)


def vn_number(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def broken_identities(rows: list[tuple[str, dict[str, int]]], total: dict[str, int]) -> list[str]:
    found = []
    for name, values in [*rows, ("Tổng cộng", total)]:
        for label, lhs, parts in IDENTITIES:
            if values[lhs] != sum(values[p] for p in parts):
                found.append(f"{name}: {label}")
    for m in MEASURES:
        if total[m] != sum(v[m] for _, v in rows):
            found.append(f"Tổng cộng: {m} = sum of field rows")
    return found


def write_form(
    province_name: str,
    unit_name: str,
    period: tuple[date, date],
    printed: list[tuple[str, list[object]]],
    total: list[object],
) -> bytes:
    """printed: (field name, 11 cells as int or str) per field row; total likewise."""
    import xlsxwriter

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    book.set_properties({"created": datetime(2020, 1, 1)})
    sheet = book.add_worksheet("Bieu06")
    bold = book.add_format({"bold": True, "align": "center", "valign": "vcenter", "text_wrap": True})
    head = book.add_format(
        {"bold": True, "align": "center", "valign": "vcenter", "text_wrap": True, "border": 1}
    )
    cell = book.add_format({"border": 1})
    center = book.add_format({"align": "center", "italic": True})
    sheet.merge_range(0, 0, 0, 5, province_name.upper(), bold)
    sheet.merge_range(0, 7, 0, 12, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold)
    sheet.merge_range(1, 0, 1, 5, unit_name, bold)
    sheet.merge_range(1, 7, 1, 12, "Độc lập - Tự do - Hạnh phúc", bold)
    sheet.write_string(3, 11, "Biểu số 06/VPCP/KSTT")
    sheet.merge_range(
        4, 0, 4, 12, "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT TTHC TẠI CƠ QUAN, ĐƠN VỊ TRỰC TIẾP GIẢI QUYẾT TTHC", bold
    )
    sheet.merge_range(
        5,
        0,
        5,
        12,
        f"Kỳ báo cáo: từ ngày {period[0].strftime('%d/%m/%Y')} đến ngày {period[1].strftime('%d/%m/%Y')}",
        center,
    )
    sheet.write_string(6, 0, f"Đơn vị báo cáo: {unit_name}")
    top = 8
    sheet.merge_range(top, 0, top + 1, 0, "STT", head)
    sheet.merge_range(top, 1, top + 1, 1, "Lĩnh vực", head)
    col = 2
    for group, subs in GROUPS:
        sheet.merge_range(top, col, top, col + len(subs) - 1, group, head)
        for j, s in enumerate(subs):
            sheet.write_string(top + 1, col + j, s, head)
        col += len(subs)
    for c in range(13):
        sheet.write_string(top + 2, c, f"({c + 1})", head)
    r = top + 3
    for i, (name, cells) in enumerate(printed, start=1):
        sheet.write_number(r, 0, i, cell)
        sheet.write_string(r, 1, name, cell)
        for j, v in enumerate(cells):
            (sheet.write_string if isinstance(v, str) else sheet.write_number)(r, 2 + j, v, cell)
        r += 1
    sheet.write_string(r, 0, "", cell)
    sheet.write_string(r, 1, "Tổng cộng", head)
    for j, v in enumerate(total):
        (sheet.write_string if isinstance(v, str) else sheet.write_number)(r, 2 + j, v, cell)
    r += 2
    sheet.merge_range(r, 0, r, 4, "NGƯỜI LẬP BIỂU", bold)
    sheet.merge_range(r, 8, r, 12, "THỦ TRƯỞNG ĐƠN VỊ", bold)
    sheet.merge_range(r + 1, 0, r + 1, 4, "(Ký, ghi rõ họ tên)", center)
    sheet.merge_range(r + 1, 8, r + 1, 12, "(Ký tên, đóng dấu)", center)
    sheet.set_column(1, 1, 32)
    sheet.set_column(2, 12, 12)
    book.close()
    return buf.getvalue()
