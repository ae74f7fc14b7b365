"""manifest.json and the checks of an export's files against it, before anything loads."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest

from cchc.sources.onestop.manifest import (
    ManifestError,
    check_belongs_to,
    check_export,
    hash_and_count,
    read_manifest,
)

CSV = 'MaHoSo,GhiChu\nA1,"two\nlines"\n\nA2,plain\r\nA3,"""quoted"""\n'  # 3 records; one blank line


def _write(folder, name, data: bytes) -> str:
    (folder / name).write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def _manifest(folder, files, **extra) -> None:
    doc = {"ma_tinh": "91", "tu_ngay": "2026-11-18", "den_ngay": "2026-11-18", **extra}
    doc["files"] = [{"ten": n, "so_dong": rows, "sha256": sha} for n, rows, sha in files]
    (folder / "manifest.json").write_text(json.dumps(doc), encoding="utf-8")


def test_csv_records_are_counted_as_rfc_4180_reads_them(tmp_path):
    sha = _write(tmp_path, "hoso.csv", CSV.encode())
    assert hash_and_count(tmp_path / "hoso.csv") == (sha, 3)  # header excluded, quoted break kept


def test_jsonl_counts_non_blank_lines_and_xlsx_is_left_to_the_loader(tmp_path):
    sha = _write(tmp_path, "hoso.jsonl", b'{"MaHoSo": "A1"}\n\n{"MaHoSo": "A2"}\n')
    assert hash_and_count(tmp_path / "hoso.jsonl") == (sha, 2)
    sha = _write(tmp_path, "hoso.xlsx", b"PK not really a workbook")
    assert hash_and_count(tmp_path / "hoso.xlsx") == (sha, None)


def test_a_matching_export_has_no_problem(tmp_path):
    sha = _write(tmp_path, "hoso.csv", CSV.encode())
    _manifest(tmp_path, [("hoso.csv", 3, sha)])
    manifest = read_manifest(tmp_path)
    [check] = check_export(tmp_path, manifest, ["hoso.csv"])
    assert (check.name, check.sha256, check.rows, check.problem) == ("hoso.csv", sha, 3, None)
    check_belongs_to(manifest, "91", dt.date(2026, 11, 18))


def test_every_mismatch_names_the_file_what_was_expected_and_what_was_found(tmp_path):
    good = _write(tmp_path, "hoso.csv", CSV.encode())
    _write(tmp_path, "bosung.csv", b"MaHoSo\nA1\n")
    _write(tmp_path, "extra.csv", b"x\n")
    truncated = CSV.encode()[:20]
    _write(tmp_path, "hoso.csv", truncated)
    _manifest(tmp_path, [("hoso.csv", 3, good), ("bosung.csv", 5, hashlib.sha256(b"MaHoSo\nA1\n").hexdigest()),
                         ("gone.csv", 1, "0" * 64)])  # fmt: skip
    problems = {
        c.name: c.problem
        for c in check_export(tmp_path, read_manifest(tmp_path), ["hoso.csv", "bosung.csv", "extra.csv"])
    }
    assert problems["hoso.csv"].startswith(f"hoso.csv: expected 3 rows sha256 {good[:12]}…, found 1 rows")
    assert problems["bosung.csv"] == "bosung.csv: expected 5 data rows, found 1"
    assert problems["gone.csv"] == "gone.csv: listed with 1 rows, file not found"
    assert problems["extra.csv"] == "extra.csv: present but not listed in manifest.json"


def test_a_link_in_the_export_is_never_followed(tmp_path):
    (tmp_path / "hoso.csv").symlink_to("/etc/hostname")
    _manifest(tmp_path, [("hoso.csv", 1, "0" * 64)])
    [check] = check_export(tmp_path, read_manifest(tmp_path), ["hoso.csv"])
    assert check.problem == "hoso.csv: not a regular file in the export folder" and check.sha256 is None


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ("{not json", "manifest.json unreadable: JSONDecodeError"),
        ('{"files": [{"ten": "hoso.csv"}]}', "manifest.json unreadable: KeyError"),
        ('{"files": [{"ten": "a.csv", "so_dong": 1, "sha256": "x"}, {"ten": "a.csv", "so_dong": 1, "sha256": "x"}]}',
         "manifest.json lists a file twice"),
        ('{"files": [{"ten": "/dev/zero", "so_dong": 1, "sha256": "x"}]}',
         "manifest.json lists '/dev/zero': not a file name in the export folder"),
        ('{"files": [{"ten": "../other/hoso.csv", "so_dong": 1, "sha256": "x"}]}',
         "manifest.json lists '../other/hoso.csv': not a file name in the export folder"),
    ],
)  # fmt: skip
def test_an_unusable_manifest_says_why(tmp_path, doc, message):
    (tmp_path / "manifest.json").write_text(doc, encoding="utf-8")
    with pytest.raises(ManifestError) as caught:
        read_manifest(tmp_path)
    assert str(caught.value).startswith(message)


def test_a_manifest_of_another_province_or_day_does_not_belong_to_the_folder(tmp_path):
    _manifest(tmp_path, [])
    manifest = read_manifest(tmp_path)
    with pytest.raises(ManifestError, match="says ma_tinh '91' but the export is in folder 01"):
        check_belongs_to(manifest, "01", dt.date(2026, 11, 18))
    with pytest.raises(
        ManifestError,
        match="covers tu_ngay '2026-11-18' to den_ngay '2026-11-18' but the folder is 2026-11-19",
    ):
        check_belongs_to(manifest, "91", dt.date(2026, 11, 19))
