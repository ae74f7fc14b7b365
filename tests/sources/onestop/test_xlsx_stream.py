"""The constant-memory XLSX reader gives the cells calamine gives, and refuses what no export holds."""

from __future__ import annotations

import datetime as dt

import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from cchc.sources.onestop import xlsx_stream
from cchc.sources.onestop.values import Formula


def _workbook(path, rows, *, date_column=None, formulas=(), sheet="HoSo"):
    book = xlsxwriter.Workbook(str(path))
    sheet_ = book.add_worksheet(sheet)
    date_format = book.add_format({"num_format": "dd/mm/yyyy hh:mm:ss"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            if c == date_column and isinstance(value, dt.datetime):
                sheet_.write_datetime(r, c, value, date_format)
            else:
                sheet_.write(r, c, value)
    for r, c, formula, cached in formulas:
        sheet_.write_formula(r, c, formula, None, cached)
    book.close()
    return path


ROWS = [
    ["MaHoSo", "TongPhiLePhi", "NgayTiepNhan", "GhiChu", "CoKetQuaDienTu"],
    ["000.00.01.H91-261118-0001", 25000, dt.datetime(2026, 11, 18, 8, 30), "Đăng ký khai sinh", True],
    ["000.00.01.H91-261118-0002", 0, dt.datetime(2026, 11, 18, 14, 5, 59), None, False],  # empty cell
    ["000.00.01.H91-261118-0003", 1.5, None, "", None],
]


def test_cells_come_out_as_calamine_reads_them(tmp_path):
    path = _workbook(tmp_path / "hoso.xlsx", ROWS, date_column=2)
    streamed = [cells for _, cells in xlsx_stream.iter_sheet(str(path))]
    calamine = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    # calamine pads every row to the widest; the stream stops at a row's last cell
    assert [row + [""] * (len(wide) - len(row)) for row, wide in zip(streamed, calamine, strict=True)] == [
        list(r) for r in calamine
    ]
    assert streamed[1][2] == dt.datetime(2026, 11, 18, 8, 30)  # a date cell, not a serial number
    assert streamed[1][4] is True and streamed[1][1] == 25000.0


def test_row_numbers_follow_the_sheet_even_across_gaps(tmp_path):
    path = _workbook(tmp_path / "gaps.xlsx", [["A"], None or [], ["B"], [], [], ["C"]])
    assert [(n, cells) for n, cells in xlsx_stream.iter_sheet(str(path))] == [
        (1, ["A"]),
        (3, ["B"]),
        (6, ["C"]),
    ]


def test_formulas_are_reported_never_their_cached_values(tmp_path):
    path = _workbook(tmp_path / "f.xlsx", [["x", "y"], [1, 2]], formulas=[(1, 1, "=A2*2", 2)])
    assert xlsx_stream.scan(str(path)) == {(2, 1): Formula("A2*2")}
    [_, (_, cells)] = list(xlsx_stream.iter_sheet(str(path)))
    assert cells == [1.0, Formula("A2*2")]


def test_sheet_names_in_workbook_order(tmp_path):
    path = _workbook(tmp_path / "n.xlsx", [["x"]], sheet="Danh sách")
    assert xlsx_stream.sheet_names(str(path)) == ["Danh sách"]


def test_a_cell_beyond_the_contracts_columns_is_refused_before_anything_is_built(tmp_path):
    book = xlsxwriter.Workbook(str(tmp_path / "wide.xlsx"))
    book.add_worksheet().write(0, xlsx_stream.MAX_COLUMNS + 10, "far")
    book.close()
    for read in (xlsx_stream.scan, lambda p: list(xlsx_stream.iter_sheet(p))):
        with pytest.raises(xlsx_stream.SheetLimit) as caught:
            read(str(tmp_path / "wide.xlsx"))
        assert str(xlsx_stream.MAX_COLUMNS) in str(caught.value) or "column" in str(caught.value)
