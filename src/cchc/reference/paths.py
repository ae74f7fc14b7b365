"""Where the reference seeds live (written by build_seeds, read by the Python API and dbt)."""

from __future__ import annotations

from pathlib import Path

from cchc.settings import get_settings

ADMIN_UNITS_CSV = "ref_admin_units.csv"
SUCCESSION_CSV = "ref_admin_unit_succession.csv"
CALENDAR_CSV = "ref_vn_calendar.csv"


def seed_dir() -> Path:
    return get_settings().dbt_project_dir / "seeds" / "reference"
