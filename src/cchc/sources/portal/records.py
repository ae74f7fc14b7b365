"""Portal records → rows of the raw.portal_* tables, typed leniently.

Each typed column holds the record's value only when the value has the contract's type (text,
`YYYY-MM-DD` date, ISO 8601 datetime WITH offset, integer, number, boolean, list of text); a
value of the wrong type becomes null and is counted as a finding, and the record as it came is
kept in `record` either way. Values of the right type that break a rule (a negative amount, an
unknown enum value) are kept as they are, so that validation sees and names them.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_BIGINT = 2**63


def _text(value):
    return value if isinstance(value, str) and "\x00" not in value else None


def _date(value):
    if isinstance(value, str) and _DATE_RE.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _timestamptz(value):
    if not isinstance(value, str) or "T" not in value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None  # a naive time would be guessed, not read


def _integer(bound: int):
    def convert(value):
        if isinstance(value, bool) or not isinstance(value, int):
            return None
        return value if -bound <= value < bound else None

    return convert


def _numeric(value):
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float):
        return Decimal(repr(value)) if math.isfinite(value) else None  # the JSON number's own digits
    return value


def _boolean(value):
    return value if isinstance(value, bool) else None


def _text_array(value):
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    return None


CONVERTERS = {
    "text": _text,
    "date": _date,
    "timestamptz": _timestamptz,
    "bigint": _integer(_BIGINT),
    "smallint": _integer(2**15),
    "integer": _integer(2**31),
    "numeric": _numeric,
    "boolean": _boolean,
    "text[]": _text_array,
}


@dataclass(frozen=True)
class Column:
    name: str  # raw table column
    path: tuple[str, ...]  # where in the record
    pg_type: str


def _c(name: str, path: str, pg_type: str = "text") -> Column:
    return Column(name, tuple(path.split(".")), pg_type)


@dataclass(frozen=True)
class EndpointSpec:
    name: str  # as the DAG names it: "payments"
    path: str  # "/api/v1/payments"
    key: str  # the record's key (docs/SOURCES.md, "key first")
    columns: tuple[Column, ...]
    scope: str  # "daily" (province x date), "catalogue", "monthly"

    @property
    def entity(self) -> str:
        return "portal_" + self.name.rsplit("/", 1)[-1].replace("-", "_")

    @property
    def table(self) -> str:
        return f"raw.{self.entity}"


ENDPOINTS: dict[str, EndpointSpec] = {
    spec.name: spec
    for spec in (
        EndpointSpec(
            "formalities",
            "/api/v1/formalities",
            "code",
            (
                _c("code", "code"),
                _c("id", "id"),
                _c("name", "name"),
                _c("field_code", "fieldCode"),
                _c("field_name", "fieldName"),
                _c("levels", "levels", "text[]"),
                _c("online_level", "onlineLevel"),
                _c("processing_days", "processingDays", "numeric"),
                _c("day_type", "dayType"),
                _c("has_fee", "hasFee", "boolean"),
                _c("state", "state"),
                _c("decision_date", "decisionDate", "date"),
                _c("effective_date", "effectiveDate", "date"),
                _c("legal_basis_effective_date", "legalBasisEffectiveDate", "date"),
                _c("published_at", "publishedAt", "timestamptz"),
                _c("content_complete", "contentComplete", "boolean"),
                _c("has_online_payment", "hasOnlinePayment", "boolean"),
                _c("province_code", "provinceCode"),
                _c("replaced_by_code", "replacedByCode"),
                _c("updated_at", "updatedAt", "timestamptz"),
            ),
            "catalogue",
        ),
        EndpointSpec(
            "dossier-sync",
            "/api/v1/dossier-sync",
            "dossierCode",
            (
                _c("dossier_code", "dossierCode"),
                _c("unit_code", "unitCode"),
                _c("synced_at", "syncedAt", "timestamptz"),
            ),
            "daily",
        ),
        EndpointSpec(
            "payments",
            "/api/v1/payments",
            "transactionId",
            (
                _c("transaction_id", "transactionId"),
                _c("dossier_code", "dossierCode"),
                _c("amount", "amount", "bigint"),
                _c("status", "status"),
                _c("gateway", "gateway", "smallint"),
                _c("paid_at", "paidAt", "timestamptz"),
            ),
            "daily",
        ),
        EndpointSpec(
            "petitions",
            "/api/v1/petitions",
            "id",
            (
                _c("id", "id"),
                _c("unit_code", "unitCode"),
                _c("category", "category"),
                _c("received_at", "receivedAt", "timestamptz"),
                _c("due_at", "dueAt", "timestamptz"),
                _c("resolved_at", "resolvedAt", "timestamptz"),
                _c("satisfied", "satisfied", "boolean"),
                _c("likes", "likes", "integer"),
                _c("dislikes", "dislikes", "integer"),
                _c("is_repeat", "isRepeat", "boolean"),
            ),
            "daily",
        ),
        EndpointSpec(
            "ratings",
            "/api/v1/ratings",
            "dossierCode",
            (
                _c("dossier_code", "dossierCode"),
                _c("rated_at", "ratedAt", "timestamptz"),
                _c("level", "level"),
            ),
            "daily",
        ),
        EndpointSpec(
            "service-results",
            "/api/v1/reporting/evaluation/service-results",
            "departmentCode",
            (
                _c("department_code", "departmentCode"),
                _c("department_name", "departmentName"),
                _c("department_level", "departmentLevel"),
                _c("total_score", "totalScore", "numeric"),
            ),
            "monthly",
        ),
    )
}


class UnknownEndpoint(ValueError):
    pass


def endpoint_spec(name: str) -> EndpointSpec:
    """Accepts "payments", "/api/v1/payments" or "portal_payments"."""
    short = name.strip().removeprefix("/api/v1/").removeprefix("reporting/evaluation/")
    short = short.removeprefix("portal_").replace("_", "-")
    try:
        return ENDPOINTS[short]
    except KeyError:
        raise UnknownEndpoint(f"unknown portal endpoint {name!r} (known: {', '.join(ENDPOINTS)})") from None


def _lookup(record: dict, path: tuple[str, ...]):
    value = record
    for part in path:
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


class RowBuilder:
    """Typed column values of each record, and a tally of what did not fit the contract."""

    def __init__(self, spec: EndpointSpec):
        self.spec = spec
        # (top-level name or None, nested path, converter, finding label, is the key)
        self._plan = [
            (
                col.path[0] if len(col.path) == 1 else None,
                col.path,
                CONVERTERS[col.pg_type],
                f"{'.'.join(col.path)} is not {col.pg_type}",
                col.path == (spec.key,),
            )
            for col in spec.columns
        ]
        self.findings: Counter = Counter()  # "amount is not bigint" -> records
        self.records_with_findings = 0

    def values(self, record: dict) -> list:
        out = []
        bad = False
        for name, path, convert, label, is_key in self._plan:
            raw = record.get(name) if name is not None else _lookup(record, path)
            if raw is None:
                value = None
                if is_key:
                    self.findings[f"{self.spec.key} missing"] += 1
                    bad = True
            else:
                value = convert(raw)
                if value is None:
                    self.findings[label] += 1
                    bad = True
            out.append(value)
        self.records_with_findings += bad
        return out

    def warnings(self) -> list[str]:
        if not self.findings:
            return []
        detail = ", ".join(f"{what} ×{n}" for what, n in sorted(self.findings.items()))
        return [f"{self.records_with_findings} record(s) break the contract's types: {detail}"]
