"""`python -m bench`: generate a world, start a private warehouse, measure every contender on it."""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import psutil

from bench import generated_world, report
from bench.monitor import StageResult, run_stage

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DOSSIERS = 20_000


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmark the pipeline against the COPY floor and the pandas way on one generated world.",
        epilog="Documented sizes: --dossiers 1000000 (1M) and --dossiers 10000000 (10M); see bench/README.md.",
    )
    p.add_argument(
        "--dossiers",
        type=int,
        default=DEFAULT_DOSSIERS,
        help="dossiers to generate (default 20k: a few minutes)",
    )
    p.add_argument("--out", type=Path, default=REPO / "bench" / "results", help="folder for <timestamp>.json")
    p.add_argument(
        "--work", type=Path, default=REPO / ".cchc" / "bench", help="scratch: world, warehouse (git-ignored)"
    )
    p.add_argument("--seed", type=int, default=20251)
    # Six weeks across the 2025-07-01 reorganisation: one day's exports are ~3% of all rows.
    p.add_argument("--start", default="2025-06-02", help="first business date of the world")
    p.add_argument("--end", default="2025-07-11", help="last business date of the world")
    p.add_argument(
        "--provinces", default="01,91", help="current province codes (01 kept, 91 merged on 2025-07-01)"
    )
    p.add_argument(
        "--gen-arg", action="append", default=[], help="extra argument for `cchc generate` (repeatable)"
    )
    p.add_argument(
        "--world",
        type=Path,
        default=None,
        help="measure an existing world (landing/onestop/…) instead of generating",
    )
    p.add_argument(
        "--increment-share", type=float, default=0.03, help="share of rows in the nightly increment"
    )
    p.add_argument("--skip-usual", action="store_true", help="skip the pandas way (quick runs)")
    p.add_argument(
        "--regenerate", action="store_true", help="generate the world even if a matching one exists"
    )
    p.add_argument(
        "--keep-server", action="store_true", help="leave the bench's PostgreSQL running at the end"
    )
    p.add_argument("--compare", type=Path, action="append", default=[], help="a result JSON at another size")
    p.add_argument("--stage-timeout", type=float, default=None, help="seconds before a stage is killed")
    p.add_argument(
        "--phase",
        choices=("all", "full", "increment"),
        default="all",
        help="run only the full load (the warehouse is kept for a later `--phase increment`) or only "
        "the increment on top of it; default both",
    )
    p.add_argument(
        "--resume",
        type=Path,
        default=None,
        help="with --phase increment: the result JSON of the `--phase full` run whose warehouse is reused",
    )
    return p.parse_args(argv)


def _generate_cmd(args, world_dir: Path) -> list[str]:
    cmd = [
        "generate",
        "--out",
        str(world_dir),
        "--seed",
        str(args.seed),
        "--dossiers",
        str(args.dossiers),
        "--start",
        args.start,
        "--end",
        args.end,
        "--formats",
        "csv",
        "--mess-rate",
        "0",
        "--deliver-all",
    ]
    if args.provinces:
        cmd += ["--provinces", args.provinces]
    return cmd + list(args.gen_arg)


def _machine() -> dict:
    return {
        "cpus": os.cpu_count(),
        "physical_cores": psutil.cpu_count(logical=False),
        "memory_gb": round(psutil.virtual_memory().total / 1024**3, 2),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "loadavg_start": [round(x, 2) for x in os.getloadavg()],
    }


def _git_commit() -> str | None:
    try:
        return subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def _fresh_warehouse(state_dir: Path):
    """A private embedded PostgreSQL under the bench state dir, emptied first."""
    from cchc.settings import get_settings
    from cchc.warehouse import embedded
    from cchc.warehouse.bootstrap import bootstrap

    settings = get_settings()
    assert settings.state_dir == state_dir.resolve(), "CCHC_STATE_DIR must point at the bench state"
    embedded.stop(settings.pgdata_dir)
    shutil.rmtree(settings.pgdata_dir, ignore_errors=True)
    shutil.rmtree(state_dir / "dbt", ignore_errors=True)
    target = bootstrap(settings)
    _bench_schemas(settings, target)
    return settings, target


def _bench_schemas(settings, target) -> None:
    """The contenders' own schemas and the reference check's snapshot, owned by the loader like
    the pipeline's (the loader may not create schemas)."""
    from psycopg import sql

    from cchc.warehouse.connection import admin_target, connect

    with connect(admin_target(settings), autocommit=True) as conn:
        for schema in ("bench_floor", "bench_usual", "bench_fast"):
            conn.execute(
                sql.SQL("create schema if not exists {} authorization {}").format(
                    sql.Identifier(schema), sql.Identifier(target.user)
                )
            )


def _server_version(target) -> str:
    from cchc.warehouse.connection import connect

    with connect(target) as conn:
        return conn.execute("show server_version").fetchone()[0]


def _max_batch(target) -> int:
    from cchc.warehouse.connection import connect

    with connect(target) as conn:
        return conn.execute("select coalesce(max(batch_id), 0) from audit.batches").fetchone()[0]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if (args.phase == "increment") != (args.resume is not None):
        print("[bench] --phase increment and --resume FILE go together", file=sys.stderr)
        return 2
    work = args.work.resolve()
    state_dir = work / f"n{args.dossiers}"
    world_dir = args.world.resolve() if args.world else state_dir / "world"
    scratch = state_dir / "scratch"
    for folder in (state_dir, scratch, scratch / "logs", scratch / "results", args.out):
        folder.mkdir(parents=True, exist_ok=True)

    # Everything below (and every stage process) sees only the bench's own state and warehouse.
    os.environ["CCHC_STATE_DIR"] = str(state_dir)
    os.environ["CCHC_WORLD_DIR"] = str(world_dir)
    os.environ["CCHC_LANDING_DIR"] = str(world_dir / "landing")
    os.environ.setdefault("CCHC_DEMO", "1")
    os.environ.pop("CCHC_WAREHOUSE_URL", None)
    os.environ.pop("CCHC_WAREHOUSE_ADMIN_URL", None)
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p)
    env = dict(os.environ)

    started = datetime.now(UTC)
    result: dict = {
        "started_at": started.isoformat(),
        "dossiers": args.dossiers,
        "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "git_commit": _git_commit(),
        "machine": _machine(),
        "stages": {},
    }
    stages: dict[str, StageResult] = {}
    plan_file = scratch / "plan.json"
    gen_cmd = _generate_cmd(args, world_dir)
    plan = {"world_dir": str(world_dir), "scratch_dir": str(scratch), "generate_cmd": gen_cmd, "phases": {}}
    plan_file.write_text(json.dumps(plan), encoding="utf-8")

    def stage(name: str, kind: str, *extra: str) -> StageResult:
        print(f"[bench] {name} …", flush=True)
        res = run_stage(
            kind,
            ["--plan", str(plan_file), *extra],
            env=env,
            pgdata=state_dir / "pgdata",
            result_dir=scratch / "results",
            log_dir=scratch / "logs",
            timeout=args.stage_timeout,
            label=name,
        )
        stages[name] = res
        wall = f"{res.wall_s:.1f}s" if res.wall_s is not None else ""
        print(f"[bench] {name}: {res.status} {res.rows:,} rows {wall} {res.error or ''}".rstrip(), flush=True)
        return res

    # 1. The world (measured for information; reused when the same command made it).
    marker = world_dir / ".bench-generate.json"
    if args.world:
        stages["generate"] = StageResult("generate", "given", detail={"world": str(world_dir)})
    elif not args.regenerate and marker.exists() and json.loads(marker.read_text()) == gen_cmd:
        stages["generate"] = StageResult("generate", "reused", detail={"world": str(world_dir)})
    else:
        shutil.rmtree(world_dir, ignore_errors=True)
        gen = stage("generate", "generate")
        if gen.status == "ok":
            marker.write_text(json.dumps(gen_cmd))
    exports = generated_world.scan(world_dir)
    if not exports:
        print("[bench] no exports were generated: nothing to measure", file=sys.stderr)
        result["stages"] = {n: s.to_json() for n, s in stages.items()}
        _write(result, args.out)
        return 2
    plan["phases"] = generated_world.split(exports, args.increment_share)
    plan_file.write_text(json.dumps(plan), encoding="utf-8")
    rows = {ph: sum(sum(e["rows"].values()) for e in ex) for ph, ex in plan["phases"].items()}
    result["plan"] = {
        "exports": {ph: len(ex) for ph, ex in plan["phases"].items()},
        "rows": rows,
        "increment_days": len({e["date"] for e in plan["phases"]["increment"]}),
        "increment_share_actual": rows["increment"] / max(sum(rows.values()), 1),
        "hoso_formats": generated_world.formats(exports),
        "csv_exports": sum(1 for e in exports if e["hoso_format"] == "csv"),
    }

    # 2. A fresh private warehouse for this run (or the one a `--phase full` run left behind).
    if args.phase == "increment":
        earlier = json.loads(args.resume.read_text(encoding="utf-8"))
        if earlier.get("dossiers") != args.dossiers or earlier.get("phase") != "full":
            print(f"[bench] {args.resume} is not a --phase full run at {args.dossiers:,}", file=sys.stderr)
            return 2
        from cchc.settings import get_settings
        from cchc.warehouse.bootstrap import bootstrap

        target = bootstrap()
        _bench_schemas(get_settings(), target)
        for name, earlier_stage in earlier["stages"].items():
            stages[name] = StageResult.from_json(earlier_stage)
        result["phases"] = {"full": {k: earlier.get(k) for k in ("git_commit", "started_at", "machine")}}
    else:
        _, target = _fresh_warehouse(state_dir)
    result["phase"] = args.phase
    result["machine"]["postgres"] = _server_version(target)
    try:
        if args.phase in ("all", "full"):
            # Set-up, not timed as a contender: the catalogue a real warehouse has before any night.
            stage("setup.catalogue", "catalogue")
            stage("floor.full", "floor", "--phase", "full")
            stage("floor.minimum", "minimum", "--phase", "full")
            stage("pipeline.ingest.full", "ingest", "--phase", "full")
            stage("pipeline.validate.full", "validate", "--phase", "full")
            stage("pipeline.dbt.full", "dbt", "--phase", "full")
            if not args.skip_usual:
                stage("usual.load_validate.full", "usual_load", "--phase", "full")
        if args.phase in ("all", "increment"):
            stage("floor.increment", "floor", "--phase", "increment")
            mark = _max_batch(target)
            stage("pipeline.ingest.increment", "ingest", "--phase", "increment")
            stage("pipeline.validate.increment", "validate", "--phase", "increment")
            stage("pipeline.dbt.increment", "dbt", "--phase", "increment", "--after-batch", str(mark))
            # The marts the fast path left equal a from-scratch build (not timed as a contender).
            stage("check.reference", "reference")
            if not args.skip_usual:
                stage("usual.load_validate.increment", "usual_load", "--phase", "increment")
                # After the pipeline's increment: rebuilding every table is both the usual way's
                # full build and its nightly run (it has no other kind).
                stage("usual.dbt_tables", "usual_dbt")
    finally:
        if not args.keep_server and args.phase != "full":
            from cchc.settings import get_settings
            from cchc.warehouse import embedded

            embedded.stop(get_settings().pgdata_dir)

    result["machine"]["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    result["finished_at"] = datetime.now(UTC).isoformat()
    result["stages"] = {n: s.to_json() for n, s in stages.items()}
    result["totals"] = report.totals(result["stages"])
    previous = report.load_previous(args.out) + [
        {**json.loads(p.read_text(encoding="utf-8")), "file": str(p)} for p in args.compare
    ]
    result["targets"] = report.targets(result, previous)
    path = _write(result, args.out)
    print()
    print(report.render(result))
    print(f"\nresult: {path}")
    failed = [n for n, s in stages.items() if s.status == "failed"]
    return 1 if failed else 0


def _write(result: dict, out: Path) -> Path:
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    path = out / f"{stamp}-n{result['dossiers']}.json"
    path.write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
    return path
