"""Batches of one entity validated together (one GX run over the group) end exactly as if each
had been validated alone: same verdicts, reasons and stored results; a bad batch is
quarantined alone and its neighbours load."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest

from cchc.validate import grouped, single, validate_batch, validate_group, validate_pending
from cchc.validate.grouped import plan_groups
from cchc.validate.statistics import refresh_statistics

DAY = dt.date(2026, 11, 18)  # a Wednesday
MONDAY = dt.date(2026, 11, 2)


@pytest.fixture
def gx_runs(monkeypatch):
    """Which batches GX validated one by one (the rest were judged from a group run)."""
    alone: list[int] = []
    original = single.run_suites

    def counting(project, entity, batch_id, rows):
        alone.append(batch_id)
        return original(project, entity, batch_id, rows)

    monkeypatch.setattr(single, "run_suites", counting)
    return alone


def _history(db, raw, province, sizes):
    day = MONDAY
    for size in sizes:
        while day.isoweekday() >= 6:
            day += dt.timedelta(days=1)
        raw.make_batch(db, "onestop", "onestop_hoso", province, day, "hoso.csv", rows=size, status="accepted")
        day += dt.timedelta(days=1)


def _scenario(raw, province: str) -> list[list[dict]]:
    """Rows of seven dossier batches: clean ones, clean ones that look like mess to a group
    (the same dossier in two exports, a null a set rule ignores), and mess of each kind."""

    def rows(n, day=DAY, start=0):
        return [raw.good_dossier(province, day, start + i) for i in range(n)]

    clean = rows(60)
    again = rows(60)  # the same dossiers, the next export: no duplicate within a batch
    nulls = rows(60, start=100)
    nulls[3]["ngay_tu_choi"] = None
    warning = rows(60, start=200)
    warning[5]["ma_tthc"] = "9.999999"  # not in the catalogue: a warning
    duplicate = rows(60, start=300)
    duplicate[7] = dict(duplicate[6], source_row=8)  # same MaHoSo and NgayCapNhat twice
    critical = rows(60, start=400)
    critical[1]["ngay_hen_tra"] = dt.datetime(2026, 11, 1)
    truncated = rows(5, start=500)  # far below the province's recent exports
    return [clean, again, nulls, warning, duplicate, critical, truncated]


def _comparable(db, raw, batch_id: int, province: str) -> dict:
    row = raw.batch_row(db, batch_id)
    results = [
        (
            r["suite_name"],
            r["expectation"],
            r["severity"],
            r["success"],
            r["element_count"],
            r["unexpected_count"],
            r["observed_value"],
            json.dumps(r["unexpected_examples"], sort_keys=True).replace(province, "P"),
            r["message"],
        )
        for r in raw.results(db, batch_id)
    ]
    return {
        "status": row["status"],
        "reason": row["reason"],
        "warnings": row["warnings"],
        "results": sorted(results),
    }


def test_a_group_ends_exactly_as_batches_validated_alone(db, raw, catalogue, gx_runs):
    by_province = {}
    for province in ("GA", "GB"):
        _history(db, raw, province, [60, 60, 60, 60])
        by_province[province] = [
            raw.hoso_batch(db, province, DAY, rows, file_name=f"hoso-{i}.csv")
            for i, rows in enumerate(_scenario(raw, province))
        ]
    grouped_ids, alone_ids = by_province["GA"], by_province["GB"]

    outcomes = validate_group(grouped_ids)
    # the clean batches were judged from the group run; only those with an unexpected row ran alone
    assert gx_runs == [grouped_ids[4]]  # row rules are split by SQL; a duplicate needs GX alone
    gx_runs.clear()
    for batch_id in alone_ids:
        validate_batch(batch_id)

    statuses = [o.status for o in outcomes]
    assert statuses == [
        "accepted",
        "accepted",
        "accepted",
        "accepted",
        "accepted",
        "quarantined",
        "quarantined",
    ]
    assert outcomes[6].reason.startswith("row count dropped by more than 85%")
    for together, alone in zip(grouped_ids, alone_ids, strict=True):
        assert _comparable(db, raw, together, "GA") == _comparable(db, raw, alone, "GB")
    assert outcomes[1].superseded == [] and outcomes[0].rows == 60


def test_one_bad_batch_among_good_ones_is_quarantined_alone(db, raw, catalogue, gx_runs):
    days = [DAY + dt.timedelta(days=i) for i in range(6)]
    ids = []
    for i, day in enumerate(days):
        rows = [raw.good_dossier("GC", day, k) for k in range(4)]
        if i == 3:
            rows[2]["tong_phi_le_phi"] = -1
        ids.append(raw.hoso_batch(db, "GC", day, rows))
    outcomes = {o.batch_id: o for o in validate_pending("onestop_hoso")}
    assert gx_runs == [ids[3]]
    assert outcomes[ids[3]].status == "quarantined"
    assert outcomes[ids[3]].reason == "TongPhiLePhi negative in 1 of 4 rows"
    assert [outcomes[b].status for b in ids if b != ids[3]] == ["accepted"] * 5
    assert [raw.batch_row(db, b)["status"] for b in ids] == ["accepted"] * 3 + ["quarantined"] + [
        "accepted"
    ] * 2
    # each batch keeps results of its own: four rows, nothing of its neighbours
    for b in ids:
        assert {
            r["element_count"] for r in raw.results(db, b) if r["expectation"].startswith("expect_column")
        } == {4}


def test_a_key_is_unique_per_batch_not_across_the_group(db, raw, gx_project, gx_runs):
    from tests.validate.test_portal import payment

    def batch(rows):
        bid = raw.make_batch(db, "portal", "portal_payments", "GD", DAY, f"/api/v1/payments-{len(rows)}")
        for row in rows:
            row["record"] = json.dumps(row["record"])
            row.update(province_code="GD", business_date=DAY)
        raw.insert_rows(db, "portal_payments", bid, rows)
        return bid

    known = [dict(raw.good_dossier("GD", DAY, i), ma_ho_so=f"D{i}") for i in range(901, 907)]
    raw.hoso_batch(db, "GD", DAY, known, status="accepted")  # the payments' dossiers are known
    first = batch([payment(901), payment(902)])
    repeated = batch([payment(901), payment(902), payment(903)])  # an earlier day's payments again: fine
    doubled = batch([payment(904), payment(904), payment(905), payment(906)])  # twice in one pull: critical
    outcomes = {o.batch_id: o for o in validate_group([first, repeated, doubled])}
    assert gx_runs == [doubled]
    assert (outcomes[first].status, outcomes[repeated].status) == ("accepted", "accepted")
    assert outcomes[doubled].status == "quarantined"
    assert outcomes[doubled].reason == "the same transactionId twice in one pull in 2 of 4 rows"


def test_groups_are_capped_in_batches_and_rows():
    batches = [(1, 10), (2, 10), (3, 10), (4, 500), (5, 10)]
    assert plan_groups(batches, max_batches=2, max_rows=1000) == [[1, 2], [3, 4], [5]]
    assert plan_groups(batches, max_batches=10, max_rows=100) == [[1, 2, 3], [4], [5]]
    assert plan_groups([]) == []


def test_rules_that_relate_rows_of_a_report_are_never_grouped(gx_project):
    from cchc.validate.entities import ENTITIES

    configs, _, _ = single.suite_configs(gx_project, ENTITIES["bieu06_rows"])
    assert not grouped.groupable("bieu06_rows", configs)
    configs, _, _ = single.suite_configs(gx_project, ENTITIES["onestop_hoso"])
    assert grouped.groupable("onestop_hoso", configs)


def test_validate_batches_groups_by_entity_and_answers_in_the_order_asked(db, raw, catalogue, gx_runs):
    from tests.validate.test_portal import payment

    from cchc.validate import validate_batches

    hoso = [
        raw.hoso_batch(db, "GE", DAY + dt.timedelta(days=i), _ge_rows(raw, DAY + dt.timedelta(days=i)))
        for i in range(3)
    ]
    pay = raw.make_batch(db, "portal", "portal_payments", "GE", DAY, "/api/v1/payments-ge")
    row = payment(990)
    row.update(record=json.dumps(row["record"]), province_code="GE", business_date=DAY)
    raw.insert_rows(db, "portal_payments", pay, [row])
    done = raw.hoso_batch(db, "GE", DAY, _ge_rows(raw, DAY), status="quarantined")
    asked = [pay, hoso[2], done, hoso[0], hoso[1]]
    outcomes = validate_batches(asked)
    assert [o.batch_id for o in outcomes] == asked
    assert [o.status for o in outcomes] == ["accepted", "accepted", "quarantined", "accepted", "accepted"]
    assert [o.validated for o in outcomes] == [True, True, False, True, True]
    assert gx_runs == [pay]  # a group of one runs alone; the three dossier exports ran as one group


def _ge_rows(raw, day):
    return [raw.good_dossier("GE", day, i) for i in range(3)]


def test_a_batch_is_judged_against_the_verdicts_of_the_groups_earlier_batches(db, raw, catalogue):
    _history(db, raw, "GF", [100, 100, 100])  # accepted: Mon 2 - Wed 4 November
    days = [dt.date(2026, 11, 5), dt.date(2026, 11, 6), dt.date(2026, 11, 9)]  # Thu, Fri, Mon
    sizes = [100, 100, 5]
    ids = [
        raw.hoso_batch(db, "GF", day, [raw.good_dossier("GF", day, i) for i in range(n)])
        for day, n in zip(days, sizes, strict=True)
    ]
    outcomes = validate_group(ids)
    assert [o.status for o in outcomes] == ["accepted", "accepted", "quarantined"]
    # the two days accepted earlier in the same group count as the province's recent exports
    assert outcomes[2].reason == (
        "row count dropped by more than 85% against the province's recent exports (truncated export?): "
        "5 rows against a median of 100 over the last 5 accepted batches (5%)"
    )


def test_a_group_run_renders_in_data_docs(db, raw, catalogue, caplog):
    import logging

    from cchc.settings import get_settings
    from cchc.validate import build_data_docs

    ids = [raw.hoso_batch(db, "GG", DAY, _ge_rows(raw, DAY), file_name=f"hoso-{i}.csv") for i in range(2)]
    assert [o.status for o in validate_group(ids)] == ["accepted", "accepted"]
    with caplog.at_level(logging.WARNING, logger="great_expectations"):
        build_data_docs()
    errors = [
        r for r in caplog.records if r.name.startswith("great_expectations") and r.levelno >= logging.ERROR
    ]
    assert errors == [], errors[0].getMessage()[:2000] if errors else ""
    pages = [str(p) for p in (get_settings().data_docs_dir / "validations").rglob("*.html")]
    assert any(f"batches-{ids[0]}-{ids[1]}" in p for p in pages)


def test_statistics_are_refreshed_when_new_batches_are_most_of_the_change(db, raw):
    """A night's batches that the planner's statistics have never seen get an ANALYZE (otherwise
    `batch_id = any(...)` is estimated at one row and a big batch is joined to itself by nested loops)."""
    from cchc.settings import get_settings
    from cchc.warehouse.connection import loader_target

    target = loader_target(get_settings())
    db.execute("analyze raw.onestop_hoso")
    small = raw.hoso_batch(db, "GS", DAY, [raw.good_dossier("GS", DAY, i) for i in range(50)])
    db.execute("select pg_stat_force_next_flush()")  # the insert's counts reach pg_stat when idle
    for _ in range(50):
        db.execute("select pg_stat_clear_snapshot()")
        changed = db.execute(
            "select n_mod_since_analyze from pg_stat_user_tables where relname = 'onestop_hoso'"
        ).fetchone()[0]
        if changed >= 50:
            break
        time.sleep(0.1)
    assert not refresh_statistics(target, "onestop_hoso", [small])  # too small to matter
    assert refresh_statistics(target, "onestop_hoso", [small], min_rows=10)
    assert not refresh_statistics(target, "onestop_hoso", [small], min_rows=10)  # already fresh
