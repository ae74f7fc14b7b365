"""Hostile and careless exports: each is its own quarantine (or its own rejected row) with a
reason naming the file and what was wrong; nothing else is lost, nothing hangs, nothing leaks."""

from __future__ import annotations

import json
import os

from cchc.sources.onestop.ingest import ingest_export


def _manifest(export) -> dict:
    return json.loads((export.path / "manifest.json").read_text(encoding="utf-8"))


def _rewrite_manifest(export, **changes) -> None:
    doc = {**_manifest(export), **changes}
    (export.path / "manifest.json").write_text(json.dumps(doc), encoding="utf-8")


def test_manifest_naming_a_path_outside_the_folder_is_never_opened(landing, db, h, tmp_path):
    """`/dev/zero` would read forever, `/etc/passwd` or `../..` would be read and hashed: a
    manifest entry must be a file name inside the export folder, and the reason names the entry
    without disclosing anything about another file."""
    for name in ("/dev/zero", "../../../etc/passwd", "sub/hoso.csv", ".."):
        export = landing.export([h.hoso_row(0)])
        doc = _manifest(export)
        doc["files"].append({"ten": name, "so_dong": 1, "sha256": "0" * 64})
        (export.path / "manifest.json").write_text(json.dumps(doc), encoding="utf-8")
        outcomes = ingest_export(export)
        assert [o.status for o in outcomes] == ["quarantined"], name
        assert f"lists {name!r}: not a file name in the export folder" in outcomes[0].reason
        assert "root:" not in outcomes[0].reason


def test_a_symlink_out_of_the_landing_area_is_not_followed(landing, db, h, tmp_path):
    secret = tmp_path / "outside.csv"
    secret.write_text("MaHoSo\nX\n", encoding="utf-8")
    export = landing.export([h.hoso_row(0)], bosung=[h.bosung_row(0)])
    (export.path / "bosung.csv").unlink()
    os.symlink(secret, export.path / "bosung.csv")
    outcomes = {o.file_name: o for o in ingest_export(export)}
    assert outcomes["hoso.csv"].status == "quarantined"
    assert "bosung.csv: not a regular file in the export folder" in outcomes["hoso.csv"].reason
    assert str(secret) not in outcomes["hoso.csv"].reason


def test_manifest_of_another_province_or_day_is_quarantined(landing, db, h):
    export = landing.export([h.hoso_row(0)])
    _rewrite_manifest(export, ma_tinh="01")
    outcomes = ingest_export(export)
    assert [o.status for o in outcomes] == ["quarantined"]
    assert "says ma_tinh '01' but the export is in folder 91" in outcomes[0].reason

    other = landing.export([h.hoso_row(0)])
    _rewrite_manifest(other, tu_ngay="2020-01-01", den_ngay="2020-01-01")
    outcomes = ingest_export(other)
    assert [o.status for o in outcomes] == ["quarantined"]
    assert (
        f"tu_ngay '2020-01-01' to den_ngay '2020-01-01' but the folder is {other.business_date}"
        in outcomes[0].reason
    )


def test_a_nul_byte_rejects_its_row_and_the_rejected_value_is_stored(landing, db, h):
    rows = [h.hoso_row(i) for i in range(3)]
    rows[1]["TenTTHC"] = "Đăng ký\x00khai sinh"
    outcome = ingest_export(landing.export(rows))[0]
    assert outcome.status == "pending", outcome.reason
    assert outcome.rows_loaded == 2
    stored = h.rejected(db, outcome.batch_id, "source_row, column_name, raw_value")
    assert stored == [(3, "TenTTHC", "Đăng ký\\x00khai sinh")]


def test_impossible_dates_reject_their_rows(landing, db, h):
    """31/12/9999 as a due date would keep a dossier within deadline forever; year 0001 would count
    it in no month. Each rejects its row, naming the column and value; the rest loads."""
    rows = [h.hoso_row(i) for i in range(4)]
    rows[1]["NgayHenTra"] = "31/12/9999 17:00:00"
    rows[2]["NgayTiepNhan"] = "01/01/0001"
    outcome = ingest_export(landing.export(rows))[0]
    assert outcome.status == "pending" and outcome.rows_loaded == 2
    stored = h.rejected(db, outcome.batch_id)
    assert [(r[0], r[1], r[2]) for r in stored] == [
        (3, "NgayHenTra", "31/12/9999 17:00:00"),
        (4, "NgayTiepNhan", "01/01/0001"),
    ]
    assert all("outside the plausible years 2000..2099" in r[3] for r in stored)


def test_a_blank_line_is_no_row_for_the_manifest_check_either(landing, db, h):
    """The reader skips a blank line; counting it before loading quarantined good exports
    ("expected 3, found 4"). One rule in both: a blank line is not a row."""
    from .conftest import write_manifest

    export = landing.export([h.hoso_row(i) for i in range(3)])
    path = export.path / "hoso.csv"
    lines = path.read_bytes().split(b"\r\n")
    path.write_bytes(b"\r\n".join([*lines[:2], b"", b"", *lines[2:]]))
    write_manifest(export.path, export.province_code, export.business_date, counts={"hoso.csv": 3})
    (outcome,) = ingest_export(export)
    assert outcome.status == "pending", outcome.reason
    assert outcome.rows_loaded == 3


def test_a_decode_error_names_the_line_it_is_on(landing, db, h):
    """Python decodes 8 KB ahead: the row it had reached is not where the bad byte is."""
    from .conftest import write_manifest

    export = landing.export([h.hoso_row(i) for i in range(200)])
    path = export.path / "hoso.csv"
    lines = path.read_bytes().split(b"\r\n")
    lines[150] = lines[150].replace("Đăng".encode(), b"\xffang", 1)
    path.write_bytes(b"\r\n".join(lines))
    write_manifest(export.path, export.province_code, export.business_date, counts={"hoso.csv": 200})
    (outcome,) = ingest_export(export)
    assert outcome.status == "quarantined"
    column = lines[150].index(b"\xff") + 1
    assert f"hoso.csv: not UTF-8 at line 151, byte {column} of the line (0xff)" in outcome.reason
