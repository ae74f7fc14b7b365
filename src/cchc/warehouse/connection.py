"""Connections to the warehouse, as the loader role (pipeline) or the admin (bootstrap)."""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING

from cchc.settings import EMBEDDED_DATABASE, LOADER_ROLE, Settings, WarehouseTarget, get_settings
from cchc.warehouse import embedded

if TYPE_CHECKING:
    from collections.abc import Iterator

    import psycopg


def admin_target(settings: Settings | None = None) -> WarehouseTarget:
    """A superuser (or CREATEROLE) target used only by bootstrap."""
    settings = settings or get_settings()
    if settings.embedded:
        sock = embedded.start(settings.pgdata_dir)
        return WarehouseTarget(user="postgres", dbname=EMBEDDED_DATABASE, host=sock)
    return WarehouseTarget.from_url(settings.warehouse_admin_url or settings.warehouse_url)


def loader_target(settings: Settings | None = None) -> WarehouseTarget:
    """The target every pipeline step connects to (owner of raw/staging/…/marts)."""
    settings = settings or get_settings()
    if settings.embedded:
        sock = embedded.start(settings.pgdata_dir)
        return WarehouseTarget(user=LOADER_ROLE, dbname=EMBEDDED_DATABASE, host=sock)
    return WarehouseTarget.from_url(settings.warehouse_url)


@contextmanager
def connect(
    target: WarehouseTarget | None = None, *, autocommit: bool = False
) -> Iterator[psycopg.Connection]:
    import psycopg

    target = target or loader_target()
    conn = psycopg.connect(target.libpq_url, autocommit=autocommit, application_name="cchc")
    try:
        yield conn
        if not autocommit:
            conn.commit()
    except BaseException:
        if not autocommit and not conn.closed:
            conn.rollback()
        raise
    finally:
        conn.close()
