"""The fast path's marts against a reference build of the same warehouse.

After the nightly increment, every table of `marts` is copied (columns whose names start with `_`,
the build bookkeeping, left out) into `bench_fast` (a schema the harness creates); then `dbt build --full-refresh` rebuilds every
model from raw with the same report date: the reference, computed without any incremental
shortcut. Each table is compared both ways with `EXCEPT ALL` in PostgreSQL: the same rows, the same
number of times. A difference names the table and counts the rows on each side.
"""

from __future__ import annotations

from psycopg import sql

SNAPSHOT = "bench_fast"
MARTS = "marts"


def _tables(conn) -> dict[str, list[str]]:
    rows = conn.execute(
        """
        select c.table_name, c.column_name
        from information_schema.columns as c
        join information_schema.tables as t using (table_schema, table_name)
        where c.table_schema = %s and t.table_type = 'BASE TABLE' and c.column_name not like '\\_%%'
        order by c.table_name, c.ordinal_position
        """,
        (MARTS,),
    ).fetchall()
    tables: dict[str, list[str]] = {}
    for table, column in rows:
        tables.setdefault(table, []).append(column)
    return tables


def _cols(columns: list[str]) -> sql.Composed:
    return sql.SQL(", ").join(sql.Identifier(c) for c in columns)


def snapshot(conn) -> dict[str, list[str]]:
    """Copy the marts as the fast path left them; returns the tables and their compared columns."""
    tables = _tables(conn)
    _empty_snapshot(conn)
    for table, columns in tables.items():
        conn.execute(
            sql.SQL("create unlogged table {} as select {} from {}").format(
                sql.Identifier(SNAPSHOT, table), _cols(columns), sql.Identifier(MARTS, table)
            )
        )
    conn.commit()
    return tables


def compare(conn, tables: dict[str, list[str]]) -> dict:
    """Rows only in the fast path's and only in the reference's version of each table."""
    differences = {}
    rows = 0
    for table, columns in tables.items():
        fast = sql.SQL("select {} from {}").format(_cols(columns), sql.Identifier(SNAPSHOT, table))
        ref = sql.SQL("select {} from {}").format(_cols(columns), sql.Identifier(MARTS, table))
        exists = conn.execute("select to_regclass(%s)", (f"{MARTS}.{table}",)).fetchone()[0]
        if exists is None:
            differences[table] = {"error": "the reference build did not make it"}
            continue
        fast_only, ref_only, count = conn.execute(
            sql.SQL(
                "select (select count(*) from ({} except all {}) as a), "
                "(select count(*) from ({} except all {}) as b), (select count(*) from {})"
            ).format(fast, ref, ref, fast, sql.Identifier(SNAPSHOT, table))
        ).fetchone()
        rows += count
        if fast_only or ref_only:
            differences[table] = {"fast_only": fast_only, "reference_only": ref_only}
    _empty_snapshot(conn)
    conn.commit()
    return {"tables": len(tables), "rows": rows, "differences": differences}


def _empty_snapshot(conn) -> None:
    """Drop the snapshot's tables (the schema itself belongs to the harness: the loader may not
    create schemas)."""
    for (table,) in conn.execute(
        "select table_name from information_schema.tables where table_schema = %s", (SNAPSHOT,)
    ).fetchall():
        conn.execute(sql.SQL("drop table {}").format(sql.Identifier(SNAPSHOT, table)))
