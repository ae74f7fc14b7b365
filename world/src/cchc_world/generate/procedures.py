"""The procedure catalogue of the synthetic world: fields, procedures, and the 2025 re-announcement.

Codes look like the national catalogue's (`1.004227`); they are invented, not copied. District
procedures were abolished with the districts on 2025-07-01 and re-announced at commune level
under new codes (`replacedByCode`), as happened in the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

REORGANISATION = date(2025, 7, 1)

# field code -> (name, department number NN at provincial level before / after the reform,
#                share of dossiers needing a supplement request)
FIELDS: dict[str, tuple[str, str, str, float]] = {
    "HT": ("Hộ tịch", "01", "01", 0.04),
    "CT": ("Chứng thực", "01", "01", 0.01),
    "DD": ("Đất đai", "02", "10", 0.18),
    "DKKD": ("Đăng ký kinh doanh", "04", "05", 0.10),
    "XD": ("Xây dựng", "03", "03", 0.15),
    "BTXH": ("Bảo trợ xã hội", "01", "01", 0.08),
    "DB": ("Đường bộ", "06", "03", 0.05),
    "LTHH": ("Lưu thông hàng hóa trong nước", "07", "07", 0.06),
    "KCB": ("Khám bệnh, chữa bệnh", "08", "08", 0.12),
    "TT": ("Trồng trọt", "09", "10", 0.07),
}
FIELD_CODES: tuple[str, ...] = tuple(FIELDS)


@dataclass(frozen=True)
class Procedure:
    code: str
    name: str
    field: str
    levels: tuple[str, ...]  # TINH / HUYEN / XA
    online_level: str  # TOAN_TRINH / MOT_PHAN / KHONG
    processing_days: int  # working days; 0 = resolved on the spot
    fee: int  # VND, 0 = free
    weight: float  # relative volume
    decision_date: date = date(2021, 3, 15)
    effective_date: date = date(2021, 4, 1)
    valid_to: date | None = None  # last day it can be used (abolished after)
    replaced_by: str | None = None

    @property
    def field_name(self) -> str:
        return FIELDS[self.field][0]


_BASE: tuple[Procedure, ...] = (
    Procedure("1.001193", "Đăng ký khai sinh", "HT", ("XA",), "TOAN_TRINH", 0, 0, 9.0),
    Procedure("1.000894", "Đăng ký kết hôn", "HT", ("XA",), "MOT_PHAN", 0, 0, 3.0),
    Procedure("1.000656", "Đăng ký khai tử", "HT", ("XA",), "TOAN_TRINH", 0, 0, 2.0),
    Procedure("2.000635", "Cấp bản sao trích lục hộ tịch", "HT", ("XA", "TINH"), "TOAN_TRINH", 1, 8000, 5.0),
    Procedure(
        "1.004873",
        "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
        "HT",
        ("TINH",),
        "TOAN_TRINH",
        10,
        200000,
        4.0,
    ),
    Procedure(
        "2.000815",
        "Chứng thực bản sao từ bản chính giấy tờ, văn bản",
        "CT",
        ("XA", "HUYEN"),
        "MOT_PHAN",
        0,
        2000,
        14.0,
    ),
    Procedure(
        "2.000884",
        "Chứng thực chữ ký trong các giấy tờ, văn bản",
        "CT",
        ("XA", "HUYEN"),
        "KHONG",
        0,
        10000,
        5.0,
    ),
    Procedure(
        "2.001019",
        "Chứng thực hợp đồng, giao dịch liên quan đến tài sản là động sản",
        "CT",
        ("XA",),
        "KHONG",
        2,
        50000,
        1.5,
    ),
    Procedure(
        "1.004227",
        "Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất",
        "DD",
        ("HUYEN", "TINH"),
        "MOT_PHAN",
        10,
        500000,
        6.0,
    ),
    Procedure(
        "1.004203",
        "Cấp Giấy chứng nhận quyền sử dụng đất lần đầu",
        "DD",
        ("HUYEN",),
        "MOT_PHAN",
        20,
        1250000,
        3.0,
    ),
    Procedure("1.003003", "Đính chính Giấy chứng nhận đã cấp", "DD", ("HUYEN", "TINH"), "KHONG", 10, 0, 1.0),
    Procedure(
        "1.001612", "Đăng ký thành lập hộ kinh doanh", "DKKD", ("HUYEN",), "TOAN_TRINH", 3, 100000, 3.0
    ),
    Procedure(
        "2.001610", "Đăng ký thành lập doanh nghiệp tư nhân", "DKKD", ("TINH",), "TOAN_TRINH", 3, 50000, 2.0
    ),
    Procedure(
        "2.002048",
        "Đăng ký thay đổi nội dung đăng ký doanh nghiệp",
        "DKKD",
        ("TINH",),
        "TOAN_TRINH",
        3,
        50000,
        2.5,
    ),
    Procedure(
        "1.009972", "Cấp giấy phép xây dựng nhà ở riêng lẻ", "XD", ("HUYEN",), "MOT_PHAN", 15, 75000, 2.5
    ),
    Procedure(
        "1.009974",
        "Cấp giấy phép xây dựng mới đối với công trình cấp I, II",
        "XD",
        ("TINH",),
        "MOT_PHAN",
        20,
        150000,
        0.8,
    ),
    Procedure(
        "1.001776",
        "Thực hiện, điều chỉnh, thôi hưởng trợ cấp xã hội hằng tháng",
        "BTXH",
        ("XA", "HUYEN"),
        "MOT_PHAN",
        15,
        0,
        2.0,
    ),
    Procedure("1.002804", "Cấp đổi giấy phép lái xe", "DB", ("TINH",), "TOAN_TRINH", 5, 135000, 5.0),
    Procedure("1.002820", "Đăng ký xe máy chuyên dùng lần đầu", "DB", ("TINH",), "MOT_PHAN", 3, 0, 0.5),
    Procedure(
        "2.000620",
        "Cấp Giấy phép bán lẻ sản phẩm rượu",
        "LTHH",
        ("HUYEN", "TINH"),
        "TOAN_TRINH",
        10,
        1200000,
        0.8,
    ),
    Procedure(
        "1.004616",
        "Cấp giấy phép hoạt động đối với phòng khám",
        "KCB",
        ("TINH",),
        "MOT_PHAN",
        30,
        4300000,
        0.6,
    ),
    Procedure(
        "1.003597",
        "Cấp chứng chỉ hành nghề khám bệnh, chữa bệnh",
        "KCB",
        ("TINH",),
        "MOT_PHAN",
        10,
        360000,
        0.8,
    ),
    Procedure(
        "1.008004",
        "Cấp giấy chứng nhận cơ sở đủ điều kiện sản xuất giống cây trồng",
        "TT",
        ("TINH",),
        "MOT_PHAN",
        15,
        0,
        0.4,
    ),
    Procedure(
        "2.001827",
        "Hỗ trợ sản xuất nông nghiệp khắc phục thiệt hại do thiên tai",
        "TT",
        ("XA", "HUYEN"),
        "KHONG",
        10,
        0,
        0.7,
    ),
)


def _reannounced() -> tuple[Procedure, ...]:
    """District procedures abolished on 2025-06-30, re-announced at commune level."""
    out: list[Procedure] = []
    for p in _BASE:
        if "HUYEN" not in p.levels:
            continue
        new_code = "3." + p.code.split(".")[1][:5] + "1"
        levels = tuple(sorted({"XA", *(lv for lv in p.levels if lv != "HUYEN")}, reverse=True))
        online = "TOAN_TRINH" if p.online_level == "MOT_PHAN" and p.fee <= 100000 else p.online_level
        out.append(
            Procedure(
                new_code,
                p.name,
                p.field,
                levels,
                online,
                p.processing_days,
                p.fee,
                p.weight,
                decision_date=date(2025, 6, 20),
                effective_date=REORGANISATION,
            )
        )
    return tuple(out)


def catalogue() -> tuple[Procedure, ...]:
    """Every procedure version the world knows, old ones with their replacement."""
    new = _reannounced()
    by_name = {p.name: p.code for p in new}
    old = tuple(
        Procedure(
            p.code,
            p.name,
            p.field,
            p.levels,
            p.online_level,
            p.processing_days,
            p.fee,
            p.weight,
            p.decision_date,
            p.effective_date,
            valid_to=date(2025, 6, 30) if "HUYEN" in p.levels else None,
            replaced_by=by_name.get(p.name) if "HUYEN" in p.levels else None,
        )
        for p in _BASE
    )
    return old + new


def usable(after_reform: bool) -> tuple[Procedure, ...]:
    """Procedures a unit can receive dossiers for, before or after the reform."""
    if after_reform:
        return tuple(p for p in catalogue() if p.valid_to is None)
    return tuple(p for p in catalogue() if p.effective_date < REORGANISATION)
