"""The static part of a world: its provinces, unit versions, procedures, and who exports what.

Units come from the reference seeds (`cchc.reference.admin_units`), so unit codes, validity and
`province_code_current` are exactly the warehouse's. Before 2025-07-01 a merged province exists as
its old provinces (each with its own code and exports); from then on as one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from cchc.reference import admin_units
from cchc_world.generate import procedures as proc_mod

REORGANISATION = date(2025, 7, 1)
LEVELS = ("TINH", "HUYEN", "XA")
FORMATS = ("csv", "jsonl", "xlsx")
HOSO_COLUMNS = (
    "MaHoSo",
    "MaTTHC",
    "TenTTHC",
    "MaLinhVuc",
    "TenLinhVuc",
    "MaDonVi",
    "CapDonVi",
    "KenhThucHien",
    "MucDoDVC",
    "NgayNopHoSo",
    "NgayTiepNhan",
    "NgayHenTra",
    "NgayKetThucXuLy",
    "NgayTra",
    "NgayTuChoi",
    "TrangThaiHoSo",
    "DuocThanhToanTrucTuyen",
    "TongPhiLePhi",
    "HoSoCoThanhPhanSoHoa",
    "CoKetQuaDienTu",
    "TaiKhoanDuocXacThucVoiVNeID",
    "ChuHoSo",
    "SoGiayToChuHoSo",
    "SoDienThoai",
    "NgayCapNhat",
)
BOSUNG_COLUMNS = (
    "MaHoSo",
    "LanBoSung",
    "NgayYeuCauBoSung",
    "NgayCongDanBoSung",
    "NgayHenTraTruoc",
    "NgayHenTraMoi",
    "NgayCapNhat",
)
# schema 1.3 adds three optional flags; provinces upgrade one by one, so both versions arrive
SCHEMA_13_COLUMNS = ("DuocTaiSuDung", "DuocLayTuKhoDLCN", "CoSuDungDuLieuDanCu")
VENDORS = ("VNPT iGate 3.2", "Viettel One-Stop 2.8", "CMC eGov 4.1", "FPT.eGov 5.0")


def stable_int(*parts: object) -> int:
    """A seed-independent, platform-independent integer from the parts (no Python hash())."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big")


@dataclass
class ExportProvince:
    """A province code as it exports in one era (old code before the reform, new code after)."""

    code: str
    name: str
    era: int  # 0 before 2025-07-01, 1 from then on
    world_province: int  # index into World.provinces
    file_format: str
    vendor: str
    column_order: tuple[str, ...]
    schema_version: str = "1.2"


@dataclass
class World:
    provinces: list[str]  # current codes, as configured
    province_names: dict[str, str]
    units: list[admin_units.AdminUnit]
    unit_level: np.ndarray  # index into LEVELS
    unit_era: np.ndarray
    unit_world_province: np.ndarray
    unit_export: np.ndarray  # index into exports (the code of the unit's own day)
    unit_weight: np.ndarray
    report_only: np.ndarray  # bool: delivers only Biểu 06
    reports_too: np.ndarray  # bool: exports dossiers and also files Biểu 06
    exports: list[ExportProvince]
    export_index: dict[tuple[str, int], int]
    agency: dict[tuple[str, int, str], int]  # (export code, era, department NN) -> unit index
    procedures: tuple[proc_mod.Procedure, ...] = field(default_factory=proc_mod.catalogue)

    @property
    def n_units(self) -> int:
        return len(self.units)

    def current_export(self, world_province: int) -> int:
        return self.export_index[(self.provinces[world_province], 1)]


def build(province_codes: list[str], seed: int, formats: tuple[str, ...] = FORMATS) -> World:
    old_day, new_day = date(2025, 6, 30), REORGANISATION
    current = {u.unit_code: u for u in admin_units.provinces(new_day)}
    unknown = [c for c in province_codes if c not in current]
    if unknown:
        raise ValueError(f"unknown current (34-list) province code(s) {unknown}; known: {sorted(current)}")
    names = {c: current[c].unit_name for c in province_codes}
    old_provinces = sorted(
        (u for u in admin_units.provinces(old_day) if u.province_code_current in province_codes),
        key=lambda u: u.unit_code,
    )
    exports: list[ExportProvince] = []
    for era, provs in ((0, old_provinces), (1, [current[c] for c in sorted(province_codes)])):
        for p in provs:
            wp = province_codes.index(p.province_code_current)
            k = len(exports)
            rng = np.random.default_rng([seed, stable_int("vendor", p.unit_code, era) % 2**32])
            cols = list(HOSO_COLUMNS)
            if k % 2:  # some vendors shuffle the column order; MaHoSo stays in front
                rest = cols[1:]
                rng.shuffle(rest)
                cols = [cols[0], *rest]
            # after the reform two of every three provinces' systems write schema 1.3
            schema = "1.3" if era == 1 and k % 3 != 0 else "1.2"
            if schema == "1.3":
                at = cols.index("TaiKhoanDuocXacThucVoiVNeID") + 1
                cols[at:at] = SCHEMA_13_COLUMNS
            exports.append(
                ExportProvince(
                    code=p.unit_code,
                    name=p.unit_name,
                    era=era,
                    world_province=wp,
                    file_format=formats[k % len(formats)],
                    vendor=VENDORS[k % len(VENDORS)],
                    column_order=tuple(cols),
                    schema_version=schema,
                )
            )
    export_index = {(e.code, e.era): i for i, e in enumerate(exports)}

    units: list[admin_units.AdminUnit] = []
    for e in exports:
        on = old_day if e.era == 0 else new_day
        for u in admin_units.units(on, province_code=e.code):
            if u.unit_kind != "province":
                units.append(u)
    units.sort(key=lambda u: (u.valid_from, u.province_code, u.unit_level, u.unit_code))
    n = len(units)
    era = np.array([0 if u.valid_to is not None else 1 for u in units], dtype=np.int8)
    export = np.array(
        [export_index[(u.province_code, int(era[i]))] for i, u in enumerate(units)], dtype=np.int32
    )
    rng = np.random.default_rng([seed, 11])
    weight = rng.lognormal(0.0, 0.8, size=n)
    level = np.array([LEVELS.index(u.unit_level) for u in units], dtype=np.int8)
    wp = np.array([exports[x].world_province for x in export], dtype=np.int32)
    # per export province, two communes deliver only Biểu 06; one other commune reports too
    report_only = np.zeros(n, dtype=bool)
    reports_too = np.zeros(n, dtype=bool)
    for x in range(len(exports)):
        communes = np.flatnonzero((export == x) & (level == 2))
        if len(communes) >= 6:
            picked = rng.choice(communes, size=3, replace=False)
            report_only[picked[:2]] = True
            reports_too[picked[2]] = True
    agency = {}
    for i, u in enumerate(units):
        if u.unit_kind == "agency":
            agency[(u.province_code, int(era[i]), u.unit_code.split(".")[2])] = i
    return World(
        provinces=list(province_codes),
        province_names=names,
        units=units,
        unit_level=level,
        unit_era=era,
        unit_world_province=wp,
        unit_export=export,
        unit_weight=weight,
        report_only=report_only,
        reports_too=reports_too,
        exports=exports,
        export_index=export_index,
        agency=agency,
    )
