"""COPY rows into a table: streamed, so memory does not grow with the file.

The caller owns the transaction: the ledger row, the COPY and `record_load` commit together or
not at all, which is what makes a batch killed half-way leave nothing behind.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import psycopg
from psycopg import sql


def copy_statement(table: str, columns: Sequence[str]) -> sql.Composed:
    schema, _, name = table.rpartition(".")
    target = sql.Identifier(schema, name) if schema else sql.Identifier(name)
    return sql.SQL("copy {} ({}) from stdin").format(target, sql.SQL(", ").join(map(sql.Identifier, columns)))


def copy_rows(conn: psycopg.Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """COPY every row of `rows` into `table`; returns how many were written."""
    count = 0
    with conn.cursor() as cur, cur.copy(copy_statement(table, columns)) as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count
