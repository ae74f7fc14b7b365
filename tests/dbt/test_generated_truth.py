"""Issue 8's acceptance: on a generated world from 2024-01 to 2026-06 for a kept province (01 Hà Nội)
and a merged one (91 An Giang, from 89 + 91 on 2025-07-01), every monthly figure of the marts equals
the generator's truth: all five truth tables, every row both ways, every column, at unit level and
rolled up onto today's provinces and the nation.

Two builds are checked, each against a truth of its own:
1. a full build of the world that stops on 2026-06-29 (generated with `horizon` 2026-06-30, so it is
   an exact prefix of the longer world: the same files up to its last day, asserted below);
2. the longer world's last day (its exports, the portal's ratings and petitions of the night as the
   pipeline pulls them) loaded on top, an incremental build, compared with the truth of the world
   that ends on 2026-06-30.

Files -> ingest -> ledger, the portal through `cchc.sources.portal` against the simulator, dbt.
Batches are accepted directly (validation has its own tests and costs ~1 s a batch).

Petitions come by receipt date and carry their state when pulled; a resolution made after the
receipt night reaches the warehouse only because each night's petition pull also asks again for the
petitions still open (`cchc.sources.portal.open_petitions`): the last night here is one ordinary
pull. The index-style columns of the timeliness marts (index_handled, index_timely,
index_timely_ratio) are compared like the others.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from cchc import ledger

pytestmark = pytest.mark.slow

PROVINCES = ("01", "91")
START, PREV_END, END = date(2024, 1, 1), date(2026, 6, 29), date(2026, 6, 30)
DOSSIERS = 3000

# truth table -> (mart stem, extra key columns, {truth column: mart column}, count columns)
TABLES = {
    "timeliness_monthly": (
        "fct_timeliness",
        ("field_code",),
        {c: c for c in (
            "received_total", "received_new", "received_online", "received_direct_postal", "carried_over",
            "resolved_total", "resolved_early", "resolved_on_time", "resolved_late",
            "in_progress_total", "in_progress_within", "in_progress_overdue", "on_time_rate",
            "index_handled", "index_timely", "index_timely_ratio",
        )},
    ),
    "online_service_monthly": (
        "fct_online_service",
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
    "online_payment_monthly": (
        "fct_online_payment",
        (),
        {c: c for c in (
            "fee_dossiers", "paid_online_dossiers", "online_payment_share", "target_share", "meets_target",
        )},
    ),
    "digitisation_monthly": (
        "fct_digitisation",
        (),
        {c: c for c in (
            "received_total", "digitised_dossiers", "digitised_share", "resolved_total",
            "electronic_result_dossiers", "electronic_result_share", "vneid_dossiers", "vneid_share",
        )},
    ),
    "satisfaction_monthly": (
        "fct_satisfaction",
        (),
        {c: c for c in (
            "petitions_due", "petitions_on_time", "petition_on_time_rate",
            "ratings_total", "ratings_satisfied", "satisfaction_rate",
        )},
    ),
}  # fmt: skip
# rates the rollups recompute from their sums: rate column -> (numerator, denominator) truth columns
RATES = {
    "on_time_rate": (("resolved_early", "resolved_on_time"), "resolved_total"),
    "index_timely_ratio": (("index_timely",), "index_handled"),
    "online_share": (("received_online",), "received_total"),
    "online_share_eligible": (("eligible_online",), "eligible_total"),
    "full_online_share": (("full_online_received_online",), "full_online_total"),
    "online_payment_share": (("paid_online_dossiers",), "fee_dossiers"),
    "digitised_share": (("digitised_dossiers",), "received_total"),
    "electronic_result_share": (("electronic_result_dossiers",), "resolved_total"),
    "vneid_share": (("vneid_dossiers",), "received_total"),
    "petition_on_time_rate": (("petitions_on_time",), "petitions_due"),
    "satisfaction_rate": (("ratings_satisfied",), "ratings_total"),
}
UNIT_ONLY = ("target_share", "meets_target")  # flags of a unit-month, not rolled up
TRUTH_DECIMALS = Decimal("0.000001")
LEVELS = ("unit", "province", "national")


def _number(value) -> Decimal | None:
    if value in ("", None):
        return None
    if isinstance(value, bool) or value in ("True", "False", "true", "false"):
        return Decimal(int(value in (True, "True", "true")))
    return Decimal(str(value))


def _same(want: Decimal | None, got: Decimal | None, rate: bool) -> bool:
    if want is None or got is None:
        return want is None and got is None
    # the truth writes rates rounded half-even to 6 decimals ('%.6f'); counts are exact
    return got.quantize(TRUTH_DECIMALS) == want if rate else got == want


def _mart_name(stem: str, level: str) -> str:
    return {"unit": f"{stem}_monthly", "province": f"{stem}_province_monthly"}.get(
        level, f"{stem}_national_monthly"
    )


def _keys(level: str, extra: tuple[str, ...]) -> tuple[str, ...]:
    return {"unit": ("month_start", "unit_key"), "province": ("month_start", "province_code_current")}.get(
        level, ("month_start",)
    ) + extra


def _truth_rows(world: Path, table: str, level: str) -> dict[tuple, dict[str, Decimal | None]]:
    """The truth at `level`: unit rows as written; rollups summed on province_code_current (no commune
    of these provinces is split across provinces, and split shares sum to 1, so plain sums are exact),
    rates recomputed from the sums."""
    _, extra, columns = TABLES[table]
    with open(world / "truth" / f"{table}.csv", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["province_code_current"] in PROVINCES]
    for r in rows:
        if table == "timeliness_monthly":  # new this month, whichever channel (the truth's own parts)
            r["received_new"] = str(int(r["received_online"]) + int(r["received_direct_postal"]))
    keys = _keys(level, extra)
    if level == "unit":
        return {tuple(r[k] for k in keys): {m: _number(r[t]) for t, m in columns.items()} for r in rows}
    counts = [t for t in columns if t not in RATES and t not in UNIT_ONLY]
    sums: dict[tuple, dict[str, Decimal]] = {}
    for r in rows:
        acc = sums.setdefault(tuple(r[k] for k in keys), dict.fromkeys(counts, Decimal(0)))
        for t in counts:
            acc[t] += Decimal(r[t])
    out = {}
    for key, acc in sums.items():
        figures = {columns[t]: v for t, v in acc.items()}
        for rate, (nums, den) in RATES.items():
            if rate in columns:
                d = acc[den]
                figures[columns[rate]] = (
                    None if d == 0 else (sum(acc[n] for n in nums) / d).quantize(TRUTH_DECIMALS)
                )
        out[key] = figures
    return out


def _mart_rows(conn, table: str, level: str) -> dict[tuple, dict[str, Decimal | None]]:
    stem, extra, columns = TABLES[table]
    keys = _keys(level, extra)
    measures = [m for t, m in columns.items() if level == "unit" or t not in UNIT_ONLY]
    where = "" if level == "national" else " where province_code_current = any(%s)"
    rows = conn.execute(
        f"select {', '.join(keys)}, {', '.join(measures)} from marts.{_mart_name(stem, level)}{where}",
        () if level == "national" else (list(PROVINCES),),
    ).fetchall()
    return {
        tuple(str(v) for v in row[: len(keys)]): {
            m: _number(v) for m, v in zip(measures, row[len(keys) :], strict=True)
        }
        for row in rows
    }


# -- the scenario ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def own_warehouse(warehouse, tmp_path_factory):
    """A warehouse of this module's own, seeded: the session's holds other tests' dossiers in the
    same provinces and months (Hà Nội's units in 2025-11), which would count in these marts."""
    from cchc.settings import get_settings
    from cchc.transform.dbt import seed
    from cchc.warehouse import embedded
    from cchc.warehouse.bootstrap import bootstrap

    shared_state = os.environ["CCHC_STATE_DIR"]
    os.environ["CCHC_STATE_DIR"] = str(tmp_path_factory.mktemp("truth-state"))
    try:
        target = bootstrap(get_settings())
        seed(full_refresh=True)
        yield target
    finally:
        embedded.stop(get_settings().pgdata_dir)
        os.environ["CCHC_STATE_DIR"] = shared_state


def _generate(out: Path, end: date, horizon: date | None = None) -> Path:
    from cchc_world.generate.generator import Config, generate

    generate(
        Config(
            out=out,
            seed=11,
            dossiers=DOSSIERS,
            start=START,
            end=end,
            horizon=horizon,
            provinces=PROVINCES,
            mess_rate=0.0,
            formats=("csv", "jsonl"),  # XLSX parsing is covered by the ingest tests and is ~50x slower
            deliver_all=True,
        )
    )
    return out


def _files(world: Path, until: date) -> dict[str, object]:
    """Every landing and portal daily file of a business date up to `until`: its sha256, and for
    petitions (files by receipt date, holding each petition's state as of the world's end) the
    records with a resolution made on END taken back (the shorter world ended before it)."""
    out: dict[str, object] = {}
    for sub in ("landing/onestop", "portal/dossier-sync", "portal/payments", "portal/ratings",
                "portal/petitions"):  # fmt: skip
        for path in (world / sub).rglob("*"):
            day = path.parent.name if sub == "landing/onestop" else path.stem
            if not path.is_file() or date.fromisoformat(day) > until:
                continue
            if sub == "portal/petitions":
                records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
                for r in records:
                    if (r["resolvedAt"] or "").startswith(END.isoformat()):
                        r["resolvedAt"] = r["satisfied"] = None
                out[str(path.relative_to(world))] = records
            else:
                out[str(path.relative_to(world))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def _months(first: date, last: date) -> list[tuple[int, int]]:
    return [
        (y, m)
        for y in range(first.year, last.year + 1)
        for m in range(1, 13)
        if (first.year, first.month) <= (y, m) <= (last.year, last.month)
    ]


def _accept_pending(conn) -> int:
    pending = [r[0] for r in conn.execute("select batch_id from audit.batches where status = 'pending'")]
    for batch_id in pending:
        ledger.accept(conn, batch_id)
    return len(pending)


def _pull_history(endpoints: tuple[str, ...], until: date) -> list:
    """Daily endpoints from START to `until` the way a night after an outage catches up: the first
    night sets each province's watermark, later nights pull every day after it (before 2025-07-01
    the merged province was 89 An Giang + 91 Kiên Giang)."""
    from cchc.sources.portal.pull import pull_endpoint

    reform_eve = date(2025, 6, 30)
    outcomes = []
    for endpoint in endpoints:
        outcomes += pull_endpoint(endpoint, START, ["01", "89", "91"])
        outcomes += pull_endpoint(endpoint, reform_eve, ["01", "89", "91"], max_catch_up_days=10_000)
        outcomes += pull_endpoint(endpoint, until, list(PROVINCES), max_catch_up_days=10_000)
    return outcomes


def _snapshot(conn) -> dict[tuple[str, str], dict]:
    return {(t, lv): _mart_rows(conn, t, lv) for t in TABLES for lv in LEVELS}


@pytest.fixture(scope="module")
def scenario(own_warehouse, tmp_path_factory):
    from cchc.sources.onestop.discover import find_exports
    from cchc.sources.onestop.ingest import ingest_export
    from cchc.sources.portal.pull import pull_catalogue, pull_endpoint, pull_service_results
    from cchc.transform.dbt import build
    from cchc.warehouse.connection import connect
    from cchc_world.portal_sim.testing import start_in_thread

    from .conftest import SKIP

    root = tmp_path_factory.mktemp("long-world")
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    prev = _generate(root / "prev", PREV_END, horizon=END)
    full = _generate(root / "full", END)
    seconds["generate both"] = time.perf_counter() - t0
    mp = pytest.MonkeyPatch()
    try:
        with connect() as conn:
            conn.autocommit = True
            # 1. the world up to 2026-06-29, full build
            t0 = time.perf_counter()
            mp.setenv("CCHC_WORLD_DIR", str(prev))
            mp.delenv("CCHC_LANDING_DIR", raising=False)
            mp.delenv("CCHC_PROVINCES", raising=False)
            exports = find_exports()
            loaded = [o for e in exports for o in ingest_export(e)]
            seconds["ingest exports"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            sim = start_in_thread(prev)
            mp.setenv("CCHC_PORTAL_URL", str(sim))
            portal = pull_catalogue() + _pull_history(("petitions", "ratings", "dossier-sync"), PREV_END)
            sim.stop()
            seconds["pull portal"] = time.perf_counter() - t0
            accepted = _accept_pending(conn)
            t0 = time.perf_counter()
            build(full_refresh=True, variables={"as_of_date": PREV_END.isoformat()}, exclude=SKIP)
            seconds["dbt full build"] = time.perf_counter() - t0
            before = _snapshot(conn)

            # 2. the last day of the longer world, incremental build
            t0 = time.perf_counter()
            mp.setenv("CCHC_WORLD_DIR", str(full))
            last_day = [o for e in find_exports(business_date=END) for o in ingest_export(e)]
            sim = start_in_thread(full)
            mp.setenv("CCHC_PORTAL_URL", str(sim))
            last_portal = pull_endpoint("ratings", END, list(PROVINCES))
            # the night's pull, which also asks again for the petitions still open
            last_portal += pull_endpoint("petitions", END, list(PROVINCES))
            last_portal += pull_endpoint("dossier-sync", END, list(PROVINCES))
            # the catalogue again (announcements made public since) and every month's Decision 766
            last_portal += pull_catalogue()
            for year, month in _months(START, END):
                last_portal += pull_service_results(year, month)
                last_portal += pull_service_results(year, month, time_type="year")
            sim.stop()
            _accept_pending(conn)
            seconds["ingest + pull last day"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            build(variables={"as_of_date": END.isoformat()}, exclude=SKIP)
            seconds["dbt incremental build"] = time.perf_counter() - t0
            after = _snapshot(conn)
            indicators = [
                dict(zip(("department_code", "department_level", "month_start", "period", "indicator_code", "source",
                          "numerator", "denominator", "numerator_published", "denominator_published",
                          "difference"), row, strict=True))
                for row in conn.execute(
                    "select department_code, department_level, month_start, period, indicator_code, source, numerator, "
                    "denominator, numerator_published, denominator_published, difference "
                    "from marts.fct_reform_index_indicators_monthly"
                )
            ]  # fmt: skip
            fct_rows = conn.execute("select count(*) from marts.fct_dossier").fetchone()[0]
    finally:
        mp.undo()
    print(
        f"\nlong world: {len(exports)} exports ({len(loaded)} batches), {len(portal)} portal windows, "
        f"{accepted} accepted, {fct_rows} dossiers; last day {len(last_day)} file batches, "
        f"{len(last_portal)} portal windows; seconds " + ", ".join(f"{k} {v:.1f}" for k, v in seconds.items())
    )
    return {
        "prev": prev,
        "full": full,
        "before": before,
        "after": after,
        "loaded": loaded,
        "portal": portal + last_portal,
        "last_portal": last_portal,
        "last_day": last_day,
        "indicators": indicators,
    }


# -- the assertions --------------------------------------------------------------------------------
def test_the_shorter_world_is_an_exact_prefix_of_the_longer(scenario):
    prev, full = _files(scenario["prev"], PREV_END), _files(scenario["full"], PREV_END)
    assert len(prev) > 1000
    assert prev == full


def test_every_batch_loaded(scenario):
    statuses = {o.status for o in scenario["loaded"] + scenario["last_day"]}
    assert statuses == {"pending"}, [o for o in scenario["loaded"] if o.status != "pending"][:3]
    assert {o.status for o in scenario["portal"]} <= {"pending", "duplicate"}


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("table", sorted(TABLES))
@pytest.mark.parametrize("stage", ["full build to 2026-06-29", "one more day, incremental"])
def test_every_monthly_figure_equals_the_truth(scenario, stage, table, level):
    world, marts = (
        (scenario["prev"], scenario["before"])
        if stage.startswith("full")
        else (scenario["full"], scenario["after"])
    )
    want = _truth_rows(world, table, level)
    got = marts[(table, level)]
    months = (END.year - START.year) * 12 + END.month - START.month + 1
    assert len(want) >= {"unit": 300, "province": len(PROVINCES) * months, "national": months}[level]
    assert sorted(set(want) - set(got))[:5] == []  # rows missing from the mart
    assert sorted(set(got) - set(want))[:5] == []  # rows the truth does not have
    rates = {m for t, m in TABLES[table][2].items() if t in RATES}
    wrong = [
        (key, col, str(figure), str(got[key][col]))
        for key, figures in sorted(want.items())
        for col, figure in figures.items()
        if not _same(figure, got[key][col], col in rates)
    ]
    assert wrong[:10] == [], f"{len(wrong)} figures differ"


def test_the_last_day_changed_the_figures(scenario):
    """The increment is not vacuous: the two truths differ, and so do the marts."""
    for table in ("timeliness_monthly", "satisfaction_monthly"):
        assert _truth_rows(scenario["prev"], table, "unit") != _truth_rows(scenario["full"], table, "unit")
        assert scenario["before"][(table, "unit")] != scenario["after"][(table, "unit")]


def test_the_last_night_brought_resolutions_of_open_petitions(scenario):
    """Without the open-petition windows the satisfaction figures of the last day would be stale."""
    reopened = [o for o in scenario["last_portal"] if "/open/" in o.file_name]
    assert {o.province_code for o in reopened} >= set(PROVINCES)
    assert sum(o.rows_loaded for o in reopened) > 0


def test_the_index_style_compared_is_not_the_report_style(scenario):
    """The index columns compared above are not a copy of the report style: the index stops counting a
    dossier once its clock stopped and holds two supplement requests against it."""
    rows = _truth_rows(scenario["full"], "timeliness_monthly", "unit").values()
    assert sum(r["index_handled"] for r in rows) < sum(r["received_total"] for r in rows)
    assert any(0 < r["index_timely"] < r["index_handled"] for r in rows)
    assert any(r["index_timely_ratio"] != r["on_time_rate"] for r in rows if r["resolved_total"])


def test_every_766_difference_is_an_input_never_a_formula(scenario):
    """Issue 14's promise on a generated world: the portal published Decision 766 computed from the
    world by the rule seed, for each month and each year to date, with its own sync count (1% of
    synced dossiers not accepted). Every
    sub-indicator our records can state then has the portal's inputs exactly, except that sync
    numerator; the published scores follow from their own inputs under our rules; the schema 1.3
    indicators are recomputed where every export stated the flags (after the reform, 1.3 provinces)
    and taken as published where a 1.2 export could not."""
    from collections import Counter

    rows = scenario["indicators"]
    assert len(rows) > 5000
    periods = Counter(r["period"] for r in rows)
    assert periods["year_to_date"] > periods["month"] > 0  # a unit idle in a month is still in its year
    differences = Counter(r["difference"] for r in rows)
    assert "published score does not follow from its inputs" not in differences
    assert differences["not published"] == 0, [r for r in rows if r["difference"] == "not published"][:3]
    unexplained = [
        r
        for r in rows
        if r["source"] == "records"
        and r["difference"] != "same inputs"
        and not (
            r["indicator_code"] == "ckmb_synced_dossiers"
            and r["difference"] == "numerator differs"
            and r["numerator"] > r["numerator_published"]
        )
    ]
    assert unexplained[:5] == [], f"{len(unexplained)} sub-indicators differ in more than the sync count"
    synced = [r for r in rows if r["indicator_code"] == "ckmb_synced_dossiers"]
    assert any(r["difference"] == "numerator differs" for r in synced)
    published_only = {
        "mdsh_procedures_population_data",
        "mdsh_e_certified_copies",
        "mdhl_dossier_satisfaction",
    }
    assert {r["indicator_code"] for r in rows if r["difference"] == "taken as published"} >= published_only
    # before the reform every export was 1.2: only a unit whose dossiers of the month were all
    # exported again later by a 1.3 system is recomputed
    flags = [r for r in rows if r["indicator_code"] == "mdsh_reused_data" and r["denominator"]]
    before = Counter(r["source"] for r in flags if r["month_start"] < date(2025, 7, 1))
    after = Counter(r["source"] for r in flags if r["month_start"] >= date(2025, 7, 1))
    assert before["published"] > 10 * before["records"]
    assert after["records"] > 0 and after["published"] > 0


# -- statutory reports generated from the marts (issue 16) -----------------------------------------
def _recount(conn, unit, start: date, end: date) -> dict[str, dict[str, int]]:
    """Biểu 06 of a unit and period recounted from the dossiers in plain Python (the rules as
    docs/KPIS.md words them), sharing nothing with the report's SQL but the unit's scope."""
    from cchc.report_measures import REPORT_MEASURES

    rows = conn.execute(
        "select d.field_name, d.channel_code, d.received_date, d.due_date, d.end_date "
        "from marts.fct_dossier as d left join marts.dim_admin_unit as u on u.unit_key = d.unit_key "
        f"where {unit.scope} and d.received_date is not null",
        {"code": unit.code},
    ).fetchall()
    out: dict[str, dict[str, int]] = {}
    for field_name, channel, received, due, ended in rows:
        ended = ended if ended is not None and ended <= END else None  # the world's report date
        if received > end or (ended is not None and ended < start):
            continue
        c = out.setdefault(field_name, dict.fromkeys(REPORT_MEASURES, 0))
        if received >= start:
            c["received_online" if channel == 2 else "received_direct_postal"] += 1
        else:
            c["carried_over"] += 1
        if ended is not None and ended <= end:
            kind = "on_time" if due is None or ended == due else "early" if ended < due else "late"
            c[f"resolved_{kind}"] += 1
        else:
            c["in_progress_within" if due is None or due >= end else "in_progress_overdue"] += 1
    for c in out.values():
        c["received_total"] = c["received_online"] + c["received_direct_postal"] + c["carried_over"]
        c["resolved_total"] = c["resolved_early"] + c["resolved_on_time"] + c["resolved_late"]
        c["in_progress_total"] = c["in_progress_within"] + c["in_progress_overdue"]
    return out


def test_generated_bieu06_round_trips_and_reconciles(scenario, tmp_path, monkeypatch):
    """Biểu 06 written from the marts for a province of today, an old province (89, before the
    merger), the busiest commune and provincial department, for a month, a quarter and periods that
    are neither (carried over at the start, in progress at the end): read back by the project's own
    reader with every identity holding and the dossiers' figures; then loaded like a delivered
    report, where the reconciliation finds every figure `ok`."""
    from cchc.reports.bieu06 import figures, file_name, workbook
    from cchc.reports.bieu06_form import broken_identities
    from cchc.sources.reports.bieu06_reader import read_bieu06
    from cchc.sources.reports.ingest_reports import ingest_reports
    from cchc.transform.dbt import build
    from cchc.warehouse.connection import connect

    with connect(autocommit=True) as conn:
        busiest = {
            kind: conn.execute(
                "select d.unit_code from marts.fct_dossier as d join marts.dim_admin_unit as u using (unit_key) "
                "where u.unit_kind = %s and d.province_code_current = '91' and d.received_date >= '2025-07-01' "
                "group by d.unit_code order by count(*) desc, d.unit_code limit 1",
                (kind,),
            ).fetchone()[0]
            for kind in ("commune", "agency")
        }
        asked = [
            ("91", "91", date(2026, 6, 1), date(2026, 6, 30)),
            ("91", "91", date(2024, 12, 15), date(2025, 10, 15)),
            ("89", "89", date(2025, 3, 1), date(2025, 3, 31)),
            ("01", "01", date(2026, 1, 1), date(2026, 3, 31)),
            ("91", busiest["commune"], date(2025, 12, 15), date(2026, 6, 29)),
            ("91", busiest["agency"], date(2026, 5, 1), date(2026, 5, 31)),
        ]
        reports = {}
        for folder, code, start, end in asked:
            report = figures(conn, code, start, end)
            assert report.fields, (code, start, end)
            path = tmp_path / "reports" / folder / file_name(report.unit.code, start, end)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(workbook(report))
            parsed = read_bieu06(path)
            assert (parsed.period_start, parsed.period_end, parsed.unit_code) == (start, end, code)
            by_field = {r.field_name: r.values for r in parsed.rows if not r.is_total}
            (total,) = [r.values for r in parsed.rows if r.is_total]
            assert by_field == {name: values for _, name, values in report.fields}
            assert total == report.total
            assert broken_identities(list(by_field.items()), total) == []
            assert by_field == _recount(conn, report.unit, start, end), (code, start, end)
            reports[parsed.report_id] = report
        # a month's report is that month's row of the monthly fact
        (month,) = conn.execute(
            "select row(sum(received_total), sum(carried_over), sum(resolved_late), sum(in_progress_overdue)) "
            "from marts.fct_timeliness_monthly where province_code_current = '91' and month_start = '2026-06-01'"
        ).fetchone()
        june = next(
            r for r in reports.values() if r.unit.code == "91" and r.period_start == date(2026, 6, 1)
        ).total
        assert tuple(int(v) for v in month) == (
            june["received_total"], june["carried_over"], june["resolved_late"], june["in_progress_overdue"]
        )  # fmt: skip

        # delivered like a unit's report: loaded, validated, reconciled
        monkeypatch.setenv("CCHC_LANDING_DIR", str(tmp_path))
        outcomes = ingest_reports()
        assert {o.status for o in outcomes} == {"pending"}, outcomes
        _accept_pending(conn)
        build(["fct_report_reconciliation"], variables={"as_of_date": END.isoformat()})
        checks = conn.execute(
            "select report_id, rule, status, count(*) from marts.fct_report_reconciliation "
            "where report_id = any(%s) group by 1, 2, 3",
            (list(reports),),
        ).fetchall()
    by_report: dict[str, dict[str, set[str]]] = {}
    for report_id, rule, status, _ in checks:
        by_report.setdefault(report_id, {}).setdefault(rule, set()).add(status)
    assert set(by_report) == set(reports)
    for report_id, rules in by_report.items():
        kind = reports[report_id].unit.kind
        for rule, statuses in rules.items():
            if rule == "recomputed_from_dossiers" and kind == "province":
                assert statuses == {"not_comparable"}, report_id  # a province is not a receiving unit
            else:
                assert statuses == {"ok"}, (report_id, rule, statuses)
        assert "recomputed_from_dossiers" in rules


def test_the_report_paragraph_states_the_marts(scenario):
    """`cchc report summary` for An Giang, June 2026: every number it states is the marts' (Biểu 06
    counts, online share, online payment against 30%, the 766 groups), in Vietnamese notation, each
    rate beside its numerator and denominator."""
    from cchc.reports.summary import facts, number, paragraph, percent
    from cchc.warehouse.connection import connect

    with connect(autocommit=True) as conn:
        found = facts(conn, "91", date(2026, 6, 1), date(2026, 6, 30))
        t = conn.execute(
            "select sum(received_total), sum(received_online), sum(received_direct_postal), sum(carried_over), "
            "sum(resolved_total), sum(resolved_early), sum(resolved_on_time), sum(resolved_late), "
            "sum(in_progress_total), sum(in_progress_within), sum(in_progress_overdue), sum(received_new) "
            "from marts.fct_timeliness_province_monthly where province_code_current = '91' and month_start = '2026-06-01'"
        ).fetchone()
        fees, paid = conn.execute(
            "select fee_dossiers, paid_online_dossiers from marts.fct_online_payment_province_monthly "
            "where province_code_current = '91' and month_start = '2026-06-01'"
        ).fetchone()
        groups = conn.execute(
            "select group_code, score_computed from marts.fct_reform_index_monthly "
            "where province_code_current = '91' and month_start = '2026-06-01'"
        ).fetchall()
    total = found.report.total
    measures = ("received_total", "received_online", "received_direct_postal", "carried_over", "resolved_total",
                "resolved_early", "resolved_on_time", "resolved_late", "in_progress_total", "in_progress_within",
                "in_progress_overdue")  # fmt: skip
    assert (*(total[m] for m in measures), found.received_new) == tuple(int(v) for v in t)
    assert (found.fee_dossiers, found.paid_online) == (int(fees), int(paid))
    assert {g: c for g, c, _ in found.index_groups} == dict(groups)
    text = paragraph(found, "vi")
    in_time = total["resolved_early"] + total["resolved_on_time"]
    for phrase in (
        f"tiếp nhận {number(total['received_total'])} hồ sơ phải giải quyết",
        f"đúng và trước hạn {number(in_time)}/{number(total['resolved_total'])} hồ sơ đã giải quyết, "
        f"đạt {percent(in_time, total['resolved_total'])}",
        f"quá hạn {number(total['in_progress_overdue'])}",
        f"Thanh toán trực tuyến {number(found.paid_online)}/{number(found.fee_dossiers)} hồ sơ có phí, lệ phí, "
        f"đạt {percent(found.paid_online, found.fee_dossiers)}",
    ):
        assert phrase in text, phrase
    assert "," in percent(in_time, total["resolved_total"])  # 93,18%: the decimal comma
    assert "Chỉ số 766 tháng 06/2026" in text
    assert "From 01/06/2026 to 30/06/2026" in paragraph(found, "en")


def test_the_monthly_outbox_writes_each_report_once(scenario, tmp_path):
    """The outbox of May 2026: a form per unit with dossiers and per province, each province's the
    sum of its units'; the same night again writes nothing."""
    from cchc.pipeline.reports import last_complete_month
    from cchc.reports.outbox import write_month
    from cchc.sources.reports.bieu06_reader import read_bieu06
    from cchc.warehouse.connection import connect

    assert last_complete_month(date(2026, 5, 31)) == date(2026, 5, 1)
    assert last_complete_month(date(2026, 6, 29)) == date(2026, 5, 1)
    assert last_complete_month(date(2026, 3, 1)) == date(2026, 2, 1)
    with connect(autocommit=True) as conn:
        first = write_month(conn, date(2026, 5, 1), tmp_path)
        again = write_month(conn, date(2026, 5, 1), tmp_path)
        units = conn.execute(
            "select province_code_current, count(distinct unit_code), sum(received_total) "
            "from marts.fct_timeliness_monthly where month_start = '2026-05-01' and received_total > 0 "
            "group by 1 order by 1"
        ).fetchall()
    files = sorted(tmp_path.rglob("*.xlsx"))
    assert first["written"] == len(files) == sum(n for _, n, _ in units) + len(units)
    assert again == {"written": 0, "unchanged": len(files), "provinces": len(units)}
    for province, _, received in units:
        report = read_bieu06(tmp_path / "2026-05" / province / f"bieu06_{province}_20260501_20260531.xlsx")
        (total,) = [r.values for r in report.rows if r.is_total]
        assert total["received_total"] == received, province


def test_every_cell_lists_its_dossiers(scenario):
    """`cchc explain` for cells of each kind (a late resolution, carried over, in progress overdue,
    paid online, index timely) of the busiest unit-months: as many dossiers as the mart's cell, and
    exactly those fct_dossier classifies so."""
    from cchc.reports.explain import MEASURES, explain
    from cchc.warehouse.connection import connect

    with connect(autocommit=True) as conn:
        for measure in ("resolved_late", "carried_over", "in_progress_overdue", "paid_online_dossiers", "index_timely",
                        "received_online", "electronic_result_dossiers"):  # fmt: skip
            fact = MEASURES[measure][0]
            unit, month, cell = conn.execute(
                f"select unit_code, month_start, sum({measure}) from marts.{fact} group by 1, 2 "
                "order by 3 desc, 1, 2 limit 1"
            ).fetchone()
            assert cell > 0, measure
            got, dossiers = explain(conn, unit, month, measure)
            assert got == cell == len(dossiers), (measure, unit, month)
            assert len({d.dossier_code for d in dossiers}) == len(dossiers)
            assert all(d.why for d in dossiers)
        # a field's cell
        unit, month, field, cell = conn.execute(
            "select unit_code, month_start, field_code, resolved_late from marts.fct_timeliness_monthly "
            "order by resolved_late desc, 1, 2, 3 limit 1"
        ).fetchone()
        got, dossiers = explain(conn, unit, month, "resolved_late", field)
        assert got == cell == len(dossiers) > 0
        late = {
            code for (code,) in conn.execute(
                "select dossier_code from marts.fct_dossier where unit_code = %s and field_code = %s "
                "and end_date >= %s and end_date < %s::date + interval '1 month' and end_date > due_date",
                (unit, field, month, month),
            ).fetchall()
        }  # fmt: skip
        assert {d.dossier_code for d in dossiers} == late
