"""Shared fixtures: a real embedded PostgreSQL per test session, isolated from the demo's.

Each session gets its own state folder (and so its own data directory and server), which is
what lets several test runs and the demo share a machine.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cchc.settings import get_settings


@pytest.fixture(scope="session")
def state_dir(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("state")
    os.environ["CCHC_STATE_DIR"] = str(path)
    os.environ.setdefault("CCHC_DEMO", "1")
    os.environ.pop("CCHC_WAREHOUSE_URL", None)
    return path


@pytest.fixture(scope="session")
def warehouse(state_dir):
    """The loader's target on a bootstrapped embedded warehouse; stopped at session end."""
    from cchc.warehouse import embedded
    from cchc.warehouse.bootstrap import bootstrap

    settings = get_settings()
    target = bootstrap(settings)
    yield target
    embedded.stop(settings.pgdata_dir)


@pytest.fixture
def db(warehouse):
    """A psycopg connection as the loader role (autocommit)."""
    from cchc.warehouse.connection import connect

    with connect(warehouse, autocommit=True) as conn:
        yield conn
