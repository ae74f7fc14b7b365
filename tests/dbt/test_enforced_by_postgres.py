"""The per-dossier tables' keys and classes are refused by PostgreSQL at write, and the catalogue tests
that stand for dbt's `unique`/`accepted_values` there (tests/generic/enforced_by_postgres.sql) fail as
soon as the index or constraint is missing (issue 17: those scans were ~100 s of the 10M night)."""

from __future__ import annotations

from datetime import date, datetime

import psycopg
import pytest

from cchc.transform.dbt import build, run_dbt

from .conftest import SKIP


def _dossier(code: str) -> dict:
    return {
        "ma_ho_so": code,
        # a unit and month (2021-03) no other test of the shared warehouse reads
        "ma_don_vi": "00013",
        "ngay_nop_ho_so": datetime(2021, 3, 2, 8),
        "ngay_tiep_nhan": datetime(2021, 3, 2, 8, 30),
        "ngay_hen_tra": datetime(2021, 3, 9, 17),
        "ngay_ket_thuc_xu_ly": datetime(2021, 3, 4, 10),
        "trang_thai_ho_so": 10,
        "ngay_cap_nhat": datetime(2021, 3, 4, 10),
    }


def _enforced_tests(*models: str) -> dict[str, str]:
    """Status of every *_enforced test on `models`, by test name (dbt cuts long names and adds a hash)."""
    selectors = [
        f"{m},test_name:{t}" for m in models for t in ("unique_enforced", "accepted_values_enforced")
    ]
    result = run_dbt(["test", "--select", *selectors], check=False)
    return {uid.split(".")[2]: status for uid, status in result.nodes.items()}


@pytest.fixture
def built(seeded, raw_loader):
    raw_loader.hoso([_dossier("ENF-1")], province="01", day=date(2021, 3, 4))
    build(["+fct_dossier_monthly_status"], variables={"as_of_date": "2021-03-31"}, exclude=SKIP)
    return seeded


def test_the_catalogue_tests_pass_on_the_built_tables(built):
    statuses = _enforced_tests("stg_onestop__dossiers", "fct_dossier", "fct_dossier_monthly_status")
    assert statuses, "no *_enforced test was selected"
    # unique: stg, fct_dossier, the status table; accepted values: 3 + 3
    assert len(statuses) == 9, statuses
    assert set(statuses.values()) == {"pass"}, statuses


def test_postgres_refuses_a_duplicate_key_and_an_unknown_class(built, db):
    with pytest.raises(psycopg.errors.UniqueViolation), db.transaction():
        db.execute(
            "insert into marts.fct_dossier select * from marts.fct_dossier where dossier_code = 'ENF-1'"
        )
    with pytest.raises(psycopg.errors.CheckViolation), db.transaction():
        db.execute("update marts.fct_dossier set timeliness = 'sometime' where dossier_code = 'ENF-1'")
    with pytest.raises(psycopg.errors.CheckViolation), db.transaction():
        db.execute(
            "update marts.fct_dossier_monthly_status set resolved_as = 'never' where dossier_code = 'ENF-1'"
        )


def test_a_missing_index_or_constraint_fails_its_test(built, db):
    index, index_def = db.execute(
        "select indexname, indexdef from pg_indexes where schemaname = 'marts' and tablename = 'fct_dossier' "
        "and indexdef like 'CREATE UNIQUE INDEX%(dossier_code)'"
    ).fetchone()
    check, check_def = db.execute(
        "select conname, pg_get_constraintdef(oid) from pg_constraint "
        "where conrelid = 'marts.fct_dossier'::regclass and contype = 'c' "
        "and pg_get_constraintdef(oid) like '%in_progress_overdue%'"
    ).fetchone()
    try:
        db.execute(f'drop index marts."{index}"')
        db.execute(f'alter table marts.fct_dossier drop constraint "{check}"')
        statuses = _enforced_tests("fct_dossier")
    finally:
        db.execute(index_def)
        db.execute(f'alter table marts.fct_dossier add constraint "{check}" {check_def}')
    failed = sorted(name for name, status in statuses.items() if status == "fail")
    assert len(failed) == 2, statuses
    assert failed[0].startswith("accepted_values_enforced_fct_dossier_timeliness__early"), failed
    assert failed[1] == "unique_enforced_fct_dossier_dossier_code", failed
    restored = _enforced_tests("fct_dossier")
    assert len(restored) == 4 and set(restored.values()) == {"pass"}, restored
