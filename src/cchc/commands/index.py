"""`cchc index score FILE.json [--json] [--target]` — Decision 766 scores from the numerators and
denominators the portal publishes (service-results: one unit, many, or the API's response)."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path


def register(sub) -> None:
    parser = sub.add_parser("index", help="the Decision 766 reform index (score published inputs, what-if)")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    score = actions.add_parser(
        "score", help="score sub-indicators, groups and total from a service-results file"
    )
    score.add_argument("file", type=Path, help="JSON: service-results record(s) with groups[].metrics[]")
    score.add_argument("--json", action="store_true", help="print JSON instead of a table")
    score.add_argument("--target", action="store_true", help="also say what numerator reaches full points")
    score.add_argument(
        "--date", type=date.fromisoformat, default=None, help="rules in force on (default today)"
    )
    score.set_defaults(func=run_score)


def score_units(path: Path, day: date, with_target: bool) -> list[dict]:
    from cchc.reform_index.published import read_units
    from cchc.reform_index.rules import rules_on
    from cchc.reform_index.scorer import full_points_numerator, group_scores, score

    rules = rules_on(day)
    out = []
    for unit in read_units(path):
        unknown = [m.code for m in unit.metrics if m.code not in rules]
        if unknown:
            raise ValueError(f"{path}, unit {unit.code}: no rule for {', '.join(unknown)} on {day}")
        scored = [(m, score(rules[m.code], m.numerator, m.denominator)) for m in unit.metrics]
        indicators = []
        for published, s in scored:
            item = {
                "code": s.code,
                "group": s.group_code,
                "name": rules[s.code].name_vi,
                "numerator": s.numerator,
                "denominator": s.denominator,
                "ratio": float(s.ratio) if s.ratio is not None else None,
                "score": float(s.score),
                "max_points": float(s.max_points),
                "score_published": float(published.score) if published.score is not None else None,
                "note": s.note,
            }
            if with_target:
                need = full_points_numerator(rules[s.code], s.denominator)
                item["full_points_numerator"] = need
                item["more_needed"] = max(0, need - s.numerator)
            indicators.append(item)
        groups = group_scores([s for _, s in scored])
        out.append(
            {
                "unit": unit.code,
                "name": unit.name,
                "indicators": indicators,
                "groups": {g: float(v) for g, v in groups.items()},
                "total": float(sum(groups.values())),
            }
        )
    return out


def _print_table(units: list[dict], with_target: bool) -> None:
    for unit in units:
        print(f"{unit['unit']} {unit['name']}".strip())
        for ind in unit["indicators"]:
            ratio = f"{ind['ratio'] * 100:6.2f}%" if ind["ratio"] is not None else "   n/a "
            line = (
                f"  {ind['group']} {ind['code']:38s} {ind['numerator']:>10,}/{ind['denominator']:<10,} {ratio}"
                f"  {ind['score']:5.2f} / {ind['max_points']:g}"
            )
            if ind["score_published"] is not None and ind["score_published"] != ind["score"]:
                line += f"  (published {ind['score_published']:.2f})"
            if with_target and ind["more_needed"]:
                line += f"  full points at {ind['full_points_numerator']:,} (+{ind['more_needed']:,})"
            print(line)
        groups = "  ".join(f"{g} {v:.2f}" for g, v in unit["groups"].items())
        print(f"  groups: {groups}   total {unit['total']:.2f}")


def run_score(args) -> int:
    from cchc.reform_index.published import PublishedError
    from cchc.reform_index.rules import RuleError

    try:
        units = score_units(args.file, args.date or date.today(), args.target)
    except (PublishedError, RuleError, ValueError) as err:
        print(f"cchc index score: {err}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(units, ensure_ascii=False, indent=1))
    else:
        _print_table(units, args.target)
    return 0
