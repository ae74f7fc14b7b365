"""What validating a batch answers: its verdict and evidence, or why validation itself broke."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


class ValidationError(RuntimeError):
    """Validation could not reach a verdict; the batch stays pending."""


@dataclass(frozen=True)
class ValidationOutcome:
    batch_id: int
    entity: str
    province_code: str | None
    business_date: dt.date | None
    file_name: str | None
    status: str  # accepted | quarantined, or the batch's unchanged status when it was not pending
    reason: str | None = None
    warnings: list[str] = field(default_factory=list)
    superseded: list[int] = field(default_factory=list)
    rows: int = 0
    seconds: float = 0.0
    validated: bool = True  # False: the batch was not pending, nothing ran
    error: str | None = None  # set by validate_pending when validation itself broke


def error_outcome(target, batch_id: int, err: Exception) -> ValidationOutcome:
    from cchc.warehouse.connection import connect

    with connect(target) as conn:
        row = conn.execute(
            "select entity, province_code, business_date, file_name, status from audit.batches "
            "where batch_id = %s",
            (batch_id,),
        ).fetchone()
    entity, province, day, file_name, status = row or ("?", None, None, None, "pending")
    return ValidationOutcome(
        batch_id, entity, province, day, file_name, status, validated=False, error=str(err)
    )
