"""Numerators and denominators -> 766 scores, the portal's way; and the what-if in reverse.

A sub-indicator's score is rounded to 2 decimals (half up) and a group's score is the sum of its
sub-indicators' rounded scores: that is what reproduces the portal's published figures (e.g. a
satisfaction group of 5.90 + 2.98 + 2.30 = 11.18, where the unrounded sum would give 11.19).
An empty denominator leaves the ratio null ("not applicable", never "perfect" or "failed") and
scores what the portal scores then: full points or zero, per rule.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from cchc.reform_index.rules import Rule

CENT = Decimal("0.01")


@dataclass(frozen=True)
class IndicatorScore:
    code: str
    group_code: str
    numerator: int
    denominator: int
    ratio: Decimal | None  # a fraction; None when the denominator is 0
    score: Decimal
    max_points: Decimal
    note: str | None = None


def score(rule: Rule, numerator: int, denominator: int) -> IndicatorScore:
    if numerator < 0 or denominator < 0:
        raise ValueError(f"{rule.code}: negative count {numerator}/{denominator}")
    if denominator == 0:
        points = rule.max_points if rule.empty_denominator_scores == "full" else Decimal(0)
        note = f"not applicable (no {rule.code} denominator): the portal scores {rule.empty_denominator_scores} points"
        return IndicatorScore(rule.code, rule.group_code, numerator, 0, None, points, rule.max_points, note)
    ratio = Decimal(numerator) / Decimal(denominator)
    # Points in exact arithmetic, rounded once: 6 x 114/288 is 2.375 and scores 2.38, where a
    # ratio rounded to the context's digits first gives 2.37499... and 2.37 (the portal's own
    # figures, and the SQL macro, which multiplies before it divides, round the exact value).
    share = Fraction(numerator, denominator)
    if rule.scoring_rule == "full_from":
        share /= Fraction(rule.full_points_from)
    points = Fraction(rule.max_points) * min(Fraction(1), share)
    return IndicatorScore(
        rule.code,
        rule.group_code,
        numerator,
        denominator,
        ratio,
        _round_exact(points),
        rule.max_points,
    )


def _round_exact(value: Fraction) -> Decimal:
    """Half up to 2 decimals, of an exact (non-negative) value."""
    cents = math.floor(value * 100 + Fraction(1, 2))
    return (Decimal(cents) / 100).quantize(CENT)


def full_points_numerator(rule: Rule, denominator: int) -> int:
    """The smallest numerator that scores full points on this denominator."""
    if denominator == 0:
        return 0
    if rule.scoring_rule == "full_from":
        return math.ceil(rule.full_points_from * denominator)
    return denominator


def group_scores(indicators: list[IndicatorScore]) -> dict[str, Decimal]:
    groups: dict[str, Decimal] = {}
    for ind in indicators:
        groups[ind.group_code] = groups.get(ind.group_code, Decimal(0)) + ind.score
    return groups
