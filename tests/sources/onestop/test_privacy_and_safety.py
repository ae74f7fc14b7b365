"""Personal data never reaches the warehouse; half-done loads leave nothing; runs do not collide."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest
from psycopg import sql

from cchc.privacy import Pseudonymiser, normalise_citizen_id
from cchc.sources.onestop import csv_in_sql
from cchc.sources.onestop import ingest as ingest_module
from cchc.sources.onestop.ingest import ingest_export


def _text_columns(db) -> list[tuple[str, str, str]]:
    return db.execute(
        """
        select table_schema, table_name, column_name from information_schema.columns
        where table_schema in ('raw', 'staging', 'intermediate', 'marts', 'audit')
          and data_type in ('text', 'character varying', 'jsonb', 'json')
        order by 1, 2, 3
        """
    ).fetchall()


def test_no_name_id_or_phone_anywhere_in_the_warehouse(landing, db, h):
    people = range(100, 110)
    rows = [h.hoso_row(i) for i in people]
    rows[3]["KenhThucHien"] = "x"  # a rejected row: its personal values must not be echoed either
    rows[4]["SoGiayToChuHoSo"] = "not-a-number " + rows[4]["SoGiayToChuHoSo"]
    for fmt in ("csv", "xlsx", "jsonl"):
        columns = [*h.HOSO_COLUMNS, "EmailChuHoSo"]
        for row in rows:
            row["EmailChuHoSo"] = f"kiemthu{row['SoDienThoai']}@example.vn"
        export = landing.export(rows, fmt=fmt, columns=columns)
        assert all(o.status == "pending" for o in ingest_export(export))
    # a JSONL line that is not valid JSON, carrying personal data
    broken = landing.export(rows[:2], fmt="jsonl")
    with open(broken.path / "hoso.jsonl", "a", encoding="utf-8") as handle:
        handle.write('{"MaHoSo": "X", "ChuHoSo": "' + h.person(109)["ChuHoSo"] + '", broken\n')
    h.write_manifest(broken.path, broken.province_code, broken.business_date)
    assert ingest_export(broken)[0].rows_loaded == 2

    secrets = [v for i in people for v in h.person(i).values()] + ["kiemthu0987"]
    control = h.hoso_row(101)["MaHoSo"]  # not personal: proves the scan finds what is there
    assert db.execute("select count(*) from audit.rejected_rows").fetchone()[0] > 0
    found = []
    seen_control = 0
    columns = _text_columns(db)
    assert ("raw", "onestop_hoso", "citizen_key") in columns
    for schema, table, column in columns:
        query = sql.SQL("select count(*) from {} where {}::text like any(%s)").format(
            sql.Identifier(schema, table), sql.Identifier(column)
        )
        hits = db.execute(query, ([f"%{s}%" for s in secrets],)).fetchone()[0]
        if hits:
            found.append(f"{schema}.{table}.{column}: {hits}")
        seen_control += db.execute(query, ([f"%{control}%"],)).fetchone()[0]
    assert found == []
    assert seen_control >= 3


def test_citizen_key_is_keyed_and_normalised():
    a = Pseudonymiser(b"key-a")
    assert a.citizen_key("079 1000 00001") == a.citizen_key("079100000001")
    assert a.citizen_key("079100000001") != Pseudonymiser(b"key-b").citizen_key("079100000001")
    assert a.citizen_key("") is None and a.citizen_key(None) is None
    assert normalise_citizen_id(" 079-100.000001 ") == "079100000001"
    assert len(a.citizen_key("079100000001")) == 64


def _break_half_way(monkeypatch, path: str) -> None:
    """A network loss half-way through loading: in the Python path's COPY of typed rows, or in
    the SQL path after COPY has put the file's cells in the warehouse and before they are typed."""
    if path == "sql":

        def copy_then_fail(*args, **kwargs):
            original_copy(*args, **kwargs)
            raise ConnectionError("simulated network loss half-way through the load")

        original_copy = csv_in_sql.copy_file_bytes
        monkeypatch.setattr(csv_in_sql, "copy_file_bytes", copy_then_fail)
        return
    original = ingest_module.copy_rows

    def explode_after_20(conn, table, columns, rows):
        def some_then_fail():
            for n, row in enumerate(rows):
                if n == 20:
                    raise ConnectionError("simulated network loss half-way through the load")
                yield row

        return original(conn, table, columns, some_then_fail())

    monkeypatch.setattr(csv_in_sql, "load", lambda *args, **kwargs: False)
    monkeypatch.setattr(ingest_module, "copy_rows", explode_after_20)


@pytest.mark.parametrize("path", ["sql", "python"])
def test_load_that_breaks_half_way_leaves_nothing_and_reruns_whole(landing, db, h, monkeypatch, path):
    export = landing.export([h.hoso_row(i) for i in range(50)])
    with monkeypatch.context() as patch:
        _break_half_way(patch, path)
        failed = ingest_export(export)[0]
    assert failed.status == "failed"
    assert "simulated network loss" in failed.reason
    assert h.batch(db, failed.batch_id)["status"] == "failed"
    leftovers = db.execute(
        "select count(*) from raw.onestop_hoso r join audit.batches b using (batch_id) "
        "where b.province_code = %s and b.business_date = %s",
        (export.province_code, export.business_date),
    ).fetchone()[0]
    assert leftovers == 0

    retried = ingest_export(export)[0]
    assert retried.status == "pending" and retried.rows_loaded == 50


@pytest.mark.slow
def test_killed_process_leaves_nothing_and_the_next_run_loads_whole(landing, db, h, tmp_path):
    export = landing.export([h.hoso_row(i) for i in range(300)])
    marker = tmp_path / "half-way"
    script = textwrap.dedent(
        f"""
        import time
        from pathlib import Path
        from cchc.sources.onestop import csv_in_sql
        from cchc.sources.onestop.discover import Export
        from cchc.sources.onestop.ingest import ingest_export
        from datetime import date

        original = csv_in_sql.type_in_sql

        def slow(*args, **kwargs):
            # the file's cells are in the warehouse, its ledger row written, nothing committed
            Path({str(marker)!r}).write_text("copying")
            time.sleep(600)
            return original(*args, **kwargs)

        csv_in_sql.type_in_sql = slow
        ingest_export(Export({export.province_code!r}, date.fromisoformat({export.business_date.isoformat()!r}),
                             Path({str(export.path)!r}), True))
        """
    )
    child = subprocess.Popen([sys.executable, "-c", script], env=dict(os.environ))
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert child.poll() is None, "the loader exited before reaching the middle of the file"
            assert time.monotonic() < deadline
            time.sleep(0.1)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    # the server notices the dead client and rolls its transaction back
    deadline = time.monotonic() + 30
    while (
        db.execute(
            "select count(*) from pg_stat_activity where application_name = 'cchc' and state like 'idle in%%' "
            "and pid <> pg_backend_pid()"
        ).fetchone()[0]
        and time.monotonic() < deadline
    ):
        time.sleep(0.2)
    traces = db.execute(
        "select count(*) from audit.batches where province_code = %s and business_date = %s",
        (export.province_code, export.business_date),
    ).fetchone()[0]
    assert traces == 0

    outcome = ingest_export(export)[0]
    assert outcome.status == "pending" and outcome.rows_loaded == 300


def test_two_runs_at_once_load_once(landing, db, h, monkeypatch, caplog):
    export = landing.export([h.hoso_row(i) for i in range(40)])
    original = csv_in_sql.copy_file_bytes
    started = threading.Event()

    def slow_copy(*args, **kwargs):
        copied = original(*args, **kwargs)
        started.set()
        time.sleep(1.0)
        return copied

    monkeypatch.setattr(csv_in_sql, "copy_file_bytes", slow_copy)
    results: dict[str, list] = {}
    first = threading.Thread(target=lambda: results.__setitem__("first", ingest_export(export)))
    first.start()
    assert started.wait(30)
    with caplog.at_level("INFO", logger="cchc.sources.landing_files"):
        results["second"] = ingest_export(export)
    first.join(30)

    assert results["first"][0].status == "pending"
    assert results["second"][0].status == "duplicate"
    assert any("being ingested by another run: waiting" in r.getMessage() for r in caplog.records)
    total = db.execute(
        "select count(*) from raw.onestop_hoso where batch_id = %s", (results["first"][0].batch_id,)
    ).fetchone()[0]
    assert total == 40
