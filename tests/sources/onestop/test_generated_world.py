"""The project's generated world, delivered night by night: every recorded mess ends as the truth says."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

import pytest
from psycopg import sql

from cchc.sources.onestop.discover import find_exports
from cchc.sources.onestop.ingest import ingest_export
from cchc.sources.reports.ingest_reports import ingest_reports

MESS = ("truncated", "duplicate", "corrected", "extra_column", "bom", "excel_text", "bieu06_malformed")


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Path:
    from cchc_world.generate.generator import Config, generate

    out = tmp_path_factory.mktemp("world")
    generate(
        Config(
            out=out,
            seed=7,
            dossiers=900,
            start=date(2025, 4, 1),
            end=date(2025, 6, 30),
            provinces=("01", "91"),
            mess_rate=0.0,
            mess_overrides={kind: 0.4 for kind in MESS},
            formats=("csv", "xlsx", "jsonl"),
        )
    )
    return out


@pytest.mark.slow
def test_nightly_deliveries_end_as_the_truth_says(world, tmp_path, monkeypatch, db):
    from cchc_world.generate.deliveries import deliver, log

    landing = tmp_path / "landing"
    monkeypatch.setenv("CCHC_LANDING_DIR", str(landing))
    # Leftovers of other tests share these province-days: read back only this run's batches.
    first_batch = db.execute("select coalesce(max(batch_id), 0) from audit.batches").fetchone()[0]
    outcomes = []
    for arrival in sorted({e["arrival"] for e in log(world)}):
        placed = deliver(world, datetime.fromisoformat(arrival), landing)
        days = {(d.province, d.business_date) for d in placed if d.file.endswith("manifest.json")}
        for province, day in sorted(days):
            for export in find_exports(date.fromisoformat(day), province):
                outcomes += ingest_export(export)
        if any(d.kind == "reports" for d in placed):
            outcomes += ingest_reports()

    assert outcomes and not [o for o in outcomes if o.status == "failed"]
    by_path = defaultdict(list)
    for o in outcomes:
        folder = f"onestop/{o.province_code}/{o.business_date}" if o.entity != "bieu06_rows" else None
        by_path[f"{folder}/{o.file_name}" if folder else f"reports/{o.province_code}/{o.file_name}"].append(o)

    shas = defaultdict(list)
    for entry in log(world):
        shas[entry["file"]].append(entry["sha256"])
    mess = [json.loads(line) for line in (world / "truth" / "mess.jsonl").read_text().splitlines()]
    seen = {m["kind"] for m in mess}
    assert {"truncated", "duplicate", "corrected", "extra_column"} <= seen
    for m in mess:
        if "path" not in m:
            continue
        statuses = [o.status for o in by_path[m["path"]]]
        if m["kind"] == "truncated":
            assert statuses[0] == "quarantined" and "pending" in statuses, (m, statuses)
            assert m["path"].rsplit("/", 1)[1] in by_path[m["path"]][0].reason
        elif m["kind"] == "duplicate":
            assert statuses[0] == "pending" and "duplicate" in statuses, (m, statuses)
        elif m["kind"] == "corrected":
            # a new sha256 is a new batch; a "corrected" copy with the same bytes is a duplicate
            versions = len(set(shas[m["path"]]))
            assert statuses.count("pending") == versions and len(statuses) == 2, (m, statuses, versions)
        elif m["kind"] == "bieu06_malformed":
            assert statuses == ["quarantined"], (m, statuses)
            assert repr(m["cell"]["value"]) in by_path[m["path"]][0].reason
        elif m["kind"] == "extra_column":
            batch_id = next(o.batch_id for o in by_path[m["path"]] if o.status == "pending")
            warnings, rows_in = db.execute(
                "select warnings, rows_in from audit.batches where batch_id = %s", (batch_id,)
            ).fetchone()
            # an empty JSONL file has no keys to show its extra column
            assert any("unknown column" in w for w in warnings) or rows_in == 0, (m, warnings)
        else:  # bom, excel_text: load like any other file
            assert "pending" in statuses, (m, statuses)

    # every last-delivered export file loaded whole: rows = its manifest's count, nothing rejected
    rejected = db.execute(
        "select coalesce(sum(rows_rejected), 0) from audit.batches where batch_id > %s", (first_batch,)
    ).fetchone()[0]
    assert rejected == 0
    for manifest_path in (landing / "onestop").glob("*/*/manifest.json"):
        manifest = json.loads(manifest_path.read_text())
        province, day = manifest_path.parent.parent.name, manifest_path.parent.name
        for f in manifest["files"]:
            # the batch holding these bytes (earlier tests of the session may hold identical
            # files, e.g. empty ones: then this run's copy is a duplicate of theirs)
            loaded = db.execute(
                "select rows_loaded from audit.batches where province_code = %s and business_date = %s "
                "and file_name = %s and sha256 = %s and status = 'pending' order by batch_id limit 1",
                (province, day, f["ten"], f["sha256"]),
            ).fetchone()
            assert loaded == (f["so_dong"],), (manifest_path, f)

    # no generated name, citizen ID or phone number anywhere in the warehouse
    personal = [v for v in (world / "truth" / "personal_values.txt").read_text().splitlines() if v.strip()]
    assert personal
    for schema, table, column in db.execute(
        "select table_schema, table_name, column_name from information_schema.columns "
        "where table_schema in ('raw', 'audit') and data_type in ('text', 'jsonb')"
    ).fetchall():
        query = sql.SQL("select count(*) from {} where {}::text like any(%s)").format(
            sql.Identifier(schema, table), sql.Identifier(column)
        )
        assert db.execute(query, ([f"%{v}%" for v in personal],)).fetchone()[0] == 0, (schema, table, column)
