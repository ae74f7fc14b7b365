"""Source A columns (docs/SOURCES.md) with their raw-layer name and SQL type.

The floor and the pandas way type the same files into the same shape as `raw.onestop_hoso` /
`raw.onestop_bosung`, so that every contender does the same work on the same bytes.
"""

from __future__ import annotations

HOSO: dict[str, tuple[str, str]] = {
    "MaHoSo": ("ma_ho_so", "text"),
    "MaTTHC": ("ma_tthc", "text"),
    "TenTTHC": ("ten_tthc", "text"),
    "MaLinhVuc": ("ma_linh_vuc", "text"),
    "TenLinhVuc": ("ten_linh_vuc", "text"),
    "MaDonVi": ("ma_don_vi", "text"),
    "CapDonVi": ("cap_don_vi", "text"),
    "KenhThucHien": ("kenh_thuc_hien", "smallint"),
    "MucDoDVC": ("muc_do_dvc", "text"),
    "NgayNopHoSo": ("ngay_nop_ho_so", "timestamp"),
    "NgayTiepNhan": ("ngay_tiep_nhan", "timestamp"),
    "NgayHenTra": ("ngay_hen_tra", "timestamp"),
    "NgayKetThucXuLy": ("ngay_ket_thuc_xu_ly", "timestamp"),
    "NgayTra": ("ngay_tra", "timestamp"),
    "NgayTuChoi": ("ngay_tu_choi", "timestamp"),
    "TrangThaiHoSo": ("trang_thai_ho_so", "smallint"),
    "DuocThanhToanTrucTuyen": ("duoc_thanh_toan_truc_tuyen", "smallint"),
    "TongPhiLePhi": ("tong_phi_le_phi", "bigint"),
    "HoSoCoThanhPhanSoHoa": ("ho_so_co_thanh_phan_so_hoa", "smallint"),
    "CoKetQuaDienTu": ("co_ket_qua_dien_tu", "smallint"),
    "TaiKhoanDuocXacThucVoiVNeID": ("tai_khoan_duoc_xac_thuc_voi_vneid", "smallint"),
    "NgayCapNhat": ("ngay_cap_nhat", "timestamp"),
}

# Personal fields: the citizen ID becomes citizen_key, name and phone are dropped.
CITIZEN_ID = "SoGiayToChuHoSo"
PERSONAL = ("ChuHoSo", "SoGiayToChuHoSo", "SoDienThoai")

BOSUNG: dict[str, tuple[str, str]] = {
    "MaHoSo": ("ma_ho_so", "text"),
    "LanBoSung": ("lan_bo_sung", "integer"),
    "NgayYeuCauBoSung": ("ngay_yeu_cau_bo_sung", "timestamp"),
    "NgayCongDanBoSung": ("ngay_cong_dan_bo_sung", "timestamp"),
    "NgayHenTraTruoc": ("ngay_hen_tra_truoc", "timestamp"),
    "NgayHenTraMoi": ("ngay_hen_tra_moi", "timestamp"),
    "NgayCapNhat": ("ngay_cap_nhat", "timestamp"),
}

ENTITIES = {"hoso": HOSO, "bosung": BOSUNG}


def text_column(header: str) -> str:
    """A safe lower-case identifier for a CSV header (the floor's all-text table)."""
    cleaned = "".join(ch if ch.isalnum() else "_" for ch in header.strip().lstrip("\ufeff"))
    return "c_" + cleaned.lower()


def read_header(path) -> list[str]:
    import csv

    with open(path, encoding="utf-8-sig", newline="") as fh:
        return next(csv.reader(fh))
