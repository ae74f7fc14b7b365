"""The 766 scoring rules as data: one row per sub-indicator and rule version."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

from cchc.settings import get_settings

RULES_FILE = Path("seeds") / "rules" / "ref_reform_index_rules.csv"
SCORING_RULES = ("linear", "full_from")


class RuleError(ValueError):
    """The rule table is malformed, or a code has no rule for the period."""


@dataclass(frozen=True)
class Rule:
    rule_version: str
    valid_from: date
    valid_to: date | None
    group_code: str
    group_max_points: Decimal
    code: str
    name_vi: str
    max_points: Decimal
    ratio_definition: str
    scoring_rule: str
    full_points_from: Decimal | None
    empty_denominator_scores: str  # full | zero

    def applies_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


def rules_path() -> Path:
    return get_settings().dbt_project_dir / RULES_FILE


def _rule(row: dict[str, str], line: int, path: Path) -> Rule:
    try:
        rule = Rule(
            rule_version=row["rule_version"],
            valid_from=date.fromisoformat(row["valid_from"]),
            valid_to=date.fromisoformat(row["valid_to"]) if row["valid_to"] else None,
            group_code=row["group_code"],
            group_max_points=Decimal(row["group_max_points"]),
            code=row["indicator_code"],
            name_vi=row["indicator_name_vi"],
            max_points=Decimal(row["max_points"]),
            ratio_definition=row["ratio_definition"],
            scoring_rule=row["scoring_rule"],
            full_points_from=Decimal(row["full_points_from"]) if row["full_points_from"] else None,
            empty_denominator_scores=row["empty_denominator_scores"],
        )
    except (KeyError, ValueError, ArithmeticError) as err:
        raise RuleError(f"{path}, line {line}: {type(err).__name__}: {err}") from None
    if rule.scoring_rule not in SCORING_RULES:
        raise RuleError(
            f"{path}, line {line}: scoring_rule {rule.scoring_rule!r} is not one of {SCORING_RULES}"
        )
    if (rule.scoring_rule == "full_from") != (rule.full_points_from is not None):
        raise RuleError(
            f"{path}, line {line}: full_points_from goes with scoring_rule full_from, and only with it"
        )
    if rule.empty_denominator_scores not in ("full", "zero"):
        raise RuleError(f"{path}, line {line}: empty_denominator_scores must be full or zero")
    return rule


@cache
def load_rules(path: Path | None = None) -> tuple[Rule, ...]:
    path = path or rules_path()
    with open(path, encoding="utf-8", newline="") as fh:
        rules = tuple(_rule(row, n, path) for n, row in enumerate(csv.DictReader(fh), start=2))
    for version in {r.rule_version for r in rules}:
        groups: dict[str, list[Rule]] = {}
        for r in rules:
            if r.rule_version == version:
                groups.setdefault(r.group_code, []).append(r)
        for code, members in groups.items():
            if sum(m.max_points for m in members) != members[0].group_max_points:
                raise RuleError(f"{path}: {version} {code}: sub-indicators do not sum to the group's maximum")
    return rules


def rules_on(day: date, path: Path | None = None) -> dict[str, Rule]:
    """The rule of every sub-indicator in force on `day`, by indicator code."""
    found: dict[str, Rule] = {}
    for rule in load_rules(path):
        if rule.applies_on(day):
            if rule.code in found:
                raise RuleError(f"two rules for {rule.code} on {day}")
            found[rule.code] = rule
    return found
