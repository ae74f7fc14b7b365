"""End to end through Airflow: `cchc run` (dag.test() of cchc_nightly) on a small generated world,
the portal simulator serving it with faults on, the embedded warehouse, Cosmos + dbt.

One scenario, run once for the module, then asserted piece by piece:
1. a range of three nights over a clean world (every file has arrived by the last night): the
   marts equal the generator's truth;
2. a rerun of the middle night and the last one: every mart row is identical (each run builds the
   warehouse as of its own night, not of the day the test runs);
3. a truncated copy of one province's export lands: that province fails (quarantined, no
   retry), the other still loads, dbt still builds, the run ends failed, and the good data
   already loaded stays.
The portal simulator injects transient faults (429, 5xx, expired tokens, short pages, records
shifting between pages) that the client must absorb; data faults would quarantine batches and
are covered by the portal and validation tests.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import time
from contextlib import ExitStack
from datetime import date
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

WORLD_START, WORLD_END = date(2026, 6, 1), date(2026, 6, 4)
TRANSIENT_FAULTS = "429@0.1,503@0.1,500@0.05,expire_token@0.05,short_page@0.05,shift@0.1"
PROVINCES = ("01", "91")
BROKEN = "91"


def _cchc_run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "cchc.cli", "run", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    proc.seconds = time.perf_counter() - started  # type: ignore[attr-defined]
    return proc


TIMELINESS = [
    "received_total", "received_online", "received_direct_postal", "carried_over", "resolved_total",
    "resolved_early", "resolved_on_time", "resolved_late", "in_progress_total", "in_progress_within",
    "in_progress_overdue",
]  # fmt: skip
PAYMENT = ["fee_dossiers", "paid_online_dossiers"]


def _mart_rows(db, table: str, measures: list[str]) -> dict[tuple, tuple]:
    """Measures by (month_start, unit_key, field_code or None), as text like the truth CSVs."""
    field = "field_code" if table == "fct_timeliness_monthly" else "null"
    rows = db.execute(
        f"select month_start::text, unit_key, {field}, {', '.join(measures)} from marts.{table}"
    ).fetchall()
    return {(r[0], r[1], r[2]): tuple(str(v) for v in r[3:]) for r in rows}


def _marts_snapshot(db) -> dict[str, list[tuple]]:
    tables = [
        r[0]
        for r in db.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
        ).fetchall()
    ]
    snap = {}
    for table in tables:
        where = " where status <> 'duplicate'" if table == "fct_pipeline_batches" else ""
        rows = db.execute(f"select * from marts.{table}{where}").fetchall()
        snap[table] = sorted(tuple(str(v) for v in row) for row in rows)
    return snap


@pytest.fixture(scope="module")
def own_warehouse(warehouse, tmp_path_factory):
    """A warehouse of this scenario's own: the session's holds other areas' dossiers, which would
    land in the same months and units as this world's and so in the marts compared to its truth."""
    from cchc.settings import get_settings
    from cchc.warehouse import embedded
    from cchc.warehouse.bootstrap import bootstrap

    shared_state = os.environ["CCHC_STATE_DIR"]
    os.environ["CCHC_STATE_DIR"] = str(tmp_path_factory.mktemp("e2e-state"))
    try:
        yield bootstrap(get_settings())
    finally:
        embedded.stop(get_settings().pgdata_dir)
        os.environ["CCHC_STATE_DIR"] = shared_state


@pytest.fixture(scope="module")
def scenario(own_warehouse, tmp_path_factory):
    from cchc.pipeline.dates import run_after_for
    from cchc.transform.dbt import run_dbt
    from cchc_world.generate import deliveries
    from cchc_world.generate.generator import Config, generate
    from cchc_world.portal_sim.testing import start_in_thread

    warehouse = own_warehouse
    stack = ExitStack()
    world = tmp_path_factory.mktemp("e2e") / "world"
    generate(
        Config(
            out=world,
            seed=7,
            dossiers=400,
            start=WORLD_START,
            end=WORLD_END,
            provinces=PROVINCES,
            mess_rate=0.0,
        )
    )
    portal = start_in_thread(world, faults=TRANSIENT_FAULTS, seed=3)
    env = {
        **os.environ,
        "CCHC_WORLD_DIR": str(world),
        "CCHC_LANDING_DIR": str(world / "landing"),
        "CCHC_PORTAL_URL": str(portal),
        "CCHC_PROVINCES": ",".join(PROVINCES),
        "CCHC_EXPORT_WAIT_SECONDS": "3",
        "CCHC_RETRY_DELAY_SECONDS": "1",
    }
    os.environ.update({k: env[k] for k in ("CCHC_WORLD_DIR", "CCHC_LANDING_DIR", "CCHC_PORTAL_URL")})
    out: dict = {"world": world, "seconds": {}}
    from cchc.warehouse.connection import connect

    db = stack.enter_context(connect(warehouse, autocommit=True))
    try:
        run_dbt(["seed"])
        # 1. three nights, the files delivered as they arrived by the last one
        deliveries.deliver(world, run_after_for(WORLD_END))
        first = _cchc_run(env, "--date", "2026-06-02", "--to", WORLD_END.isoformat())
        out["range"] = first
        out["seconds"]["range of 3 nights"] = first.seconds
        out["after_range"] = _marts_snapshot(db)
        out["truth_timeliness"] = _mart_rows(db, "fct_timeliness_monthly", TIMELINESS)
        out["truth_payment"] = _mart_rows(db, "fct_online_payment_monthly", PAYMENT)
        out["as_of_after_range"] = db.execute(
            "select distinct as_of_date from audit.monthly_builds"
        ).fetchall()
        # 2. the middle night and the last one again
        rerun = _cchc_run(env, "--date", "2026-06-03", "--to", WORLD_END.isoformat(), "--no-parse")
        out["rerun"] = rerun
        out["seconds"]["rerun of 2 nights"] = rerun.seconds
        out["after_rerun"] = _marts_snapshot(db)
        # 3. a truncated copy of one province's export replaces the good one in the landing area
        hoso = next((world / "landing" / "onestop" / BROKEN / WORLD_END.isoformat()).glob("hoso.*"))
        hoso.write_bytes(hoso.read_bytes()[: hoso.stat().st_size // 2])
        broken = _cchc_run(env, "--date", WORLD_END.isoformat(), "--no-parse")
        out["broken"] = broken
        out["seconds"]["night with a broken export"] = broken.seconds
        out["after_broken"] = _marts_snapshot(db)
    finally:
        portal.stop()
        stack.close()
    print("end-to-end timings (s):", {k: round(v, 1) for k, v in out["seconds"].items()})
    return out


def _ok(proc) -> None:
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-6000:]


def test_range_runs_every_night_successfully(scenario):
    _ok(scenario["range"])
    lines = [line for line in scenario["range"].stdout.splitlines() if line.startswith("cchc_nightly")]
    assert [line.split()[1].rstrip(":") for line in lines] == ["2026-06-02", "2026-06-03", "2026-06-04"]
    assert all(" success " in line for line in lines)
    assert scenario["after_range"]["fct_dossier"], "no dossier reached the marts"


def test_every_run_builds_as_of_its_own_night(scenario):
    """Not as of the day the test runs: a backfill gives the same marts whenever it is done."""
    _ok(scenario["range"])
    assert scenario["as_of_after_range"] == [(WORLD_END,)]


def test_rerun_of_a_middle_night_changes_no_mart_row(scenario):
    _ok(scenario["rerun"])
    before, after = scenario["after_range"], scenario["after_rerun"]
    assert before.keys() == after.keys()
    for table in before:
        assert before[table] == after[table], f"marts.{table} changed on rerun"


def _truth(world: Path, table: str) -> dict[tuple, dict[str, str]]:
    with open(world / "truth" / f"{table}.csv", encoding="utf-8") as fh:
        return {(r["month_start"], r["unit_key"], r.get("field_code")): r for r in csv.DictReader(fh)}


def _world_months(rows: dict[tuple, tuple]) -> dict[tuple, tuple]:
    """The marts carry open dossiers forward into later months; the truth stops at the world's end."""
    last_month = WORLD_END.replace(day=1).isoformat()
    return {k: v for k, v in rows.items() if k[0] <= last_month}


def test_marts_equal_the_generators_truth(scenario):
    _ok(scenario["range"])
    world = scenario["world"]
    truth = _truth(world, "timeliness_monthly")
    want = {k: tuple(v[m] for m in TIMELINESS) for k, v in truth.items()}
    assert want, "the generator wrote no timeliness truth"
    assert _world_months(scenario["truth_timeliness"]) == want
    payment = _truth(world, "online_payment_monthly")
    want = {(k[0], k[1], None): tuple(v[m] for m in PAYMENT) for k, v in payment.items()}
    assert _world_months(scenario["truth_payment"]) == want


@pytest.fixture
def e2e_db(own_warehouse):
    from cchc.warehouse.connection import connect

    with connect(own_warehouse, autocommit=True) as conn:
        yield conn


def test_broken_province_fails_the_others_load_and_marts_keep_good_data(scenario, e2e_db):
    db = e2e_db
    broken = scenario["broken"]
    assert broken.returncode == 1, broken.stdout[-3000:]
    assert "province.ingest_and_validate" in broken.stdout  # named among the failed tasks
    outcomes = dict(
        db.execute(
            """
            select province_code, status from audit.run_outcomes
            where business_date = %s and step = 'onestop'
              and run_id = (select max(run_id) from audit.run_outcomes where business_date = %s)
            """,
            (WORLD_END, WORLD_END),
        ).fetchall()
    )
    assert outcomes == {"01": "success", BROKEN: "failed"}
    quarantined = db.execute(
        "select count(*) from audit.batches where province_code = %s and business_date = %s "
        "and status = 'quarantined' and reason ilike %s",
        (BROKEN, WORLD_END, "%manifest%"),
    ).fetchone()[0]
    assert quarantined >= 1
    loaded = db.execute(
        "select count(*) from audit.batches where province_code = '01' and business_date = %s and status = 'accepted'",
        (WORLD_END,),
    ).fetchone()[0]
    assert loaded >= 1
    # dbt still built (the dbt tasks succeeded) and a bad later copy did not replace good data
    assert "dbt." not in broken.stdout.split("failed tasks:")[-1]
    assert scenario["after_broken"]["fct_dossier"] == scenario["after_rerun"]["fct_dossier"]


def test_airflow_overhead_is_reported(scenario):
    # Not a bound, a measurement for the closing note (printed with -s).
    for name, seconds in scenario["seconds"].items():
        assert seconds > 0, name
