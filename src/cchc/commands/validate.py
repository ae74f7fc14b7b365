"""`cchc validate [--batch N | --pending] [--docs]` — run the GX suites on batches by hand."""

from __future__ import annotations


def register(sub) -> None:
    parser = sub.add_parser("validate", help="validate one batch (--batch N) or every pending batch")
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--batch", type=int, help="the batch_id to validate (it must be pending)")
    target.add_argument("--pending", action="store_true", help="every pending batch")
    parser.add_argument("--entity", help="with --pending: only this raw table, e.g. onestop_hoso")
    parser.add_argument("--docs", action="store_true", help="rebuild GX Data Docs afterwards")
    parser.set_defaults(func=run)


def run(args) -> int:
    from cchc.validate import build_data_docs, validate_batch, validate_pending

    outcomes = [validate_batch(args.batch)] if args.batch is not None else validate_pending(args.entity)
    for out in outcomes:
        detail = out.reason or out.error or (f"{len(out.warnings)} warning(s)" if out.warnings else "")
        print(f"batch {out.batch_id} {out.entity} {out.province_code or ''} {out.status} {detail}".rstrip())
    if args.docs:
        print(f"Data Docs: {build_data_docs()}")
    return 1 if any(out.status == "quarantined" or out.error for out in outcomes) else 0
