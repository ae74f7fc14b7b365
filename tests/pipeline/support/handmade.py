"""A minimal hand-made one-stop export (docs/SOURCES.md), for orchestration tests."""

from __future__ import annotations

import csv
import hashlib
import json
from datetime import date
from pathlib import Path

from cchc_world.generate.world import HOSO_COLUMNS

COLUMNS = list(HOSO_COLUMNS)  # the schema 1.2 export, in the generator's order


def hoso_rows(province: str, day: date, n: int) -> list[dict[str, str]]:
    d = day.strftime("%d/%m/%Y")
    return [
        {
            "MaHoSo": f"000.00.31.H{province}-{day:%y%m%d}-{i:04d}",
            "MaTTHC": "1.004227",
            "TenTTHC": "Đăng ký khai sinh",
            "MaLinhVuc": "HT",
            "TenLinhVuc": "Hộ tịch",
            "MaDonVi": "000.00.31.H" + province,
            "CapDonVi": "TINH",
            "KenhThucHien": str(1 + i % 2),
            "MucDoDVC": "TOAN_TRINH",
            "NgayNopHoSo": f"{d} 08:00:00",
            "NgayTiepNhan": f"{d} 08:30:00",
            "NgayHenTra": f"{d} 16:00:00",
            "NgayKetThucXuLy": "",
            "NgayTra": "",
            "NgayTuChoi": "",
            "TrangThaiHoSo": "4",
            "DuocThanhToanTrucTuyen": "0",
            "TongPhiLePhi": "0",
            "HoSoCoThanhPhanSoHoa": "1",
            "CoKetQuaDienTu": "0",
            "TaiKhoanDuocXacThucVoiVNeID": "1",
            "ChuHoSo": f"Người Thử {i}",
            "SoGiayToChuHoSo": f"0791{i:08d}",
            "SoDienThoai": f"0987{i:06d}",
            "NgayCapNhat": f"{d} 09:00:00",
        }
        for i in range(n)
    ]


def write_export(landing: Path, province: str, day: date, n: int = 5, *, manifest: bool = True) -> Path:
    folder = landing / "onestop" / province / day.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "hoso.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(hoso_rows(province, day, n))
    if manifest:
        write_manifest(folder, province, day, {"hoso.csv": n})
    return folder


def write_manifest(folder: Path, province: str, day: date, rows: dict[str, int]) -> None:
    files = [
        {"ten": name, "so_dong": count, "sha256": hashlib.sha256((folder / name).read_bytes()).hexdigest()}
        for name, count in rows.items()
    ]
    manifest = {
        "schema_version": "1.2",
        "ma_tinh": province,
        "he_thong": "orchestration test",
        "ngay_xuat": f"{day.isoformat()}T23:40:05+07:00",
        "tu_ngay": day.isoformat(),
        "den_ngay": day.isoformat(),
        "files": files,
    }
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
