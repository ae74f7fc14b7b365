"""The committed GX project, the unit reference rule, personal data, the CLI and Data Docs."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from cchc.settings import get_settings
from cchc.validate import build_data_docs, validate_batch
from cchc.validate.entities import ENTITIES
from cchc.validate.suites import project_file_with_assets, suite_documents, suites_dir


def test_committed_suites_are_what_the_builder_writes():
    folder = suites_dir(get_settings().gx_project_dir)
    docs = suite_documents()
    assert set(docs) == {f"{e}.{s}" for e in ENTITIES for s in ("critical", "warning")}
    for name, doc in docs.items():
        entity, severity = name.split(".")
        committed = json.loads((folder / entity / f"{severity}.json").read_text(encoding="utf-8"))
        assert committed == json.loads(json.dumps(doc)), f"{name}: run python -m cchc.validate.suites"
        assert doc["expectations"], name
        assert all(e["meta"]["message"] for e in doc["expectations"])
    project_file = (get_settings().gx_project_dir / "gx" / "great_expectations.yml").read_text(
        encoding="utf-8"
    )
    assert project_file == project_file_with_assets(project_file), "run python -m cchc.validate.suites"


def test_unit_codes_checked_against_the_version_valid_on_the_date(db, raw, gx_project):
    from cchc_expectations import ExpectUnitCodesValidOnDate

    db.execute("drop table if exists staging.test_ref_units")
    db.execute(
        "create table staging.test_ref_units as select * from (values "
        "('00001', date '2000-01-01', date '2025-06-30'), ('30001', date '2025-07-01', null::date)) "
        "as t(unit_code, valid_from, valid_to)"
    )
    day_old, day_new = dt.date(2025, 5, 5), dt.date(2025, 8, 5)
    rows = [
        raw.good_dossier("U1", day_old, 0),
        raw.good_dossier("U1", day_new, 1),
        raw.good_dossier("U1", day_new, 2),
    ]
    rows[2]["ma_don_vi"] = "30001"  # rows[1] keeps the old code after the reorganisation
    bid = raw.hoso_batch(db, "U1", day_new, rows)
    kwargs = {
        "column": "ma_don_vi",
        "date_expression": "ngay_tiep_nhan::date",
        "show": ["source_row", "ma_don_vi"],
    }

    def validate(expectation):
        [result] = gx_project.run(
            "onestop_hoso", bid, [expectation.configuration], id_columns=["source_row"]
        ).results
        return result

    result = validate(ExpectUnitCodesValidOnDate(reference_table="staging.test_ref_units", **kwargs))
    assert result.success is False
    assert result.result["unexpected_count"] == 1
    assert result.result["details"]["unexpected_rows"] == [
        {"source_row": 2, "ma_don_vi": "00001", "checked_on": day_new}
    ]
    missing = validate(ExpectUnitCodesValidOnDate(reference_table="staging.no_such_units", **kwargs))
    assert missing.success is False
    assert missing.exception_info  # it says why instead of passing


def test_a_missing_reference_is_recorded_as_not_evaluated(db, raw, catalogue):
    has_seed = db.execute("select to_regclass('staging.ref_admin_units') is not null").fetchone()[0]
    bid = raw.hoso_batch(db, "U2", dt.date(2026, 11, 18), [raw.good_dossier("U2", dt.date(2026, 11, 18), 0)])
    validate_batch(bid)
    [unit] = [
        r for r in raw.results(db, bid) if r["expectation"].startswith("expect_unit_codes_valid_on_date")
    ]
    if not has_seed:
        assert unit["success"] is False
        assert "not evaluated" in unit["message"] and "ref_admin_units" in unit["message"]


def test_results_hold_no_personal_data(db, raw, catalogue):
    rows = [raw.good_dossier("V1", dt.date(2026, 11, 18), i) for i in range(3)]
    for row in rows:
        row.update(citizen_key="secretcitizenkey" + row["ma_ho_so"], tong_phi_le_phi=-1)
    bid = raw.hoso_batch(db, "V1", dt.date(2026, 11, 18), rows)
    assert validate_batch(bid).status == "quarantined"
    dump = db.execute(
        "select coalesce(string_agg(concat_ws('|', expectation, observed_value, unexpected_examples::text, message), "
        "'\n'), '') from audit.validation_results"
    ).fetchone()[0]
    assert "secretcitizenkey" not in dump
    assert "citizen_key" not in dump
    assert not re.search(r"\b\d{12}\b", dump)  # no citizen ID number shape
    examples = db.execute(
        "select distinct jsonb_object_keys(e) from audit.validation_results, "
        "jsonb_array_elements(unexpected_examples) as e where unexpected_examples is not null"
    ).fetchall()
    personal = {"chu_ho_so", "so_giay_to_chu_ho_so", "so_dien_thoai", "citizen_key"}
    assert not personal & {k for (k,) in examples}


def test_batches_command_lists_quarantined_batches_with_reasons(db, raw, catalogue, capsys):
    from cchc.cli import main

    rows = [raw.good_dossier("W1", dt.date(2026, 11, 19), i) for i in range(2)]
    rows[0]["ngay_hen_tra"] = dt.datetime(2026, 11, 1)
    bid = raw.hoso_batch(db, "W1", dt.date(2026, 11, 19), rows)
    validate_batch(bid)
    assert main(["batches", "--status", "quarantined", "--date", "2026-11-19"]) == 0
    out = capsys.readouterr().out
    assert str(bid) in out and "quarantined" in out and "W1" in out
    assert "NgayHenTra before NgayTiepNhan in 1 of 2 rows" in out.replace("\n" + " " * 10, "")
    assert main(["batches", "--status", "accepted", "--date", "1999-01-01"]) == 0
    assert "no batches match" in capsys.readouterr().out


def test_data_docs_are_built_as_static_html(db, raw, catalogue):
    bid = raw.hoso_batch(db, "X1", dt.date(2026, 11, 18), [raw.good_dossier("X1", dt.date(2026, 11, 18), 0)])
    validate_batch(bid)
    index = build_data_docs()
    assert index.endswith("index.html")
    html = Path(index).read_text(encoding="utf-8")
    assert "onestop_hoso.critical" in html
    # the next build renders only what is new, and the index lists it
    later = raw.hoso_batch(
        db, "X2", dt.date(2026, 11, 18), [raw.good_dossier("X2", dt.date(2026, 11, 18), 0)]
    )
    validate_batch(later)
    assert build_data_docs() == index
    pages = [str(p) for p in (get_settings().data_docs_dir / "validations").rglob("*.html")]
    assert any(f"batch-{bid}" in p for p in pages)
    assert any(f"batch-{later}" in p for p in pages)
