"""Pulls into the real warehouse: batches, statuses, reasons, rows, watermarks."""

from __future__ import annotations

import json
import time
from datetime import date, timedelta

import pytest
from tests.sources.portal.conftest import DAY, PAYMENTS_PER_DAY, make_client, payments, write_jsonl

from cchc.sources.portal import watermarks
from cchc.sources.portal.pull import pull_catalogue, pull_endpoint, pull_service_results

pytestmark = pytest.mark.usefixtures("portal_clean")


def batch(db, batch_id: int) -> dict:
    cur = db.execute("select * from audit.batches where batch_id = %s", (batch_id,))
    names = [d.name for d in cur.description]
    return dict(zip(names, cur.fetchone(), strict=True))


def count(db, table: str, batch_id: int) -> int:
    return db.execute(f"select count(*) from raw.{table} where batch_id = %s", (batch_id,)).fetchone()[0]


def test_pull_loads_one_pending_batch_per_province(db, sim):
    outcomes = pull_endpoint("payments", DAY, ["48", "01"], client=make_client(sim))
    assert [(o.province_code, o.status, o.rows_loaded) for o in outcomes] == [
        ("48", "pending", PAYMENTS_PER_DAY),
        ("01", "pending", PAYMENTS_PER_DAY),
    ]
    first = batch(db, outcomes[0].batch_id)
    assert first["source"] == "portal" and first["entity"] == "portal_payments"
    assert first["business_date"] == DAY and first["file_name"] == f"payments/48/{DAY}"
    assert first["file_path"] == "/api/v1/payments" and len(first["sha256"]) == 64
    assert (first["manifest_rows"], first["rows_in"], first["rows_loaded"]) == (PAYMENTS_PER_DAY,) * 3
    assert first["warnings"] == []
    row = db.execute(
        "select province_code, business_date, transaction_id, amount, status, gateway, paid_at, record "
        "from raw.portal_payments where batch_id = %s and transaction_id = %s",
        (outcomes[0].batch_id, f"TX48{DAY:%y%m%d}000003"),
    ).fetchone()
    expected = payments("48", DAY)[3]
    assert row[:6] == (
        "48",
        DAY,
        expected["transactionId"],
        expected["amount"],
        expected["status"],
        expected["gateway"],
    )
    assert row[6].isoformat().startswith(str(DAY)) and row[6].utcoffset() is not None
    assert row[7] == expected
    assert watermarks.get(db, "payments", "48") == DAY.isoformat()


def test_every_daily_endpoint_lands_typed(db, sim):
    client = make_client(sim)
    sync = pull_endpoint("dossier-sync", DAY, ["48"], client=client)[0]
    petitions = pull_endpoint("petitions", DAY, ["48"], client=client)[0]
    ratings = pull_endpoint("/api/v1/ratings", DAY, ["48"], client=client)[0]
    assert (sync.rows_loaded, petitions.rows_loaded, ratings.rows_loaded) == (12, 5, 7)
    assert db.execute(
        "select count(*) filter (where resolved_at is null), count(*) filter (where satisfied), "
        "count(due_at) from raw.portal_petitions where batch_id = %s",
        (petitions.batch_id,),
    ).fetchone() == (2, 3, 5)
    levels = db.execute(
        "select level, count(*) from raw.portal_ratings where batch_id = %s group by 1 order by 1",
        (ratings.batch_id,),
    ).fetchall()
    assert levels == [("HAI_LONG", 2), ("KHONG_HAI_LONG", 2), ("RAT_HAI_LONG", 3)]
    assert count(db, "portal_dossier_sync", sync.batch_id) == 12


def test_rerun_of_a_window_is_a_duplicate(db, sim):
    client = make_client(sim)
    first = pull_endpoint("payments", DAY, ["48"], client=client)[0]
    again = pull_endpoint("payments", DAY, ["48"], client=client)[0]
    assert again.status == "duplicate" and again.rows_loaded == 0
    assert again.reason == f"same content as batch {first.batch_id}"
    row = batch(db, again.batch_id)
    assert row["reason"] == f"same content as batch {first.batch_id}" and row["finished_at"] is not None
    assert count(db, "portal_payments", again.batch_id) == 0
    assert count(db, "portal_payments", first.batch_id) == PAYMENTS_PER_DAY


def test_changed_window_is_a_new_pending_batch(db, sim, world):
    client = make_client(sim)
    first = pull_endpoint("payments", DAY, ["48"], client=client)[0]
    records = payments("48", DAY)
    records[0]["status"] = "SUCCESS" if records[0]["status"] != "SUCCESS" else "FAILED"
    write_jsonl(
        world / "portal/payments/48" / f"{DAY}.jsonl", [*records, *payments("48", DAY + timedelta(days=9), 1)]
    )
    second = pull_endpoint("payments", DAY, ["48"], client=client)[0]
    assert second.status == "pending" and second.batch_id != first.batch_id
    assert second.rows_loaded == PAYMENTS_PER_DAY + 1
    assert batch(db, first.batch_id)["sha256"] != batch(db, second.batch_id)["sha256"]
    assert batch(db, first.batch_id)["status"] == "pending"  # validation supersedes it on acceptance


def test_records_breaking_the_contract_load_with_nulls(db, world, portal_sim_factory):
    records = payments("48", DAY, 6)
    records[1]["amount"] = "1.250.000"  # Excel-style text number
    records[2]["paidAt"] = "2025-07-01 09:15:00"  # no offset
    records[3]["gateway"] = True
    write_jsonl(world / "portal/payments/48" / f"{DAY}.jsonl", records)
    sim = portal_sim_factory(
        world,
        faults=[
            {"fault": "bad_record", "kind": "missing_key", "endpoint": "payments"},
            {"fault": "bad_record", "kind": "negative_amount", "endpoint": "payments"},
            {"fault": "bad_record", "kind": "unknown_enum", "endpoint": "payments"},
        ],
    )
    outcome = pull_endpoint("payments", DAY, ["48"], client=make_client(sim))[0]
    assert outcome.status == "pending" and outcome.rows_loaded == 6
    rows = db.execute(
        "select transaction_id, amount, status, gateway, paid_at, record from raw.portal_payments "
        "where batch_id = %s",
        (outcome.batch_id,),
    ).fetchall()
    assert sum(r[0] is None for r in rows) == 1  # missing key: null key, record kept
    keyless = next(r for r in rows if r[0] is None)
    assert "transactionId" not in keyless[5] and keyless[5]["dossierCode"]
    assert any(r[1] is not None and r[1] < 0 for r in rows)  # negative kept for validation to name
    assert any(r[2] == "REFUNDED" for r in rows)
    by_record = {r[5].get("dossierCode"): r for r in rows}
    assert by_record[records[1]["dossierCode"]][1] is None
    assert by_record[records[1]["dossierCode"]][5]["amount"] == "1.250.000"
    assert by_record[records[2]["dossierCode"]][4] is None
    assert by_record[records[3]["dossierCode"]][3] is None
    (warning,) = batch(db, outcome.batch_id)["warnings"]
    assert "amount is not bigint ×1" in warning and "paidAt is not timestamptz ×1" in warning
    assert "transactionId missing ×1" in warning


def test_one_failing_province_does_not_stop_the_others(db, world, portal_sim_factory):
    sim = portal_sim_factory(world, faults=[{"fault": "503", "province": "01", "attempts": None}])
    outcomes = pull_endpoint("payments", DAY, ["01", "48"], client=make_client(sim))
    failed, ok = outcomes
    assert (failed.province_code, failed.status, ok.province_code, ok.status) == (
        "01",
        "failed",
        "48",
        "pending",
    )
    assert "/api/v1/payments" in failed.reason and '"provinceCode": "01"' in failed.reason
    assert "last status 503" in failed.reason
    row = batch(db, failed.batch_id)
    assert row["status"] == "failed" and row["reason"] == failed.reason and row["sha256"] is None
    assert watermarks.get(db, "payments", "01") is None
    # the next night succeeds and the slot loads whole
    sim.faults = type(sim.faults)()
    retry = pull_endpoint("payments", DAY, ["01"], client=make_client(sim))[0]
    assert retry.status == "pending" and retry.rows_loaded == PAYMENTS_PER_DAY


def test_watermark_catches_up_missed_days_and_stops_at_a_gap(db, world, portal_sim_factory):
    sim = portal_sim_factory(
        world, faults=[{"fault": "500", "province": "48", "attempts": None, "endpoint": "ratings"}]
    )
    watermarks.advance(db, "payments", "48", (DAY - timedelta(days=3)).isoformat())
    outcomes = pull_endpoint("payments", DAY, ["48"], client=make_client(sim))
    assert [o.business_date for o in outcomes] == [DAY - timedelta(days=2), DAY - timedelta(days=1), DAY]
    assert all(o.status == "pending" for o in outcomes)
    assert watermarks.get(db, "payments", "48") == DAY.isoformat()
    # a rerun of an older day pulls that day only, and never winds the watermark back
    old = pull_endpoint("payments", DAY - timedelta(days=2), ["48"], client=make_client(sim))
    assert [(o.business_date, o.status) for o in old] == [(DAY - timedelta(days=2), "duplicate")]
    assert watermarks.get(db, "payments", "48") == DAY.isoformat()

    # a failed day in the middle holds the watermark before it
    (world / "portal/payments/48" / f"{DAY - timedelta(days=1)}.jsonl").write_text("{broken\n")
    watermarks_before = DAY - timedelta(days=3)
    db.execute("delete from audit.watermarks where endpoint = 'payments'")
    watermarks.advance(db, "payments", "48", watermarks_before.isoformat())
    outcomes = pull_endpoint("payments", DAY, ["48"], client=make_client(sim))
    assert [o.status for o in outcomes] == ["duplicate", "failed", "duplicate"]
    assert watermarks.get(db, "payments", "48") == (DAY - timedelta(days=2)).isoformat()


def test_default_provinces_are_those_of_the_day(db, sim, monkeypatch):
    monkeypatch.setenv("CCHC_PROVINCES", "48,01,31")  # 31 has no portal data that day
    outcomes = pull_endpoint("payments", DAY, client=make_client(sim))
    assert sorted((o.province_code, o.rows_loaded) for o in outcomes) == [
        ("01", PAYMENTS_PER_DAY),
        ("31", 0),
        ("48", PAYMENTS_PER_DAY),
    ]
    assert all(o.status == "pending" for o in outcomes)


def test_catalogue_is_incremental_by_updated_from(db, sim, world):
    client = make_client(sim)
    (full,) = pull_catalogue(client=client)
    assert (full.status, full.rows_loaded, full.file_name) == ("pending", 30, "formalities/updatedFrom=all")
    newest = "2025-07-19"
    assert watermarks.get(db, "formalities") == newest
    row = db.execute(
        "select levels, processing_days, has_fee, decision_date, updated_at from raw.portal_formalities "
        "where batch_id = %s and code = '2.000004'",
        (full.batch_id,),
    ).fetchone()
    assert row[0] == ["TINH", "XA"] and row[1] == 9 and row[2] is False and row[3] == date(2025, 6, 15)
    (since,) = pull_catalogue(client=client)
    assert (since.rows_loaded, since.file_name, since.business_date) == (
        1,
        f"formalities/updatedFrom={newest}",
        date(2025, 7, 19),
    )
    (again,) = pull_catalogue(client=client)
    assert again.status == "duplicate"


def test_service_results_of_a_month(db, sim):
    (outcome,) = pull_service_results(2025, 7, client=make_client(sim))
    assert (outcome.status, outcome.rows_loaded, outcome.business_date) == ("pending", 3, date(2025, 7, 1))
    assert db.execute(
        "select year, month, department_level, total_score, "
        "record->'groups'->0->'metrics'->0->>'numerator' from raw.portal_service_results "
        "where batch_id = %s and department_code = '48'",
        (outcome.batch_id,),
    ).fetchone() == (2025, 7, "PROVINCE", pytest.approx(18.25), "9125")
    assert watermarks.get(db, "service-results") == "2025-07"


def test_service_results_year_to_date_beside_the_month(db, sim):
    client = make_client(sim)
    (month,) = pull_service_results(2025, 7, client=client)
    (year,) = pull_service_results(2025, 7, time_type="year", client=client)
    # same content would be a duplicate within one slot; the two periods are two slots
    assert (year.status, year.rows_loaded, year.file_name) == ("pending", 1, "service-results/2025-07/year")
    assert db.execute(
        "select time_type, count(*) from raw.portal_service_results where batch_id in (%s, %s) "
        "group by time_type order by time_type",
        (month.batch_id, year.batch_id),
    ).fetchall() == [("month", 3), ("year", 1)]
    with pytest.raises(ValueError, match="time_type"):
        pull_service_results(2025, 7, time_type="quarter", client=client)


def test_pull_survives_every_fault_at_once(db, world, portal_sim_factory):
    plan = {
        "seed": 14,
        "rules": [
            {"fault": "expire_token", "rate": 0.2},
            {"fault": "hang", "endpoint": "ratings", "province": "01", "page": 1, "hang_seconds": 2},
            {"fault": "429", "rate": 0.3, "retry_after": 0},
            {"fault": "500", "rate": 0.2},
            {"fault": "502", "rate": 0.2},
            {"fault": "503", "rate": 0.2},
            {"fault": "short_page", "rate": 0.2},
            {"fault": "shift", "rate": 0.5},
            {"fault": "bad_record", "rate": 0.3},
        ],
    }
    sim = portal_sim_factory(world, faults=plan)
    client = make_client(sim)
    outcomes = []
    for endpoint in ("payments", "dossier-sync", "ratings", "petitions"):
        outcomes += pull_endpoint(endpoint, DAY, ["48", "01"], client=client, page_size=5)
    assert {o.status for o in outcomes} == {"pending"}, [o.reason for o in outcomes]
    fired = {fault for fault, _, _ in sim.stats.faults}
    assert fired == {"429", "500", "502", "503", "hang", "expire_token", "short_page", "shift", "bad_record"}
    # every record of the window is in raw once, the one that arrived while paging included
    for o in outcomes:
        endpoint = o.entity.removeprefix("portal_").replace("_", "-")
        on_disk = (world / "portal" / endpoint / o.province_code / f"{DAY}.jsonl").read_text().count("\n")
        assert count(db, o.entity, o.batch_id) == o.rows_loaded == on_disk


def test_pull_throughput(db, world, portal_sim_factory, capsys):
    n = 20_000
    write_jsonl(world / "portal/payments/48" / f"{DAY}.jsonl", payments("48", DAY, n))
    sim = portal_sim_factory(world)
    started = time.perf_counter()
    (outcome,) = pull_endpoint("payments", DAY, ["48"], client=make_client(sim))
    seconds = time.perf_counter() - started
    assert outcome.rows_loaded == n and count(db, "portal_payments", outcome.batch_id) == n
    with capsys.disabled():
        print(f"\nportal pull throughput: {n} records in {seconds:.2f} s = {n / seconds:,.0f} records/s")
    record = db.execute(
        "select record from raw.portal_payments where batch_id = %s limit 1", (outcome.batch_id,)
    ).fetchone()[0]
    assert json.dumps(record)


def test_pull_from_settings_alone(db, world, portal_sim_factory, monkeypatch):
    """The DAG's call: no client given; URL, credentials, timeout and backoff come from settings."""
    monkeypatch.setenv("CCHC_PORTAL_TIMEOUT_SECONDS", "0.3")
    monkeypatch.setenv("CCHC_PORTAL_BACKOFF_SECONDS", "0.001")
    sim = portal_sim_factory(world, faults=[{"fault": "hang", "hang_seconds": 2}])
    started = time.perf_counter()
    (outcome,) = pull_endpoint("ratings", DAY, ["48"])
    assert (outcome.status, outcome.rows_loaded) == ("pending", 7)
    assert sim.stats.fault_count("hang") == 1 and time.perf_counter() - started < 2


def test_default_provinces_follow_the_landing_area(tmp_path, monkeypatch):
    from cchc.settings import get_settings
    from cchc.sources.portal.pull import provinces_on

    monkeypatch.delenv("CCHC_PROVINCES", raising=False)
    monkeypatch.setenv("CCHC_LANDING_DIR", str(tmp_path / "landing"))
    assert len(provinces_on(DAY, get_settings())) == 34  # no landing area: every province of the day
    for code in ("01", "89", "91"):
        (tmp_path / "landing/onestop" / code).mkdir(parents=True)
    assert provinces_on(DAY, get_settings()) == ["01", "91"]  # 89 merged into 91 on 2025-07-01
    assert provinces_on(DAY - timedelta(days=1), get_settings()) == ["01", "89", "91"]


def test_two_pulls_of_one_window_at_once_load_it_once(db, sim):
    from concurrent.futures import ThreadPoolExecutor

    def pull(_):
        return pull_endpoint("payments", DAY, ["48"], client=make_client(sim))[0]

    with ThreadPoolExecutor(2) as pool:
        a, b = pool.map(pull, range(2))
    assert sorted((a.status, b.status)) == ["duplicate", "pending"]
    loaded = db.execute(
        "select count(*) from raw.portal_payments where batch_id = any(%s)", ([a.batch_id, b.batch_id],)
    ).fetchone()[0]
    assert loaded == PAYMENTS_PER_DAY
