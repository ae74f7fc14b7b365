"""Writes the reference seeds of dbt_project/seeds/reference/ from the field's packages.

    python -m cchc.reference.build_seeds        (also: make seeds)

The output is deterministic (sorted, fixed formats), so a rebuild with the same package versions
changes nothing in git. The build stops with `ReferenceMismatch` if the packages disagree.
"""

from __future__ import annotations

import argparse
import csv
import logging
import time
from pathlib import Path

from cchc.reference import paths
from cchc.reference.admin_seed import build_admin_units
from cchc.reference.calendar_seed import build_calendar

log = logging.getLogger(__name__)

UNIT_COLUMNS = (
    "unit_code", "unit_name", "unit_level", "unit_kind", "parent_code", "province_code",
    "valid_from", "valid_to", "province_code_current",
)  # fmt: skip
SUCCESSION_COLUMNS = (
    "old_unit_code", "old_valid_from", "new_unit_code", "new_valid_from", "effective_date", "share",
)  # fmt: skip
CALENDAR_COLUMNS = ("date_day", "is_working_day", "holiday_name")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _write(path: Path, columns: tuple[str, ...], rows: list[tuple]) -> None:
    tmp = path.with_suffix(".csv.tmp")
    with tmp.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([_cell(v) for v in row] for row in rows)
    tmp.replace(path)
    log.info("wrote %s (%d rows)", path, len(rows))


def build(out_dir: Path | None = None) -> dict[str, int]:
    out = out_dir or paths.seed_dir()
    out.mkdir(parents=True, exist_ok=True)
    units, successions = build_admin_units()
    unit_rows = sorted(
        (
            (u.unit_code, u.unit_name, u.unit_level, u.unit_kind, u.parent_code, u.province_code,
             u.valid_from, u.valid_to, u.province_code_current)
            for u in units
        ),
        key=lambda r: (r[6], r[0]),
    )  # fmt: skip
    succession_rows = sorted(
        (s.old_unit_code, s.old_valid_from, s.new_unit_code, s.new_valid_from, s.effective_date, s.share)
        for s in successions
    )
    calendar_rows = [(d.date_day, d.is_working_day, d.holiday_name) for d in build_calendar()]
    _write(out / paths.ADMIN_UNITS_CSV, UNIT_COLUMNS, unit_rows)
    _write(out / paths.SUCCESSION_CSV, SUCCESSION_COLUMNS, succession_rows)
    _write(out / paths.CALENDAR_CSV, CALENDAR_COLUMNS, calendar_rows)
    if out == paths.seed_dir():
        from cchc.reference import admin_units, calendar

        admin_units.reload()
        calendar.reload()
    return {
        paths.ADMIN_UNITS_CSV: len(unit_rows),
        paths.SUCCESSION_CSV: len(succession_rows),
        paths.CALENDAR_CSV: len(calendar_rows),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="folder (default: the dbt seeds folder)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    started = time.perf_counter()
    counts = build(args.out)
    log.info("reference seeds built in %.1f s: %s", time.perf_counter() - started, counts)


if __name__ == "__main__":
    main()
