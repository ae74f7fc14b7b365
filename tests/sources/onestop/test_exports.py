"""One-stop exports into raw: formats, mess, manifest checks, ledger statuses."""

from __future__ import annotations

import hashlib
import hmac
from datetime import date, datetime

import pytest

from cchc import ledger
from cchc.sources.onestop import values
from cchc.sources.onestop.discover import find_exports
from cchc.sources.onestop.ingest import ingest_export


@pytest.fixture(params=["calamine", "streaming"])
def xlsx_reader(request, monkeypatch) -> str:
    """Both XLSX readers: calamine for small sheets, the streaming one above a size."""
    from cchc.sources.onestop import readers

    if request.param == "streaming":
        monkeypatch.setattr(readers, "XLSX_STREAM_ABOVE_BYTES", -1)
    return request.param


def _expected_key(key: bytes, citizen_id: str) -> str:
    return hmac.new(key, citizen_id.encode(), hashlib.sha256).hexdigest()


def _by_file(outcomes):
    return {o.file_name: o for o in outcomes}


def _raw_count(db, table: str, batch_id: int) -> int:
    return db.execute(f"select count(*) from raw.{table} where batch_id = %s", (batch_id,)).fetchone()[0]


def _check_first_dossier(row: dict, key: bytes, h) -> None:
    source = h.hoso_row(0)
    assert row["ma_ho_so"] == source["MaHoSo"]
    assert row["ten_tthc"] == source["TenTTHC"]
    assert row["kenh_thuc_hien"] == 1
    assert row["ngay_tiep_nhan"] == datetime(2025, 3, 3, 8, 0, 0)
    assert row["ngay_nop_ho_so"] == datetime(2025, 3, 3, 7, 30, 0)
    assert row["ngay_tra"] is None
    assert row["tong_phi_le_phi"] == 1250000
    assert row["tai_khoan_duoc_xac_thuc_voi_vneid"] == 1
    assert row["citizen_key"] == _expected_key(key, source["SoGiayToChuHoSo"])


@pytest.mark.parametrize("bom", [False, True], ids=["plain", "bom"])
def test_csv_loads_typed_rows_with_or_without_bom(landing, db, h, pseudonym_key, bom):
    export = landing.export([h.hoso_row(i) for i in range(4)], bosung=[h.bosung_row(1)], bom=bom)
    outcomes = _by_file(ingest_export(export))

    assert {o.status for o in outcomes.values()} == {"pending"}
    hoso = outcomes["hoso.csv"]
    rows = h.batch_rows(db, "onestop_hoso", hoso.batch_id)
    assert [r["source_row"] for r in rows] == [2, 3, 4, 5]
    _check_first_dossier(rows[0], pseudonym_key, h)
    record = h.batch(db, hoso.batch_id)
    assert (record["rows_in"], record["rows_loaded"], record["manifest_rows"]) == (4, 4, 4)
    assert record["file_path"] == f"onestop/91/{export.business_date}/hoso.csv"
    bosung = h.batch_rows(db, "onestop_bosung", outcomes["bosung.csv"].batch_id)
    assert bosung[0]["ngay_hen_tra_moi"] == datetime(2025, 3, 8, 10, 0, 0)
    assert bosung[0]["lan_bo_sung"] == 1


def test_csv_short_date_and_quoted_line_break(landing, db, h):
    rows = [h.hoso_row(0, NgayHenTra="06/03/2025", TenTTHC="dòng một\r\ndòng hai"), h.hoso_row(1)]
    export = landing.export(rows)
    outcome = ingest_export(export)[0]
    loaded = h.batch_rows(db, "onestop_hoso", outcome.batch_id)
    assert loaded[0]["ngay_hen_tra"] == datetime(2025, 3, 6)
    assert loaded[0]["ten_tthc"] == "dòng một\r\ndòng hai"
    assert [r["source_row"] for r in loaded] == [2, 3]


@pytest.mark.parametrize("date_cells", [True, False], ids=["date-cells", "date-text"])
def test_xlsx_date_cells_text_dates_and_text_numbers(landing, db, h, pseudonym_key, date_cells, xlsx_reader):
    rows = [h.hoso_row(i) for i in range(3)]
    rows[1]["TongPhiLePhi"] = "1.250.000"  # text with Vietnamese thousands separators
    rows[2]["KenhThucHien"] = "2"
    columns = list(reversed(h.HOSO_COLUMNS))  # column order varies between vendors
    export = landing.export(rows, fmt="xlsx", columns=columns, date_cells=date_cells)
    outcome = ingest_export(export)[0]

    assert outcome.status == "pending", outcome.reason
    loaded = h.batch_rows(db, "onestop_hoso", outcome.batch_id)
    _check_first_dossier(loaded[0], pseudonym_key, h)
    assert [r["tong_phi_le_phi"] for r in loaded] == [1250000, 1250000, 1250000]
    assert loaded[2]["kenh_thuc_hien"] == 2
    assert loaded[2]["ngay_cap_nhat"] == h.hoso_row(2)["NgayCapNhat"]


def test_jsonl_iso_offsets_become_local_time(landing, db, h, pseudonym_key):
    rows = [h.hoso_row(i) for i in range(2)]
    rows[1]["NgayTiepNhan"] = "2025-03-03T02:00:00Z"  # 09:00 in Hà Nội
    rows[1]["NgayTra"] = "2025-03-05T10:15:00+09:00"  # 08:15 in Hà Nội
    del rows[1]["TenTTHC"]  # absent means null
    rows[1]["NgayTuChoi"] = ""
    export = landing.export(rows, fmt="jsonl")
    outcome = ingest_export(export)[0]

    loaded = h.batch_rows(db, "onestop_hoso", outcome.batch_id)
    _check_first_dossier(loaded[0], pseudonym_key, h)
    assert loaded[1]["ngay_tiep_nhan"] == datetime(2025, 3, 3, 9, 0)
    assert loaded[1]["ngay_tra"] == datetime(2025, 3, 5, 8, 15)
    assert loaded[1]["ten_tthc"] is None
    assert loaded[1]["ngay_tu_choi"] is None
    assert [r["source_row"] for r in loaded] == [1, 2]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "jsonl"])
def test_unknown_column_is_left_out_with_a_warning(landing, db, h, fmt):
    rows = [h.hoso_row(i, GhiChuNoiBo="ghi chú") for i in range(2)]
    export = landing.export(rows, fmt=fmt, columns=[*h.HOSO_COLUMNS, "GhiChuNoiBo"])
    outcome = ingest_export(export)[0]

    assert outcome.status == "pending"
    assert outcome.rows_loaded == 2
    warnings = h.batch(db, outcome.batch_id)["warnings"]
    assert any("GhiChuNoiBo" in w and "unknown column" in w for w in warnings), warnings


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "jsonl"])
def test_missing_required_column_quarantines_the_file(landing, db, h, fmt):
    columns = [c for c in h.HOSO_COLUMNS if c != "TrangThaiHoSo"]
    export = landing.export([h.hoso_row(0)], fmt=fmt, columns=columns, bosung=[h.bosung_row(0)])
    outcomes = _by_file(ingest_export(export))

    hoso = outcomes[f"hoso.{fmt}"]
    assert hoso.status == "quarantined"
    assert "TrangThaiHoSo" in hoso.reason and "missing" in hoso.reason
    assert h.batch(db, hoso.batch_id)["status"] == "quarantined"
    assert _raw_count(db, "onestop_hoso", hoso.batch_id) == 0
    # the file alone is quarantined: the supplements of the export still load
    assert outcomes["bosung.csv"].status == "pending"


def test_bad_values_reject_their_rows_and_the_rest_loads(landing, db, h):
    rows = [h.hoso_row(i) for i in range(5)]
    rows[1]["KenhThucHien"] = "abc"
    rows[3]["NgayHenTra"] = "31/02/2025 10:00:00"
    rows[3]["TongPhiLePhi"] = "12.50"
    export = landing.export(rows)
    outcome = ingest_export(export)[0]

    assert outcome.status == "pending"
    assert outcome.rows_loaded == 3
    record = h.batch(db, outcome.batch_id)
    assert (record["rows_in"], record["rows_loaded"], record["rows_rejected"]) == (5, 3, 2)
    assert any("2 row(s) rejected" in w and "KenhThucHien" in w for w in record["warnings"])
    rejected = h.rejected(db, outcome.batch_id, "file_name, source_row, column_name, raw_value")
    assert rejected == [
        ("hoso.csv", 3, "KenhThucHien", "abc"),
        ("hoso.csv", 5, "NgayHenTra", "31/02/2025 10:00:00"),
        ("hoso.csv", 5, "TongPhiLePhi", "12.50"),
    ]
    loaded = [r["source_row"] for r in h.batch_rows(db, "onestop_hoso", outcome.batch_id)]
    assert loaded == [2, 4, 6]


def test_broken_csv_line_is_rejected_not_guessed(landing, db, h):
    export = landing.export([h.hoso_row(i) for i in range(3)])
    path = export.path / "hoso.csv"
    lines = path.read_bytes().split(b"\r\n")
    lines[2] = lines[2].rsplit(b",", 3)[0]  # a row that lost its last fields
    path.write_bytes(b"\r\n".join(lines))
    h.write_manifest(export.path, export.province_code, export.business_date)
    outcome = ingest_export(export)[0]

    assert outcome.rows_loaded == 2
    reason = db.execute(
        "select source_row, column_name, reason from audit.rejected_rows where batch_id = %s",
        (outcome.batch_id,),
    ).fetchone()
    assert reason[0] == 3 and reason[1] is None and "fields" in reason[2]


def test_manifest_mismatch_quarantines_the_whole_export_then_a_good_copy_loads(landing, db, h):
    rows = [h.hoso_row(i) for i in range(6)]
    export = landing.export(rows, bosung=[h.bosung_row(0)])
    good = (export.path / "hoso.csv").read_bytes()
    # a truncated transfer: the manifest describes six dossiers, four arrived
    h.write_hoso(export.path, rows[:4])
    outcomes = _by_file(ingest_export(export))

    assert set(outcomes) == {"hoso.csv", "bosung.csv"}
    for outcome in outcomes.values():
        assert outcome.status == "quarantined"
        assert "hoso.csv" in outcome.reason and "expected 6 rows" in outcome.reason
        assert "found 4 rows" in outcome.reason
        assert h.batch(db, outcome.batch_id)["status"] == "quarantined"
        assert _raw_count(db, outcome.entity, outcome.batch_id) == 0
    # the same bad files again: no new ledger rows
    again = _by_file(ingest_export(export))
    assert {o.batch_id for o in again.values()} == {o.batch_id for o in outcomes.values()}

    (export.path / "hoso.csv").write_bytes(good)
    retried = _by_file(ingest_export(export))
    assert retried["hoso.csv"].status == "pending" and retried["hoso.csv"].rows_loaded == 6
    assert retried["bosung.csv"].status == "pending"


def test_row_count_disagreeing_with_manifest_is_named(landing, db, h):
    export = landing.export([h.hoso_row(i) for i in range(3)])
    h.write_manifest(export.path, export.province_code, export.business_date, counts={"hoso.csv": 5})
    outcome = ingest_export(export)[0]
    assert outcome.status == "quarantined"
    assert "hoso.csv: expected 5 data rows, found 3" in outcome.reason


def test_xlsx_row_count_checked_in_the_load_transaction(landing, db, h, xlsx_reader):
    export = landing.export([h.hoso_row(i) for i in range(3)], fmt="xlsx", bosung=[h.bosung_row(0)])
    h.write_manifest(export.path, export.province_code, export.business_date, counts={"hoso.xlsx": 4})
    outcomes = _by_file(ingest_export(export))
    assert {o.status for o in outcomes.values()} == {"quarantined"}
    assert "hoso.xlsx: expected 4 data rows, found 3" in outcomes["hoso.xlsx"].reason
    assert _raw_count(db, "onestop_hoso", outcomes["hoso.xlsx"].batch_id) == 0


def test_missing_listed_file_and_unreadable_manifest(landing, db, h):
    export = landing.export([h.hoso_row(0)], bosung=[h.bosung_row(0)])
    (export.path / "bosung.csv").unlink()
    outcomes = _by_file(ingest_export(export))
    assert outcomes["bosung.csv"].status == "quarantined"
    assert "bosung.csv: listed with 1 rows, file not found" in outcomes["hoso.csv"].reason

    other = landing.export([h.hoso_row(0)])
    (other.path / "manifest.json").write_text("{not json", encoding="utf-8")
    broken = ingest_export(other)
    assert [o.status for o in broken] == ["quarantined"]
    assert "manifest.json unreadable" in broken[0].reason


def test_export_without_manifest_is_not_ready(landing, db, h):
    export = landing.export([h.hoso_row(0)], manifest=False)
    found = [e for e in find_exports(export.business_date) if e.path == export.path]
    assert len(found) == 1 and found[0].ready is False
    assert ingest_export(found[0]) == []
    assert (
        db.execute(
            "select count(*) from audit.batches where file_path like %s",
            (f"onestop/91/{export.business_date}/%",),
        ).fetchone()[0]
        == 0
    )


def test_find_exports_filters_by_day_and_province(landing, h):
    a = landing.export([h.hoso_row(0)], province="91")
    b = landing.export([h.hoso_row(0)], province="01")
    (landing.root / "onestop" / "91" / "not-a-date").mkdir()
    assert [e.path for e in find_exports(a.business_date)] == [a.path]
    assert [e.path for e in find_exports(province_code="01")] == [b.path]
    assert {e.path for e in find_exports()} == {a.path, b.path}
    assert all(e.ready for e in find_exports())


def test_same_file_again_is_a_duplicate(landing, db, h):
    export = landing.export([h.hoso_row(i) for i in range(3)], bosung=[h.bosung_row(0)])
    first = _by_file(ingest_export(export))
    second = _by_file(ingest_export(export))

    for name in ("hoso.csv", "bosung.csv"):
        assert second[name].status == "duplicate"
        assert str(first[name].batch_id) in second[name].reason
        assert _raw_count(db, second[name].entity, second[name].batch_id) == 0
        assert h.batch(db, second[name].batch_id)["status"] == "duplicate"
    total = db.execute(
        "select count(*) from raw.onestop_hoso r join audit.batches b using (batch_id) "
        "where b.province_code = %s and b.business_date = %s",
        (export.province_code, export.business_date),
    ).fetchone()[0]
    assert total == 3


def test_corrected_reexport_is_a_new_batch_that_supersedes_on_accept(landing, db, h):
    rows = [h.hoso_row(i) for i in range(3)]
    export = landing.export(rows, bosung=[h.bosung_row(0)])
    first = _by_file(ingest_export(export))
    ledger.accept(db, first["hoso.csv"].batch_id)

    rows[2]["TrangThaiHoSo"] = 10  # the vendor fixes a status and re-exports the same day
    h.write_hoso(export.path, rows)
    h.write_manifest(export.path, export.province_code, export.business_date)
    second = _by_file(ingest_export(export))

    assert second["hoso.csv"].status == "pending"
    assert second["hoso.csv"].batch_id != first["hoso.csv"].batch_id
    assert second["bosung.csv"].status == "duplicate"  # unchanged file
    superseded = ledger.accept(db, second["hoso.csv"].batch_id)
    assert superseded == [first["hoso.csv"].batch_id]
    assert h.batch(db, first["hoso.csv"].batch_id)["status"] == "superseded"


def test_late_and_out_of_order_exports_load_independently(landing, db, h):
    later = landing.export([h.hoso_row(0, TrangThaiHoSo=10)])
    earlier = landing.export([h.hoso_row(0, TrangThaiHoSo=4)])
    # the later day arrives first; both load, each in its own batch
    assert ingest_export(later)[0].status == "pending"
    assert ingest_export(earlier)[0].status == "pending"


def test_citizen_id_typed_as_number_in_excel_keeps_leading_zeros(landing, db, h, pseudonym_key, xlsx_reader):
    row = h.hoso_row(7)
    citizen_id = row["SoGiayToChuHoSo"]
    row["SoGiayToChuHoSo"] = int(citizen_id)
    export = landing.export([row], fmt="xlsx")
    outcome = ingest_export(export)[0]
    loaded = h.batch_rows(db, "onestop_hoso", outcome.batch_id)
    assert loaded[0]["citizen_key"] == _expected_key(pseudonym_key, citizen_id)


@pytest.mark.parametrize("constant_memory", [False, True], ids=["shared-strings", "inline-strings"])
def test_streaming_xlsx_reader_reads_what_calamine_reads(tmp_path, h, monkeypatch, constant_memory):
    import xlsxwriter

    from cchc.sources.onestop import readers

    path = tmp_path / "hoso.xlsx"
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": constant_memory})
    sheet = workbook.add_worksheet()
    stamp = workbook.add_format({"num_format": "dd/mm/yyyy hh:mm:ss"})
    day = workbook.add_format({"num_format": "dd/mm/yyyy"})
    money = workbook.add_format({"num_format": "#,##0"})
    sheet.write_row(0, 0, ["MaHoSo", "NgayTiepNhan", "NgayHenTra", "TongPhiLePhi", "KenhThucHien", "Ghi"])
    sheet.write_row(1, 0, ["A-1", "05/03/2025 14:07:09", "", "1.250.000", "2", "dòng\nhai"])
    sheet.write_string(2, 0, "A-2")
    sheet.write_datetime(2, 1, datetime(2025, 3, 5, 14, 7, 9), stamp)
    sheet.write_datetime(2, 2, datetime(2025, 3, 10), day)
    sheet.write_number(2, 3, 1250000, money)
    sheet.write_number(2, 4, 1)
    sheet.write_boolean(2, 5, True)
    sheet.write_string(4, 0, "A-3")  # after an empty row; trailing cells absent
    workbook.close()

    def read() -> tuple[list, list]:
        with readers.open_xlsx(path) as (header, rows):
            return list(header), [(n, [c for c in cells]) for n, cells in rows]

    by_calamine = read()
    monkeypatch.setattr(readers, "XLSX_STREAM_ABOVE_BYTES", -1)
    streamed = read()

    def same(a, b) -> bool:
        # calamine gives a date-only cell as a date; both become the same timestamp when parsed
        a, b = (values.parse_excel_datetime(v) if isinstance(v, date) else v for v in (a, b))
        if isinstance(a, datetime) and isinstance(b, datetime):
            return abs((a - b).total_seconds()) < 0.01
        return a == b or (a in ("", None) and b in ("", None))

    assert streamed[0] == by_calamine[0]
    assert [n for n, _ in streamed[1]] == [n for n, _ in by_calamine[1]] == [2, 3, 5]
    for (_, a), (_, b) in zip(streamed[1], by_calamine[1], strict=True):
        width = max(len(a), len(b))
        a, b = a + [""] * (width - len(a)), b + [""] * (width - len(b))
        assert all(same(x, y) for x, y in zip(a, b, strict=True)), (a, b)
