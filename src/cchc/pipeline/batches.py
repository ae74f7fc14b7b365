"""Batch outcomes as the DAG passes them around (plain dicts, so they travel through XCom)."""

from __future__ import annotations

from dataclasses import asdict, is_dataclass
from datetime import date
from typing import Any


def as_dict(outcome: Any) -> dict[str, Any]:
    """A BatchOutcome (or a dict like one) as a JSON-friendly dict."""
    if is_dataclass(outcome) and not isinstance(outcome, type):
        data = asdict(outcome)
    elif isinstance(outcome, dict):
        data = dict(outcome)
    else:
        keys = ("batch_id", "entity", "province_code", "file_name", "status", "rows_loaded", "reason")
        data = {k: getattr(outcome, k, None) for k in keys}
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in data.items()}


def as_list(result: Any) -> list[dict[str, Any]]:
    """Ingestion and pull functions return one outcome or a list of them."""
    if result is None:
        return []
    items = list(result) if isinstance(result, list | tuple) else [result]
    return [as_dict(item) for item in items]


def validate_new(outcomes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Validate every batch still pending (one GX run per entity for all of them); keep the others
    as they are. Validation that broke (not the data's fault) raises, so the task is retried."""
    from cchc.validate import ValidationError, validate_batches

    pending = [
        o["batch_id"] for o in outcomes if o.get("status") == "pending" and o.get("batch_id") is not None
    ]
    results = {r.batch_id: r for r in validate_batches(pending)} if pending else {}
    broken = [f"batch {r.batch_id}: {r.error}" for r in results.values() if r.error]
    if broken:
        raise ValidationError("validation could not reach a verdict: " + "; ".join(broken))
    done = []
    for outcome in outcomes:
        result = results.get(outcome.get("batch_id")) if outcome.get("status") == "pending" else None
        if result is not None:
            outcome = {**outcome, **{k: v for k, v in as_dict(result).items() if v is not None}}
        done.append(outcome)
    return done


def tally(outcomes: list[dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for outcome in outcomes:
        status = outcome.get("status") or "unknown"
        counts[status] = counts.get(status, 0) + 1
    return counts


def rows_loaded(outcomes: list[dict[str, Any]]) -> int:
    return sum(int(o.get("rows_loaded") or 0) for o in outcomes if o.get("status") == "accepted")


class BatchesQuarantined(RuntimeError):
    """Some batch was quarantined: a data problem that no retry can fix."""


class BatchesFailed(RuntimeError):
    """Some batch failed to load (connection, timeout, bug): worth a retry."""


def _describe(outcomes: list[dict[str, Any]]) -> str:
    return "; ".join(
        f"{o.get('province_code') or '-'}/{o.get('file_name')}: {o.get('status')}: {o.get('reason')}"
        for o in outcomes
    )


def raise_for_bad(label: str, outcomes: list[dict[str, Any]]) -> None:
    """After everything was processed: fail for a failed load (retried) or a quarantine (not)."""
    failed = [o for o in outcomes if o.get("status") == "failed"]
    quarantined = [o for o in outcomes if o.get("status") == "quarantined"]
    if failed:
        raise BatchesFailed(f"{label}: {_describe(failed + quarantined)}")
    if quarantined:
        raise BatchesQuarantined(f"{label}: {_describe(quarantined)}")
