"""What cchc.validate.gx promises the rest of the package, pinned against the installed GX.

Everything GX-specific lives in that one module and uses GX internals (a hand-built batch,
graph_validate, the results store). These tests hold the shapes the callers read, so a GX release
that changes them fails here, next to the one file to fix, rather than as a wrong verdict."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from cchc.validate.entities import ENTITIES
from cchc.validate.gx import configuration

DAY = dt.date(2026, 11, 18)
HOSO = ENTITIES["onestop_hoso"]


def _batch(db, raw, province: str, rows: int, *, broken: int = 0) -> int:
    dossiers = [raw.good_dossier(province, DAY, i) for i in range(rows)]
    for d in dossiers[:broken]:
        d["ngay_hen_tra"] = d["ngay_tiep_nhan"] - dt.timedelta(days=1)  # due before received
    return raw.hoso_batch(db, province, DAY, dossiers)


def _due_after_received(gx_project):
    configs = gx_project.configurations(HOSO.critical_suite)
    matches = [c for c in configs if "ngay_hen_tra" in str(c.kwargs) and "ngay_tiep_nhan" in str(c.kwargs)]
    assert matches, "the critical suite compares NgayHenTra with NgayTiepNhan"
    return matches[0]


def test_configurations_are_the_suites_with_ids_types_kwargs_and_messages(gx_project):
    for suite in (HOSO.critical_suite, HOSO.warning_suite):
        configs = gx_project.configurations(suite)
        assert configs
        assert len({c.id for c in configs}) == len(configs)
        for c in configs:
            assert c.type.startswith("expect_") and isinstance(c.kwargs, dict)
            assert c.meta.get("message"), c.type  # the words a quarantine reason uses


def test_a_run_answers_per_configuration_with_counts_and_identified_examples(db, raw, gx_project):
    batch_id = _batch(db, raw, "G1", rows=12, broken=7)
    db.execute(
        "update raw.onestop_hoso set ma_tthc = null where batch_id = %s and source_row <= 3", (batch_id,)
    )
    row_rule = _due_after_received(gx_project)
    [not_null] = [
        c
        for c in gx_project.configurations(HOSO.critical_suite)
        if c.type == "expect_column_values_to_not_be_null" and c.kwargs.get("column") == "ma_tthc"
    ]
    run = gx_project.run(
        HOSO.name, batch_id, [row_rule, not_null], id_columns=HOSO.id_columns, ledger_batch_id=batch_id
    )
    assert run.batch_ids == batch_id
    by_id = {r.expectation_config.id: r for r in run.results}
    assert set(by_id) == {row_rule.id, not_null.id}
    for result in run.results:
        assert result.success is False
        assert not result.exception_info.get("raised_exception")
    # a row rule (SQL): count and the offending rows themselves, at most five
    row = by_id[row_rule.id].result
    assert row["unexpected_count"] == 7
    assert 0 < len(row["details"]["unexpected_rows"]) <= 5
    # a built-in column rule: count of the batch's rows and examples identified by the id columns
    column = by_id[not_null.id].result
    assert (column["element_count"], column["unexpected_count"]) == (12, 3)
    examples = column["partial_unexpected_index_list"]
    assert len(examples) == 3 and set(examples[0]) >= set(HOSO.id_columns)


def test_a_run_over_several_batches_reads_all_their_rows_and_no_other(db, raw, gx_project):
    first, second = _batch(db, raw, "G2", rows=4, broken=1), _batch(db, raw, "G3", rows=6, broken=2)
    _batch(db, raw, "G4", rows=9, broken=9)  # not asked for
    rule = _due_after_received(gx_project)
    run = gx_project.run(HOSO.name, [second, first], [rule], id_columns=HOSO.id_columns)
    assert run.batch_ids == sorted([first, second])
    [result] = run.results
    assert result.result["unexpected_count"] == 3


def test_a_configuration_built_in_code_runs_like_a_suites(db, raw, gx_project):
    batch_id = _batch(db, raw, "G5", rows=3)
    db.execute("update raw.onestop_hoso set ma_ho_so = 'SAME' where batch_id = %s", (batch_id,))
    unique = configuration(
        "expect_compound_columns_to_be_unique",
        {"column_list": ["batch_id", "ma_ho_so"]},
        {"message": "MaHoSo repeated"},
        "7d6c2f9e-0000-4000-8000-000000000001",
    )
    [result] = gx_project.run(HOSO.name, batch_id, [unique], id_columns=HOSO.id_columns).results
    assert result.expectation_config.id == unique.id
    assert (result.success, result.result["unexpected_count"]) == (False, 3)


def test_stored_results_are_what_data_docs_render(db, raw, gx_project, tmp_path):
    batch_id = _batch(db, raw, "G6", rows=2)
    rule = _due_after_received(gx_project)
    since = dt.datetime.now(dt.UTC)
    run = gx_project.run(HOSO.name, batch_id, [rule], id_columns=HOSO.id_columns, ledger_batch_id=batch_id)
    gx_project.store(run, {HOSO.critical_suite: run.results}, f"pin-{batch_id}")
    keys = [
        k
        for k in gx_project.context.validation_results_store.list_keys()
        if k.run_id.run_name == f"pin-{batch_id}"
    ]
    assert len(keys) == 1 and keys[0].expectation_suite_identifier.name == HOSO.critical_suite
    stored = gx_project.context.validation_results_store.get(keys[0])
    assert stored.success is True and stored.statistics["evaluated_expectations"] == 1
    gx_project.build_data_docs(since)
    site = gx_project.context.get_docs_sites_urls()[0]["site_url"].removeprefix("file://")
    pages = list((Path(site).parent / "validations").rglob(f"*pin-{batch_id}*"))
    assert pages, "the stored run has its page in Data Docs"


def test_results_are_gx_own_with_or_without_the_example_shortcut(db, raw, gx_project):
    """Examples are queried only for rules some row breaks (examples_where_unexpected): every
    result, broken rules with their examples and clean rules alike, is the one GX builds alone."""
    batch_id = _batch(db, raw, "G7", rows=15, broken=4)
    db.execute(
        "update raw.onestop_hoso set ma_tthc = null, trang_thai_ho_so = 99 where batch_id = %s and source_row <= 2",
        (batch_id,),
    )
    configs = gx_project.configurations(HOSO.critical_suite) + gx_project.configurations(HOSO.warning_suite)

    def results(skip: bool) -> list[dict]:
        gx_project.skip_clean_examples = skip
        run = gx_project.run(
            HOSO.name, batch_id, configs, id_columns=HOSO.id_columns, ledger_batch_id=batch_id
        )
        out = sorted((r.to_json_dict() for r in run.results), key=lambda r: r["expectation_config"]["id"])
        for r in out:  # a traceback's frames name the caller's stack; its message must be the same
            for info in (r.get("exception_info") or {}).values():
                if isinstance(info, dict):
                    info.pop("exception_traceback", None)
        return out

    try:
        plain, shortcut = results(False), results(True)
    finally:
        gx_project.skip_clean_examples = True
    assert shortcut == plain
    broken = [r for r in plain if not r["success"]]
    # built-in rules among the broken ones carry their examples; clean ones an empty list
    assert any(r["result"].get("partial_unexpected_index_list") for r in broken)
    assert any(r["success"] and r["result"].get("partial_unexpected_list") == [] for r in plain)


def test_a_row_rule_that_cannot_run_fails_alone_when_rules_are_counted_together(db, raw, gx_project):
    """Row rules over the batch's own columns are counted in one scan; a condition that breaks at
    run time must not take the others down: each then runs alone and only it records the error."""
    batch_id = _batch(db, raw, "G8", rows=4, broken=2)
    rules = [
        configuration(
            "expect_rows_to_not_match",
            {"condition": condition, "show": ["source_row", "ma_ho_so"]},
            {"message": message},
            f"7d6c2f9e-0000-4000-8000-00000000001{i}",
        )
        for i, (condition, message) in enumerate(
            [
                ("ngay_hen_tra < ngay_tiep_nhan", "due before received"),
                ("ma_ho_so::integer > 0", "a dossier code that is not a number breaks the cast"),
                ("source_row < 0", "never"),
            ]
        )
    ]
    results = {
        r.expectation_config.id: r
        for r in gx_project.run(HOSO.name, batch_id, rules, id_columns=HOSO.id_columns).results
    }
    due, cast, never = (results[r.id] for r in rules)
    assert (due.success, due.result["unexpected_count"], len(due.result["details"]["unexpected_rows"])) == (
        False,
        2,
        2,
    )
    assert cast.exception_info and "integer" in str(cast.exception_info)
    assert (never.success, never.result["unexpected_count"]) == (True, 0)


def test_compound_uniqueness_is_counted_with_one_group_by_as_gx_counts_it(db, raw, gx_project, monkeypatch):
    """Compound uniqueness is counted with one `group by` (examples_where_unexpected), not GX's
    join of every row to its key's count: results, examples included, are GX's own, for a
    repeated key, a repeated key with a null in it (GX never counts it), both ways of ignoring
    rows with missing values, and a clean key."""
    import cchc.validate.gx as gx_module

    batch_id = _batch(db, raw, "G9", rows=9)
    same = dt.datetime(2026, 11, 18, 9, 0)
    db.execute(
        "update raw.onestop_hoso set ma_ho_so = 'SAME', ngay_cap_nhat = %s where batch_id = %s and source_row <= 3",
        (same, batch_id),
    )
    db.execute(
        "update raw.onestop_hoso set ma_ho_so = 'NO-DATE', ngay_cap_nhat = null "
        "where batch_id = %s and source_row in (4, 5)",
        (batch_id,),
    )
    db.execute(
        "update raw.onestop_hoso set ma_ho_so = null where batch_id = %s and source_row = 6", (batch_id,)
    )
    keys = {
        "batch_id, ma_ho_so, ngay_cap_nhat": ({"column_list": ["batch_id", "ma_ho_so", "ngay_cap_nhat"]}, 3),
        "the same, ignoring rows with a missing value": (
            {
                "column_list": ["batch_id", "ma_ho_so", "ngay_cap_nhat"],
                "ignore_row_if": "any_value_is_missing",
            },
            3,
        ),
        "batch_id, ma_ho_so": ({"column_list": ["batch_id", "ma_ho_so"]}, 5),
        "batch_id, source_row": ({"column_list": ["batch_id", "source_row"]}, 0),
    }
    rules = [
        configuration(
            "expect_compound_columns_to_be_unique",
            kwargs,
            {"message": name},
            f"7d6c2f9e-0000-4000-8000-00000000002{i}",
        )
        for i, (name, (kwargs, _)) in enumerate(keys.items())
    ]
    counted = []
    real = gx_module._compound_unique_counts
    monkeypatch.setattr(
        gx_module,
        "_compound_unique_counts",
        lambda engine, metric: counted.append(metric) or real(engine, metric),
    )

    def results(skip: bool) -> list[dict]:
        gx_project.skip_clean_examples = skip
        run = gx_project.run(HOSO.name, batch_id, rules, id_columns=HOSO.id_columns)
        return [r.to_json_dict() for r in run.results]

    try:
        plain, shortcut = results(False), results(True)
    finally:
        gx_project.skip_clean_examples = True
    assert len(counted) == len(rules), "each rule counted once by the group by (both metrics, one query)"
    assert shortcut == plain
    by_name = {r["expectation_config"]["meta"]["message"]: r for r in plain}
    assert {name: by_name[name]["result"]["unexpected_count"] for name in keys} == {
        name: expected for name, (_, expected) in keys.items()
    }
    assert by_name["batch_id, ma_ho_so"]["result"]["partial_unexpected_list"], (
        "repeated keys keep their examples"
    )
