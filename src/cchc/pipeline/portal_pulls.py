"""Source B: the nightly pulls from the portal API, one task per endpoint.

The client (cchc.sources.portal) handles tokens, paging, retries and watermarks and opens one
batch per endpoint x province x window; each new batch is validated here, as for Source A.
"""

from __future__ import annotations

import logging
import time
from datetime import date
from typing import Any

from cchc.pipeline.batches import as_list, raise_for_bad, rows_loaded, tally, validate_new
from cchc.sources.portal.records import ENDPOINTS

log = logging.getLogger(__name__)

# Pulled per province for the business date (docs/SOURCES.md).
DAILY_ENDPOINTS = tuple(name for name, spec in ENDPOINTS.items() if spec.scope == "daily")


def _finish(label: str, business_date: date | None, outcomes: list[dict[str, Any]], started: float):
    outcomes = validate_new(outcomes)
    summary = {
        "endpoint": label,
        "business_date": business_date.isoformat() if business_date else None,
        "batches": outcomes,
        "counts": tally(outcomes),
        "rows_loaded": rows_loaded(outcomes),
        "seconds": round(time.perf_counter() - started, 3),
    }
    log.info(
        "portal %s %s: batches %s, %d rows", label, business_date, summary["counts"], summary["rows_loaded"]
    )
    raise_for_bad(f"portal {label} on {business_date}", outcomes)
    return summary


def pull_day(endpoint: str, business_date: date) -> dict[str, Any]:
    """Pull one daily endpoint for every province for the business date, and validate."""
    from cchc.sources.portal.pull import pull_endpoint

    started = time.perf_counter()
    return _finish(endpoint, business_date, as_list(pull_endpoint(endpoint, business_date)), started)


def pull_service_results(business_date: date) -> dict[str, Any]:
    """The official Decision 766 scores for the business date's month and its year to date."""
    from cchc.sources.portal.pull import pull_service_results as _pull

    started = time.perf_counter()
    year, month = business_date.year, business_date.month
    outcomes = as_list(_pull(year, month)) + as_list(_pull(year, month, time_type="year"))
    return _finish("service-results", business_date, outcomes, started)


def pull_catalogue() -> dict[str, Any]:
    """The national procedure catalogue (weekly, in cchc_reference)."""
    from cchc.sources.portal.pull import pull_catalogue as _pull

    started = time.perf_counter()
    return _finish("formalities", None, as_list(_pull()), started)
