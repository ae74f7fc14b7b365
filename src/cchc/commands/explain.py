"""`cchc explain --unit CODE [--field F] --month YYYY-MM --measure resolved_late` — the dossiers
behind one cell of a monthly fact (code, procedure, received, due before and after supplements,
ended, working days taken, and why it is in that column), and the cell itself: their number is the
cell's. No personal data."""

from __future__ import annotations

import sys
from datetime import datetime


def register(sub) -> None:
    from cchc.reports.explain import MEASURES

    parser = sub.add_parser("explain", help="the dossiers behind one monthly figure (unit, month, measure)")
    parser.add_argument("--unit", required=True, help="MaDonVi of the unit")
    parser.add_argument(
        "--month", required=True, type=lambda s: datetime.strptime(s, "%Y-%m").date(), help="YYYY-MM"
    )
    parser.add_argument("--measure", required=True, choices=sorted(MEASURES), metavar="MEASURE",
                        help="a column of the monthly facts, e.g. resolved_late, carried_over, paid_online_dossiers")  # fmt: skip
    parser.add_argument("--field", help="a field's code or name (timeliness measures only)")
    parser.set_defaults(func=run)


def run(args) -> int:
    from cchc.reports.explain import ExplainError, explain
    from cchc.warehouse.connection import connect, loader_target

    try:
        with connect(loader_target(), autocommit=True) as conn:
            cell, dossiers = explain(conn, args.unit, args.month, args.measure, args.field)
    except ExplainError as err:
        print(f"cchc explain: {err}", file=sys.stderr)
        return 2
    scope = f"{args.unit}" + (f", field {args.field}" if args.field else "")
    print(f"{scope}, {args.month:%Y-%m}, {args.measure}: {len(dossiers)} dossier(s); the mart's cell: {cell}")
    header = (
        "dossier",
        "procedure",
        "field",
        "received",
        "due (first)",
        "due",
        "ended",
        "work days",
        "suppl.",
        "why",
    )
    rows = [
        (d.dossier_code, d.procedure_code or "", d.field_name or "", str(d.received_date or ""),
         str(d.original_due_date or ""), str(d.due_date or ""), str(d.end_date or ""),
         "" if d.working_days_taken is None else str(d.working_days_taken),
         "" if d.supplement_count is None else str(d.supplement_count), d.why)
        for d in dossiers
    ]  # fmt: skip
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    for r in rows:
        print("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)))
    return 0 if cell == len(dossiers) or (cell is None and not dossiers) else 1
