"""Which province exports a nightly run should expect, and which have arrived.

Layout (docs/SOURCES.md): `<landing>/onestop/<MaTinh>/<YYYY-MM-DD>/manifest.json`.
A folder without its manifest is not ready yet: the run waits for it (a deferrable sensor),
it does not fail.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from cchc.settings import Settings, get_settings
from cchc.sources.onestop.discover import Export
from cchc.sources.onestop.manifest import MANIFEST

_PROVINCE_DIR = re.compile(r"^[0-9]{2}$")


def export_folder(province_code: str, business_date: date, settings: Settings | None = None) -> Path:
    settings = settings or get_settings()
    return settings.landing_dir / "onestop" / province_code / business_date.isoformat()


def export_ref(province_code: str, business_date: date, settings: Settings | None = None) -> Export:
    """The province's export folder of that day, arrived (ready) or not."""
    folder = export_folder(province_code, business_date, settings)
    return Export(province_code, business_date, folder, (folder / MANIFEST).is_file())


def expected_provinces(business_date: date, settings: Settings | None = None) -> list[str]:
    """Provinces the run waits for: CCHC_PROVINCES when set, else every province that delivers
    exports to this landing area (has a folder under onestop/), filtered to codes valid that day."""
    settings = settings or get_settings()
    if settings.province_filter:
        return sorted(settings.province_filter)
    root = settings.landing_dir / "onestop"
    found = (
        sorted(p.name for p in root.iterdir() if p.is_dir() and _PROVINCE_DIR.match(p.name))
        if (root.is_dir())
        else []
    )
    valid = _provinces_valid_on(business_date)
    return [code for code in found if valid is None or code in valid]


def _provinces_valid_on(business_date: date) -> frozenset[str] | None:
    """Province codes valid on the date, from the reference data; None when unavailable."""
    from cchc.reference import admin_units

    try:
        return admin_units.province_codes(business_date)
    except (FileNotFoundError, LookupError):  # seeds not built yet, or a date outside them
        return None


def expects_export(province_code: str, business_date: date) -> bool:
    """Whether a run should wait for this province's export of that day: it is a province that
    day (a retired code, e.g. 89 after the 2025 merger, has nothing to wait for)."""
    valid = _provinces_valid_on(business_date)
    return valid is None or province_code in valid


def exports_for(business_date: date, settings: Settings | None = None) -> list[Export]:
    """One Export per expected province (ready or not), plus any province, valid that day or
    not, with a ready export the ledger has not taken (that day's, or a late or corrected one)."""
    from cchc.pipeline.onestop import untaken_exports

    settings = settings or get_settings()
    refs = {
        code: export_ref(code, business_date, settings)
        for code in expected_provinces(business_date, settings)
    }
    if not settings.province_filter:
        for export in untaken_exports(business_date):
            code = export.province_code
            refs.setdefault(code, export_ref(code, business_date, settings))
    return [refs[code] for code in sorted(refs)]
