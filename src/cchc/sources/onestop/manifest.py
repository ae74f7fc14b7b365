"""manifest.json of an export, and the check of every file against it before anything loads.

A file whose bytes (sha256) or data-row count differ from the manifest is a truncated or
half-copied transfer: the whole export waits, quarantined, for a good copy.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

MANIFEST = "manifest.json"
_CHUNK = 1 << 20


class ManifestError(Exception):
    """manifest.json is unreadable or does not describe the export."""


@dataclass(frozen=True)
class ManifestFile:
    name: str
    rows: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    province_code: str | None
    files: tuple[ManifestFile, ...]
    from_day: str | None = None
    to_day: str | None = None

    def file(self, name: str) -> ManifestFile | None:
        return next((f for f in self.files if f.name == name), None)


@dataclass(frozen=True)
class FileCheck:
    name: str
    sha256: str | None  # None when the file is not there
    rows: int | None  # None when only the loader can count (XLSX)
    problem: str | None


def read_manifest(folder: Path) -> Manifest:
    path = folder / MANIFEST
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
        files = tuple(
            ManifestFile(str(f["ten"]), int(f["so_dong"]), str(f["sha256"]).lower()) for f in doc["files"]
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ManifestError(f"{MANIFEST} unreadable: {type(exc).__name__}: {exc}") from None
    if len({f.name for f in files}) != len(files):
        raise ManifestError(f"{MANIFEST} lists a file twice")
    for f in files:
        # Only a plain name inside the export folder is ever opened: an absolute path (/dev/zero
        # reads forever), ../ or a sub-folder would reach files that are not the export's.
        if not _plain_file_name(f.name):
            raise ManifestError(f"{MANIFEST} lists {f.name!r}: not a file name in the export folder")
    return Manifest(
        province_code=doc.get("ma_tinh"), files=files, from_day=doc.get("tu_ngay"), to_day=doc.get("den_ngay")
    )


def _plain_file_name(name: str) -> bool:
    return (
        name not in ("", ".", "..")
        and "/" not in name
        and "\\" not in name
        and "\x00" not in name
        and Path(name).name == name
    )


def check_belongs_to(manifest: Manifest, province_code: str, business_date) -> None:
    """The manifest describes the export of the folder it sits in: same province, same day."""
    if manifest.province_code is not None and str(manifest.province_code) != province_code:
        raise ManifestError(
            f"{MANIFEST} says ma_tinh {manifest.province_code!r} but the export is in folder {province_code}"
        )
    day = business_date.isoformat()
    low, high = manifest.from_day, manifest.to_day
    if (low is not None and str(low) > day) or (high is not None and str(high) < day):
        raise ManifestError(f"{MANIFEST} covers tu_ngay {low!r} to den_ngay {high!r} but the folder is {day}")


def _lines_ended(segment: bytes, content: bool) -> tuple[int, bool]:
    """Lines with content that end in this piece of text outside quotes, and whether the line
    still open at its end has content. A blank line (nothing, or only CR) is not a record: the
    reader skips it too, so the count before loading and the loader agree."""
    if b"\n" not in segment:
        return 0, content or bool(segment.strip(b"\r"))
    first_blank = not content and not segment.split(b"\n", 1)[0].strip(b"\r")
    if not first_blank and b"\n\n" not in segment and b"\n\r\n" not in segment:
        ended = segment.count(b"\n")  # no blank line in it: every newline ends a record
    else:
        parts = segment.split(b"\n")
        ended = sum(1 for j, part in enumerate(parts[:-1]) if (content and j == 0) or part.strip(b"\r"))
    return ended, bool(segment.rsplit(b"\n", 1)[1].strip(b"\r"))


def _csv_hash_and_records(path: Path) -> tuple[str, int]:
    """sha256 and RFC 4180 record count (a line break inside quotes is not a new record; a blank
    line is no record at all)."""
    digest = hashlib.sha256()
    records = 0
    in_quotes = False
    content = False  # the line being read so far has something on it
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            # Split on quotes: segments alternate outside/inside quoted text ("" toggles twice).
            for i, segment in enumerate(chunk.split(b'"')):
                if i:
                    in_quotes = not in_quotes
                    content = True  # a quote is part of a field
                if not in_quotes:
                    ended, content = _lines_ended(segment, content)
                    records += ended
    if content:
        records += 1  # the last line has no line break
    return digest.hexdigest(), records


def _jsonl_hash_and_lines(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    lines = 0
    with open(path, "rb") as handle:
        for line in handle:
            digest.update(line)
            if line.strip():
                lines += 1
    return digest.hexdigest(), lines


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def hash_and_count(path: Path) -> tuple[str, int | None]:
    """sha256 and data rows in one pass; XLSX rows are counted by the loader (same transaction)."""
    if path.suffix == ".csv":
        sha, records = _csv_hash_and_records(path)
        return sha, max(records - 1, 0)
    if path.suffix == ".jsonl":
        return _jsonl_hash_and_lines(path)
    return file_sha256(path), None


def check_export(folder: Path, manifest: Manifest, present: list[str]) -> list[FileCheck]:
    """One check per file listed or present; `problem` names file, expected and found."""
    checks: list[FileCheck] = []
    for name in sorted({f.name for f in manifest.files} | set(present)):
        entry = manifest.file(name)
        path = folder / name
        if path.is_symlink() or (path.exists() and not path.is_file()):
            # never followed: a link may point out of the landing area; the reason names only the entry
            checks.append(FileCheck(name, None, None, f"{name}: not a regular file in the export folder"))
            continue
        if not path.exists():
            checks.append(
                FileCheck(name, None, None, f"{name}: listed with {entry.rows} rows, file not found")
            )
            continue
        sha, rows = hash_and_count(path)
        if entry is None:
            checks.append(FileCheck(name, sha, rows, f"{name}: present but not listed in {MANIFEST}"))
        elif sha != entry.sha256:
            found = f"{rows} rows, " if rows is not None else ""
            checks.append(
                FileCheck(
                    name,
                    sha,
                    rows,
                    f"{name}: expected {entry.rows} rows sha256 {entry.sha256[:12]}…, "
                    f"found {found}sha256 {sha[:12]}…",
                )
            )
        elif rows is not None and rows != entry.rows:
            checks.append(
                FileCheck(name, sha, rows, f"{name}: expected {entry.rows} data rows, found {rows}")
            )
        else:
            checks.append(FileCheck(name, sha, rows, None))
    return checks
