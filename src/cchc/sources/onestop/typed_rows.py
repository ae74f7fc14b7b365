"""From cells as a reader gives them to tuples in the raw table's column order.

A `RowTyper` is built from a file's header (or, for JSONL, from the keys it meets): it checks the
header against the contract once, then types each row. A cell that does not parse rejects its
row (every bad cell of it is recorded); the row is not loaded, the rest of the file is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from cchc.privacy import Pseudonymiser
from cchc.sources.onestop import values
from cchc.sources.onestop.columns import PERSONAL, Entity

MAX_REJECTED_VALUE = 200
_CACHE_MAX = 4096
_MISS = object()
# JSON values cached by value: only types whose equal values are the same JSON value (True == 1
# and 1.0 == 1 in Python, so booleans and floats would answer for integers: never cached)
_HASHABLE = frozenset({str, int, type(None)})


class FileRejected(Exception):
    """The file as a whole cannot be loaded (e.g. a required column is missing)."""


@dataclass(frozen=True)
class Reject:
    source_row: int
    column: str | None
    value: str | None
    reason: str


@dataclass
class TypingReport:
    rows_in: int = 0
    rows_ok: int = 0
    rejects: list[Reject] = field(default_factory=list)
    rejected_rows: int = 0
    unknown_columns: list[str] = field(default_factory=list)


_DATETIME_PARSERS = {
    "csv": values.parse_vn_datetime,
    "xlsx": values.parse_excel_datetime,
    "jsonl": values.parse_iso_datetime,
}


def _citizen_id_text(value: object) -> object:
    # A citizen ID typed into Excel as a number loses its leading zeros: they are 12 digits.
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:012d}"
    return value


def _parser(kind: str, fmt: str, pseudonymiser: Pseudonymiser) -> Callable[[object], object]:
    parse = _base_parser(kind, fmt, pseudonymiser)
    if fmt == "jsonl":
        return values.strict_json(kind, parse)
    if fmt == "xlsx":

        def no_formula(value: object, parse=parse) -> object:
            values.reject_formula(value)
            return parse(value)

        return no_formula
    return parse


def _base_parser(kind: str, fmt: str, pseudonymiser: Pseudonymiser) -> Callable[[object], object]:
    if kind == "text":
        return values.parse_text
    if kind == "smallint":
        return values.parse_smallint
    if kind == "integer":
        return values.parse_integer
    if kind == "bigint":
        return values.parse_int
    if kind == "datetime":
        return _DATETIME_PARSERS[fmt]
    if kind == "citizen":
        return lambda v: pseudonymiser.citizen_key(_citizen_id_text(v))
    raise ValueError(f"unknown column kind {kind!r}")


def _shown(column: str, value: object) -> str | None:
    if column in PERSONAL or value is None:
        return None
    return str(value)[:MAX_REJECTED_VALUE]


class RowTyper:
    def __init__(self, entity: Entity, fmt: str, file_name: str, pseudonymiser: Pseudonymiser) -> None:
        self.entity = entity
        self.file_name = file_name
        self.report = TypingReport()
        self._plan = [(c.source, _parser(c.kind, fmt, pseudonymiser)) for c in entity.columns]
        self._strict_width = fmt == "csv"
        # Most columns repeat a handful of values (codes, flags, fees): each distinct cell is
        # parsed once. Dates have their own cache of days; personal values are never kept.
        self._caches: dict[str, dict | None] = {
            c.source: None if c.kind in ("datetime", "citizen") or c.source == "MaHoSo" else {}
            for c in entity.columns
        }

    # -- files with a header (CSV, XLSX) ------------------------------------------------------
    def check_header(self, header: Sequence[object]) -> None:
        names = ["" if h is None else str(h).strip() for h in header]
        seen: set[str] = set()
        for name in names:
            if name and name in seen:
                raise FileRejected(f"{self.file_name}: column {name!r} appears twice in the header")
            seen.add(name)
        missing = [c.source for c in self.entity.columns if c.required and c.source not in seen]
        if missing:
            raise FileRejected(f"{self.file_name}: required column(s) missing: {', '.join(missing)}")
        self.report.unknown_columns = [n for n in names if n and n not in self.entity.known]
        index = {name: i for i, name in enumerate(names) if name}
        self._width = len(names)
        self._indexed = [(source, index.get(source), parse) for source, parse in self._plan]
        # where each contract column is in the file (None: absent), for typing in SQL (csv_in_sql)
        self.positions = [(column, index.get(column.source)) for column in self.entity.columns]

    @property
    def width(self) -> int:
        """Fields in the header (after `check_header`)."""
        return self._width

    def type_rows(self, batch_id: int, rows: Iterable[tuple[int, Sequence[object]]]) -> Iterator[tuple]:
        report = self.report
        plan = [(source, i, parse, self._caches[source]) for source, i, parse in self._indexed]
        width = self._width
        for source_row, cells in rows:
            report.rows_in += 1
            if len(cells) != width:
                if self._strict_width:
                    # In CSV a row of the wrong width is a broken line: no cell can be trusted.
                    self._reject_whole(source_row, f"row has {len(cells)} fields, the header has {width}")
                    continue
                cells = [*cells, *([None] * (width - len(cells)))]
            out: list[object] = [batch_id, source_row]
            bad: list[Reject] | None = None
            for source, i, parse, cache in plan:
                raw = cells[i] if i is not None else None
                value = cache.get(raw, _MISS) if cache is not None else _MISS
                if value is _MISS:
                    try:
                        value = parse(raw)
                    except values.BadValue as exc:
                        value = exc
                    if cache is not None and len(cache) < _CACHE_MAX:
                        cache[raw] = value
                if value.__class__ is values.BadValue:
                    bad = bad or []
                    bad.append(Reject(source_row, source, _shown(source, raw), str(value)))
                out.append(value)
            if bad:
                report.rejects.extend(bad)
                report.rejected_rows += 1
                continue
            report.rows_ok += 1
            yield tuple(out)

    def _reject_whole(self, source_row: int, reason: str) -> None:
        self.report.rejected_rows += 1
        self.report.rejects.append(Reject(source_row, None, None, reason))

    # -- files of objects (JSONL) -------------------------------------------------------------
    def type_objects(self, batch_id: int, objects: Iterable[tuple[int, object]]) -> Iterator[tuple]:
        report = self.report
        plan = [(source, parse, self._caches[source]) for source, parse in self._plan]
        known = self.entity.known
        unknown: set[str] = set()
        never_seen = {c.source for c in self.entity.columns if c.required}
        for source_row, obj in objects:
            report.rows_in += 1
            if not isinstance(obj, dict):
                self._reject_whole(
                    source_row, "line is not a JSON object (invalid JSON, or another JSON value)"
                )
                continue
            if not known.issuperset(obj):
                unknown.update(k for k in obj if k not in known)
            if never_seen:
                never_seen.difference_update(obj)
            out: list[object] = [batch_id, source_row]
            bad: list[Reject] | None = None
            for source, parse, cache in plan:
                raw = obj.get(source)
                value = cache.get(raw, _MISS) if cache is not None and raw.__class__ in _HASHABLE else _MISS
                if value is _MISS:
                    try:
                        value = parse(raw)
                    except values.BadValue as exc:
                        value = exc
                    if cache is not None and len(cache) < _CACHE_MAX and raw.__class__ in _HASHABLE:
                        cache[raw] = value
                if value.__class__ is values.BadValue:
                    bad = bad or []
                    bad.append(Reject(source_row, source, _shown(source, raw), str(value)))
                out.append(value)
            if bad:
                report.rejects.extend(bad)
                report.rejected_rows += 1
                continue
            report.rows_ok += 1
            yield tuple(out)
        report.unknown_columns = sorted(unknown)
        # Absent means null per row, but a required key absent from every row is a missing column.
        missing = [c.source for c in self.entity.columns if c.source in never_seen]
        if missing and report.rows_in:
            raise FileRejected(f"{self.file_name}: required column(s) missing: {', '.join(missing)}")
