"""Last month's Biểu 06, per province and per unit, into the outbox, idempotently: a file is
written only when its bytes would change (the form is deterministic), so a rerun of the same night
writes nothing and a late correction rewrites just the reports it changed.

    <outbox>/<YYYY-MM>/<province of today's map>/bieu06_<unit>_<first day>_<last day>.xlsx
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from pathlib import Path

from cchc.report_measures import REPORT_MEASURES
from cchc.reports.bieu06 import Bieu06Figures, figures_of_every_unit, file_name, resolve_unit, workbook

log = logging.getLogger(__name__)


def month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    return first, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def _write(path: Path, payload: bytes) -> bool:
    if path.is_file() and path.read_bytes() == payload:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(payload)
    tmp.replace(path)  # a reader never sees half a file
    return True


def write_month(conn, month: date, outbox: Path) -> dict[str, int]:
    """Every province's and every unit's report of `month`; counts of files written and unchanged."""
    first, last = month_bounds(month)
    by_unit = figures_of_every_unit(conn, first, last)
    provinces: dict[str, dict[str, tuple[str, dict[str, int]]]] = {}
    written = unchanged = 0
    for (province, unit_code), fields in sorted(by_unit.items()):
        folder = outbox / f"{first:%Y-%m}" / province
        try:
            unit = resolve_unit(conn, unit_code, last)
        except ValueError:
            log.warning("unit %s (province %s): unknown code, no unit report (it counts in the province's)",
                        unit_code, province)  # fmt: skip
            unit = None
        if unit is not None:
            report = Bieu06Figures(unit, first, last, fields)
            changed = _write(folder / file_name(unit.code, first, last), workbook(report))
            written, unchanged = written + changed, unchanged + (not changed)
        for field_code, field_name, counts in fields:  # the province's rows: its units' summed by field
            name, acc = provinces.setdefault(province, {}).get(
                field_code, (field_name, dict.fromkeys(REPORT_MEASURES, 0))
            )
            provinces[province][field_code] = (name, {m: acc[m] + counts[m] for m in REPORT_MEASURES})
    for province, fields in sorted(provinces.items()):
        unit = resolve_unit(conn, province, last)
        report = Bieu06Figures(unit, first, last, [(c, n, v) for c, (n, v) in sorted(fields.items())])
        changed = _write(
            outbox / f"{first:%Y-%m}" / province / file_name(province, first, last), workbook(report)
        )
        written, unchanged = written + changed, unchanged + (not changed)
    log.info("Biểu 06 for %s: %d written, %d unchanged, in %s", f"{first:%Y-%m}", written, unchanged, outbox)
    return {"written": written, "unchanged": unchanged, "provinces": len(provinces)}
