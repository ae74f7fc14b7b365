"""The dimensions built by dbt (seeds → staging → marts.core) on a real embedded warehouse."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from cchc import ledger
from cchc.reference import calendar as cal

pytestmark = pytest.mark.slow

MY_NODES = [
    "+dim_date",
    "+dim_admin_unit",
    "+bridge_admin_unit_succession",
    "+dim_procedure",
]
ICT = timezone(timedelta(hours=7))


def _record(code: str, updated: str, **changes) -> dict:
    record = {
        "code": code,
        "id": f"id-{code}",
        "name": f"Thủ tục {code}",
        "fieldCode": "HT",
        "fieldName": "Hộ tịch",
        "levels": ["XA"],
        "onlineLevel": "MOT_PHAN",
        "processingDays": 10,
        "dayType": "WORKING",
        "hasFee": False,
        "state": "ACTIVE",
        "decisionDate": "2021-03-15",
        "effectiveDate": "2021-04-01",
        "replacedByCode": None,
        "updatedAt": f"{updated}T09:00:00+07:00",
    }
    record.update(changes)
    return record


# batch (business date, final status) -> catalogue records pulled in it
CATALOGUE_PULLS: list[tuple[str, str, list[dict]]] = [
    ("2024-01-10", "accepted", [_record("1.000001", "2024-01-05"), _record("1.000002", "2024-01-05")]),
    (
        "2024-06-01",
        "accepted",
        [
            _record("1.000001", "2024-01-05"),  # the same state again: kept once
            _record("1.000001", "2024-05-20", onlineLevel="TOAN_TRINH"),  # a new version
            _record("1.000001", "2024-05-25", onlineLevel="TOAN_TRINH", decisionDate="2024-05-01"),  # not
        ],
    ),
    ("2025-01-02", "quarantined", [_record("1.000001", "2025-01-01", processingDays=99)]),
    (
        "2025-07-02",
        "accepted",
        [
            _record("1.000002", "2025-07-01", state="ABOLISHED", replacedByCode="3.000021"),
            # announced ahead of the reorganisation: valid from its effective date
            _record("3.000021", "2025-06-20", effectiveDate="2025-07-01", decisionDate="2025-06-20"),
        ],
    ),
]


def _load_catalogue(conn) -> None:
    for business_date, status, records in CATALOGUE_PULLS:
        slot = ledger.BatchSlot(
            "portal", "portal_formalities", None, date.fromisoformat(business_date), "formalities"
        )
        batch_id = ledger.open_batch(conn, slot, file_path="/api/v1/formalities", sha256=business_date)
        for r in records:
            conn.execute(
                """
                insert into raw.portal_formalities
                    (batch_id, code, id, name, field_code, field_name, levels, online_level,
                     processing_days, day_type, has_fee, state, decision_date, effective_date,
                     replaced_by_code, updated_at, record)
                values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
                """,
                (
                    batch_id, r["code"], r["id"], r["name"], r["fieldCode"], r["fieldName"], r["levels"],
                    r["onlineLevel"], r["processingDays"], r["dayType"], r["hasFee"], r["state"],
                    r["decisionDate"], r["effectiveDate"], r["replacedByCode"],
                    datetime.fromisoformat(r["updatedAt"]), json.dumps(r),
                ),
            )  # fmt: skip
        ledger.record_load(conn, batch_id, rows_in=len(records), rows_loaded=len(records))
        if status == "accepted":
            ledger.accept(conn, batch_id)
        else:
            ledger.quarantine(conn, batch_id, "test: a critical expectation failed")


@pytest.fixture(scope="module")
def built(warehouse):
    from cchc.transform.dbt import run_dbt
    from cchc.warehouse.connection import connect

    with connect(warehouse, autocommit=True) as conn:
        _load_catalogue(conn)
    # cautious: other engineers' tests that also touch a dimension (e.g. fct_dossier → dim_admin_unit)
    # need their own models built, which this test does not do
    return run_dbt(["build", "--select", *MY_NODES, "--indirect-selection", "cautious"])


@pytest.fixture
def q(built, db):
    def query(sql: str, *params):
        return db.execute(sql, params).fetchall()

    return query


def test_build_passes_every_model_and_test(built):
    assert built.success, built.failures
    names = {uid.split(".")[-1] for uid in built.nodes}
    assert {"dim_date", "dim_admin_unit", "bridge_admin_unit_succession", "dim_procedure"} <= names
    assert any(uid.startswith("test.") and "weights_sum_to_one" in uid for uid in built.nodes)
    unit_tests = {uid.split(".")[-1] for uid in built.nodes if uid.startswith("unit_test.")}
    assert {
        "dim_date_indexes_working_days_across_national_day",
        "dim_procedure_versions_on_tracked_changes_only",
    } <= (unit_tests)


def test_admin_units_on_both_maps(q):
    assert q("select count(*) from marts.dim_admin_unit where is_current and unit_kind = 'province'") == [
        (34,)
    ]
    assert q("select count(*) from marts.dim_admin_unit where is_current and unit_level = 'XA'") == [(3321,)]
    assert q(
        "select count(*) from marts.dim_admin_unit where valid_to = '2025-06-30' and unit_kind = 'province'"
    ) == [(63,)]
    assert q("select unit_name from marts.dim_admin_unit where unit_key = '91@2000-01-01'") == [
        ("Tỉnh Kiên Giang",)
    ]
    assert q(
        "select unit_name, is_current from marts.dim_admin_unit where unit_key = '00004@2025-07-01'"
    ) == [("Phường Ba Đình", True)]


def test_split_commune_shares_sum_to_one(q):
    rows = q(
        """
        select old_unit_key, count(*), sum(share)
        from marts.bridge_admin_unit_succession
        group by old_unit_key having count(*) > 1
        """
    )
    assert len(rows) == 471
    assert {total for _, _, total in rows} == {Decimal(1)}


def test_dim_date_matches_the_python_calendar(q):
    assert q("select is_working_day, holiday_name from marts.dim_date where date_day = '2025-09-02'") == [
        (False, "Quốc khánh")
    ]
    rows = q("select date_day, working_day_index, is_working_day from marts.dim_date order by date_day")
    assert len(rows) == 4018
    assert all(cal.working_day_index(d) == i and cal.is_working_day(d) == w for d, i, w in rows)
    assert q("select quarter, year, month_start from marts.dim_date where date_day = '2025-08-15'") == [
        (3, 2025, date(2025, 8, 1))
    ]


def test_working_days_between_macro(built):
    from cchc.transform.dbt import run_dbt

    inline = (
        "select {{ working_days_between(\"date '2025-08-29'\", \"date '2025-09-03'\") }} as across_national_day,"
        " {{ working_days_between(\"date '2025-11-21'\", \"date '2025-11-26'\") }} as over_a_weekend,"
        " {{ add_working_days(\"date '2025-08-29'\", 1) }} as next_after_friday"
    )
    res = run_dbt(["show", "--inline", inline, "--output", "json"])
    table = res.raw.results[0].agate_table
    assert [tuple(row.values()) for row in table.rows] == [(1, 3, date(2025, 9, 3))]


def test_procedure_versions(q):
    rows = q(
        """
        select procedure_key, online_level, processing_days, valid_from, valid_to, is_current
        from marts.dim_procedure where procedure_code = '1.000001' order by valid_from
        """
    )
    assert rows == [
        ("1.000001@2021-04-01", "MOT_PHAN", 10, date(2021, 4, 1), date(2024, 5, 19), False),
        ("1.000001@2024-05-20", "TOAN_TRINH", 10, date(2024, 5, 20), None, True),
    ]  # the quarantined batch's 99 days never shows


def test_reannounced_procedures_link_both_ways(q):
    old = q(
        """
        select valid_from, valid_to, state, is_active, replaced_by_code
        from marts.dim_procedure where procedure_code = '1.000002' order by valid_from
        """
    )
    assert old == [
        (date(2021, 4, 1), date(2025, 6, 30), "ACTIVE", True, "3.000021"),
        (date(2025, 7, 1), None, "ABOLISHED", False, "3.000021"),
    ]
    assert q(
        "select valid_from, predecessor_code from marts.dim_procedure where procedure_code = '3.000021'"
    ) == [(date(2025, 7, 1), "1.000002")]


def test_share_test_fails_on_a_broken_split(built, db):
    """The weights test is not decorative: break one split and dbt test must fail."""
    from cchc.transform.dbt import run_dbt

    key = db.execute(
        "select old_unit_key from marts.bridge_admin_unit_succession where share < 1 limit 1"
    ).fetchone()[0]
    db.execute(
        "update marts.bridge_admin_unit_succession set share = share / 2 where old_unit_key = %s", (key,)
    )
    try:
        res = run_dbt(
            ["test", "--select", "bridge_admin_unit_succession,test_name:weights_sum_to_one"], check=False
        )
        assert not res.success
    finally:
        db.execute(
            "update marts.bridge_admin_unit_succession set share = share * 2 where old_unit_key = %s", (key,)
        )
