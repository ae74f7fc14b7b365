"""Reading the two field packages as they ship: `vietnam-provinces` (the current official codes)
and `vietnamadminunits` (the pre-2025 units and its old→new converter, keyed by names).

Nothing here decides anything; `admin_seed` reconciles the two.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True)
class LegacyRow:
    """One row of vietnamadminunits' pre-2025 table: a commune with its district and province.

    Island districts without communes appear once with `ward_code` None.
    """

    province_key: str
    district_key: str
    ward_key: str | None
    province_code: str
    district_code: str
    ward_code: str | None
    province_name: str
    district_name: str
    ward_name: str | None

    @property
    def converter_key(self) -> str:
        # the converter's key for an old commune; island districts end with an empty ward part
        return f"{self.province_key}_{self.district_key}_{self.ward_key or ''}"


@dataclass(frozen=True)
class CurrentRow:
    """One row of vietnamadminunits' post-2025 table."""

    province_key: str
    ward_key: str
    province_code: str
    ward_code: str
    province_name: str
    ward_name: str
    area_km2: float | None


@dataclass(frozen=True)
class OfficialWard:
    """One ward/commune of vietnam-provinces (the official current list)."""

    province_code: str
    province_name: str
    province_division_type: str
    ward_code: str
    ward_name: str


def _adminunits_db() -> sqlite3.Connection:
    path = resources.files("vietnamadminunits") / "data" / "dataset.db"
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def legacy_rows() -> list[LegacyRow]:
    with _adminunits_db() as conn:
        rows = conn.execute(
            "select provinceKey, districtKey, wardKey, provinceCode, districtCode, wardCode,"
            " province, district, ward from admin_units_legacy"
        ).fetchall()
    return [LegacyRow(*row) for row in rows]


def current_rows() -> list[CurrentRow]:
    with _adminunits_db() as conn:
        rows = conn.execute(
            "select provinceKey, wardKey, provinceCode, wardCode, province, ward, wardAreaKm2"
            " from admin_units"
        ).fetchall()
    return [CurrentRow(*row) for row in rows]


def converter() -> dict:
    """`DICT_PROVINCE`, `DICT_PROVINCE_WARD_NO_DIVIDED`, `DICT_PROVINCE_WARD_DIVIDED`."""
    path = resources.files("vietnamadminunits") / "data" / "converter_2025.json"
    return json.loads(path.read_text(encoding="utf-8"))


def official_wards() -> list[OfficialWard]:
    path = resources.files("vietnam_provinces") / "data" / "nested-divisions.json"
    provinces = json.loads(path.read_text(encoding="utf-8"))
    return [
        OfficialWard(
            province_code=f"{province['code']:02d}",
            province_name=province["name"],
            province_division_type=province["division_type"],
            ward_code=f"{ward['code']:05d}",
            ward_name=ward["name"],
        )
        for province in provinces
        for ward in province["wards"]
    ]
