"""`cchc batches [--status S] [--date YYYY-MM-DD] [--entity E] [--limit N]` — the batch ledger
as a table: what was loaded, what was held and why.

`cchc batches withdraw N --reason TEXT [--rebuild]` — take a loaded (or pending) batch out: it is
quarantined with the reason and who did it; staging stops reading it. Reports and catalogue
tables drop it at the next dbt build; the incremental dossier models only on a full rebuild
(`--rebuild` runs one now; otherwise `cchc dbt build --full-refresh` when convenient)."""

from __future__ import annotations

import datetime as dt
import shutil

STATUSES = ("pending", "accepted", "quarantined", "superseded", "duplicate", "failed")
COLUMNS = ("batch", "status", "entity", "prov", "date", "file", "rows", "reason / warnings")


def register(sub) -> None:
    parser = sub.add_parser("batches", help="list ingested batches, their status and reasons; withdraw one")
    actions = parser.add_subparsers(dest="action")
    withdraw = actions.add_parser("withdraw", help="quarantine a loaded batch, with the reason")
    withdraw.add_argument("batch_id", type=int)
    withdraw.add_argument("--reason", required=True, help="why (kept in the ledger with who did it)")
    withdraw.add_argument("--rebuild", action="store_true", help="then rebuild the marts from scratch")
    withdraw.set_defaults(func=run_withdraw)
    parser.add_argument("--status", choices=STATUSES, help="only batches with this status")
    parser.add_argument("--date", type=dt.date.fromisoformat, help="only this business date (YYYY-MM-DD)")
    parser.add_argument("--entity", help="only this raw table, e.g. onestop_hoso")
    parser.add_argument("--province", help="only this province code (MaTinh)")
    parser.add_argument("--limit", type=int, default=200, help="newest N batches (default 200)")
    parser.set_defaults(func=run)


def fetch(conn, *, status=None, day=None, entity=None, province=None, limit=200) -> list[tuple]:
    return conn.execute(
        """
        select batch_id, status, entity, coalesce(province_code, ''), coalesce(business_date::text, ''),
               coalesce(file_name, ''), coalesce(rows_loaded, 0),
               coalesce(reason,
                        case when jsonb_array_length(warnings) > 0
                             then jsonb_array_length(warnings) || ' warning(s): ' || (warnings ->> 0)
                        end, '')
        from audit.batches
        where (%(status)s::text is null or status = %(status)s)
          and (%(day)s::date is null or business_date = %(day)s)
          and (%(entity)s::text is null or entity = %(entity)s)
          and (%(province)s::text is null or province_code = %(province)s)
        order by batch_id desc
        limit %(limit)s
        """,
        {"status": status, "day": day, "entity": entity, "province": province, "limit": limit},
    ).fetchall()


def render(rows: list[tuple], width: int | None = None) -> str:
    """A plain text table; the last column (the reason) wraps to the terminal's width."""
    width = width or shutil.get_terminal_size((160, 40)).columns
    cells = [[str(v) for v in row] for row in rows]
    fixed = [max([len(COLUMNS[i])] + [len(r[i]) for r in cells]) for i in range(len(COLUMNS) - 1)]
    indent = sum(fixed) + 2 * len(fixed)
    room = max(30, width - indent)
    lines = ["  ".join(h.ljust(w) for h, w in zip(COLUMNS, [*fixed, 0], strict=True)).rstrip()]
    for r in cells:
        head = "  ".join(
            v.rjust(w) if i in (0, 6) else v.ljust(w)
            for i, (v, w) in enumerate(zip(r[:-1], fixed, strict=True))
        )
        reason = r[-1] or ""
        chunks = [reason[i : i + room] for i in range(0, len(reason), room)] or [""]
        lines.append(f"{head}  {chunks[0]}".rstrip())
        lines.extend(" " * (indent) + c for c in chunks[1:])
    return "\n".join(lines)


def run(args) -> int:
    from cchc.warehouse.connection import connect, loader_target

    with connect(loader_target(), autocommit=True) as conn:
        rows = fetch(
            conn,
            status=args.status,
            day=args.date,
            entity=args.entity,
            province=args.province,
            limit=args.limit,
        )
    if not rows:
        print("no batches match")
        return 0
    print(render(rows))
    print(f"\n{len(rows)} batch(es)")
    return 0


def run_withdraw(args) -> int:
    import getpass
    import sys

    from cchc import ledger
    from cchc.warehouse.connection import connect, loader_target

    try:
        with connect(loader_target()) as conn, conn.transaction():
            was = ledger.withdraw(conn, args.batch_id, args.reason, by=getpass.getuser())
    except ledger.CannotWithdraw as err:
        print(f"cchc batches withdraw: {err}", file=sys.stderr)
        return 2
    print(f"batch {args.batch_id} withdrawn (was {was}); staging no longer reads it")
    if args.rebuild:
        from cchc.transform.dbt import build

        build(full_refresh=True, exclude=["resource_type:seed"])
        print("marts rebuilt without it")
    else:
        print(
            "the dossier marts drop it at the next `cchc dbt build --full-refresh` (or rerun with --rebuild)"
        )
    return 0
