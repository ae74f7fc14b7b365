"""CSV exports typed in the warehouse: the file's bytes go to PostgreSQL with COPY, and one
`INSERT … SELECT` types, checks and pseudonymises them. Python parses nothing on this path.

It is the fast path of `ingest`, never a second set of rules. `RowTyper` (Python) stays the
definition of what a cell means; the SQL here accepts only a subset of what it accepts, and
gives exactly the value it gives:
- text: stripped of what Python's `str.strip()` strips, empty → null; a leading `=` is not taken;
- integers: digits, or digits grouped by `.` in threes, within the column's range;
- date-times: `dd/MM/yyyy HH:mm:ss` on a real day of 2000–2099;
- (numbers and date-times with spaces around them, and other forms Python accepts, such as a
  date alone, are left to it);
- citizen IDs: digits with the separators `space . - _ /`, keyed with the same HMAC-SHA256
  (`sha256(outer || sha256(inner || id))`).

A row the SQL does not accept is not rejected here: it is read back and typed by `RowTyper`,
which loads it or rejects it with its own reasons (file, row, column, value). So a file loads
the same rows with the same values and the same rejects whichever path typed each row; a clean
file has none read back.

A file COPY would read differently from Python's csv reader goes to the Python path whole: a
quote that does not open or close a field, a line COPY would take as the end of data (`\\.`),
and anything COPY refuses (a row of the wrong width, a blank line, bytes that are not UTF-8,
a NUL). Python then names the row and the problem as before. Nothing of the attempt is left
behind: it runs in a savepoint.

The HMAC pads are set for the file's transaction only (`set_config(…, true)`), never stored.
The raw cells, personal columns included, sit in a temporary table dropped at commit: never
WAL-logged, seen by no other session, the same bytes as the landing file they came from.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

import psycopg
from psycopg import sql

from cchc.load.copy import copy_rows
from cchc.privacy import Pseudonymiser
from cchc.sources.onestop.columns import Column, Entity
from cchc.sources.onestop.typed_rows import RowTyper, TypingReport

log = logging.getLogger(__name__)

CHUNK_BYTES = 1 << 20
READ_BACK_ROWS = 5_000
# A quoted field longer than this is not what an export holds: such a file goes to Python,
# whose reader has its own limit, instead of being held in memory here.
LONGEST_QUOTED_FIELD = 1 << 20
# Likewise a line: Python's reader refuses a field over 16 MiB (csv.field_size_limit) and COPY
# would take it, so a file with a line longer than this (about 3,000 times an export's) is
# Python's to judge. Not below CHUNK_BYTES: a chunk is where lines are measured.
LONGEST_LINE = 1 << 20
CELLS = "cchc_export_cells"

# Exactly what Python's str.strip() removes (str.isspace), for btrim().
WHITESPACE = "".join(ch for ch in map(chr, range(0x110000)) if ch.isspace())
# Their code points, to test a value's first and last characters before trimming it: btrim()
# with a multibyte set decodes the whole set on every call, and nearly every value has nothing
# to trim (the text columns of 2.8M rows: 8.5 s of CPU for btrim, 3.5–4.5 s for this test).
_WHITESPACE_CODES = sql.SQL(", ").join(sql.Literal(ord(ch)) for ch in WHITESPACE)
_BOM = b"\xef\xbb\xbf"
# Possessive: a field cut by the chunk's end (`"ab""c`) must not match as a shorter one (`"ab"`).
_QUOTED = re.compile(rb'"[^"]*+(?:""[^"]*+)*+"')
_FIELD_EDGE = frozenset(b",\r\n")
_RANGES = {"smallint": 32767, "integer": 2**31 - 1, "bigint": 2**63 - 1}


class NotPlainCsv(Exception):
    """COPY would not read this file as Python's csv reader does."""


class QuoteCheck:
    """Follows the bytes on their way to COPY and stops at the first quote that is not a
    field's opening or closing quote (`ab"c`, `"ab"c`): there PostgreSQL's and Python's CSV
    readers part ways. Quoted fields may span chunks; memory stays one chunk and one field."""

    def __init__(self) -> None:
        self._carry = b""
        self._before = ord("\n")  # the byte before the carry; the file's start is a line start
        self._started = False
        self._line = 0  # bytes since the last line break before this chunk

    def feed(self, chunk: bytes, final: bool = False) -> None:
        self._measure_lines(chunk)
        buf = self._carry + chunk
        if not self._started:
            if len(buf) < len(_BOM) and not final:
                self._carry = buf
                return
            self._started = True
            if buf.startswith(_BOM):
                buf = buf[len(_BOM) :]
        if b"\\." in buf:  # the carry holds a backslash that ended the last chunk
            raise NotPlainCsv("a backslash-dot, which COPY may take as the end of the data")
        pos = 0
        while (start := buf.find(b'"', pos)) >= 0:
            before = buf[start - 1] if start else self._before
            if before not in _FIELD_EDGE:
                raise NotPlainCsv("a quote inside a field")
            match = _QUOTED.match(buf, start)
            end = match.end() if match else -1
            # Unfinished here, or closed on the buffer's last byte (a doubled quote may follow): wait.
            if (match is None or end == len(buf)) and not final:
                if len(buf) - start > LONGEST_QUOTED_FIELD:
                    raise NotPlainCsv("a quoted field longer than 1 MiB")
                self._before = before
                self._carry = buf[start:]
                return
            if match is None:
                raise NotPlainCsv("a quoted field that never closes")
            if end < len(buf) and buf[end] not in _FIELD_EDGE:
                raise NotPlainCsv("text after a field's closing quote")
            pos = end
        self._before = buf[-1] if buf else self._before
        self._carry = buf[-1:]  # a backslash at the end must meet the next chunk's dot
        if self._carry != b"\\":
            self._carry = b""

    def _measure_lines(self, chunk: bytes) -> None:
        # Lines inside one chunk are at most a chunk long: only the ones across chunks can grow.
        first = chunk.find(b"\n")
        if self._line + (len(chunk) if first < 0 else first) > LONGEST_LINE:
            raise NotPlainCsv("a line longer than 1 MiB")
        self._line = self._line + len(chunk) if first < 0 else len(chunk) - chunk.rfind(b"\n") - 1


def _chunks(path: Path, check: QuoteCheck) -> Iterator[bytes]:
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            check.feed(chunk)
            yield chunk
    check.feed(b"", final=True)


def copy_file_bytes(conn: psycopg.Connection, path: Path, width: int) -> int:
    """COPY the CSV file, header skipped, into a temporary table of `width` text columns
    numbered in file order; returns the rows COPY read."""
    cells = [sql.Identifier(f"c{i}") for i in range(1, width + 1)]
    conn.execute(
        sql.SQL(
            "create temporary table {} (n bigint generated always as identity, {}) on commit drop"
        ).format(sql.Identifier(CELLS), sql.SQL(", ").join(sql.SQL("{} text").format(c) for c in cells))
    )
    statement = sql.SQL("copy {} ({}) from stdin with (format csv, header true, encoding 'UTF8')").format(
        sql.Identifier(CELLS), sql.SQL(", ").join(cells)
    )
    check = QuoteCheck()
    with conn.cursor() as cur:
        with cur.copy(statement) as copy:
            for chunk in _chunks(path, check):
                copy.write(chunk)
        return cur.rowcount


# -- the SQL of each kind of column ----------------------------------------------------------
# Every expression reads the raw cell `c` (null when COPY met an unquoted empty field, '' for a
# quoted one: both are "no value" to Python).
#
# Two versions of the same rules. The quick one checks shapes and leaves the rest to
# PostgreSQL's casts (`dd/MM/yyyy` under DateStyle DMY refuses 31/04, month 13, minute 60;
# integer casts refuse overflow): on clean data that is all there is to check, and a bad value
# makes the statement fail. Then the careful one runs, which checks every part itself, takes
# the good rows and raises nothing, so that the bad row goes to Python instead. Measured on a
# 63k-row file: the careful checks cost as much as the typing; date-times dominate both.
_GROUPED = sql.SQL("{c} ~ '^-?([0-9]{{1,3}}(\\.[0-9]{{3}})+|[0-9]+)$'")
_DATETIME_TEXT = "DD/MM/YYYY HH24:MI:SS"
_DATETIME_SHAPE = sql.SQL("translate({c}, '0123456789', '0000000000') = '00/00/0000 00:00:00'")
# On the shape above: 2000–2099, a real day (every fourth year a leap year), a real time.
_DATETIME_PARTS = sql.SQL(
    "substr({c}, 7, 2) = '20' and substr({c}, 4, 2) between '01' and '12' and substr({c}, 1, 2) >= '01'"
    " and substr({c}, 1, 2) <= case substr({c}, 4, 2)"
    " when '02' then case when substr({c}, 9, 2)::int % 4 = 0 then '29' else '28' end"
    " when '04' then '30' when '06' then '30' when '09' then '30' when '11' then '30' else '31' end"
    " and substr({c}, 12, 2) <= '23' and substr({c}, 15, 2) <= '59' and substr({c}, 18, 2) <= '59'"
)
# An uncorrelated scalar subquery: PostgreSQL computes it once per statement (an InitPlan). As a
# one-row table joined to the cells it was recomputed for every row (~1.3 µs a row).
_PAD = sql.SQL("(select decode(current_setting({name}), 'hex'))")
_CITIZEN_CHARS = "0123456789 ./_-"
_CITIZEN_SEPARATORS = " ./_-"


def accepts(kind: str, c: sql.Composable, careful: bool) -> sql.Composable:
    """True when the SQL takes this cell as Python would. CASE orders the checks: the careful
    version never casts a value it has not checked; the quick one casts only shaped values."""
    if kind == "text":
        # Python strips, then refuses a leading '='. Most text has no '=' anywhere.
        return sql.SQL("({c} is null or strpos({c}, '=') = 0 or left(btrim({c}, {ws}), 1) <> '=')").format(
            c=c, ws=sql.Literal(WHITESPACE)
        )
    if kind in _RANGES:
        grouped = _GROUPED.format(c=c)
        if not careful:
            return sql.SQL(
                "({c} is null or {c} = '' or translate({c}, '0123456789', '') = ''"
                " or (strpos({c}, '.') > 0 and {grouped}))"
            ).format(c=c, grouped=grouped)
        return sql.SQL(
            "case when {c} is null or {c} = '' then true when {grouped} and length({c}) <= 24"
            " then replace({c}, '.', '')::numeric between -{top} - 1 and {top} else false end"
        ).format(c=c, grouped=grouped, top=sql.Literal(_RANGES[kind]))
    if kind == "datetime":
        if not careful:
            # Back to text as Python writes it: two digits each, no hour 24, no second 60.
            return sql.SQL(
                "case when {c} is null or {c} = '' then true when {c} like '__/__/20__ __:__:__'"
                " then to_char({c}::timestamp, {text}) = {c} else false end"
            ).format(c=c, text=sql.Literal(_DATETIME_TEXT))
        return sql.SQL(
            "case when {c} is null or {c} = '' then true when {shape} then {parts} else false end"
        ).format(
            c=c,
            shape=_DATETIME_SHAPE.format(c=c),
            parts=_DATETIME_PARTS.format(c=sql.SQL('({} collate "C")').format(c)),
        )
    if kind == "citizen":
        return sql.SQL("({c} is null or translate({c}, {chars}, '') = '')").format(
            c=c, chars=sql.Literal(_CITIZEN_CHARS)
        )
    raise ValueError(f"unknown column kind {kind!r}")


def typed_value(kind: str, c: sql.Composable) -> sql.Composable:
    """The value, for a row every `accepts` of which is true (DateStyle DMY)."""
    if kind == "text":
        return sql.SQL(
            "nullif(case when ascii({c}) in ({codes}) or ascii(right({c}, 1)) in ({codes})"
            " then btrim({c}, {ws}) else {c} end, '')"
        ).format(c=c, codes=_WHITESPACE_CODES, ws=sql.Literal(WHITESPACE))
    if kind in _RANGES:
        return sql.SQL("replace(nullif({c}, ''), '.', '')::{type}").format(c=c, type=sql.SQL(kind))
    if kind == "datetime":
        return sql.SQL("nullif({c}, '')::timestamp").format(c=c)
    if kind == "citizen":
        # No ID (null, or nothing but separators) is null all the way through: every function
        # here is strict. One translate() a row; a CASE on it evaluated it twice.
        normalised = sql.SQL("nullif(translate({c}, {separators}, ''), '')").format(
            c=c, separators=sql.Literal(_CITIZEN_SEPARATORS)
        )
        return sql.SQL("encode(sha256({outer} || sha256({inner} || convert_to({n}, 'UTF8'))), 'hex')").format(
            n=normalised,
            inner=_PAD.format(name=sql.Literal("cchc.hmac_inner")),
            outer=_PAD.format(name=sql.Literal("cchc.hmac_outer")),
        )
    raise ValueError(f"unknown column kind {kind!r}")


def _cell(i: int) -> sql.Composable:
    return sql.Identifier(f"c{i + 1}")


def _cells(positions: list[tuple[Column, int | None]]) -> list[tuple[Column, sql.Composable | None]]:
    return [(column, _cell(i) if i is not None else None) for column, i in positions]


def typed_values(cells: list[tuple[Column, sql.Composable | None]]) -> list[sql.Composable]:
    """Each contract column's value from its cell (None: the file has no such column → null)."""
    return [typed_value(column.kind, cell) if cell is not None else sql.SQL("null") for column, cell in cells]


def all_accepted(cells: list[tuple[Column, sql.Composable | None]], careful: bool) -> sql.Composable:
    """True when the SQL takes every cell of the row (`accepts`); absent columns check nothing."""
    checks = [accepts(column.kind, cell, careful) for column, cell in cells if cell is not None]
    return sql.SQL(" and ").join(checks) if checks else sql.SQL("true")


def set_pads(conn: psycopg.Connection, pseudonymiser: Pseudonymiser) -> None:
    """The HMAC pads `typed_value` reads for citizen IDs, for the current transaction only."""
    inner, outer = pseudonymiser.pads()
    conn.execute(
        "select set_config('cchc.hmac_inner', %s, true), set_config('cchc.hmac_outer', %s, true)",
        (inner.hex(), outer.hex()),
    )


def type_in_sql(
    conn: psycopg.Connection,
    table: str,
    entity: Entity,
    batch_id: int,
    typer: RowTyper,
    pseudonymiser: Pseudonymiser,
) -> tuple[int, sql.Composable]:
    """INSERT the rows the SQL types into `table`, each contract column read from the position
    `typer.check_header` found it at; returns how many, and the query of the rest."""
    cells = _cells(typer.positions)
    set_pads(conn, pseudonymiser)
    schema, _, name = table.rpartition(".")
    typed = typed_values(cells)

    def insert(careful: bool) -> sql.Composable:
        return sql.SQL("insert into {} ({}) select {}, n + 1, {} from {} where {}").format(
            sql.Identifier(schema, name),
            sql.SQL(", ").join(map(sql.Identifier, entity.targets)),
            sql.Literal(batch_id),
            sql.SQL(", ").join(typed),
            sql.Identifier(CELLS),
            all_accepted(cells, careful),
        )

    conn.execute("set local datestyle = 'ISO, DMY'")
    with conn.cursor() as cur:
        try:
            with conn.transaction():
                cur.execute(insert(careful=False))
            careful = False
        except psycopg.errors.DataError as exc:
            log.info("a value past the quick checks failed its cast (%s): the careful checks", exc)
            cur.execute(insert(careful=True))
            careful = True
        inserted = cur.rowcount
    raw = sql.SQL(", ").join(sql.Identifier(f"c{i}") for i in range(1, typer.width + 1))
    # The same checks as the INSERT's, on the same rows: they raised nothing there.
    rest = sql.SQL("select n + 1, {} from {} where not ({}) order by n").format(
        raw, sql.Identifier(CELLS), all_accepted(cells, careful)
    )
    return inserted, rest


def load(
    conn: psycopg.Connection,
    table: str,
    entity: Entity,
    batch_id: int,
    path: Path,
    typer: RowTyper,
    pseudonymiser: Pseudonymiser,
) -> bool:
    """Load a CSV export whose header `typer` has checked. False, with nothing written, when the
    file is for the Python path (see the module's docstring); raises on anything else."""
    try:
        with conn.transaction():
            rows_in = copy_file_bytes(conn, path, typer.width)
            inserted, rest = type_in_sql(conn, table, entity, batch_id, typer, pseudonymiser)
            if inserted < rows_in:
                _type_the_rest(conn, table, entity, batch_id, rest, typer)
    except (NotPlainCsv, psycopg.errors.DataError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        log.info("%s: read by Python's csv reader, not COPY (%s)", path.name, reason)
        # Whatever the read-back had counted is gone with the savepoint: Python starts afresh.
        typer.report = TypingReport(unknown_columns=typer.report.unknown_columns)
        return False
    log.info(
        "%s: %s rows typed in the warehouse, %s read back for Python", path.name, inserted, rows_in - inserted
    )
    report = typer.report
    report.rows_in += inserted
    report.rows_ok += inserted
    if report.rows_in != rows_in:
        raise AssertionError(f"{path.name}: COPY read {rows_in} rows, typed {report.rows_in}")
    return True


def _type_the_rest(
    conn: psycopg.Connection, table: str, entity: Entity, batch_id: int, rest: sql.Composable, typer: RowTyper
) -> None:
    # A server-side cursor, READ_BACK_ROWS at a time: a file of bad rows costs no more memory
    # than a good one. Each slice is typed by RowTyper and COPYed before the next is fetched.
    with conn.cursor(name="cchc_rows_for_python") as cur:
        cur.execute(rest)
        while rows := cur.fetchmany(READ_BACK_ROWS):
            cells = ((row[0], ["" if c is None else c for c in row[1:]]) for row in rows)
            copy_rows(conn, table, entity.targets, typer.type_rows(batch_id, cells))
