"""A constant-memory XLSX reader for big exports: the sheet XML streamed row by row.

python-calamine (0.9) decodes the whole sheet into memory before the first row (≈1.2 KB per
dossier row: 2 GB at a million rows), so exports whose sheet is big are read here instead, with
the standard library: zip member streamed through expat, each row dropped once read. Only the
shared-strings table is kept (Excel stores every distinct text once there), plus the styles, to
tell date cells from numbers. Cells come out as calamine gives them: str, float, bool, datetime,
"" for empty, so the same parsers apply.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import PurePosixPath
from xml.etree import ElementTree

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# Built-in number formats that are dates or times (ECMA-376 18.8.30).
_DATE_FORMAT_IDS = frozenset({14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 30, 36, 45, 46, 47, 50, 57})
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')
_DATE_TOKEN = re.compile(r"[dmyhs]", re.IGNORECASE)
_COLUMN = re.compile(r"[A-Z]+")
_DIGITS = "0123456789"


def sheet_size(path: str) -> int:
    """Uncompressed bytes of the first sheet's XML: what calamine would hold decoded."""
    with zipfile.ZipFile(path) as archive:
        return archive.getinfo(_first_sheet(archive)).file_size


def _first_sheet(archive: zipfile.ZipFile) -> str:
    names = set(archive.namelist())
    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        first = workbook.find(f"{_MAIN}sheets/{_MAIN}sheet")
        rel_id = first.get(f"{_REL}id")
        target = next(r.get("Target") for r in rels.iter(f"{_PKG_REL}Relationship") if r.get("Id") == rel_id)
        member = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
        if member in names:
            return member
    except (KeyError, AttributeError, StopIteration, ElementTree.ParseError):
        pass
    if "xl/worksheets/sheet1.xml" in names:
        return "xl/worksheets/sheet1.xml"
    raise KeyError("no worksheet in the workbook")


def _text_of(element: ElementTree.Element) -> str:
    # Rich text runs hold their text in <r><t>; phonetic hints (<rPh>) are not part of it.
    parts = [element.findtext(f"{_MAIN}t") or ""]
    parts += [run.findtext(f"{_MAIN}t") or "" for run in element.findall(f"{_MAIN}r")]
    return "".join(parts)


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in archive.namelist():
        return []
    strings: list[str] = []
    with archive.open("xl/sharedStrings.xml") as stream:
        for _, element in ElementTree.iterparse(stream):
            if element.tag == f"{_MAIN}si":
                strings.append(_text_of(element))
                element.clear()
    return strings


def _date_styles(archive: zipfile.ZipFile) -> tuple[frozenset[int], bool]:
    """Indexes of cell styles whose number format is a date, and whether the 1904 system is used."""
    date1904 = False
    try:
        pr = ElementTree.fromstring(archive.read("xl/workbook.xml")).find(f"{_MAIN}workbookPr")
        date1904 = pr is not None and pr.get("date1904") in ("1", "true")
    except (KeyError, ElementTree.ParseError):
        pass
    if "xl/styles.xml" not in archive.namelist():
        return frozenset(), date1904
    styles = ElementTree.fromstring(archive.read("xl/styles.xml"))
    custom = {}
    for fmt in styles.iter(f"{_MAIN}numFmt"):
        code = _QUOTED.sub("", fmt.get("formatCode") or "")
        custom[int(fmt.get("numFmtId"))] = bool(_DATE_TOKEN.search(code)) and "General" not in code
    xfs = styles.find(f"{_MAIN}cellXfs")
    dated = set()
    for index, xf in enumerate(xfs if xfs is not None else []):
        fmt_id = int(xf.get("numFmtId") or 0)
        if custom.get(fmt_id, fmt_id in _DATE_FORMAT_IDS):
            dated.add(index)
    return frozenset(dated), date1904


def _column_index(ref: str) -> int:
    letters = _COLUMN.match(ref).group(0)
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


def iter_sheet(path: str) -> Iterator[tuple[int, list[object]]]:
    """(row number, cells) of the first sheet, in order; empty cells are ""."""
    with zipfile.ZipFile(path) as archive:
        member = _first_sheet(archive)
        strings = _shared_strings(archive)
        dated, date1904 = _date_styles(archive)
        epoch = datetime(1904, 1, 1) if date1904 else datetime(1899, 12, 30)
        v_tag, c_tag, row_tag, is_tag = f"{_MAIN}v", f"{_MAIN}c", f"{_MAIN}row", f"{_MAIN}is"
        data_tag = f"{_MAIN}sheetData"
        dated_styles = {str(i) for i in dated}
        columns: dict[str, int] = {}
        with archive.open(member) as stream:
            row_number = 0
            sheet_data = None
            for event, element in ElementTree.iterparse(stream, events=("start", "end")):
                if event == "start":
                    if sheet_data is None and element.tag == data_tag:
                        sheet_data = element
                    continue
                if element.tag != row_tag:
                    continue
                row_number = int(element.get("r") or row_number + 1)
                cells: list[object] = []
                for cell in element:
                    if cell.tag != c_tag:
                        continue
                    ref = cell.get("r")
                    if ref:
                        letters = ref.rstrip(_DIGITS)
                        column = columns.get(letters)
                        if column is None:
                            column = columns[letters] = _column_index(letters)
                    else:
                        column = len(cells)
                    if column > len(cells):
                        cells.extend([""] * (column - len(cells)))
                    kind = cell.get("t")
                    v = cell.find(v_tag)
                    raw = v.text if v is not None else None
                    if kind == "s":
                        value: object = strings[int(raw)] if raw is not None else ""
                    elif kind == "inlineStr":
                        inline = cell.find(is_tag)
                        value = _text_of(inline) if inline is not None else ""
                    elif raw is None:
                        value = ""
                    elif kind in ("str", "e"):
                        value = raw
                    elif kind == "b":
                        value = raw == "1"
                    elif kind == "d":
                        value = datetime.fromisoformat(raw)
                    else:
                        number = float(raw)
                        dated_cell = cell.get("s") in dated_styles
                        value = epoch + timedelta(days=number) if dated_cell else number
                    cells.append(value)
                # Drop what was read, the row and its place in <sheetData>: the tree never holds
                # more than the current row.
                element.clear()
                if sheet_data is not None:
                    sheet_data.clear()
                yield row_number, cells
