"""The 766 scorer against figures the portal published (one province, year to date October 2026),
and its rules: every rule kind, empty denominators, rounding, the what-if."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from cchc.reform_index.rules import RuleError, load_rules, rules_on
from cchc.reform_index.scorer import full_points_numerator, group_scores, score

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "examples" / "service-results-example.json"
DAY = date(2026, 10, 31)


@pytest.fixture(scope="module")
def rules():
    return rules_on(DAY)


# (code, numerator, denominator, published score)
PUBLISHED = [
    ("tttt_paid_online", 179_460, 204_757, "5.26"),
    ("tttt_procedures_with_online_payment", 160, 376, "1.06"),
    ("tttt_procedures_with_dossiers", 56, 376, "0.37"),
    ("mdsh_electronic_results", 284_995, 443_565, "3.86"),
    ("mdsh_digitised_dossiers", 93_664, 443_565, "0.84"),
    ("mdsh_reused_data", 82_645, 443_565, "0.47"),
    ("mdsh_personal_data_store", 9_499, 443_565, "0.09"),
    ("mdsh_population_data", 279_339, 443_565, "1.26"),
    ("mdsh_procedures_population_data", 380, 1_346, "0.56"),
    ("mdsh_e_certified_copies", 0, 0, "2.00"),
    ("mdhl_dossier_satisfaction", 392_869, 443_565, "5.90"),
    ("mdhl_petitions_on_time", 241, 485, "2.98"),
    ("mdhl_petition_satisfaction", 186, 485, "2.30"),
    ("ckmb_announced_on_time", 0, 82, "0.00"),
    ("ckmb_published_on_time", 79, 82, "3.85"),
    ("ckmb_published_in_full", 79, 79, "2.00"),
    ("ckmb_synced_dossiers", 370_610, 370_610, "6.00"),
    ("tdgq_handled_on_time", 393_087, 443_565, "17.72"),
]
GROUPS = {"TTTT": "6.69", "MDSH": "9.08", "MDHL": "11.18", "CKMB": "11.85", "TDGQ": "17.72"}


@pytest.mark.parametrize(("code", "numerator", "denominator", "published"), PUBLISHED)
def test_each_published_sub_indicator_is_reproduced(rules, code, numerator, denominator, published):
    assert score(rules[code], numerator, denominator).score == Decimal(published)


def test_each_published_group_is_reproduced(rules):
    groups = group_scores([score(rules[c], n, d) for c, n, d, _ in PUBLISHED])
    assert {g: str(v) for g, v in groups.items()} == GROUPS


def test_group_is_the_sum_of_rounded_sub_scores(rules):
    """5.9047 + 2.9814 + 2.3010 = 11.1871 would round to 11.19; the portal publishes 11.18."""
    subs = [score(rules[c], n, d) for c, n, d, _ in PUBLISHED if c.startswith("mdhl")]
    assert group_scores(subs)["MDHL"] == Decimal("11.18")


def test_empty_denominator_keeps_the_ratio_null_and_scores_the_portals_way(rules):
    certified = score(rules["mdsh_e_certified_copies"], 0, 0)
    assert (certified.ratio, certified.score) == (None, Decimal(2)) and "not applicable" in certified.note
    petitions = score(rules["mdhl_petitions_on_time"], 0, 0)
    assert (petitions.ratio, petitions.score) == (None, Decimal(6))
    synced = score(rules["ckmb_synced_dossiers"], 0, 0)
    assert (synced.ratio, synced.score) == (None, Decimal(0))


def test_full_from_rules_cap_at_full_points(rules):
    assert score(rules["clgq_online_dossiers"], 60, 100).score == Decimal(6)  # 60% >= 50%
    assert score(rules["clgq_online_dossiers"], 25, 100).score == Decimal(3)
    assert score(rules["clgq_procedures_online"], 40, 100).score == Decimal(1)  # 2 * 0.4 / 0.8
    assert score(rules["mdhl_dossier_satisfaction"], 95, 100).score == Decimal(6)


def test_what_if_full_points_numerator(rules):
    assert full_points_numerator(rules["tttt_paid_online"], 204_757) == 204_757  # linear: every one
    assert full_points_numerator(rules["mdhl_dossier_satisfaction"], 443_565) == 399_209  # 90%
    assert full_points_numerator(rules["clgq_online_dossiers"], 101) == 51  # 50%, rounded up
    assert full_points_numerator(rules["mdsh_e_certified_copies"], 0) == 0


def test_rule_table_is_consistent():
    rules = load_rules()
    assert {r.group_code for r in rules} == {"CKMB", "TDGQ", "CLGQ", "TTTT", "MDSH", "MDHL"}
    by_group = {}
    for r in rules_on(DAY).values():
        by_group[r.group_code] = by_group.get(r.group_code, 0) + r.max_points
    assert by_group == {"CKMB": 18, "TDGQ": 20, "CLGQ": 12, "TTTT": 10, "MDSH": 22, "MDHL": 18}
    assert sum(by_group.values()) == 100


def test_a_malformed_rule_row_is_named(tmp_path):
    bad = tmp_path / "rules.csv"
    lines = (ROOT / "dbt_project" / "seeds" / "rules" / "ref_reform_index_rules.csv").read_text().splitlines()
    lines[3] = lines[3].replace(",linear,", ",quadratic,")
    bad.write_text("\n".join(lines) + "\n")
    with pytest.raises(RuleError, match=r"line 4: scoring_rule 'quadratic'"):
        load_rules(bad)


def test_cli_scores_the_published_file_and_says_what_full_points_need():
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "cchc.cli",
            "index",
            "score",
            str(EXAMPLE),
            "--json",
            "--target",
            "--date",
            "2026-10-31",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    [unit] = json.loads(proc.stdout)
    assert {g: f"{v:.2f}" for g, v in unit["groups"].items()} == GROUPS
    paid = next(i for i in unit["indicators"] if i["code"] == "tttt_paid_online")
    assert (paid["score"], paid["score_published"], paid["more_needed"]) == (5.26, 5.26, 204_757 - 179_460)
    table = subprocess.run(
        [sys.executable, "-m", "cchc.cli", "index", "score", str(EXAMPLE), "--date", "2026-10-31"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "MDHL 11.18" in table and "total 56.52" in table


def test_cli_names_a_bad_file(tmp_path):
    bad = tmp_path / "sr.json"
    bad.write_text(json.dumps({"departmentCode": "H01", "groups": [{"code": "TTTT", "metrics": [
        {"code": "tttt_paid_online", "numerator": -3, "denominator": 10}]}]}))  # fmt: skip
    proc = subprocess.run(
        [sys.executable, "-m", "cchc.cli", "index", "score", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2 and "tttt_paid_online.numerator: not a count: -3" in proc.stderr
