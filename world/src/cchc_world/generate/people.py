"""Applicants: Vietnamese names, 12-digit citizen ID numbers and phone numbers.

These are personal data in the exports; the warehouse must never store them. Each province has a
pool of applicants (so repeat applicants exist), and the whole pool is listed in
`truth/personal_values.txt` for a test that scans the warehouse for any of them.
"""

from __future__ import annotations

import numpy as np

SURNAMES = (
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Đinh",
    "Trương",
    "Lâm",
    "Mai",
)
SURNAME_WEIGHTS = np.array(
    [38, 11, 9.5, 7, 5, 4, 4.5, 3.9, 3.5, 2.1, 2, 1.4, 1.3, 1.3, 1, 0.5, 0.6, 0.6, 0.5, 0.5]
)
MIDDLE = {
    0: ("Văn", "Đức", "Minh", "Quốc", "Hữu", "Thành", "Công", "Xuân", "Đình", "Tuấn", "Gia", "Hoàng"),
    1: ("Thị", "Ngọc", "Thu", "Thanh", "Minh", "Phương", "Kim", "Hồng", "Bảo", "Mỹ", "Diệu", "Khánh"),
}
GIVEN = {
    0: (
        "Anh",
        "Bình",
        "Cường",
        "Dũng",
        "Đạt",
        "Hải",
        "Hiếu",
        "Hùng",
        "Huy",
        "Khoa",
        "Long",
        "Minh",
        "Nam",
        "Phong",
        "Phúc",
        "Quân",
        "Sơn",
        "Tài",
        "Thắng",
        "Trung",
        "Tú",
        "Tùng",
        "Việt",
        "Vinh",
    ),
    1: (
        "An",
        "Anh",
        "Chi",
        "Dung",
        "Giang",
        "Hà",
        "Hạnh",
        "Hoa",
        "Hương",
        "Lan",
        "Linh",
        "Mai",
        "My",
        "Ngân",
        "Ngọc",
        "Nhung",
        "Oanh",
        "Phương",
        "Quỳnh",
        "Tâm",
        "Thảo",
        "Trang",
        "Vy",
        "Yến",
    ),
}
PHONE_PREFIXES = (
    "032",
    "033",
    "034",
    "035",
    "036",
    "037",
    "038",
    "039",
    "056",
    "058",
    "070",
    "076",
    "077",
    "078",
    "079",
    "081",
    "082",
    "083",
    "084",
    "085",
    "086",
    "088",
    "089",
    "090",
    "091",
    "093",
    "094",
    "096",
    "097",
    "098",
)


class ApplicantPool:
    """A province's applicants, built once; index i names the same person everywhere."""

    def __init__(self, seed: int, province_code: str, size: int):
        rng = np.random.default_rng([seed, int(province_code), 7])
        surname = rng.choice(len(SURNAMES), size=size, p=SURNAME_WEIGHTS / SURNAME_WEIGHTS.sum())
        female = rng.integers(0, 2, size=size)
        middle = rng.integers(0, 12, size=size)
        given = rng.integers(0, 24, size=size)
        birth_year = rng.integers(1950, 2007, size=size)
        serial = rng.integers(0, 1_000_000, size=size)
        # birth-province part of the ID: mostly the province itself (its code, zero-padded to 3)
        native = np.where(rng.random(size) < 0.8, int(province_code), rng.integers(1, 97, size=size))
        prefix = rng.integers(0, len(PHONE_PREFIXES), size=size)
        line = rng.integers(0, 10_000_000, size=size)
        self.names: list[str] = []
        self.ids: list[str] = []
        self.phones: list[str] = []
        for i in range(size):
            f = int(female[i])
            self.names.append(f"{SURNAMES[surname[i]]} {MIDDLE[f][middle[i]]} {GIVEN[f][given[i]]}")
            century = (0 if birth_year[i] < 2000 else 2) + f
            self.ids.append(f"{native[i]:03d}{century}{birth_year[i] % 100:02d}{serial[i]:06d}")
            self.phones.append(f"{PHONE_PREFIXES[prefix[i]]}{line[i]:07d}")

    def __len__(self) -> int:
        return len(self.names)
