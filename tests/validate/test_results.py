"""cchc.validate.results: a GX result in the words of audit.validation_results and of a quarantine
reason, from real GX runs on real batches."""

from __future__ import annotations

import datetime as dt
import json
import uuid

from cchc.validate.entities import ENTITIES
from cchc.validate.gx import configuration
from cchc.validate.results import MAX_EXAMPLES, ExpectationOutcome, outcome_of, reason

DAY = dt.date(2026, 11, 18)
HOSO = ENTITIES["onestop_hoso"]


def _run(db, raw, gx_project, province, configs, *, rows=12, broken=0):
    dossiers = [raw.good_dossier(province, DAY, i) for i in range(rows)]
    for d in dossiers[:broken]:
        d["ma_tthc"] = None
    batch_id = raw.hoso_batch(db, province, DAY, dossiers)
    return gx_project.run(HOSO.name, batch_id, configs, id_columns=HOSO.id_columns).results


def _not_null(column: str, message: str):
    return configuration(
        "expect_column_values_to_not_be_null", {"column": column}, {"message": message},
        str(uuid.uuid5(uuid.NAMESPACE_URL, f"cchc-test/{column}")),
    )  # fmt: skip


def test_a_failed_rule_says_how_many_of_how_many_with_identified_examples(db, raw, gx_project):
    [result] = _run(db, raw, gx_project, "R1", [_not_null("ma_tthc", "MaTTHC missing")], broken=7)
    outcome = outcome_of(result, HOSO.critical_suite, "critical", batch_rows=12)
    assert (outcome.success, outcome.element_count, outcome.unexpected_count) == (False, 12, 7)
    assert outcome.message == "MaTTHC missing in 7 of 12 rows"
    assert outcome.expectation == "expect_column_values_to_not_be_null(ma_tthc)"
    assert len(outcome.examples) == MAX_EXAMPLES
    assert all(set(e) >= set(HOSO.id_columns) for e in outcome.examples)
    stored = outcome.row(42)
    assert stored[:4] == (42, HOSO.critical_suite, outcome.expectation, "critical")
    assert len(json.loads(stored[8])) == MAX_EXAMPLES  # examples stored as JSON


def test_a_passed_rule_keeps_its_message_and_no_examples(db, raw, gx_project):
    [result] = _run(db, raw, gx_project, "R2", [_not_null("ma_tthc", "MaTTHC missing")])
    outcome = outcome_of(result, HOSO.critical_suite, "critical", batch_rows=12)
    assert (outcome.success, outcome.message, outcome.examples, outcome.unexpected_count) == (
        True,
        "MaTTHC missing",
        [],
        0,
    )
    assert outcome.row(1)[8] is None


def test_a_rule_that_could_not_run_is_marked_not_evaluated_with_the_database_error(db, raw, gx_project):
    [result] = _run(db, raw, gx_project, "R3", [_not_null("no_such_column", "Column missing")])
    outcome = outcome_of(result, HOSO.critical_suite, "critical", batch_rows=12)
    assert outcome.not_evaluated and not outcome.success
    assert outcome.message.startswith("Column missing: not evaluated (")
    assert "no_such_column" in outcome.message


def test_the_quarantine_reason_lists_every_failure_worst_first():
    def failure(message, count):
        return ExpectationOutcome("s", "e", "critical", False, 100, count, None, [], message)

    assert reason([failure("small", 2), failure("big", 90), failure("none", None)]) == "big; small; none"
