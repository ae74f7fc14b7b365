"""Reading the portal's service-results records (one unit each, as the API publishes them)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any


class PublishedError(ValueError):
    """The file is not in the shape the portal publishes; names the file and the place."""


@dataclass(frozen=True)
class PublishedMetric:
    code: str
    numerator: int
    denominator: int
    score: Decimal | None  # as published, when the record carries it


@dataclass(frozen=True)
class PublishedUnit:
    code: str
    name: str
    metrics: list[PublishedMetric] = field(default_factory=list)


def _records(doc: Any) -> list[dict]:
    if isinstance(doc, dict) and isinstance(doc.get("data"), dict | list):  # the API's envelope
        doc = doc["data"]
    if isinstance(doc, dict) and isinstance(doc.get("content"), list):  # a page
        doc = doc["content"]
    if isinstance(doc, dict):
        doc = [doc]
    if not isinstance(doc, list):
        raise PublishedError("expected a unit record, a list of them, or the API's response")
    return doc


def _count(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0 or value != int(value):
        raise PublishedError(f"{where}: not a count: {value!r}")
    return int(value)


def read_units(path: Path) -> list[PublishedUnit]:
    try:
        text = path.read_text(encoding="utf-8")
        doc = (
            json.loads(text)
            if text.lstrip().startswith(("{", "["))
            else [json.loads(x) for x in text.splitlines() if x.strip()]
        )
    except (OSError, ValueError) as err:
        raise PublishedError(f"{path}: {err}") from None
    units = []
    for i, record in enumerate(_records(doc)):
        where = f"{path}, unit {i + 1}"
        if not isinstance(record, dict) or not isinstance(record.get("groups"), list):
            raise PublishedError(f"{where}: no groups[]")
        metrics = []
        for group in record["groups"]:
            for m in group.get("metrics") or []:
                code = m.get("code")
                if not code:
                    raise PublishedError(f"{where}, group {group.get('code')}: a metric without a code")
                score = m.get("score")
                metrics.append(
                    PublishedMetric(
                        code,
                        _count(m.get("numerator"), f"{where}, {code}.numerator"),
                        _count(m.get("denominator"), f"{where}, {code}.denominator"),
                        Decimal(str(score)) if score is not None else None,
                    )
                )
        units.append(
            PublishedUnit(
                str(record.get("departmentCode", f"#{i + 1}")), str(record.get("departmentName", "")), metrics
            )
        )
    return units
