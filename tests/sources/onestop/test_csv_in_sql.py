"""CSV typed in the warehouse gives what Python's typing gives, row for row and reject for reject.

Every test loads the same file twice: as ingestion does (the SQL path, which reads back for
Python only the rows it does not take) and with the SQL path switched off (Python alone). Both
land in the shared warehouse as their own batches and are compared without their batch ids.
"""

from __future__ import annotations

import logging
import re

import pytest

from cchc.sources.onestop import csv_in_sql
from cchc.sources.onestop.csv_in_sql import NotPlainCsv, QuoteCheck
from cchc.sources.onestop.ingest import ingest_export

# (column, cell as written in the file): values at and past every edge of the SQL's subset
EDGES = [
    ("TenTTHC", "  Cấp phép  "),
    ("TenTTHC", "\xa0Cấp phép\u3000\u2009"),
    ("TenTTHC", "\u3000Cấp phép"),  # whitespace at one end only: each end is tested apart
    ("TenTTHC", "Cấp phép\u205f"),
    ("TenTTHC", "a\u200bb"),  # a zero-width space is not whitespace to Python: kept
    ("TenTTHC", "\x85\x1c x \x1f"),
    ("TenTTHC", "=SUM(A1)"),
    ("TenTTHC", "  =1+1"),
    ("TenTTHC", "   "),
    ("MaDonVi", ""),
    ("KenhThucHien", " 2 "),
    ("KenhThucHien", "007"),
    ("KenhThucHien", "-1"),
    ("KenhThucHien", "32767"),
    ("KenhThucHien", "32768"),
    ("KenhThucHien", "-32768"),
    ("KenhThucHien", "-32769"),
    ("KenhThucHien", "1.000"),
    ("KenhThucHien", "1.0000"),
    ("KenhThucHien", "12.5"),
    ("KenhThucHien", "+1"),
    ("KenhThucHien", "١"),  # an Arabic-Indic digit: not an ASCII digit
    ("KenhThucHien", "abc"),
    ("TongPhiLePhi", "1.250.000"),
    ("TongPhiLePhi", "1.25.000"),
    ("TongPhiLePhi", "9223372036854775807"),
    ("TongPhiLePhi", "9223372036854775808"),
    ("TongPhiLePhi", "-9223372036854775808"),
    ("TongPhiLePhi", "9.223.372.036.854.775.807"),
    ("TongPhiLePhi", "123456789012345678901234"),
    ("NgayHenTra", "29/02/2024 00:00:00"),
    ("NgayHenTra", "29/02/2025 00:00:00"),
    ("NgayHenTra", "29/02/2000 12:00:00"),
    ("NgayHenTra", "31/04/2025 10:00:00"),
    ("NgayHenTra", "30/04/2025 10:00:00"),
    ("NgayHenTra", "31/12/2099 23:59:59"),
    ("NgayHenTra", "01/01/2100 00:00:00"),
    ("NgayHenTra", "31/12/1999 23:59:59"),
    ("NgayHenTra", "25/07/2025 24:00:00"),
    ("NgayHenTra", "25/07/2025 23:60:00"),
    ("NgayHenTra", "25/07/2025 23:59:60"),
    ("NgayHenTra", "00/07/2025 10:00:00"),
    ("NgayHenTra", "25/00/2025 10:00:00"),
    ("NgayHenTra", "25/13/2025 10:00:00"),
    ("NgayHenTra", "25/07/2025"),
    ("NgayHenTra", "5/7/2025 9:05"),
    ("NgayHenTra", " 25/07/2025 16:30:00 "),
    ("NgayHenTra", "25/07/2025T16:30:00"),
    ("NgayHenTra", "2025-07-25 16:30:00"),
    ("NgayHenTra", "25/07/2025 16:30:00.5"),
    ("NgayTra", ""),
    ("SoGiayToChuHoSo", "079 100.000-001"),
    ("SoGiayToChuHoSo", " 0791/00_000001 "),
    ("SoGiayToChuHoSo", "079\t100000001"),
    ("SoGiayToChuHoSo", "ab079100000001"),
    ("SoGiayToChuHoSo", "０７９１００００００01"),  # full-width digits
    ("SoGiayToChuHoSo", " - "),
    ("SoGiayToChuHoSo", ""),
]


def _rows(db, h, batch_id: int) -> list[tuple]:
    return [
        tuple(v for k, v in row.items() if k != "batch_id")
        for row in h.batch_rows(db, "onestop_hoso", batch_id)
    ]


def _load_both_ways(landing, h, monkeypatch, caplog, make_export):
    """(fast outcome, python-only outcome, log lines of the fast load)."""
    with caplog.at_level(logging.INFO, logger=csv_in_sql.__name__):
        fast = ingest_export(make_export())[0]
    lines = [r.getMessage() for r in caplog.records if r.name == csv_in_sql.__name__]
    with monkeypatch.context() as patch:
        patch.setattr(csv_in_sql, "load", lambda *args, **kwargs: False)
        slow = ingest_export(make_export())[0]
    return fast, slow, lines


def _assert_same(db, h, fast, slow) -> None:
    assert fast.status == slow.status == "pending"
    assert _rows(db, h, fast.batch_id) == _rows(db, h, slow.batch_id)
    assert h.rejected(db, fast.batch_id) == h.rejected(db, slow.batch_id)
    record = {k: v for k, v in h.batch(db, fast.batch_id).items() if k.startswith("rows_") or k == "warnings"}
    assert record == {k: v for k, v in h.batch(db, slow.batch_id).items() if k in record}


# Edges that pass the quick shape checks and fail PostgreSQL's casts: a file with one of them
# is typed by the careful checks; without them, by the quick ones.
FAILS_A_CAST = {
    ("KenhThucHien", "32768"),
    ("TongPhiLePhi", "9223372036854775808"),
    ("TongPhiLePhi", "123456789012345678901234"),
    ("NgayHenTra", "29/02/2025 00:00:00"),
    ("NgayHenTra", "31/04/2025 10:00:00"),
    ("NgayHenTra", "25/07/2025 23:60:00"),
    ("NgayHenTra", "00/07/2025 10:00:00"),
    ("NgayHenTra", "25/00/2025 10:00:00"),
    ("NgayHenTra", "25/13/2025 10:00:00"),
}


@pytest.mark.parametrize("checks", ["quick", "careful"])
def test_every_edge_is_typed_as_python_types_it(landing, db, h, monkeypatch, caplog, checks):
    edges = EDGES if checks == "careful" else [e for e in EDGES if e not in FAILS_A_CAST]
    rows = [h.hoso_row(i) for i in range(3)]  # untouched rows: the SQL takes them
    rows += [h.hoso_row(10 + n, **{column: value}) for n, (column, value) in enumerate(edges)]
    fast, slow, lines = _load_both_ways(landing, h, monkeypatch, caplog, lambda: landing.export(rows))

    _assert_same(db, h, fast, slow)
    assert any("the careful checks" in line for line in lines) == (checks == "careful"), lines
    rejected_rows = {r[0] for r in h.rejected(db, fast.batch_id)}
    assert len(rejected_rows) >= (20 if checks == "careful" else 12)  # the edges Python rejects
    typed = [line for line in lines if "typed in the warehouse" in line]
    assert len(typed) == 1, lines
    found = re.search(r"(\d+) rows? typed in the warehouse, (\d+) read back", typed[0])
    in_sql, read_back = map(int, found.groups())
    # The SQL took the plain rows and the plain edges; Python had the rest (and rejected most).
    assert in_sql >= 3 + 15 and read_back >= len(rejected_rows)
    assert in_sql + read_back == len(rows)


def test_citizen_keys_are_the_same_hmac(landing, db, h, monkeypatch, caplog, pseudonym_key):
    from cchc.privacy import Pseudonymiser

    rows = [h.hoso_row(i) for i in range(5)]
    fast, slow, _ = _load_both_ways(landing, h, monkeypatch, caplog, lambda: landing.export(rows))
    _assert_same(db, h, fast, slow)
    keys = [r["citizen_key"] for r in h.batch_rows(db, "onestop_hoso", fast.batch_id)]
    assert keys == [
        Pseudonymiser(pseudonym_key).citizen_key(h.person(i)["SoGiayToChuHoSo"]) for i in range(5)
    ]


@pytest.mark.parametrize(
    ("damage", "rows"),
    [
        # two stray quotes: the manifest's count (quote-aware) still agrees, the readers do not
        pytest.param(
            lambda line: line.replace(b",HT,", b',H"T,', 1).replace(b",XA,", b',X"A,', 1),
            200,
            id="quotes-inside-fields",
        ),
        pytest.param(lambda line: line.replace(b",HT,", b',"H"T,', 1), 200, id="text-after-closing-quote"),
        pytest.param(lambda line: line + b"\r\n\\.", 201, id="backslash-dot-line"),
        pytest.param(lambda line: line + b"\r\n", 200, id="blank-line"),
        pytest.param(lambda line: line.replace("Hộ tịch".encode(), b"H\xe1\xbb tich", 1), 200, id="not-utf8"),
        # Python's reader judges fields over 16 MiB; lines over 1 MiB are left to it
        pytest.param(
            lambda line: line.replace(b",HT,", b",H" + b"T" * (2 << 20) + b",", 1), 200, id="long-line"
        ),
    ],
)
def test_what_copy_would_read_differently_goes_to_python_whole(
    landing, db, h, monkeypatch, caplog, damage, rows
):
    def make_export():
        # 200 rows: Python decodes 8 KB ahead, so bad bytes in the first rows fail the header
        export = landing.export([h.hoso_row(i) for i in range(200)])
        path = export.path / "hoso.csv"
        lines = path.read_bytes().split(b"\r\n")
        lines[150] = damage(lines[150])
        path.write_bytes(b"\r\n".join(lines))
        h.write_manifest(export.path, export.province_code, export.business_date, counts={"hoso.csv": rows})
        return export

    fast, slow, lines = _load_both_ways(landing, h, monkeypatch, caplog, make_export)
    assert any("read by Python's csv reader, not COPY" in line for line in lines), lines
    assert fast.status == slow.status
    if fast.status == "pending":
        _assert_same(db, h, fast, slow)
    else:
        assert fast.reason.replace(str(fast.batch_id), "#") == slow.reason.replace(str(slow.batch_id), "#")


QUOTED = b'MaHoSo,TenTTHC\r\nA1,"Cap ""phep"", moi"\r\nA2,plain\r\nA3,"dong\r\nhai"\r\n'


@pytest.mark.parametrize("size", [1, 2, 3, 7, len(QUOTED)])
def test_quote_check_passes_well_formed_quoting_whatever_the_chunks(size):
    check = QuoteCheck()
    for start in range(0, len(QUOTED), size):
        check.feed(QUOTED[start : start + size])
    check.feed(b"", final=True)


@pytest.mark.parametrize(
    "data",
    [b'a,b"c\r\n', b'a,"b"c\r\n', b'a,"b\r\n', b"a\r\n\\.\r\n", b'"a"b,c\r\n', b'\xef\xbb\xbf"a"x\r\n'],
    ids=["inside", "after-closing", "never-closes", "backslash-dot", "first-field", "after-bom"],
)
@pytest.mark.parametrize("size", [1, 4, 100])
def test_quote_check_stops_at_what_copy_reads_differently(data, size):
    check = QuoteCheck()
    with pytest.raises(NotPlainCsv):
        for start in range(0, len(data), size):
            check.feed(data[start : start + size])
        check.feed(b"", final=True)


@pytest.mark.parametrize("size", [1000, 1 << 20])
def test_quote_check_stops_at_a_line_longer_than_a_mebibyte(size):
    check = QuoteCheck()
    data = b"a,b\r\n" + b"x" * ((1 << 20) + 10) + b"\r\n"
    with pytest.raises(NotPlainCsv, match="line longer"):
        for start in range(0, len(data), size):
            check.feed(data[start : start + size])


def test_a_bom_before_a_quoted_header_is_no_field_text():
    check = QuoteCheck()
    check.feed(b'\xef\xbb\xbf"MaHoSo",x\r\n1,2\r\n', final=True)
