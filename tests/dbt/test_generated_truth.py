"""Issue 8's acceptance on a small generated world: every monthly figure of the unit-level marts
equals the generator's truth (all rows, not a sample). One clean province (79) across the
2025-07-01 reorganisation: files -> ingest -> ledger -> dbt (validation is the hand-made test's)."""

from __future__ import annotations

import csv
from decimal import Decimal

import pytest

from cchc import ledger
from cchc.transform.dbt import build

from .conftest import SKIP

PROVINCE = "79"
START, END = "2025-06-01", "2025-07-31"
KEYS = ("month_start", "unit_key")
# truth file -> (mart, extra key columns, {truth column: mart column})
CHECKS = {
    "timeliness_monthly.csv": (
        "fct_timeliness_monthly",
        ("field_code",),
        {
            c: c
            for c in (
                "received_total",
                "received_online",
                "received_direct_postal",
                "carried_over",
                "resolved_total",
                "resolved_early",
                "resolved_on_time",
                "resolved_late",
                "in_progress_total",
                "in_progress_within",
                "in_progress_overdue",
                "on_time_rate",
            )
        },
    ),
    "online_service_monthly.csv": (
        "fct_online_service_monthly",
        (),
        {
            "received_total": "received_total",
            "received_online": "received_online",
            "online_share": "online_share",
            "eligible_total": "received_eligible",
            "eligible_online": "received_online_eligible",
            "online_share_eligible": "online_share_eligible",
            "full_online_total": "received_full_online_level",
            "full_online_received_online": "received_online_full_online_level",
            "full_online_share": "full_online_share",
        },
    ),
    "online_payment_monthly.csv": (
        "fct_online_payment_monthly",
        (),
        {
            c: c
            for c in (
                "fee_dossiers",
                "paid_online_dossiers",
                "online_payment_share",
                "target_share",
                "meets_target",
            )
        },
    ),
    "digitisation_monthly.csv": (
        "fct_digitisation_monthly",
        (),
        {
            c: c
            for c in (
                "received_total",
                "digitised_dossiers",
                "digitised_share",
                "resolved_total",
                "electronic_result_dossiers",
                "electronic_result_share",
                "vneid_dossiers",
                "vneid_share",
            )
        },
    ),
}


def _number(value) -> Decimal | None:
    if value in ("", None):
        return None
    if isinstance(value, bool) or value in ("True", "False", "true", "false"):
        return Decimal(int(value in (True, "True", "true")))
    return Decimal(str(value))


@pytest.fixture(scope="module")
def world_marts(seeded, tmp_path_factory):

    world = tmp_path_factory.mktemp("world")
    mp = pytest.MonkeyPatch()
    mp.setenv("CCHC_WORLD_DIR", str(world))
    try:
        from cchc.cli import main as cli

        assert (
            cli(
                [
                    "generate",
                    "--out",
                    str(world),
                    "--seed",
                    "11",
                    "--dossiers",
                    "1000",
                    "--start",
                    START,
                    "--end",
                    END,
                    "--provinces",
                    PROVINCE,
                    "--mess-rate",
                    "0",
                    "--deliver-all",
                ]
            )
            == 0
        )
        from cchc.sources.onestop.discover import find_exports
        from cchc.sources.onestop.ingest import ingest_export
        from cchc.warehouse.connection import connect

        # before 2025-07-01 the merged province exported under its old codes (74, 77, 79)
        loaded = [o.batch_id for e in find_exports() for o in ingest_export(e)]
        # a clean world: accept the batches directly (GX has its own tests; it costs ~1 s a batch)
        with connect() as conn:
            for batch_id in loaded:
                ledger.accept(conn, batch_id)
        build(full_refresh=True, variables={"as_of_date": END}, exclude=SKIP)
    finally:
        mp.undo()
    return world / "truth"


@pytest.mark.slow
@pytest.mark.parametrize("truth_file", sorted(CHECKS))
def test_every_monthly_figure_equals_the_truth(world_marts, db, truth_file):
    mart, extra_keys, columns = CHECKS[truth_file]
    keys = (*KEYS, *extra_keys)
    with open(world_marts / truth_file, encoding="utf-8") as handle:
        truth = {
            tuple(row[k] for k in keys): {m: _number(row[t]) for t, m in columns.items()}
            for row in csv.DictReader(handle)
            if row["province_code_current"] == PROVINCE
        }
    rows = db.execute(
        f"select {', '.join(keys)}, {', '.join(columns.values())} from marts.{mart} "
        "where province_code_current = %s",
        (PROVINCE,),
    ).fetchall()
    got = {
        tuple(str(v) for v in row[: len(keys)]): {
            m: _number(v) for m, v in zip(columns.values(), row[len(keys) :], strict=True)
        }
        for row in rows
    }
    assert len(truth) > 50
    assert set(got) == set(truth)
    tolerance = Decimal("0.000001")  # the truth writes rates with 6 decimals
    wrong = [
        (key, col, want, got[key][col])
        for key, figures in truth.items()
        for col, want in figures.items()
        if (want is None) != (got[key][col] is None)
        or (want is not None and abs(want - got[key][col]) > tolerance)
    ]
    assert wrong == []
