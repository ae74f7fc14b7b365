"""Hand-made one-stop exports and Biểu 06 forms, written into a per-test landing folder.

Tests share one warehouse per session, so each export gets its own province-day and each test
reads back only its own batches (by id): nothing here truncates shared tables.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from cchc_world.generate import world

# the schema 1.2 export columns, in the order the generator writes them
HOSO_COLUMNS = list(world.HOSO_COLUMNS)
BOSUNG_COLUMNS = list(world.BOSUNG_COLUMNS)
DATE_COLUMNS = {c for c in HOSO_COLUMNS + BOSUNG_COLUMNS if c.startswith("Ngay")}

_DAYS = itertools.count()


def person(i: int) -> dict[str, str]:
    """Personal values that must never reach the warehouse (distinctive, so a scan can find them)."""
    return {
        "ChuHoSo": f"Nguyễn Thị Kiểmthử {i:04d}",
        "SoGiayToChuHoSo": f"0791{i:08d}",
        "SoDienThoai": f"0987{i:06d}",
    }


def hoso_row(i: int, **overrides: object) -> dict[str, object]:
    received = datetime(2025, 3, 3, 8, 0, 0) + timedelta(hours=i)
    row: dict[str, object] = {
        "MaHoSo": f"000.00.31.H56-250303-{i:04d}",
        "MaTTHC": "1.004227",
        "TenTTHC": 'Đăng ký khai sinh, có dấu "ngoặc", dấu phẩy',
        "MaLinhVuc": "HT",
        "TenLinhVuc": "Hộ tịch",
        "MaDonVi": "30280",
        "CapDonVi": "XA",
        "KenhThucHien": 2 if i % 2 else 1,
        "MucDoDVC": "TOAN_TRINH",
        "NgayNopHoSo": received - timedelta(minutes=30),
        "NgayTiepNhan": received,
        "NgayHenTra": received + timedelta(days=3),
        "NgayKetThucXuLy": received + timedelta(days=2),
        "NgayTra": None,
        "NgayTuChoi": None,
        "TrangThaiHoSo": 9,
        "DuocThanhToanTrucTuyen": 1,
        "TongPhiLePhi": 1250000,
        "HoSoCoThanhPhanSoHoa": 1,
        "CoKetQuaDienTu": 0,
        "TaiKhoanDuocXacThucVoiVNeID": 1,
        **person(i),
        "NgayCapNhat": received + timedelta(days=2, hours=1),
    }
    row.update(overrides)
    return row


def bosung_row(i: int, **overrides: object) -> dict[str, object]:
    asked = datetime(2025, 3, 4, 9, 0, 0) + timedelta(hours=i)
    row: dict[str, object] = {
        "MaHoSo": f"000.00.31.H56-250303-{i:04d}",
        "LanBoSung": 1,
        "NgayYeuCauBoSung": asked,
        "NgayCongDanBoSung": asked + timedelta(days=1),
        "NgayHenTraTruoc": asked + timedelta(days=2),
        "NgayHenTraMoi": asked + timedelta(days=4),
        "NgayCapNhat": asked + timedelta(days=1, hours=2),
    }
    row.update(overrides)
    return row


def vn_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M:%S")
    return str(value)


def write_csv(path: Path, rows: list[dict], columns: list[str], *, bom: bool = False) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([vn_text(row.get(c)) for c in columns])
    path.write_bytes(("\ufeff" if bom else "").encode() + buffer.getvalue().encode("utf-8"))


def write_xlsx(path: Path, rows: list[dict], columns: list[str], *, date_cells: bool = True) -> None:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("HoSo")
    date_format = workbook.add_format({"num_format": "dd/mm/yyyy hh:mm:ss"})
    sheet.write_row(0, 0, columns)
    for r, row in enumerate(rows, start=1):
        for c, name in enumerate(columns):
            value = row.get(name)
            if value is None:
                continue
            if isinstance(value, datetime) and date_cells:
                sheet.write_datetime(r, c, value, date_format)
            elif isinstance(value, datetime):
                sheet.write_string(r, c, vn_text(value))
            elif isinstance(value, str):
                sheet.write_string(r, c, value)
            else:
                sheet.write_number(r, c, value)
    workbook.close()


def write_jsonl(path: Path, rows: list[dict], *, offset: str = "+07:00") -> None:
    def encode(value: object) -> object:
        if isinstance(value, datetime):
            return value.isoformat() + offset
        return value

    with open(path, "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps({k: encode(v) for k, v in row.items()}, ensure_ascii=False) + "\n")


def write_manifest(folder: Path, province: str, day: date, counts: dict[str, int] | None = None) -> None:
    files = []
    for path in sorted(folder.iterdir()):
        if path.name == "manifest.json":
            continue
        data = path.read_bytes()
        if counts and path.name in counts:
            rows = counts[path.name]
        elif path.suffix == ".jsonl":
            rows = sum(1 for line in data.splitlines() if line.strip())
        elif path.suffix == ".csv":
            rows = sum(1 for _ in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))) - 1
        else:
            from python_calamine import CalamineWorkbook

            rows = len(CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()) - 1
        files.append({"ten": path.name, "so_dong": rows, "sha256": hashlib.sha256(data).hexdigest()})
    manifest = {
        "schema_version": "1.2",
        "ma_tinh": province,
        "he_thong": "test vendor 1.0",
        "ngay_xuat": f"{day.isoformat()}T23:40:05+07:00",
        "tu_ngay": day.isoformat(),
        "den_ngay": day.isoformat(),
        "files": files,
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")


class Landing:
    """The landing folder of one test: exports are placed at unique province-days."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def new_day(self, province: str = "91") -> tuple[str, date, Path]:
        # far from the dates other areas' tests use: the warehouse is shared by the whole session
        day = date(2031, 1, 1) + timedelta(days=next(_DAYS))
        folder = self.root / "onestop" / province / day.isoformat()
        folder.mkdir(parents=True)
        return province, day, folder

    def export(
        self,
        hoso: list[dict] | None,
        *,
        fmt: str = "csv",
        bosung: list[dict] | None = None,
        columns: list[str] | None = None,
        bom: bool = False,
        date_cells: bool = True,
        manifest: bool = True,
        province: str = "91",
    ):
        from cchc.sources.onestop.discover import Export

        province, day, folder = self.new_day(province)
        if hoso is not None:
            write_hoso(folder, hoso, fmt=fmt, columns=columns, bom=bom, date_cells=date_cells)
        if bosung is not None:
            write_csv(folder / "bosung.csv", bosung, BOSUNG_COLUMNS)
        if manifest:
            write_manifest(folder, province, day)
        return Export(province, day, folder, manifest)

    def report_dir(self, province: str = "91") -> Path:
        folder = self.root / "reports" / province
        folder.mkdir(parents=True, exist_ok=True)
        return folder


def write_hoso(
    folder: Path,
    rows: list[dict],
    *,
    fmt: str = "csv",
    columns: list[str] | None = None,
    bom: bool = False,
    date_cells: bool = True,
) -> Path:
    columns = columns or HOSO_COLUMNS
    path = folder / f"hoso.{fmt}"
    if fmt == "csv":
        write_csv(path, rows, columns, bom=bom)
    elif fmt == "xlsx":
        write_xlsx(path, rows, columns, date_cells=date_cells)
    else:
        write_jsonl(path, [{c: r.get(c) for c in columns} for r in rows])
    return path


@pytest.fixture
def landing(tmp_path, monkeypatch, warehouse) -> Landing:
    root = tmp_path / "landing"
    root.mkdir()
    monkeypatch.setenv("CCHC_LANDING_DIR", str(root))
    return Landing(root)


@pytest.fixture(scope="session")
def pseudonym_key(state_dir) -> bytes:
    from cchc.settings import get_settings

    return get_settings().require_pseudonym_key()


def batch_rows(db, table: str, batch_id: int) -> list[dict]:
    cur = db.execute(f"select * from raw.{table} where batch_id = %s order by source_row", (batch_id,))
    names = [d.name for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def rejected(db, batch_id: int, columns: str = "source_row, column_name, raw_value, reason") -> list[tuple]:
    """The batch's rows in audit.rejected_rows, in file order."""
    return db.execute(
        f"select {columns} from audit.rejected_rows where batch_id = %s order by source_row, column_name",
        (batch_id,),
    ).fetchall()


def batch(db, batch_id: int) -> dict:
    cur = db.execute("select * from audit.batches where batch_id = %s", (batch_id,))
    names = [d.name for d in cur.description]
    return dict(zip(names, cur.fetchone(), strict=True))


@pytest.fixture
def h():
    """This module's builders (test modules cannot import a conftest under importlib mode)."""
    import sys

    return sys.modules[__name__]
