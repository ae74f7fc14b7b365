"""Hostile and careless workbooks and JSON (issue 15): every limit is checked before anything is
allocated, formulas are never taken for values, JSON values are never coerced, and every such
file or row is rejected naming what was wrong, while everything else loads."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from cchc.sources.onestop import readers
from cchc.sources.onestop.ingest import ingest_export

from .conftest import HOSO_COLUMNS, write_manifest


def _rewrite_sheet(path: Path, change) -> None:
    """Rewrite the first worksheet's XML of a workbook in place."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    members[sheet] = change(members[sheet].decode("utf-8")).encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def _xlsx_export(landing, h, rows, change=None):
    export = landing.export(rows, fmt="xlsx")
    path = export.path / "hoso.xlsx"
    if change is not None:
        _rewrite_sheet(path, change)
    write_manifest(export.path, export.province_code, export.business_date, counts={"hoso.xlsx": len(rows)})
    return export


def _write_with_formulas(path: Path, rows: list[dict], formulas: dict) -> None:
    """The export as a vendor's spreadsheet would hold it, some cells being formulas."""
    from datetime import datetime

    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("HoSo")
    dated = book.add_format({"num_format": "dd/mm/yyyy hh:mm:ss"})
    sheet.write_row(0, 0, HOSO_COLUMNS)
    for r, row in enumerate(rows, start=1):
        for c, name in enumerate(HOSO_COLUMNS):
            if (r + 1, name) in formulas:
                formula, cached = formulas[(r + 1, name)]
                sheet.write_formula(r, c, formula, None, cached)
            elif isinstance(row.get(name), datetime):
                sheet.write_datetime(r, c, row[name], dated)
            elif isinstance(row.get(name), str):
                sheet.write_string(r, c, row[name])
            elif row.get(name) is not None:
                sheet.write_number(r, c, row[name])
    book.close()


def _far_cell(xml: str) -> str:
    return xml.replace(
        "</sheetData>", '<row r="1048576"><c r="XFD1048576" t="n"><v>1</v></c></row></sheetData>'
    )


@pytest.mark.parametrize("streaming", [False, True], ids=["calamine", "streaming"])
def test_a_cell_at_the_last_address_is_quarantined_not_allocated(landing, db, h, monkeypatch, streaming):
    """One cell at XFD1048576 once made the reader ask for ~512 GiB and the process abort."""
    if streaming:
        monkeypatch.setattr(readers, "XLSX_STREAM_ABOVE_BYTES", 0)
    export = _xlsx_export(landing, h, [h.hoso_row(i) for i in range(2)], _far_cell)
    (outcome,) = ingest_export(export)
    assert outcome.status == "quarantined"
    assert "hoso.xlsx: more than an export can hold: cell XFD1048576 is beyond column 256" in outcome.reason


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (
            lambda x: x.replace('<dimension ref="', '<dimension ref="A1:XFD1048576" x="'),
            "XFD1048576 is beyond column",
        ),
        (
            lambda x: x.replace('r="B2"', 'r="ZZZZZZZZ2"', 1),
            "cell reference 'ZZZZZZZZ2' is not a cell reference",
        ),
        (
            lambda x: x.replace('<row r="2"', '<row r="99999999"', 1),
            "row number '99999999' is not a row number",
        ),
        (
            lambda x: x.replace(
                "</sheetData>", f'<row r="9"><c r="A9" t="str"><v>{"x" * 40000}</v></c></row></sheetData>'
            ),
            "a cell of row 9 is longer than 32,767 characters",
        ),
    ],
    ids=["declared dimension", "cell reference", "row number", "cell size"],
)
@pytest.mark.parametrize("streaming", [False, True], ids=["calamine", "streaming"])
def test_declared_and_used_sizes_are_bounded(landing, db, h, monkeypatch, streaming, change, says):
    if streaming:
        monkeypatch.setattr(readers, "XLSX_STREAM_ABOVE_BYTES", 0)
    export = _xlsx_export(landing, h, [h.hoso_row(i) for i in range(2)], change)
    (outcome,) = ingest_export(export)
    assert outcome.status == "quarantined", outcome
    assert says in outcome.reason


@pytest.mark.parametrize("streaming", [False, True], ids=["calamine", "streaming"])
def test_formulas_are_rejected_never_taken_for_values(landing, db, h, monkeypatch, streaming):
    """A formula's cached value is what some program computed once (or never: a fee of 0); a
    `=cmd|...` formula would run wherever the data is opened. Each rejects its row, shown as the
    formula; the other rows load."""
    if streaming:
        monkeypatch.setattr(readers, "XLSX_STREAM_ABOVE_BYTES", 0)
    rows = [h.hoso_row(i) for i in range(4)]
    # row 2: a fee computed by a formula, with its cached value; row 3: a formula never computed
    # (cached 0); row 4: a DDE payload as the procedure name
    formulas = {
        (2, "TongPhiLePhi"): ("=1250000*2", 2500000),
        (3, "TongPhiLePhi"): ("=SUM(X1:X9)", 0),
        (4, "TenTTHC"): ("=cmd|' /C calc'!A0", 0),
    }
    export = landing.export(rows, fmt="xlsx")
    _write_with_formulas(export.path / "hoso.xlsx", rows, formulas)
    write_manifest(export.path, export.province_code, export.business_date, counts={"hoso.xlsx": len(rows)})
    (outcome,) = ingest_export(export)
    assert outcome.status == "pending", outcome.reason
    assert outcome.rows_loaded == 1
    stored = h.rejected(db, outcome.batch_id)
    assert [(r[0], r[1], r[2]) for r in stored] == [
        (2, "TongPhiLePhi", "1250000*2"),
        (3, "TongPhiLePhi", "SUM(X1:X9)"),
        (4, "TenTTHC", "cmd|' /C calc'!A0"),
    ]
    assert all("a formula (=" in r[3] and "exports carry values only" in r[3] for r in stored)


def test_text_that_would_run_as_a_formula_is_rejected(landing, db, h):
    rows = [h.hoso_row(i) for i in range(3)]
    rows[1]["TenTTHC"] = '=HYPERLINK("http://evil.example","Đăng ký")'
    outcome = ingest_export(landing.export(rows))[0]
    assert outcome.status == "pending" and outcome.rows_loaded == 2
    (reason,) = db.execute(
        "select reason from audit.rejected_rows where batch_id = %s", (outcome.batch_id,)
    ).fetchone()
    assert "starts with '=' (a spreadsheet formula)" in reason


def test_json_values_are_never_coerced(landing, db, h):
    """true is not 1, "2" is not 2, an object is not a text: each rejects its row."""
    rows = [h.hoso_row(i) for i in range(4)]
    export = landing.export(rows, fmt="jsonl")
    path = export.path / "hoso.jsonl"
    objects = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    objects[1]["KenhThucHien"] = True
    objects[2]["TrangThaiHoSo"] = "2"
    objects[3]["TenTTHC"] = {"a": 1}
    path.write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objects), encoding="utf-8")
    write_manifest(export.path, export.province_code, export.business_date)
    (outcome,) = ingest_export(export)
    assert outcome.status == "pending" and outcome.rows_loaded == 1
    stored = h.rejected(db, outcome.batch_id)
    assert stored == [
        (2, "KenhThucHien", "True", "not a JSON integer (true/false)"),
        (3, "TrangThaiHoSo", "2", "not a JSON integer (text)"),
        (4, "TenTTHC", "{'a': 1}", "not a JSON string (an object)"),
    ]


def test_a_workbook_whose_data_is_not_on_the_first_sheet_names_the_sheet_read(landing, db, h):
    import xlsxwriter

    export = landing.export([h.hoso_row(0)], fmt="xlsx")
    path = export.path / "hoso.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("Ghi chú").write_string(0, 0, "Xuất từ hệ thống một cửa")
    data = book.add_worksheet("HoSo")
    data.write_row(0, 0, HOSO_COLUMNS)
    book.close()
    write_manifest(export.path, export.province_code, export.business_date, counts={"hoso.xlsx": 0})
    (outcome,) = ingest_export(export)
    assert outcome.status == "quarantined"
    assert "required column(s) missing" in outcome.reason
    assert "(read the workbook's first sheet 'Ghi chú'; its sheets: 'Ghi chú', 'HoSo')" in outcome.reason
