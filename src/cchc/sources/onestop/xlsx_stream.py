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

from cchc.sources.onestop.values import Formula

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# Built-in number formats that are dates or times (ECMA-376 18.8.30).
_DATE_FORMAT_IDS = frozenset({14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 30, 36, 45, 46, 47, 50, 57})
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')
_DATE_TOKEN = re.compile(r"[dmyhs]", re.IGNORECASE)
_COLUMN = re.compile(r"[A-Z]+")
_DIGITS = "0123456789"

# What a one-stop export can hold, checked before anything is allocated: a workbook that declares
# or uses more (a cell at XFD1048576 made the old reader ask for ~512 GiB) is quarantined, naming
# what it exceeded. The contract has 28 columns; Excel's own cell limit is 32,767 characters.
MAX_COLUMNS = 256
MAX_ROWS = 5_000_000
MAX_CELL_CHARS = 32_767
MAX_SHARED_STRINGS_BYTES = 1 << 30
MAX_FORMULAS = 100_000
_REF = re.compile(r"\$?([A-Z]{1,3})\$?([0-9]{1,7})")


class SheetLimit(ValueError):
    """The workbook declares or holds more than an export can; the message says what."""


def _ref_column(ref: str) -> int:
    """The column index of a cell reference, checked against the limits first (letters then
    digits, column below MAX_COLUMNS, row up to MAX_ROWS)."""
    letters = ref.rstrip(_DIGITS)
    digits = ref[len(letters) :]
    if (
        not letters
        or len(letters) > 3
        or not letters.isascii()
        or not letters.isalpha()
        or not letters.isupper()
    ):
        raise SheetLimit(f"cell reference {ref[:20]!r} is not a cell reference")
    column = _column_index(letters)
    if column >= MAX_COLUMNS:
        raise SheetLimit(f"cell {ref[:20]} is beyond column {MAX_COLUMNS}")
    if digits and (len(digits) > 7 or int(digits) > MAX_ROWS):
        raise SheetLimit(f"cell {ref[:20]} is beyond row {MAX_ROWS:,}")
    return column


def _row_number(declared: str | None, previous: int) -> int:
    """A row's number: its `r`, else the one after the previous row, within MAX_ROWS."""
    if declared is not None and (not declared.isdigit() or len(declared) > 7):
        raise SheetLimit(f"row number {declared[:20]!r} is not a row number up to {MAX_ROWS:,}")
    number = int(declared) if declared else previous + 1
    if number > MAX_ROWS:
        raise SheetLimit(f"row {number:,} is beyond row {MAX_ROWS:,}")
    return number


def _check_next_column(column: int, row_number: int) -> None:
    """A cell without a reference takes the next column: that too stays within MAX_COLUMNS."""
    if column >= MAX_COLUMNS:
        raise SheetLimit(f"row {row_number} has a cell beyond column {MAX_COLUMNS}")


def _check_cell_text(text: str | None, row_number: int) -> None:
    if text is not None and len(text) > MAX_CELL_CHARS:
        raise SheetLimit(f"a cell of row {row_number} is longer than {MAX_CELL_CHARS:,} characters")


def _check_dimension(ref: str | None) -> None:
    if not ref:
        return
    for part in ref.split(":")[:2]:
        cell = _REF.fullmatch(part.strip())
        if cell is None:
            raise SheetLimit(f"declared dimension {ref[:40]!r} is not a cell range")
        _ref_column(cell.group(1) + cell.group(2))


def sheet_size(path: str) -> int:
    """Uncompressed bytes of the first sheet's XML: what calamine would hold decoded."""
    with zipfile.ZipFile(path) as archive:
        return archive.getinfo(_first_sheet(archive)).file_size


def sheet_names(path: str) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    return [sheet.get("name") or "" for sheet in workbook.iter(f"{_MAIN}sheet")]


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
    if archive.getinfo("xl/sharedStrings.xml").file_size > MAX_SHARED_STRINGS_BYTES:
        raise SheetLimit(f"shared strings larger than {MAX_SHARED_STRINGS_BYTES >> 20} MB")
    strings: list[str] = []
    with archive.open("xl/sharedStrings.xml") as stream:
        for _, element in ElementTree.iterparse(stream):
            if element.tag == f"{_MAIN}si":
                text = _text_of(element)
                if len(text) > MAX_CELL_CHARS:
                    raise SheetLimit(
                        f"shared string {len(strings)} longer than {MAX_CELL_CHARS:,} characters"
                    )
                strings.append(text)
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
        f_tag, dim_tag = f"{_MAIN}f", f"{_MAIN}dimension"
        data_tag = f"{_MAIN}sheetData"
        dated_styles = {str(i) for i in dated}
        with archive.open(member) as stream:
            row_number = 0
            sheet_data = None
            for event, element in ElementTree.iterparse(stream, events=("start", "end")):
                if event == "start":
                    if sheet_data is None and element.tag == data_tag:
                        sheet_data = element
                    continue
                if element.tag == dim_tag:
                    _check_dimension(element.get("ref"))
                    continue
                if element.tag != row_tag:
                    continue
                row_number = _row_number(element.get("r"), row_number)
                cells: list[object] = []
                for cell in element:
                    if cell.tag != c_tag:
                        continue
                    ref = cell.get("r")
                    if ref:
                        column = _ref_column(ref)
                    else:
                        column = len(cells)
                        _check_next_column(column, row_number)
                    if column > len(cells):
                        cells.extend([""] * (column - len(cells)))
                    kind = cell.get("t")
                    v = cell.find(v_tag)
                    raw = v.text if v is not None else None
                    _check_cell_text(raw, row_number)
                    formula = cell.find(f_tag)
                    if formula is not None:
                        # never the cached value: see values.Formula
                        cells.append(Formula(formula.text or ""))
                        continue
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
                        # Excel keeps times to the millisecond; a serial's binary fraction is not exact
                        # (08:30 comes out 08:29:59.999999), so round as calamine does
                        value = (
                            epoch + timedelta(milliseconds=round(number * 86_400_000))
                            if dated_cell
                            else number
                        )
                    cells.append(value)
                # Drop what was read, the row and its place in <sheetData>: the tree never holds
                # more than the current row.
                element.clear()
                if sheet_data is not None:
                    sheet_data.clear()
                yield row_number, cells


def scan(path: str) -> dict[tuple[int, int], Formula]:
    """Check a workbook against the limits without building anything (the calamine reader
    allocates the whole sheet from its dimension and cell references), and return its formula
    cells by (row number, column index). Raises SheetLimit."""
    formulas: dict[tuple[int, int], Formula] = {}
    with zipfile.ZipFile(path) as archive:
        member = _first_sheet(archive)
        names = archive.namelist()
        if (
            "xl/sharedStrings.xml" in names
            and archive.getinfo("xl/sharedStrings.xml").file_size > MAX_SHARED_STRINGS_BYTES
        ):
            raise SheetLimit(f"shared strings larger than {MAX_SHARED_STRINGS_BYTES >> 20} MB")
        f_tag, c_tag, row_tag, dim_tag = f"{_MAIN}f", f"{_MAIN}c", f"{_MAIN}row", f"{_MAIN}dimension"
        v_tag = f"{_MAIN}v"
        data_tag = f"{_MAIN}sheetData"
        with archive.open(member) as stream:
            row_number, column, sheet_data = 0, -1, None
            for event, element in ElementTree.iterparse(stream, events=("start", "end")):
                tag = element.tag
                if event == "start":
                    if tag == data_tag:
                        sheet_data = element
                    elif tag == row_tag:
                        row_number = _row_number(element.get("r"), row_number)
                        column = -1
                    elif tag == c_tag:
                        ref = element.get("r")
                        if ref:
                            column = _ref_column(ref)
                        else:
                            column += 1
                            _check_next_column(column, row_number)
                    continue
                if tag == dim_tag:
                    _check_dimension(element.get("ref"))
                elif tag == f_tag:
                    if len(formulas) >= MAX_FORMULAS:
                        raise SheetLimit(f"more than {MAX_FORMULAS:,} formula cells")
                    formulas[(row_number, column)] = Formula((element.text or "")[:MAX_CELL_CHARS])
                elif tag == v_tag:
                    _check_cell_text(element.text, row_number)
                elif tag == row_tag:
                    element.clear()
                    if sheet_data is not None:
                        sheet_data.clear()
    return formulas
