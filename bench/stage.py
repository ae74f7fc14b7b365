"""Child-process entry point: `python -m bench.stage NAME --result FILE --plan PLAN [options]`.

Each stage runs in its own process so that the harness measures it alone (CPU of the tree, peak
memory). The stage writes `{"rows": n, "detail": {...}}` or `{"error": ...}` to `--result`;
exit code 3 means the code it measures is not in the project yet.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import traceback
from pathlib import Path

from bench.monitor import EXIT_UNAVAILABLE
from bench.pipeline import StageFailed, Unavailable


def _files(plan: dict, phase: str) -> dict[str, list[Path]]:
    files: dict[str, list[Path]] = {"hoso": [], "bosung": []}
    for export in plan["phases"][phase]:
        for entity, path in export["csv_files"].items():
            files[entity].append(Path(path))
    return files


def _generate(plan: dict, opts) -> dict:
    from bench import generated_world

    return generated_world.generate(plan["generate_cmd"], Path(plan["world_dir"]))


def _catalogue(plan: dict, opts) -> dict:
    """The world's procedure catalogue, pulled from the portal simulator and validated, as the
    weekly cchc_reference DAG has it in the warehouse before any night: without it every dossier
    breaks the rule "MaTTHC in the accepted catalogue" (a warning), and validation measures
    examples and splits for 2.8M unexpected rows that a real night does not have."""
    import os

    from cchc_world.portal_sim.testing import start_in_thread

    url = start_in_thread(plan["world_dir"])
    os.environ["CCHC_PORTAL_URL"] = str(url)
    try:
        from cchc.pipeline.portal_pulls import pull_catalogue

        pulled = pull_catalogue()
    finally:
        url.stop()
    return {
        "rows": int(pulled["rows_loaded"]),
        "detail": {"counts": pulled["counts"], "seconds": pulled["seconds"]},
    }


def _floor(plan: dict, opts) -> dict:
    from bench import floor
    from cchc.warehouse.connection import connect

    with connect() as conn:
        return floor.run(conn, _files(plan, opts.phase), phase=opts.phase)


def _minimum(plan: dict, opts) -> dict:
    from bench import minimum
    from bench.monitor import postmaster_pid
    from cchc.pipeline.dbt_group import dbt_executable
    from cchc.settings import get_settings
    from cchc.warehouse.connection import connect

    with connect() as conn:
        return minimum.run(
            conn, _files(plan, "full"), postmaster_pid(get_settings().pgdata_dir), dbt_executable()
        )


def _ingest(plan: dict, opts) -> dict:
    from bench import pipeline

    return pipeline.ingest(plan["phases"][opts.phase])


def _validate(plan: dict, opts) -> dict:
    from bench import pipeline

    return pipeline.validate()


def _dbt(plan: dict, opts) -> dict:
    from bench import pipeline

    # As the DAG builds: as of the night's business date, the phase's last export day.
    as_of = max(e["date"] for e in plan["phases"][opts.phase])
    return pipeline.dbt("full" if opts.phase == "full" else "incremental", opts.after_batch, as_of=as_of)


def _usual_load(plan: dict, opts) -> dict:
    from bench import usual
    from cchc.settings import get_settings
    from cchc.warehouse.connection import loader_target

    settings = get_settings()
    return usual.load_and_validate(
        loader_target(settings),
        _files(plan, opts.phase),
        gx_dir=settings.gx_project_dir,
        key=settings.require_pseudonym_key(),
        phase=opts.phase,
    )


def _usual_dbt(plan: dict, opts) -> dict:
    from bench import dbt_tables
    from cchc.settings import get_settings
    from cchc.warehouse.connection import connect, loader_target

    settings = get_settings()
    work = Path(plan["scratch_dir"]) / "dbt_tables"
    made = dbt_tables.make_table_project(settings.dbt_project_dir, work / "project")
    with connect() as conn:
        rows = conn.execute(
            "select coalesce(sum(rows_loaded), 0) from audit.batches where status = 'accepted'"
        ).fetchone()[0]
    built = dbt_tables.run_table_build(loader_target(settings), work / "project", work, settings.dbt_threads)
    detail = {**built, "files_rewritten": len(made["files_rewritten"])}
    if not built["success"]:
        raise StageFailed(f"dbt build (all tables) failed: {'; '.join(built['failures'][:5])}", detail, rows)
    return {"rows": int(rows), "detail": detail}


def _reference(plan: dict, opts) -> dict:
    from bench import reference
    from cchc.transform.dbt import run_dbt
    from cchc.warehouse.connection import connect

    with connect() as conn:
        as_of = conn.execute(
            "select max(as_of_date) from audit.monthly_builds where model = 'fct_timeliness_monthly'"
        ).fetchone()[0]
        tables = reference.snapshot(conn)
    args = [
        "build",
        "--full-refresh",
        "--exclude",
        "resource_type:seed",
        "--vars",
        f"{{as_of_date: '{as_of}'}}",
    ]
    built = run_dbt(args, check=False)
    with connect() as conn:
        detail = {"as_of_date": str(as_of), **reference.compare(conn, tables)}
    if not built.success:
        raise StageFailed(f"the reference build failed: {'; '.join(built.failures[:5])}", detail)
    if detail["differences"]:
        raise StageFailed(f"marts differ from the reference build: {sorted(detail['differences'])}", detail)
    return {"rows": detail["rows"], "detail": detail}


STAGES = {
    "generate": _generate,
    "catalogue": _catalogue,
    "floor": _floor,
    "minimum": _minimum,
    "ingest": _ingest,
    "validate": _validate,
    "dbt": _dbt,
    "reference": _reference,
    "usual_load": _usual_load,
    "usual_dbt": _usual_dbt,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.stage")
    parser.add_argument("stage", choices=sorted(STAGES))
    parser.add_argument("--result", required=True, type=Path)
    parser.add_argument("--plan", required=True, type=Path)
    parser.add_argument("--phase", choices=["full", "increment"], default="full")
    parser.add_argument("--after-batch", type=int, default=0)
    opts = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    plan = json.loads(opts.plan.read_text(encoding="utf-8"))

    def write(payload: dict) -> None:
        opts.result.write_text(json.dumps(payload, default=str), encoding="utf-8")

    try:
        write(STAGES[opts.stage](plan, opts))
    except Unavailable as err:
        write({"error": str(err)})
        return EXIT_UNAVAILABLE
    except StageFailed as err:
        write({"error": str(err), "detail": err.detail, "rows": err.rows})
        return 1
    except Exception as err:
        traceback.print_exc()
        write({"error": f"{type(err).__name__}: {err}"})
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
