"""The floor: what PostgreSQL alone needs to take the same CSV files in.

`COPY` of every file into an UNLOGGED all-text table (bytes streamed as they are, 1 MiB at a
time), then one typed `CREATE TABLE AS` into the raw layer's shape. Nothing is parsed in Python.
Dates are cast with `DateStyle = 'ISO, DMY'`, which reads both `dd/MM/yyyy HH:mm:ss` and
`dd/MM/yyyy`. The citizen ID becomes `md5(key || id)` (PostgreSQL has no HMAC without
pgcrypto): the same order of work as the pipeline's keyed hash, not the same function.
"""

from __future__ import annotations

from pathlib import Path

from psycopg import sql

from bench.columns import CITIZEN_ID, ENTITIES, read_header, text_column

SCHEMA = "bench_floor"
CHUNK = 1 << 20


def _typed_select(entity: str, headers: set[str]) -> sql.Composed:
    items = []
    for header, (name, sql_type) in ENTITIES[entity].items():
        if header not in headers:
            items.append(sql.SQL("null::{} as {}").format(sql.SQL(sql_type), sql.Identifier(name)))
            continue
        col = sql.Identifier(text_column(header))
        if sql_type == "text":
            expr = sql.SQL("nullif({}, '')").format(col)
        elif sql_type == "bigint":
            # Vietnamese thousands separators ("1.250.000") in numbers written as text.
            expr = sql.SQL("replace(nullif({}, ''), '.', '')::bigint").format(col)
        else:
            expr = sql.SQL("nullif({}, '')::{}").format(col, sql.SQL(sql_type))
        items.append(sql.SQL("{} as {}").format(expr, sql.Identifier(name)))
    if entity == "hoso":
        if CITIZEN_ID in headers:
            key = sql.SQL("md5('bench-key' || nullif({}, ''))").format(
                sql.Identifier(text_column(CITIZEN_ID))
            )
        else:
            key = sql.SQL("null::text")
        items.append(sql.SQL("{} as citizen_key").format(key))
    text_table = sql.Identifier(SCHEMA, f"{entity}_text")
    return sql.SQL("select {} from {}").format(sql.SQL(", ").join(items), text_table)


def copy_text(cur, text_table: sql.Identifier, paths: list[Path]) -> set[str]:
    """COPY every file, bytes as they are, into a new UNLOGGED table with a text column for
    each header any of them has (`text_column` names); returns those headers."""
    headers_by_file = {path: read_header(path) for path in paths}
    all_headers = sorted({h.lstrip("\ufeff") for hs in headers_by_file.values() for h in hs})
    cur.execute(sql.SQL("drop table if exists {}").format(text_table))
    cur.execute(
        sql.SQL("create unlogged table {} ({})").format(
            text_table,
            sql.SQL(", ").join(
                sql.SQL("{} text").format(sql.Identifier(text_column(h))) for h in all_headers
            ),
        )
    )
    for path, headers in headers_by_file.items():
        cols = sql.SQL(", ").join(sql.Identifier(text_column(h)) for h in headers)
        copy_sql = sql.SQL("copy {} ({}) from stdin with (format csv, header true)").format(text_table, cols)
        with cur.copy(copy_sql) as copy, open(path, "rb") as fh:
            while data := fh.read(CHUNK):
                copy.write(data)
    return set(all_headers)


def run(conn, files: dict[str, list[Path]], *, phase: str) -> dict:
    """Load `files` ({"hoso": [...], "bosung": [...]}); full builds, increment appends (schema: the harness)."""
    rows = 0
    per_entity: dict[str, int] = {}
    with conn.cursor() as cur:
        cur.execute("set datestyle = 'ISO, DMY'")
        for entity, paths in files.items():
            text_table = sql.Identifier(SCHEMA, f"{entity}_text")
            typed_table = sql.Identifier(SCHEMA, f"{entity}_typed")
            select = _typed_select(entity, copy_text(cur, text_table, paths))
            if phase == "full":
                cur.execute(sql.SQL("drop table if exists {}").format(typed_table))
                cur.execute(sql.SQL("create table {} as {}").format(typed_table, select))
            else:
                cur.execute(sql.SQL("insert into {} {}").format(typed_table, select))
            per_entity[entity] = cur.rowcount
            rows += cur.rowcount
            # The typed table is the floor's result; at 10M the text copy would hold ~6 GB of disk.
            cur.execute(sql.SQL("drop table {}").format(text_table))
    conn.commit()
    return {"rows": rows, "detail": {"rows_by_entity": per_entity, "files": sum(map(len, files.values()))}}
