"""`cchc generate` — write a synthetic world (Source A files, portal data, truth, delivery log).

Presets: `--preset demo` (default: 20,000 dossiers, provinces 01 Hà Nội, 11 Điện Biên, 91 An Giang
— merged from 89 An Giang + 91 Kiên Giang on 2025-07-01) and `--preset big` (1,000,000 dossiers,
CSV/JSONL only; add `--dossiers 10000000` for the 10M benchmark). Explicit flags override the
preset. Files only reach `DIR/landing/` through deliveries (`cchc_world.generate.deliveries.deliver`),
or all at once with `--deliver-all`.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

from cchc.settings import get_settings


def _mess_kinds() -> tuple[str, ...]:
    # the parser is built for every command, also where the world package is not installed
    try:
        from cchc_world.generate.mess import KINDS
    except ModuleNotFoundError:
        return ("(the kinds of cchc_world.generate.mess, not installed here)",)
    return KINDS


def register(sub) -> None:
    p = sub.add_parser("generate", help="generate a synthetic world (exports, portal data, truth)")
    p.add_argument("--out", type=Path, help="world folder (default: the settings' world_dir, .cchc/world)")
    p.add_argument("--preset", choices=["demo", "big"], default="demo")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--dossiers", type=int, help="dossiers received over the whole range")
    p.add_argument("--start", type=date.fromisoformat, default=date(2024, 1, 1))
    p.add_argument("--end", type=date.fromisoformat, default=date(2026, 6, 30))
    p.add_argument(
        "--horizon",
        type=date.fromisoformat,
        help="plan the world up to this later day but stop it at --end (a prefix of the longer world)",
    )
    p.add_argument("--provinces", help="current (34-list) province codes, comma-separated, e.g. 01,11,91")
    p.add_argument("--formats", help="hoso formats to cycle through the provinces: csv,jsonl,xlsx")
    p.add_argument("--mess-rate", type=float, help="one rate for every kind of field mess (0 = clean world)")
    p.add_argument(
        "--mess",
        action="append",
        default=[],
        metavar="KIND=RATE",
        help="rate of one kind (repeatable): " + ", ".join(_mess_kinds()),
    )
    p.add_argument(
        "--deliver-all", action="store_true", help="also put the final state of every file in DIR/landing"
    )
    p.add_argument(
        "--deliver-until",
        type=datetime.fromisoformat,
        help="deliver into landing what has arrived by this local datetime (for an existing world)",
    )
    p.set_defaults(func=run)


def run(args) -> int:
    from cchc_world.generate import deliveries
    from cchc_world.generate.generator import PRESETS, Config, generate

    out = args.out or get_settings().world_dir
    if args.deliver_until is not None:
        placed = deliveries.deliver(out, args.deliver_until)
        print(f"delivered {len(placed)} file(s) into {out / 'landing'}")
        return 0
    preset = PRESETS[args.preset]
    overrides = {}
    for item in args.mess:
        kind, _, rate = item.partition("=")
        overrides[kind.strip()] = float(rate)
    cfg = Config(
        out=out,
        seed=args.seed,
        dossiers=args.dossiers if args.dossiers is not None else preset["dossiers"],
        start=args.start,
        end=args.end,
        provinces=tuple(args.provinces.split(",")) if args.provinces else preset["provinces"],
        mess_rate=args.mess_rate,
        mess_overrides=overrides,
        formats=tuple(args.formats.split(","))
        if args.formats
        else preset.get("formats", ("csv", "jsonl", "xlsx")),
        deliver_all=args.deliver_all,
        horizon=args.horizon,
    )
    stats = generate(cfg)
    print(json.dumps({"world": str(out), **stats}, indent=2))
    return 0
