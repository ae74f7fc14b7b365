"""Fault injection for the portal simulator: what goes wrong, where, and on which attempt.

A plan is a list of rules. Each rule names a fault, optionally narrows where it applies
(endpoint substring, province, page) and how often (`rate`, drawn from a hash of the seed and
the request, so the same seed + plan + client behaviour gives the same faults on every run).

Transient faults hit one HTTP request; by default only its first attempt, so a client that
retries recovers (`attempts: null` makes every attempt fail, to test bounded retries):
    429            Too Many Requests with Retry-After: `retry_after` seconds
    500 502 503 504
    hang           no answer for `hang_seconds` (longer than the client's read timeout)
    expire_token   the bearer token presented dies now: 401
    short_page     the page comes back one record short while totalElements stays put

Data faults change what a dataset (endpoint + filters, all pages) contains:
    shift          a record arrives while the client pages: it is held back until the first
                   request for page 2 or later, then appears at the front, so every record
                   moves one place and the last one of each page shows up again on the next
    bad_record     one record breaks the contract: `kind` = negative_amount | missing_key |
                   unknown_enum (default: chosen by the seed)

Plans are JSON (`{"seed": 7, "rules": [{"fault": "429", "endpoint": "payments", "rate": 0.2}]}`,
inline or a file) or a compact spec `fault[@rate][:endpoint],…` such as `429@0.1,hang@0.02:payments`.
`demo` is a moderate mix of everything.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

TRANSIENT_FAULTS = frozenset({"429", "500", "502", "503", "504", "hang", "expire_token", "short_page"})
DATA_FAULTS = frozenset({"shift", "bad_record"})
BAD_RECORD_KINDS = ("negative_amount", "missing_key", "unknown_enum")

DEMO_SPEC = "429@0.05,503@0.05,500@0.02,expire_token@0.03,hang@0.01,short_page@0.02,shift@0.1,bad_record@0.05"


class FaultPlanError(ValueError):
    """A fault plan that cannot be understood."""


@dataclass(frozen=True)
class FaultRule:
    fault: str
    endpoint: str | None = None
    province: str | None = None
    page: int | None = None
    rate: float = 1.0
    attempts: tuple[int, ...] | None = (1,)
    retry_after: int = 1
    hang_seconds: float = 10.0
    kind: str | None = None

    def __post_init__(self):
        if self.fault not in TRANSIENT_FAULTS | DATA_FAULTS:
            known = ", ".join(sorted(TRANSIENT_FAULTS | DATA_FAULTS))
            raise FaultPlanError(f"unknown fault {self.fault!r} (known: {known})")
        if not 0.0 <= self.rate <= 1.0:
            raise FaultPlanError(f"fault {self.fault}: rate {self.rate} is not within 0..1")
        if self.kind is not None and self.kind not in BAD_RECORD_KINDS:
            raise FaultPlanError(f"bad_record kind {self.kind!r} is not one of {', '.join(BAD_RECORD_KINDS)}")

    @classmethod
    def from_dict(cls, raw: dict) -> FaultRule:
        unknown = set(raw) - set(cls.__dataclass_fields__)
        if unknown:
            raise FaultPlanError(f"fault rule {raw!r}: unknown field(s) {', '.join(sorted(unknown))}")
        values = dict(raw)
        values["fault"] = str(values.get("fault", ""))
        if "attempts" in values and values["attempts"] is not None:
            values["attempts"] = tuple(int(a) for a in values["attempts"])
        return cls(**values)

    def matches(self, path: str, body: dict) -> bool:
        if self.endpoint and self.endpoint not in path:
            return False
        if self.province and body.get("provinceCode") != self.province:
            return False
        return not (self.page is not None and body.get("currentPage") != self.page)


def _draw(seed: int, index: int, key: str) -> float:
    """A uniform number in [0, 1) fixed by seed, rule and request: no shared random state."""
    digest = hashlib.sha256(f"{seed}|{index}|{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


@dataclass(frozen=True)
class FaultPlan:
    rules: tuple[FaultRule, ...] = field(default_factory=tuple)
    seed: int = 0

    @classmethod
    def parse(cls, plan: str | Path | dict | list | None, seed: int = 0) -> FaultPlan:
        if plan is None or plan == "" or plan == "none":
            return cls(seed=seed)
        if isinstance(plan, dict | list):
            return cls._from_json(plan, seed)
        text = str(plan).strip()
        if text == "demo":
            return cls.parse(DEMO_SPEC, seed)
        if text[:1] in "[{":
            return cls._from_json(json.loads(text), seed)
        if text.endswith(".json") or Path(text).is_file():
            return cls._from_json(json.loads(Path(text).read_text(encoding="utf-8")), seed)
        return cls._from_spec(text, seed)

    @classmethod
    def _from_json(cls, raw: dict | list, seed: int) -> FaultPlan:
        if isinstance(raw, list):
            raw = {"rules": raw}
        rules = tuple(FaultRule.from_dict(r) for r in raw.get("rules", []))
        return cls(rules=rules, seed=int(raw.get("seed", seed)))

    @classmethod
    def _from_spec(cls, text: str, seed: int) -> FaultPlan:
        rules = []
        for part in (p.strip() for p in text.split(",")):
            if not part:
                continue
            head, _, endpoint = part.partition(":")
            fault, _, rate = head.partition("@")
            try:
                rules.append(FaultRule(fault=fault, endpoint=endpoint or None, rate=float(rate or 1.0)))
            except ValueError as exc:
                raise FaultPlanError(f"fault spec {part!r}: {exc}") from exc
        return cls(rules=tuple(rules), seed=seed)

    def transient(self, path: str, body: dict, request_key: str, attempt: int) -> FaultRule | None:
        """The fault (if any) for this attempt of this exact request."""
        for index, rule in enumerate(self.rules):
            if rule.fault not in TRANSIENT_FAULTS or not rule.matches(path, body):
                continue
            if rule.attempts is not None and attempt not in rule.attempts:
                continue
            if rule.rate >= 1.0 or _draw(self.seed, index, request_key) < rule.rate:
                return rule
        return None

    def data_faults(self, path: str, body: dict, dataset_key: str) -> list[tuple[int, FaultRule]]:
        """Data faults that apply to a dataset, with a per-rule number for deterministic choices."""
        out = []
        for index, rule in enumerate(self.rules):
            if rule.fault not in DATA_FAULTS or not rule.matches(path, {**body, "currentPage": rule.page}):
                continue
            if rule.rate >= 1.0 or _draw(self.seed, index, dataset_key) < rule.rate:
                out.append((index, rule))
        return out

    def choose(self, index: int, key: str, n: int) -> int:
        """A deterministic index in range(n) for rule `index` on dataset `key`."""
        return int(_draw(self.seed, 1000 + index, key) * n) if n else 0
