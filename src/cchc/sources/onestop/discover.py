"""Find one-stop exports in the landing area: `onestop/<MaTinh>/<YYYY-MM-DD>/`.

An export is ready once its manifest.json is there (vendors write it last); a folder without one
is still arriving and is reported as not ready, which is not a failure.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from cchc.settings import get_settings
from cchc.sources.onestop.manifest import MANIFEST

log = logging.getLogger(__name__)

_PROVINCE = re.compile(r"[0-9]{2}")


@dataclass(frozen=True)
class Export:
    province_code: str
    business_date: date
    path: Path
    ready: bool


def onestop_root() -> Path:
    return get_settings().landing_dir / "onestop"


def _parse_day(name: str) -> date | None:
    try:
        return date.fromisoformat(name) if len(name) == 10 else None
    except ValueError:
        return None


def is_province_on(code: str, day: date) -> bool:
    """The code is a province on that day (63 before 2025-07-01, 34 from then on)."""
    from cchc.reference import admin_units

    return code in admin_units.province_codes(day)


def find_exports(business_date: date | None = None, province_code: str | None = None) -> list[Export]:
    """Exports of that day (all days if None) and province (all, or CCHC_PROVINCES, if None)."""
    root = onestop_root()
    if not root.is_dir():
        log.info("no one-stop landing folder at %s", root)
        return []
    settings = get_settings()
    wanted = {province_code} if province_code else set(settings.province_filter)
    exports: list[Export] = []
    for province_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        if not _PROVINCE.fullmatch(province_dir.name):
            log.warning("ignoring %s: not a 2-digit province code", province_dir)
            continue
        if wanted and province_dir.name not in wanted:
            continue
        for day_dir in sorted(p for p in province_dir.iterdir() if p.is_dir()):
            day = _parse_day(day_dir.name)
            if day is None:
                log.warning("ignoring %s: not a YYYY-MM-DD folder", day_dir)
                continue
            if business_date is not None and day != business_date:
                continue
            if not is_province_on(province_dir.name, day):
                # reported, never loaded: a typo'd or retired code is not somebody else's province
                log.warning("ignoring %s: %s is not a province on %s", day_dir, province_dir.name, day)
                continue
            exports.append(Export(province_dir.name, day, day_dir, (day_dir / MANIFEST).is_file()))
    exports.sort(key=lambda e: (e.business_date, e.province_code))
    return exports
