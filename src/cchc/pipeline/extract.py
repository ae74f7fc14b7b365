"""What the example consumer DAG does with fresh marts: count the rows of every mart table."""

from __future__ import annotations

from psycopg import sql

from cchc.warehouse.connection import connect


def mart_row_counts() -> dict[str, int]:
    with connect() as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        return {
            t: conn.execute(sql.SQL("select count(*) from marts.{}").format(sql.Identifier(t))).fetchone()[0]
            for t in tables
        }
