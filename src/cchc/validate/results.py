"""From GX expectation results to `audit.validation_results` rows and to words a person reads.

`audit.validation_results` (one row per expectation per validation of a batch):
    batch_id            the audit.batches id validated
    suite_name          `<entity>.critical` or `<entity>.warning`
    expectation         GX type and its column(s), e.g. `expect_column_values_to_be_in_set(kenh_thuc_hien)`
    severity            critical (a failure quarantined the batch) | warning (recorded, batch loaded)
    success             the expectation held
    element_count       rows in the batch (for a column rule: its non-excluded rows, as GX counts;
                        for the Biểu 06 identities: the identity checks made)
    unexpected_count    offending rows (for a row-count rule: null)
    observed_value      GX's observed value as text (a count, a row count, …)
    unexpected_examples up to 5 offending rows as JSON: only row identifiers (source_row,
                        ma_ho_so, report_id, transaction_id, …) and the offending values
    message             what failed and how badly, e.g. "NgayHenTra before NgayTiepNhan in
                        1,204 of 18,311 rows"; for a rule that could not run, why
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import re
from dataclasses import dataclass
from typing import Any

MAX_EXAMPLES = 5


@dataclass(frozen=True)
class ExpectationOutcome:
    suite_name: str
    expectation: str
    severity: str
    success: bool
    element_count: int | None
    unexpected_count: int | None
    observed_value: str | None
    examples: list[dict]
    message: str
    not_evaluated: bool = False

    def row(self, batch_id: int) -> tuple:
        return (
            batch_id,
            self.suite_name,
            self.expectation,
            self.severity,
            self.success,
            self.element_count,
            self.unexpected_count,
            self.observed_value,
            json.dumps(self.examples, default=_json_default, ensure_ascii=False) if self.examples else None,
            self.message,
        )


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    return str(value)


def _label(config) -> str:
    kwargs = config.kwargs
    cols = kwargs.get("column") or kwargs.get("column_list")
    if isinstance(cols, list):
        cols = ", ".join(cols)
    return f"{config.type}({cols})" if cols else config.type


def _exception_text(result) -> str | None:
    info = result.exception_info or {}
    # GX keys exception info by metric when a metric failed, or flat for the expectation.
    candidates = [info] + [v for v in info.values() if isinstance(v, dict)]
    for item in candidates:
        if item.get("raised_exception"):
            text = str(item.get("exception_message") or "error").strip().splitlines()[0]
            # "(psycopg2.errors.UndefinedTable) relation … does not exist" → the relation part
            return re.sub(r"^\([\w.]+\)\s*", "", text)[:300]
    return None


def _examples(result_dict: dict) -> list[dict]:
    rows = result_dict.get("details", {}).get("unexpected_rows")
    if rows is None:
        rows = result_dict.get("partial_unexpected_index_list")
    if rows is None and result_dict.get("partial_unexpected_list") is not None:
        rows = [{"value": v} for v in result_dict["partial_unexpected_list"]]
    return [dict(r) for r in (rows or [])[:MAX_EXAMPLES]]


def outcome_of(result, suite_name: str, severity: str, batch_rows: int) -> ExpectationOutcome:
    """One GX ExpectationValidationResult, in the words of the results table."""
    config = result.expectation_config
    base = (config.meta or {}).get("message") or config.type
    res = dict(result.result or {})
    error = _exception_text(result)
    if error is not None:
        return ExpectationOutcome(
            suite_name,
            _label(config),
            severity,
            False,
            batch_rows,
            None,
            None,
            [],
            f"{base}: not evaluated ({error})",
            not_evaluated=True,
        )
    details = res.get("details") or {}
    unexpected = res.get("unexpected_count")
    observed = res.get("observed_value")
    if config.type == "expect_batch_row_count_within_recent_band":
        element_count, unexpected = observed, None
        message = _band_message(base, observed, details, result.success)
    else:
        element_count = res.get("element_count", batch_rows)
        if unexpected is None and isinstance(observed, int):
            unexpected = observed
        if result.success:
            message = base
        elif (config.meta or {}).get("count_only"):
            message = f"{base}: {unexpected or 0:,}"
        else:
            message = f"{base} in {unexpected or 0:,} of {element_count or 0:,} rows"
    return ExpectationOutcome(
        suite_name=suite_name,
        expectation=_label(config),
        severity=severity,
        success=bool(result.success),
        element_count=element_count,
        unexpected_count=unexpected,
        observed_value=None if observed is None else json.dumps(observed, default=_json_default),
        examples=[] if result.success else _examples(res),
        message=message,
    )


def _band_message(base: str, rows: int, details: dict, success: bool) -> str:
    if "median" not in details or "ratio" not in details:
        return f"{base}: {details.get('judged', 'not judged')}"
    recent = details.get("recent_row_counts") or []
    text = (
        f"{rows:,} rows against a median of {details['median']:,.0f} over the last {len(recent)} "
        f"accepted batches ({details['ratio']:.0%})"
    )
    return text if success else f"{base}: {text}"


def reason(failures: list[ExpectationOutcome]) -> str:
    """The quarantine reason: every failed critical expectation, worst first."""
    ordered = sorted(failures, key=lambda f: -(f.unexpected_count or 0))
    return "; ".join(f.message for f in ordered)
