"""Refresh the documentation sites after the marts are rebuilt: GX Data Docs and dbt docs."""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)


def refresh_data_docs() -> dict[str, Any]:
    from cchc.validate import build_data_docs

    result = build_data_docs()
    log.info("data docs refreshed: %s", result)
    return {"data_docs": str(result) if result is not None else None}


def refresh_dbt_docs() -> dict[str, Any]:
    """`dbt docs generate` into the dbt target folder (catalog.json + index.html)."""
    from cchc.settings import get_settings
    from cchc.transform.dbt import run_dbt

    run_dbt(["docs", "generate"])
    index = get_settings().dbt_target_dir / "index.html"
    log.info("dbt docs refreshed: %s", index)
    return {"dbt_docs": str(index)}
