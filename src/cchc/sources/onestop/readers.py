"""Streaming readers of export files: a header, then (source_row, cells) one at a time.

`source_row` is the row as a person finds it in the file: for CSV and XLSX the spreadsheet row
(the header is row 1, so the first dossier is row 2; a CSV record with quoted line breaks is one
row), for JSONL the line number. Blank rows are skipped and not counted as data rows.
"""

from __future__ import annotations

import csv
import json
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from xml.etree import ElementTree

from cchc.sources.onestop import xlsx_stream
from cchc.sources.onestop.typed_rows import FileRejected

# Above this much sheet XML, calamine's whole-sheet decoding (≈2x the XML in RAM) gives way to
# the streaming reader: about 60,000 dossier rows, ~130 MB of memory at most either way.
XLSX_STREAM_ABOVE_BYTES = 64 * 2**20

# Some vendor fields (procedure names) are long; the csv default limit is 128 KiB.
csv.field_size_limit(16 * 1024 * 1024)


def _first_bad_utf8(path: Path) -> str:
    """Where the first byte that is not UTF-8 is, as a person finds it: line and byte in the line."""
    with open(path, "rb") as handle:
        for line_number, line in enumerate(handle, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as exc:
                return f"at line {line_number}, byte {exc.start + 1} of the line (0x{line[exc.start]:02x})"
    return "(no invalid byte found on a second read)"


@contextmanager
def open_csv(path: Path) -> Iterator[tuple[list[str], Iterator[tuple[int, Sequence[object]]]]]:
    # utf-8-sig drops a BOM when there is one and reads plain UTF-8 otherwise.
    with open(path, encoding="utf-8-sig", errors="strict", newline="") as handle:
        reader = csv.reader(handle, strict=True)
        try:
            header = next(reader, None)
        except (csv.Error, UnicodeDecodeError) as exc:
            raise FileRejected(f"{path.name}: unreadable header ({exc})") from None
        if header is None:
            raise FileRejected(f"{path.name}: empty file, no header")

        def rows() -> Iterator[tuple[int, Sequence[object]]]:
            row_number = 1
            try:
                for cells in reader:
                    row_number += 1
                    if cells:
                        yield row_number, cells
            except UnicodeDecodeError:
                # the text layer decodes 8 KB ahead: its position says nothing about the row
                raise FileRejected(f"{path.name}: not UTF-8 {_first_bad_utf8(path)}") from None
            except csv.Error as exc:
                raise FileRejected(f"{path.name}: unreadable after row {row_number} ({exc})") from None

        yield header, rows()


@contextmanager
def open_xlsx(path: Path) -> Iterator[tuple[list[object], Iterator[tuple[int, Sequence[object]]]]]:
    """The first sheet: header row, then data rows (calamine for small sheets, streamed above)."""
    try:
        big = xlsx_stream.sheet_size(str(path)) > XLSX_STREAM_ABOVE_BYTES
        # calamine allocates the whole sheet from what the XML declares: check it first (the
        # streaming reader checks as it goes)
        formulas = {} if big else xlsx_stream.scan(str(path))
    except xlsx_stream.SheetLimit as exc:
        raise FileRejected(f"{path.name}: more than an export can hold: {exc}") from None
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, ElementTree.ParseError) as exc:
        raise FileRejected(f"{path.name}: not a readable XLSX workbook ({exc})") from None
    if big:
        with _open_xlsx_streaming(path) as opened:
            yield opened
        return
    with _open_xlsx_calamine(path, formulas) as opened:
        yield opened


@contextmanager
def _open_xlsx_streaming(path: Path) -> Iterator[tuple[list[object], Iterator[tuple[int, Sequence[object]]]]]:
    sheet = xlsx_stream.iter_sheet(str(path))
    last_row = 0

    def guarded() -> Iterator[tuple[int, list[object]]]:
        nonlocal last_row
        try:
            for row_number, cells in sheet:
                last_row = row_number
                yield row_number, cells
        except xlsx_stream.SheetLimit as exc:
            raise FileRejected(f"{path.name}: more than an export can hold: {exc}") from None
        except (ElementTree.ParseError, zipfile.BadZipFile, KeyError, ValueError, IndexError, OSError) as exc:
            raise FileRejected(f"{path.name}: unreadable sheet after row {last_row} ({exc})") from None

    stream = guarded()
    header = next((cells for _, cells in stream if any(c != "" for c in cells)), None)
    if header is None:
        raise FileRejected(f"{path.name}: empty sheet, no header")

    def rows() -> Iterator[tuple[int, Sequence[object]]]:
        for row_number, cells in stream:
            if any(c != "" for c in cells):
                yield row_number, cells

    try:
        yield header, rows()
    finally:
        stream.close()


@contextmanager
def _open_xlsx_calamine(
    path: Path, formulas: dict[tuple[int, int], object]
) -> Iterator[tuple[list[object], Iterator[tuple[int, Sequence[object]]]]]:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as exc:
        raise FileRejected(f"{path.name}: not a readable XLSX workbook ({exc})") from None
    with workbook:
        if not workbook.sheet_names:
            raise FileRejected(f"{path.name}: the workbook has no sheet")
        sheet = workbook.get_sheet_by_index(0)
        start = sheet.start
        first_row = (start[0] if start else 0) + 1
        iterator = sheet.iter_rows()
        header = next(iterator, None)
        if header is None:
            raise FileRejected(f"{path.name}: empty sheet, no header")

        formula_rows = {row for row, _ in formulas}

        def rows() -> Iterator[tuple[int, Sequence[object]]]:
            row_number = first_row
            for cells in iterator:
                row_number += 1
                if row_number in formula_rows:
                    # calamine gives a formula's cached value: put the formula back (values.Formula)
                    start_column = start[1] if start else 0
                    cells = [
                        formulas.get((row_number, start_column + i), cell) for i, cell in enumerate(cells)
                    ]
                if any(c != "" for c in cells):
                    yield row_number, cells

        yield header, rows()


def sheet_names(path: Path) -> list[str]:
    """The workbook's sheet names, in order (the first is the one read)."""
    try:
        return xlsx_stream.sheet_names(str(path)) or ["?"]
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, ElementTree.ParseError):
        return ["?"]


@contextmanager
def open_jsonl(path: Path) -> Iterator[Iterator[tuple[int, object]]]:
    with open(path, "rb") as handle:

        def objects() -> Iterator[tuple[int, object]]:
            for line_number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    yield line_number, json.loads(line)
                except (json.JSONDecodeError, UnicodeDecodeError):
                    # The line itself may hold personal data: it is never echoed.
                    yield line_number, None

        yield objects()
