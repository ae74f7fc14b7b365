"""`cchc report` — statutory reports written from the marts.

    cchc report bieu06 --unit CODE --from D1 --to D2 [--out FILE.xlsx]
    cchc report summary --unit CODE --from D1 --to D2 [--lang vi|en]
    cchc report outbox --month YYYY-MM

A unit is a commune, provincial department or (pre-2025) district code, or a province code: a
province of today's map takes all its units. Any period works, not only months."""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path


def _month(text: str) -> date:
    return datetime.strptime(text, "%Y-%m").date()


def register(sub) -> None:
    parser = sub.add_parser(
        "report", help="Biểu 06 and the report paragraph from the marts; the monthly outbox"
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, helptext in (
        ("bieu06", "write the Biểu 06 form (XLSX) of a unit for a period"),
        ("summary", "print the paragraph a report carries, computed"),
    ):
        action = actions.add_parser(name, help=helptext)
        action.add_argument("--unit", required=True, help="unit or province code (MaDonVi / MaTinh)")
        action.add_argument("--from", dest="start", required=True, type=date.fromisoformat, help="YYYY-MM-DD")
        action.add_argument("--to", dest="end", required=True, type=date.fromisoformat, help="YYYY-MM-DD")
        if name == "bieu06":
            action.add_argument(
                "--out", type=Path, help="the file (default: bieu06_<unit>_<from>_<to>.xlsx here)"
            )
            action.set_defaults(func=run_bieu06)
        else:
            action.add_argument("--lang", choices=("vi", "en"), default="vi")
            action.set_defaults(func=run_summary)
    outbox = actions.add_parser(
        "outbox", help="write a month's reports of every province and unit to the outbox"
    )
    outbox.add_argument("--month", required=True, type=_month, help="YYYY-MM")
    outbox.set_defaults(func=run_outbox)


def _from_warehouse(action: str, compute, args):
    """compute(conn, unit, start, end), or None after saying why the unit or period cannot make a
    report (exit status 2)."""
    from cchc.reports.bieu06 import ReportError
    from cchc.warehouse.connection import connect, loader_target

    try:
        with connect(loader_target(), autocommit=True) as conn:
            return compute(conn, args.unit, args.start, args.end)
    except ReportError as err:
        print(f"cchc report {action}: {err}", file=sys.stderr)
        return None


def run_bieu06(args) -> int:
    from cchc.report_measures import REPORT_MEASURES
    from cchc.reports.bieu06 import figures, file_name, workbook

    report = _from_warehouse("bieu06", figures, args)
    if report is None:
        return 2
    out = args.out or Path(file_name(report.unit.code, args.start, args.end))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(workbook(report))
    total = report.total
    print(f"{report.unit.name} ({report.unit.code}), {args.start:%d/%m/%Y}–{args.end:%d/%m/%Y}: "
          f"{len(report.fields)} field(s) -> {out}")  # fmt: skip
    print("  ".join(f"{m}={total[m]}" for m in REPORT_MEASURES))
    return 0


def run_summary(args) -> int:
    from cchc.reports.summary import facts, paragraph

    found = _from_warehouse("summary", facts, args)
    if found is None:
        return 2
    print(paragraph(found, args.lang))
    return 0


def run_outbox(args) -> int:
    from cchc.reports.outbox import write_month
    from cchc.settings import get_settings
    from cchc.warehouse.connection import connect, loader_target

    with connect(loader_target(), autocommit=True) as conn:
        result = write_month(conn, args.month, get_settings().outbox_dir)
    print(f"{args.month:%Y-%m}: {result['written']} written, {result['unchanged']} unchanged, "
          f"{result['provinces']} province(s), in {get_settings().outbox_dir}")  # fmt: skip
    return 0
