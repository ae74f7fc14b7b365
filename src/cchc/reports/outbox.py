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
from cchc.reports.bieu06 import (
    Bieu06Figures,
    ReportError,
    Unit,
    figures_of_every_unit,
    file_name,
    resolve_unit,
    workbook,
)

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


def _summed_by_field(units: list[list]) -> list[tuple[str, str, dict[str, int]]]:
    """A province's rows: its units' rows added up field by field."""
    fields: dict[str, tuple[str, dict[str, int]]] = {}
    for rows in units:
        for code, name, counts in rows:
            _, total = fields.setdefault(code, (name, dict.fromkeys(REPORT_MEASURES, 0)))
            for m in REPORT_MEASURES:
                total[m] += counts[m]
    return [(code, name, total) for code, (name, total) in sorted(fields.items())]


def write_month(conn, month: date, outbox: Path) -> dict[str, int]:
    """Every province's and every unit's report of `month`; counts of files written and unchanged."""
    first, last = month_bounds(month)
    by_unit = figures_of_every_unit(conn, first, last)
    written = unchanged = 0

    def emit(province: str, unit: Unit, fields: list) -> None:
        nonlocal written, unchanged
        path = outbox / f"{first:%Y-%m}" / province / file_name(unit.code, first, last)
        if _write(path, workbook(Bieu06Figures(unit, first, last, fields))):
            written += 1
        else:
            unchanged += 1

    provinces: dict[str, list[list]] = {}
    for (province, unit_code), fields in sorted(by_unit.items()):
        provinces.setdefault(province, []).append(fields)
        try:
            emit(province, resolve_unit(conn, unit_code, last), fields)
        except ReportError:
            log.warning("unit %s (province %s): unknown code, no unit report (it counts in the province's)",
                        unit_code, province)  # fmt: skip
    for province, units in sorted(provinces.items()):
        emit(province, resolve_unit(conn, province, last), _summed_by_field(units))
    log.info("Biểu 06 for %s: %d written, %d unchanged, in %s", f"{first:%Y-%m}", written, unchanged, outbox)
    return {"written": written, "unchanged": unchanged, "provinces": len(provinces)}
