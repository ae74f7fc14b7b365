"""The marts' 766 scoring (macro reform_index_score over the ref_reform_index_rules seed) and the
Python scorer (`cchc index score`) are two implementations of one rule table: proven equal here on
every sub-indicator, on edge cases and on random counts, in the real warehouse."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal
from fractions import Fraction

from cchc.reform_index.rules import rules_on
from cchc.reform_index.scorer import score
from cchc.transform.dbt import run_dbt

DAY = date(2026, 10, 1)


def _ties(rule, wanted: int = 6) -> list[tuple[str, int, int]]:
    """Counts whose exact points end in a half cent (6 x 114/288 = 2.375): rounding a ratio first
    lands them a cent low, which is how the two scorers once disagreed with each other and with
    the portal."""
    found = []
    for den in range(1, 400):
        for num in range(den + 1):
            share = Fraction(num, den)
            if rule.scoring_rule == "full_from":
                share = min(Fraction(1), share / Fraction(rule.full_points_from))
            if (Fraction(rule.max_points) * share * 100).denominator == 2:
                found.append((rule.code, num, den))
                if len(found) == wanted:
                    return found
    return found


def _cases() -> list[tuple[str, int, int]]:
    rng = random.Random(766)
    cases = []
    for code in rules_on(DAY):
        cases += [(code, 0, 0), (code, 0, 5), (code, 5, 5), (code, 7, 5), (code, 1, 3), (code, 2, 3)]
        cases += _ties(rules_on(DAY)[code])
        for _ in range(40):
            den = rng.choice([1, 2, 3, 7, 10, 376, 1_346, 443_565, rng.randint(1, 10**7)])
            cases.append((code, rng.randint(0, den), den))
    return [*cases, ("tttt_paid_online", 114, 288)]  # the demo's An Giang, July 2026: 2.38


def test_sql_scores_equal_python_scores(seeded, db):
    cases = _cases()
    values = ",\n".join(f"('{c}', {n}, {d}, {i})" for i, (c, n, d) in enumerate(cases))
    inline = (
        "select v.i, {{ reform_index_score('r', 'v.n', 'v.d') }} as points "
        f"from (values {values}) as v (code, n, d, i) "
        "inner join {{ ref('ref_reform_index_rules') }} as r on r.indicator_code = v.code "
        f"and r.valid_from <= date '{DAY}' and (r.valid_to is null or r.valid_to >= date '{DAY}')"
    )
    compiled = run_dbt(["compile", "--inline", inline]).raw.results[0].node.compiled_code
    got = {i: points for i, points in db.execute(compiled).fetchall()}
    rules = rules_on(DAY)
    expected = {i: score(rules[c], n, d).score for i, (c, n, d) in enumerate(cases)}
    assert len(got) == len(cases) > 500
    assert {i: Decimal(got[i]) for i in got} == expected
