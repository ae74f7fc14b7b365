"""`python -m bench.history_increment`: does the nightly increment's time grow with history?

One generated world (2024-01 .. 2026-06, `--dossiers-per-month` × `--long-months` dossiers, no mess,
CSV), two private warehouses under `--work` (default `.cchc/bench/history/{short,long}`, each its
own `CCHC_STATE_DIR` and embedded PostgreSQL, run one after the other):

- *short* holds the exports of the last `--short-months` calendar months up to the final day,
- *long* holds those of the last `--long-months` months (the whole world at 30).

Each gets its history ingested and accepted (validation is not what is measured here: GX costs
~1 s a batch and is the same per night whatever the history), a full `dbt build` as of the day
before, then the SAME final day's exports and an incremental `dbt build --exclude
resource_type:seed` as of the final day. Both dbt builds run in a child process measured by
`bench.monitor` (wall, CPU of client + PostgreSQL, peak memory); per-model times come from dbt's
`run_results.json`. A table goes to stdout and the JSON to `--out`
(`history_increment_<timestamp>.json`).

The increment's rows are checked to be the same in both warehouses: the raw rows the final day
loaded, and the fct_dossier rows that came from them (a digest of their contents).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench import monitor

REPO = Path(__file__).resolve().parents[1]
START, END = date(2024, 1, 1), date(2026, 6, 30)
WORLD_MONTHS = 30  # START .. END
INCREMENT_EXCLUDE = ["resource_type:seed"]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.history_increment", description=__doc__.split("\n")[0])
    p.add_argument("--dossiers-per-month", type=int, default=2000, help="steady volume (default 2000)")
    p.add_argument("--short-months", type=int, default=3, help="history of the short warehouse (months)")
    p.add_argument(
        "--long-months", type=int, default=30, help="history of the long warehouse (months, <= 30)"
    )
    p.add_argument("--provinces", default="01,91", help="current province codes (01 kept, 91 merged)")
    p.add_argument("--seed", type=int, default=20260)
    p.add_argument("--work", type=Path, default=REPO / ".cchc" / "bench" / "history")
    p.add_argument("--out", type=Path, default=REPO / "bench" / "results")
    p.add_argument("--regenerate", action="store_true", help="generate the world even if it exists")
    p.add_argument("--keep-server", action="store_true", help="leave both PostgreSQL servers running")
    args = p.parse_args(argv)
    if not 0 < args.short_months < args.long_months <= WORLD_MONTHS:
        p.error(f"need 0 < --short-months < --long-months <= {WORLD_MONTHS}")
    return args


def months_before(day: date, months: int) -> date:
    """The first day of the `months` calendar months that end with `day`'s month."""
    y, m = divmod(day.year * 12 + day.month - months, 12)
    return date(y, m + 1, 1)


# -- the world ------------------------------------------------------------------------------------
def world(args, world_dir: Path) -> dict:
    from cchc_world.generate.generator import Config, config_dict, generate

    start = months_before(END, args.long_months)
    cfg = Config(
        out=world_dir,
        seed=args.seed,
        dossiers=args.dossiers_per_month * args.long_months,
        start=start,
        end=END,
        provinces=tuple(args.provinces.split(",")),
        mess_rate=0.0,
        formats=("csv",),
        deliver_all=True,
    )
    wanted = config_dict(cfg)
    marker = world_dir / ".bench-history.json"
    if not args.regenerate and marker.exists() and json.loads(marker.read_text()) == wanted:
        return {"reused": True, "seconds": None, "config": wanted}
    shutil.rmtree(world_dir, ignore_errors=True)
    t0 = time.perf_counter()
    stats = generate(cfg)
    marker.write_text(json.dumps(wanted))
    return {"reused": False, "seconds": round(time.perf_counter() - t0, 2), "config": wanted, "stats": stats}


def exports_between(first: date, last: date) -> list:
    from cchc.sources.onestop.discover import find_exports

    return [e for e in find_exports() if first <= e.business_date <= last]


# -- one warehouse ---------------------------------------------------------------------------------
def _use_state(state_dir: Path, world_dir: Path) -> None:
    os.environ["CCHC_STATE_DIR"] = str(state_dir)
    os.environ["CCHC_WORLD_DIR"] = str(world_dir)
    os.environ["CCHC_LANDING_DIR"] = str(world_dir / "landing")
    os.environ.setdefault("CCHC_DEMO", "1")
    for name in ("CCHC_WAREHOUSE_URL", "CCHC_WAREHOUSE_ADMIN_URL", "CCHC_PROVINCES"):
        os.environ.pop(name, None)


def _fresh_warehouse():
    from cchc.settings import get_settings
    from cchc.warehouse import embedded
    from cchc.warehouse.bootstrap import bootstrap

    settings = get_settings()
    embedded.stop(settings.pgdata_dir)
    shutil.rmtree(settings.pgdata_dir, ignore_errors=True)
    shutil.rmtree(settings.state_dir / "dbt", ignore_errors=True)
    return bootstrap(settings)


def _load(exports: list) -> dict:
    """Ingest the exports and accept what they loaded (timed, not the point of the benchmark)."""
    from cchc import ledger
    from cchc.sources.onestop.ingest import ingest_export
    from cchc.warehouse.connection import connect

    t0 = time.perf_counter()
    outcomes = [o for e in exports for o in ingest_export(e)]
    with connect(autocommit=True) as conn:
        for o in outcomes:
            if o.status == "pending":
                ledger.accept(conn, o.batch_id)
    bad = [f"{o.file_name}: {o.status} {o.reason or ''}" for o in outcomes if o.status != "pending"]
    if bad:
        raise RuntimeError(f"{len(bad)} batch(es) did not load: {bad[:3]}")
    return {
        "exports": len(exports),
        "batches": len(outcomes),
        "rows": sum(o.rows_loaded or 0 for o in outcomes),
        "seconds": round(time.perf_counter() - t0, 2),
    }


def _dbt_measured(label: str, mode: str, as_of: date, state_dir: Path) -> monitor.StageResult:
    """A dbt build in a child process (`--child dbt`), measured like bench's stages."""
    from cchc.settings import get_settings

    logs = state_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    result_file = logs / f"{label}.json"
    cmd = [
        sys.executable,
        "-m",
        "bench.history_increment",
        "--child-dbt",
        mode,
        as_of.isoformat(),
        str(result_file),
    ]
    return monitor.measure_command(
        cmd,
        label=label,
        env=dict(os.environ),
        pgdata=get_settings().pgdata_dir,
        result_file=result_file,
        log_file=logs / f"{label}.log",
        cwd=REPO,
    )


def child_dbt(mode: str, as_of: str, result_file: Path) -> int:
    """The measured child: one dbt build, its per-model times from run_results.json."""
    from cchc.settings import get_settings
    from cchc.transform.dbt import build

    full = mode == "full"
    res = build(
        full_refresh=full,
        exclude=None if full else INCREMENT_EXCLUDE,
        as_of=as_of,
        check=False,
    )
    run_results = json.loads((get_settings().dbt_target_dir / "run_results.json").read_text(encoding="utf-8"))
    models = {
        r["unique_id"]: round(r["execution_time"], 3)
        for r in run_results["results"]
        if r["unique_id"].startswith("model.")
    }
    detail = {
        "success": res.success,
        "failures": res.failures[:10],
        "nodes": len(res.nodes),
        "model_seconds": models,
        "elapsed_s": round(run_results.get("elapsed_time", 0.0), 3),
    }
    out = {"rows": len(models), "detail": detail}
    if not res.success:
        out["error"] = "; ".join(res.failures[:3]) or "dbt build failed"
    result_file.write_text(json.dumps(out), encoding="utf-8")
    return 0 if res.success else 1


def _facts(mark: int) -> dict:
    """What the warehouse holds, and what the final day's batches produced in fct_dossier."""
    from cchc.warehouse.connection import connect

    with connect() as conn:
        total = conn.execute("select count(*) from marts.fct_dossier").fetchone()[0]
        rows = conn.execute(
            "select dossier_code, unit_key, received_date, due_date, end_date, timeliness, status_code "
            "from marts.fct_dossier where _loaded_batch_id > %s order by dossier_code",
            (mark,),
        ).fetchall()
        raw = conn.execute(
            "select coalesce(sum(rows_loaded), 0) from audit.batches where status = 'accepted' and batch_id > %s",
            (mark,),
        ).fetchone()[0]
    digest = hashlib.sha256(repr([tuple(str(v) for v in r) for r in rows]).encode()).hexdigest()
    return {
        "fct_dossier_rows": total,
        "increment_raw_rows": int(raw),
        "increment_fct_rows": len(rows),
        "increment_fct_digest": digest,
    }


def run_history(label: str, months: int, world_dir: Path, work: Path, keep_server: bool) -> dict:
    from cchc.settings import get_settings
    from cchc.warehouse import embedded
    from cchc.warehouse.connection import connect

    state_dir = (work / label).resolve()
    state_dir.mkdir(parents=True, exist_ok=True)
    _use_state(state_dir, world_dir)
    first = months_before(END, months)
    print(f"[history] {label}: {months} months ({first} .. {END - timedelta(days=1)}) + {END}", flush=True)
    _fresh_warehouse()
    try:
        history = _load(exports_between(first, END - timedelta(days=1)))
        print(f"[history] {label}: history loaded {history}", flush=True)
        full = _dbt_measured(f"{label}.full", "full", END - timedelta(days=1), state_dir)
        print(f"[history] {label}: full build {full.status} {full.wall_s}s", flush=True)
        with connect() as conn:
            mark = conn.execute("select coalesce(max(batch_id), 0) from audit.batches").fetchone()[0]
        final_day = _load(exports_between(END, END))
        increment = _dbt_measured(f"{label}.increment", "increment", END, state_dir)
        print(f"[history] {label}: increment {increment.status} {increment.wall_s}s", flush=True)
        facts = _facts(mark)
    finally:
        if not keep_server:
            embedded.stop(get_settings().pgdata_dir)
    return {
        "history_months": months,
        "history_first_day": first.isoformat(),
        "history": history,
        "final_day": final_day,
        "full": full.to_json(),
        "increment": increment.to_json(),
        **facts,
    }


# -- report ----------------------------------------------------------------------------------------
def slowest(model_seconds: dict[str, float], n: int = 5) -> list[tuple[str, float]]:
    ranked = sorted(model_seconds.items(), key=lambda kv: kv[1], reverse=True)[:n]
    return [(uid.split(".")[-1], s) for uid, s in ranked]


def summary(runs: dict[str, dict]) -> dict:
    short, long_ = runs["short"], runs["long"]

    def ratio(key: str) -> float | None:
        a, b = short["increment"].get(key), long_["increment"].get(key)
        return round(b / a, 3) if a and b else None

    return {
        "increment_wall_ratio_long_short": ratio("wall_s"),
        "increment_cpu_ratio_long_short": ratio("cpu_s"),
        "history_ratio_long_short": round(long_["fct_dossier_rows"] / max(short["fct_dossier_rows"], 1), 3),
        "same_increment_rows": all(
            short[k] == long_[k] for k in ("increment_raw_rows", "increment_fct_rows", "increment_fct_digest")
        ),
    }


def table(result: dict) -> str:
    lines = [
        f"{'history':>8} {'fct_dossier':>12} {'full s':>8} {'incr wall s':>11} {'incr cpu s':>10} "
        f"{'incr MB':>8}  five slowest models of the increment (s)"
    ]
    for label in ("short", "long"):
        r = result["runs"][label]
        inc = r["increment"]
        top = ", ".join(f"{m} {s:.2f}" for m, s in slowest(inc["detail"].get("model_seconds", {})))
        lines.append(
            f"{str(r['history_months']) + ' mo':>8} {r['fct_dossier_rows']:>12,} {r['full']['wall_s'] or 0:>8.1f} "
            f"{inc['wall_s'] or 0:>11.1f} {inc['cpu_s'] or 0:>10.1f} {inc['peak_mb'] or 0:>8.0f}  {top}"
        )
    s = result["summary"]
    lines.append(
        f"long/short: history x{s['history_ratio_long_short']}, increment wall x{s['increment_wall_ratio_long_short']}, "
        f"cpu x{s['increment_cpu_ratio_long_short']}; same increment rows: {s['same_increment_rows']}"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child-dbt"]:
        return child_dbt(argv[1], argv[2], Path(argv[3]))
    args = parse_args(argv)
    work = args.work.resolve()
    world_dir = work / "world"
    work.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)
    shared = {
        k: os.environ.get(k) for k in ("CCHC_STATE_DIR", "CCHC_WORLD_DIR", "CCHC_LANDING_DIR", "PYTHONPATH")
    }
    started = datetime.now(UTC)
    result: dict = {
        "benchmark": "history_increment",
        "started_at": started.isoformat(),
        "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "final_day": END.isoformat(),
        "loadavg_start": [round(x, 2) for x in os.getloadavg()],
    }
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p)
    try:
        print(f"[history] world: {args.dossiers_per_month:,}/month x {args.long_months} months", flush=True)
        result["world"] = world(args, world_dir)
        result["runs"] = {
            "short": run_history("short", args.short_months, world_dir, work, args.keep_server),
            "long": run_history("long", args.long_months, world_dir, work, args.keep_server),
        }
    finally:
        for k, v in shared.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    result["summary"] = summary(result["runs"])
    result["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    result["finished_at"] = datetime.now(UTC).isoformat()
    path = args.out / f"history_increment_{started:%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
    print(table(result))
    print(f"[history] wrote {path}")
    ok = all(r[k]["status"] == "ok" for r in result["runs"].values() for k in ("full", "increment"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
