"""cchc.load.copy: rows reach PostgreSQL byte for byte through COPY, in the caller's transaction."""

from __future__ import annotations

import datetime as dt

import psycopg
import pytest

from cchc.load.copy import copy_rows, copy_statement

HARD_TEXT = [
    "Đăng ký khai sinh",  # Vietnamese, precomposed
    "tab\tnewline\nreturn\rbackslash\\N",  # COPY's own escapes must not leak into the value
    "",  # an empty string is not null
    '"quoted", with comma',
    "\\.",  # the old end-of-data marker
]


@pytest.fixture
def table(db):
    db.execute("create temp table copy_target (n integer, t text, d timestamptz, b bigint)")
    return "copy_target"


def test_every_value_arrives_as_written_and_the_count_is_returned(db, table):
    when = dt.datetime(2026, 11, 18, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    rows = [(i, text, when, 2**40 + i) for i, text in enumerate(HARD_TEXT)] + [(99, None, None, None)]
    assert copy_rows(db, table, ["n", "t", "d", "b"], iter(rows)) == len(rows)
    stored = db.execute(f"select n, t, d, b from {table} order by n").fetchall()
    assert stored == rows


def test_a_generator_of_many_rows_is_copied_whole(db, table):
    assert copy_rows(db, table, ["n"], ((i,) for i in range(10_000))) == 10_000
    assert db.execute(f"select count(*), sum(n) from {table}").fetchone() == (10_000, sum(range(10_000)))


def test_a_bad_row_fails_the_copy_and_the_transaction_keeps_nothing(db, table):
    with pytest.raises(psycopg.errors.InvalidTextRepresentation), db.transaction():
        copy_rows(db, table, ["n", "t"], [(1, "ok"), ("not a number", "bad")])
    assert db.execute(f"select count(*) from {table}").fetchone()[0] == 0


def test_schema_qualified_names_are_quoted_as_identifiers(db):
    statement = copy_statement("raw.onestop_hoso", ["ma_ho_so", "select"]).as_string(db)
    assert statement == 'copy "raw"."onestop_hoso" ("ma_ho_so", "select") from stdin'
