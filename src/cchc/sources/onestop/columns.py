"""The contract's columns (onestop-export.md) and where each lands in raw.

Source names are the contract's, exact; targets are the raw table's columns in table order.
`kind` picks the parser; `datetime` means the format's own date parser (CSV text, Excel cell,
ISO 8601). Personal columns: `SoGiayToChuHoSo` becomes `citizen_key`, `ChuHoSo` and
`SoDienThoai` are read past and never kept.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    source: str
    target: str
    kind: str  # text | smallint | integer | bigint | datetime | citizen
    required: bool


@dataclass(frozen=True)
class Entity:
    table: str  # raw.<table>, also the ledger's entity
    columns: tuple[Column, ...]
    dropped: frozenset[str] = frozenset()  # known personal columns that are never stored

    @property
    def known(self) -> frozenset[str]:
        return frozenset(c.source for c in self.columns) | self.dropped

    @property
    def targets(self) -> list[str]:
        return ["batch_id", "source_row", *(c.target for c in self.columns)]


def _c(source: str, target: str, kind: str = "text", required: bool = True) -> Column:
    return Column(source, target, kind, required)


HOSO = Entity(
    table="onestop_hoso",
    columns=(
        _c("MaHoSo", "ma_ho_so"),
        _c("MaTTHC", "ma_tthc"),
        _c("TenTTHC", "ten_tthc", required=False),
        _c("MaLinhVuc", "ma_linh_vuc"),
        _c("TenLinhVuc", "ten_linh_vuc"),
        _c("MaDonVi", "ma_don_vi"),
        _c("CapDonVi", "cap_don_vi"),
        _c("KenhThucHien", "kenh_thuc_hien", "smallint"),
        _c("MucDoDVC", "muc_do_dvc"),
        _c("NgayNopHoSo", "ngay_nop_ho_so", "datetime", required=False),
        _c("NgayTiepNhan", "ngay_tiep_nhan", "datetime"),
        _c("NgayHenTra", "ngay_hen_tra", "datetime"),
        _c("NgayKetThucXuLy", "ngay_ket_thuc_xu_ly", "datetime", required=False),
        _c("NgayTra", "ngay_tra", "datetime", required=False),
        _c("NgayTuChoi", "ngay_tu_choi", "datetime", required=False),
        _c("TrangThaiHoSo", "trang_thai_ho_so", "smallint"),
        _c("DuocThanhToanTrucTuyen", "duoc_thanh_toan_truc_tuyen", "smallint"),
        _c("TongPhiLePhi", "tong_phi_le_phi", "bigint"),
        _c("HoSoCoThanhPhanSoHoa", "ho_so_co_thanh_phan_so_hoa", "smallint"),
        _c("CoKetQuaDienTu", "co_ket_qua_dien_tu", "smallint"),
        _c("TaiKhoanDuocXacThucVoiVNeID", "tai_khoan_duoc_xac_thuc_voi_vneid", "smallint"),
        # schema 1.3 (optional: a 1.2 export has none of them, and they stay null = unknown)
        _c("DuocTaiSuDung", "duoc_tai_su_dung", "smallint", required=False),
        _c("DuocLayTuKhoDLCN", "duoc_lay_tu_kho_dlcn", "smallint", required=False),
        _c("CoSuDungDuLieuDanCu", "co_su_dung_du_lieu_dan_cu", "smallint", required=False),
        _c("SoGiayToChuHoSo", "citizen_key", "citizen", required=False),
        _c("NgayCapNhat", "ngay_cap_nhat", "datetime"),
    ),
    dropped=frozenset({"ChuHoSo", "SoDienThoai"}),
)

BOSUNG = Entity(
    table="onestop_bosung",
    columns=(
        _c("MaHoSo", "ma_ho_so"),
        _c("LanBoSung", "lan_bo_sung", "integer"),
        _c("NgayYeuCauBoSung", "ngay_yeu_cau_bo_sung", "datetime"),
        _c("NgayCongDanBoSung", "ngay_cong_dan_bo_sung", "datetime", required=False),
        _c("NgayHenTraTruoc", "ngay_hen_tra_truoc", "datetime", required=False),
        _c("NgayHenTraMoi", "ngay_hen_tra_moi", "datetime", required=False),
        _c("NgayCapNhat", "ngay_cap_nhat", "datetime"),
    ),
)

# Columns whose values are personal data: never echoed into rejects, warnings or logs.
PERSONAL = frozenset({"ChuHoSo", "SoGiayToChuHoSo", "SoDienThoai"})

HOSO_FILES = ("hoso.csv", "hoso.xlsx", "hoso.jsonl")
BOSUNG_FILE = "bosung.csv"


def entity_for(file_name: str) -> Entity | None:
    if file_name in HOSO_FILES:
        return HOSO
    if file_name == BOSUNG_FILE:
        return BOSUNG
    return None
