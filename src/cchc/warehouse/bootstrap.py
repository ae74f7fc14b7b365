"""Idempotent warehouse bootstrap: database, roles, schemas, grants, then the DDL migrations.

Run it as often as you like: every statement checks before it creates, and each migration in
`ddl/` is applied once (recorded in audit.schema_migrations).
"""

from __future__ import annotations

import logging
from importlib import resources

from psycopg import sql

from cchc.settings import BI_ROLE, Settings, WarehouseTarget, get_settings
from cchc.warehouse.connection import admin_target, connect, loader_target

log = logging.getLogger(__name__)

SCHEMAS = ("raw", "staging", "intermediate", "marts", "audit")


def _role_exists(cur, role: str) -> bool:
    cur.execute("select 1 from pg_roles where rolname = %s", (role,))
    return cur.fetchone() is not None


def _ensure_database(admin: WarehouseTarget) -> None:
    with connect(admin.with_dbname("postgres"), autocommit=True) as conn, conn.cursor() as cur:
        cur.execute("select 1 from pg_database where datname = %s", (admin.dbname,))
        if cur.fetchone() is None:
            cur.execute(_create_database(admin.dbname, cur.connection.info.server_version))
            log.info("created database %s", admin.dbname)


def _create_database(dbname: str, server_version: int) -> sql.Composed:
    """`create database`, with code-point collation where the server has it (PostgreSQL 17+).

    Why: the cluster's default (`C.UTF-8` from libc here) orders text the same way, code point by
    code point, but through `strcoll` and without abbreviated sort keys, so every sort, `group by`
    and text index build costs more (2.8M raw rows: the dossier-code index 5.8 → 4.9 s, a sort of
    every row 10.9–11.2 → 8.3–10.4 s; bench/README.md, sixth pass). The builtin
    provider's `C.UTF-8` compares bytes (for UTF-8 the same order) and keeps Unicode case mapping
    and character classes, so results do not change. An older server gets its default.
    """
    if server_version < 170000:
        return sql.SQL("create database {}").format(sql.Identifier(dbname))
    return sql.SQL(
        "create database {} template template0 encoding 'UTF8' locale_provider builtin builtin_locale 'C.UTF-8'"
    ).format(sql.Identifier(dbname))


def _ensure_roles(cur, loader: str, bi_password: str | None) -> None:
    if not _role_exists(cur, loader):
        cur.execute(sql.SQL("create role {} login").format(sql.Identifier(loader)))
    if not _role_exists(cur, BI_ROLE):
        cur.execute(sql.SQL("create role {} login").format(sql.Identifier(BI_ROLE)))
    if bi_password:
        cur.execute(
            sql.SQL("alter role {} password {}").format(sql.Identifier(BI_ROLE), sql.Literal(bi_password))
        )


def _ensure_schemas_and_grants(cur, loader: str, dbname: str) -> None:
    ident = sql.Identifier
    cur.execute(sql.SQL("grant connect, temporary on database {} to {}").format(ident(dbname), ident(loader)))
    cur.execute(sql.SQL("grant connect on database {} to {}").format(ident(dbname), ident(BI_ROLE)))
    # PostgreSQL's PUBLIC defaults let every role connect and create TEMP tables: only the grants
    # above remain (bi_reader: connect, and read marts; no temporary tables).
    cur.execute(sql.SQL("revoke all on database {} from public").format(ident(dbname)))
    for schema in SCHEMAS:
        cur.execute(
            sql.SQL("create schema if not exists {} authorization {}").format(ident(schema), ident(loader))
        )
        cur.execute(sql.SQL("alter schema {} owner to {}").format(ident(schema), ident(loader)))
        # bi_reader sees marts only: no usage on any other schema, ever.
        cur.execute(sql.SQL("revoke all on schema {} from public").format(ident(schema)))
    cur.execute(sql.SQL("grant usage on schema marts to {}").format(ident(BI_ROLE)))
    cur.execute(sql.SQL("grant select on all tables in schema marts to {}").format(ident(BI_ROLE)))
    cur.execute(
        sql.SQL("alter default privileges for role {} in schema marts grant select on tables to {}").format(
            ident(loader), ident(BI_ROLE)
        )
    )


def _migrations() -> list[tuple[str, str]]:
    folder = resources.files("cchc.warehouse") / "ddl"
    files = sorted(p for p in folder.iterdir() if p.name.endswith(".sql"))
    return [(p.name, p.read_text(encoding="utf-8")) for p in files]


def _apply_migrations(loader: WarehouseTarget) -> list[str]:
    applied: list[str] = []
    with connect(loader) as conn, conn.cursor() as cur:
        cur.execute(
            "create table if not exists audit.schema_migrations "
            "(name text primary key, applied_at timestamptz not null default now())"
        )
        # Serialise concurrent bootstraps (two runs starting at once).
        cur.execute("select pg_advisory_xact_lock(hashtext('cchc.bootstrap'))")
        cur.execute("select name from audit.schema_migrations")
        done = {row[0] for row in cur.fetchall()}
        for name, text in _migrations():
            if name in done:
                continue
            cur.execute(text)
            cur.execute("insert into audit.schema_migrations (name) values (%s)", (name,))
            applied.append(name)
    return applied


def bootstrap(settings: Settings | None = None) -> WarehouseTarget:
    """Make the warehouse ready; return the loader target. Safe to call on every run."""
    settings = settings or get_settings()
    admin = admin_target(settings)
    loader = loader_target(settings)
    if settings.embedded or settings.warehouse_admin_url:
        _ensure_database(admin)
        with connect(admin, autocommit=True) as conn, conn.cursor() as cur:
            _ensure_roles(cur, loader.user, settings.bi_reader_password)
            _ensure_schemas_and_grants(cur, loader.user, loader.dbname)
        if settings.embedded:
            # Our own server: no role but the superuser connects to its maintenance database.
            with connect(admin.with_dbname("postgres"), autocommit=True) as conn:
                conn.execute("revoke connect on database postgres from public")
    else:
        # Only the loader's URL is known: it must already own the database (see README).
        with connect(loader, autocommit=True) as conn, conn.cursor() as cur:
            if not _role_exists(cur, BI_ROLE):
                _ensure_roles(cur, loader.user, settings.bi_reader_password)
            _ensure_schemas_and_grants(cur, loader.user, loader.dbname)
    applied = _apply_migrations(loader)
    if applied:
        log.info("applied migrations: %s", ", ".join(applied))
    return loader
