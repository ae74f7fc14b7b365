"""The warehouse bootstrap: schemas, roles and the bi_reader boundary, on real PostgreSQL."""

from __future__ import annotations

import psycopg
import pytest

from cchc.settings import BI_ROLE, get_settings
from cchc.warehouse.bootstrap import SCHEMAS, bootstrap
from cchc.warehouse.connection import connect


def test_schemas_exist_and_are_owned_by_loader(db, warehouse):
    rows = db.execute(
        "select nspname, pg_get_userbyid(nspowner) from pg_namespace where nspname = any(%s)",
        (list(SCHEMAS),),
    ).fetchall()
    assert dict(rows) == {schema: warehouse.user for schema in SCHEMAS}


def test_the_warehouse_sorts_text_by_code_point_with_byte_comparisons(db):
    """bootstrap creates the database with the builtin provider's C.UTF-8: code-point order (as
    libc's C.UTF-8 here, so no result changes), compared as bytes (every sort, group by and text
    index is cheaper), with Unicode case mapping kept for Vietnamese."""
    provider, locale = db.execute(
        "select datlocprovider, datlocale from pg_database where datname = current_database()"
    ).fetchone()
    assert (provider, locale) == ("b", "C.UTF-8")
    words = ["Đà Nẵng", "Zeta", "Ấp Bắc", "an", "Hà Nội", "ấp"]
    ordered = [r[0] for r in db.execute("select w from unnest(%s::text[]) as w order by w", (words,))]
    assert ordered == sorted(words)  # Python sorts str by code point
    assert db.execute("select upper('đà nẵng'), lower('HÀ NỘI')").fetchone() == ("ĐÀ NẴNG", "hà nội")


def test_bootstrap_is_idempotent(db):
    before = db.execute("select count(*) from audit.schema_migrations").fetchone()[0]
    bootstrap(get_settings())
    bootstrap(get_settings())
    after = db.execute("select count(*) from audit.schema_migrations").fetchone()[0]
    assert before == after > 0


def test_bi_reader_reads_marts_and_nothing_else(db, warehouse):
    db.execute("create table if not exists marts.grant_probe (x int)")
    db.execute("truncate marts.grant_probe")
    db.execute("insert into marts.grant_probe values (42)")
    hidden = ("raw", "staging", "intermediate", "audit")
    for schema in hidden:
        db.execute(f"create table if not exists {schema}.grant_probe (x int)")
    with connect(warehouse.with_user(BI_ROLE), autocommit=True) as bi:
        assert bi.execute("select x from marts.grant_probe").fetchone() == (42,)
        for schema in hidden:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                bi.execute(f"select x from {schema}.grant_probe")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            bi.execute("insert into marts.grant_probe values (1)")


def test_bi_reader_cannot_create_temp_tables_or_reach_other_databases(warehouse):
    """PostgreSQL's PUBLIC defaults (CONNECT, TEMPORARY) are revoked: a BI tool can read marts,
    nothing more."""
    with (
        connect(warehouse.with_user(BI_ROLE), autocommit=True) as bi,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        bi.execute("create temporary table scratch (x int)")
    with (
        pytest.raises(psycopg.OperationalError, match="permission denied"),
        connect(warehouse.with_user(BI_ROLE).with_dbname("postgres"), autocommit=True),
    ):
        pass


def test_bi_reader_sees_no_landing_paths_in_the_ledger_mart():
    """The ledger mart carries file names, statuses and reasons (the quarantine view needs them),
    not the landing area's layout: its enforced contract has no path, nor does the staging it reads."""
    import re

    import yaml

    dbt = get_settings().dbt_project_dir
    doc = yaml.safe_load((dbt / "models/marts/quality/_quality__models.yml").read_text())
    [model] = [m for m in doc["models"] if m["name"] == "fct_pipeline_batches"]
    assert model["config"]["contract"]["enforced"] is True
    columns = {c["name"] for c in model["columns"]}
    assert {"file_name", "reason", "status"} <= columns
    assert not {"file_path", "sha256"} & columns
    staging = (dbt / "models/staging/audit/stg_audit__batches.sql").read_text()
    selected = re.search(r"^select\n(.*?)^from ", staging, re.S | re.M).group(1)
    assert "file_name" in selected and "file_path" not in selected
