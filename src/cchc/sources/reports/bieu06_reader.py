"""Biểu số 06/VPCP/KSTT read as printed: one raw row per field row × measure.

The form is made for people, not machines: title rows, the unit, a period line
`Kỳ báo cáo: từ ngày dd/mm/yyyy đến ngày dd/mm/yyyy`, a two-row header with merged group cells,
often a `(1) (2) …` numbering row, the field rows, a `Tổng cộng` / `Tổng số` row, then signature
lines. Columns are found by their header text (group × sub-column), never by position. Counts
are numbers or Vietnamese-notation text (`10.807`); a cell that is not a well-formed count
(`2.0461`) rejects the whole report, naming sheet, row, column and value. Identities between the
counts (parts summing to totals) are not checked here: validation records them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from cchc.report_measures import REPORT_MEASURES

MEASURES = REPORT_MEASURES

FILE_NAME = re.compile(r"bieu06_(?P<unit>[^_]+(?:_[^_]+)*?)_(?P<start>\d{8})_(?P<end>\d{8})\.xlsx")
_PERIOD = re.compile(
    r"từ ngày\s*(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})\s*đến ngày\s*(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})"
)
_COUNT = re.compile(r"\d{1,3}(?:\.\d{3})+|\d+", re.ASCII)
_NUMBERING = re.compile(r"\(\s*\d+\s*\)")
_UNIT_LABEL = re.compile(r"^(?:tên\s+)?(?:cơ quan|đơn vị)(?:\s+báo cáo)?\s*:\s*", re.IGNORECASE)
# Title-area lines that are never the unit's name.
_BOILERPLATE = (
    "biểu số",
    "cộng hòa",
    "cộng hoà",
    "độc lập",
    "tình hình",
    "kết quả giải quyết",
    "kỳ báo cáo",
    "đơn vị nhận",
    "nơi nhận",
    "đơn vị tính",
    "ban hành kèm",
    "ngày ",
    "(",
)


class ReportRejected(Exception):
    """The report cannot be read as a Biểu 06 form; the message says where and why."""


@dataclass
class FieldRow:
    source_row: int
    field_name: str
    is_total: bool
    values: dict[str, int | None]


@dataclass
class Bieu06Report:
    report_id: str
    unit_code: str
    unit_name: str | None
    period_start: date
    period_end: date
    sheet_name: str
    rows: list[FieldRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def long_rows(self, batch_id: int, province_code: str | None) -> Iterator[tuple]:
        for row in self.rows:
            for measure in MEASURES:
                yield (
                    batch_id,
                    self.report_id,
                    province_code,
                    self.unit_code,
                    self.unit_name,
                    self.period_start,
                    self.period_end,
                    self.sheet_name,
                    row.source_row,
                    row.field_name,
                    row.is_total,
                    measure,
                    row.values[measure],
                )


RAW_COLUMNS = (
    "batch_id",
    "report_id",
    "province_code",
    "unit_code",
    "unit_name",
    "period_start",
    "period_end",
    "sheet_name",
    "source_row",
    "field_name",
    "is_total",
    "measure",
    "reported_value",
)


@dataclass(frozen=True)
class ReportName:
    report_id: str
    unit_code: str
    period_start: date
    period_end: date


def parse_file_name(name: str) -> ReportName | None:
    match = FILE_NAME.fullmatch(name)
    if not match:
        return None
    try:
        start = datetime.strptime(match["start"], "%Y%m%d").date()
        end = datetime.strptime(match["end"], "%Y%m%d").date()
    except ValueError:
        return None
    return ReportName(name[: -len(".xlsx")], match["unit"], start, end)


def _norm(cell: object) -> str:
    if cell is None:
        return ""
    text = unicodedata.normalize("NFC", str(cell))
    return " ".join(text.split()).lower()


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _group_of(label: str) -> str | None:
    if "đang giải quyết" in label:
        return "in_progress"
    if "đã giải quyết" in label:
        return "resolved"
    if "nhận" in label:
        return "received"
    return None


def _measure_of(group: str, sub: str) -> str | None:
    if sub.startswith("tổng"):
        return f"{group}_total"
    if group == "received":
        if "trực tuyến" in sub:
            return "received_online"
        if "trực tiếp" in sub or "bưu chính" in sub:
            return "received_direct_postal"
        if "kỳ trước" in sub:
            return "carried_over"
    if group == "resolved":
        if "trước hạn" in sub:
            return "resolved_early"
        if "đúng hạn" in sub:
            return "resolved_on_time"
        if "quá hạn" in sub or "trễ hạn" in sub:
            return "resolved_late"
    if group == "in_progress":
        if "trong hạn" in sub:
            return "in_progress_within"
        if "quá hạn" in sub or "trễ hạn" in sub:
            return "in_progress_overdue"
    return None


def parse_count(value: object) -> int | None:
    """A count as a number or Vietnamese-notation text; raises ValueError when malformed."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError("a boolean is not a count")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise ValueError("not a whole number")
        number = int(value)
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if not _COUNT.fullmatch(text):
            raise ValueError("not a count (digits, optionally grouped by '.' in threes)")
        number = int(text.replace(".", ""))
    else:
        raise ValueError(f"not a count ({type(value).__name__})")
    if number < 0:
        raise ValueError("a count cannot be negative")
    return number


def _find_header(grid: list[list[object]]) -> tuple[int, int, int | None] | None:
    for r, row in enumerate(grid):
        cells = [_norm(c) for c in row]
        for c, text in enumerate(cells):
            if text.startswith("lĩnh vực") or text.startswith("tên lĩnh vực"):
                stt = next((i for i, t in enumerate(cells) if t in {"stt", "số tt", "số thứ tự"}), None)
                return r, c, stt
    return None


def _map_columns(grid: list[list[object]], header: int, field_col: int, sheet: str) -> dict[str, int]:
    groups = grid[header]
    subs = grid[header + 1] if header + 1 < len(grid) else []
    width = max(len(groups), len(subs))
    found: dict[str, int] = {}
    group: str | None = None
    for c in range(field_col + 1, width):
        label = _norm(groups[c]) if c < len(groups) else ""
        if label:
            # A merged group cell holds its text in its first column only: carry it right.
            group = _group_of(label)
        sub = _norm(subs[c]) if c < len(subs) else ""
        if group is None or not sub:
            continue
        measure = _measure_of(group, sub)
        if measure is None:
            continue
        if measure in found:
            raise ReportRejected(
                f"sheet {sheet!r}: two columns for {measure} "
                f"({column_letter(found[measure])} and {column_letter(c)})"
            )
        found[measure] = c
    missing = [m for m in MEASURES if m not in found]
    if missing:
        raise ReportRejected(
            f"sheet {sheet!r}: header (rows {header + 1}-{header + 2}) has no column for {', '.join(missing)}"
        )
    return found


def _period(title: list[str]) -> tuple[date, date] | None:
    for text in title:
        match = _PERIOD.search(text)
        if match:
            d1, m1, y1, d2, m2, y2 = (int(g) for g in match.groups())
            try:
                return date(y1, m1, d1), date(y2, m2, d2)
            except ValueError:
                return None
    return None


def _unit_name(title_cells: list[str]) -> str | None:
    for text in title_cells:
        label = _UNIT_LABEL.match(text)
        if label and not text.lower().startswith(("đơn vị nhận", "đơn vị tính")):
            return text[label.end() :].strip() or None
    for text in title_cells:
        lowered = text.lower()
        if not lowered.startswith(_BOILERPLATE) and "báo cáo" not in lowered and not lowered.startswith("-"):
            return text
    return None


def _is_total(*labels: str) -> bool:
    return any(label.startswith(("tổng cộng", "tổng số", "cộng")) for label in labels)


def read_sheet(grid: list[list[object]], sheet: str, name: ReportName) -> Bieu06Report | None:
    found = _find_header(grid)
    if found is None:
        return None
    header, field_col, stt_col = found
    columns = _map_columns(grid, header, field_col, sheet)
    title_cells = [
        " ".join(unicodedata.normalize("NFC", str(c)).split())
        for row in grid[:header]
        for c in row
        if c != ""
    ]
    title_cells = [t for t in title_cells if t]
    period = _period([t.lower() for t in title_cells])
    report = Bieu06Report(
        report_id=name.report_id,
        unit_code=name.unit_code,
        unit_name=_unit_name(title_cells),
        period_start=period[0] if period else name.period_start,
        period_end=period[1] if period else name.period_end,
        sheet_name=sheet,
    )
    if period is None:
        report.warnings.append("no 'Kỳ báo cáo: từ ngày … đến ngày …' line: period taken from the file name")
    elif period != (name.period_start, name.period_end):
        report.warnings.append(
            f"period line says {period[0]:%d/%m/%Y}-{period[1]:%d/%m/%Y}, "
            f"file name says {name.period_start:%d/%m/%Y}-{name.period_end:%d/%m/%Y}: the form's line is used"
        )

    for r in range(header + 2, len(grid)):
        row = grid[r]
        cells = [c for c in row if c != "" and c is not None]
        if not cells:
            if report.rows:
                break  # the blank line before the signatures, on a form with no total row
            continue
        if all(isinstance(c, str) and _NUMBERING.fullmatch(c.strip()) for c in cells):
            continue
        label = str(row[field_col]).strip() if field_col < len(row) else ""
        stt = str(row[stt_col]).strip() if stt_col is not None and stt_col < len(row) else ""
        is_total = _is_total(_norm(label), _norm(stt))
        values: dict[str, int | None] = {}
        for measure, c in columns.items():
            raw = row[c] if c < len(row) else None
            try:
                values[measure] = parse_count(raw)
            except ValueError as exc:
                raise ReportRejected(
                    f"sheet {sheet!r} row {r + 1} column {column_letter(c)} ({measure}): "
                    f"malformed count {raw!r}: {exc}"
                ) from None
        if not label and not is_total and all(v is None for v in values.values()):
            continue
        field_name = (label or stt or "Tổng cộng") if is_total else (label or f"STT {stt}")
        report.rows.append(FieldRow(r + 1, field_name, is_total, values))
        if is_total:
            break
    if not report.rows:
        raise ReportRejected(f"sheet {sheet!r}: no field rows under the header")
    return report


def read_bieu06(path: Path) -> Bieu06Report:
    from python_calamine import CalamineError, CalamineWorkbook

    name = parse_file_name(path.name)
    if name is None:
        raise ReportRejected(f"{path.name}: file name is not bieu06_<MaDonVi>_<YYYYMMDD>_<YYYYMMDD>.xlsx")
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as exc:
        raise ReportRejected(f"{path.name}: not a readable XLSX workbook ({exc})") from None
    with workbook:
        for sheet_name in workbook.sheet_names:
            grid = workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
            report = read_sheet(grid, sheet_name, name)
            if report is not None:
                return report
    raise ReportRejected(f"{path.name}: no sheet has a header with a 'Lĩnh vực' column")
