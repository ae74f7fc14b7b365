"""The plain functions behind the DAG tasks, against the real embedded warehouse."""

from __future__ import annotations

import threading
import time
from datetime import date

import pytest

from .support.handmade import write_export


@pytest.fixture
def landing(tmp_path, monkeypatch, warehouse):
    root = tmp_path / "landing"
    root.mkdir()
    monkeypatch.setenv("CCHC_LANDING_DIR", str(root))
    monkeypatch.delenv("CCHC_PROVINCES", raising=False)
    return root


def test_exports_for_lists_expected_provinces_ready_or_not(landing, monkeypatch):
    from cchc.pipeline.expected_exports import exports_for

    day = date(2026, 3, 10)
    write_export(landing, "01", day)
    write_export(landing, "79", day, manifest=False)  # still arriving
    (landing / "onestop" / "48").mkdir(parents=True)  # delivers, but nothing yet that day
    refs = {r.province_code: r for r in exports_for(day)}
    assert set(refs) == {"01", "48", "79"}
    assert refs["01"].ready and not refs["79"].ready and not refs["48"].ready
    monkeypatch.setenv("CCHC_PROVINCES", "79")
    assert [r.province_code for r in exports_for(day)] == ["79"]


def test_exports_for_skips_province_codes_not_valid_that_day(landing):
    from cchc.pipeline.expected_exports import expected_provinces

    # 02 (Hà Giang) was merged away on 2025-07-01; 01 (Hà Nội) continues.
    write_export(landing, "02", date(2025, 6, 30))
    write_export(landing, "01", date(2025, 6, 30))
    assert expected_provinces(date(2025, 6, 30)) == ["01", "02"]
    assert expected_provinces(date(2025, 7, 1)) == ["01"]


def test_run_summary_records_outcomes_and_fails_the_run(warehouse, db):
    from cchc.pipeline.leftovers import validate_leftovers
    from cchc.pipeline.outcomes import RunHadFailures, summarise_run

    validate_leftovers()  # what the night does first: the session's warehouse holds other tests' batches
    day = date(2026, 3, 11)
    ok = summarise_run(
        "run-ok",
        day,
        ["01", "79"],
        {"01": "success", "79": "success"},
        [{"province_code": "01", "counts": {"accepted": 2}, "rows_loaded": 10}],
        {"dbt": "success"},
    )
    assert ok["failed"] == [] and ok["rows_loaded"] == 10
    with pytest.raises(RunHadFailures, match="province 79: failed"):
        summarise_run("run-bad", day, ["01", "79"], {"01": "success", "79": "failed"}, [], {"dbt": "success"})
    rows = db.execute(
        "select run_id, province_code, step, status from audit.run_outcomes "
        "where business_date = %s order by 1, 2, 3",
        (day,),
    ).fetchall()
    assert ("run-bad", "79", "onestop", "failed") in rows
    assert ("run-bad", "01", "onestop", "success") in rows
    assert ("run-ok", "*", "dbt", "success") in rows


def test_two_runs_of_the_same_province_day_load_once(landing, db):
    """Concurrent runs for one province-date: the advisory lock makes the second one wait, then
    find the same content already loaded (duplicate): the rows are in raw exactly once."""
    from cchc.pipeline.onestop import ingest_and_validate

    day = date(2026, 3, 12)
    write_export(landing, "01", day, n=7)
    results, errors = [], []
    barrier = threading.Barrier(2)

    def one_run():
        try:
            barrier.wait()
            results.append(ingest_and_validate("01", day))
        except Exception as err:  # surfaced below
            errors.append(err)

    threads = [threading.Thread(target=one_run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert errors == []
    statuses = sorted(b["status"] for r in results for b in r["batches"] if b["entity"] == "onestop_hoso")
    assert statuses == ["accepted", "duplicate"]
    count = db.execute(
        "select count(*) from raw.onestop_hoso h join audit.batches b using (batch_id) "
        "where b.province_code = '01' and b.business_date = %s",
        (day,),
    ).fetchone()[0]
    assert count == 7


def test_quarantine_is_raised_after_the_rest_is_processed(landing, db):
    from cchc.pipeline.batches import BatchesQuarantined
    from cchc.pipeline.onestop import ingest_and_validate

    day = date(2026, 3, 13)
    folder = write_export(landing, "01", day, n=4)
    # a truncated transfer: the file lost its last row after the manifest was written
    lines = (folder / "hoso.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (folder / "hoso.csv").write_text("".join(lines[:-1]), encoding="utf-8")
    with pytest.raises(BatchesQuarantined, match=r"province 01 on 2026-03-13: .*hoso.csv: quarantined"):
        ingest_and_validate("01", day)
    status = db.execute(
        "select status from audit.batches where province_code = '01' and business_date = %s", (day,)
    ).fetchall()
    assert status == [("quarantined",)]


def test_retired_province_re_delivery_is_taken_once_by_content(landing, db):
    """After the 2025 merger, old An Giang (89) no longer exists, but a corrected copy of one of its
    June exports can still arrive. The next night maps 89 for its backlog, takes it once, and takes
    it again only when its content changes — even if the new copy carries old file times."""
    import os

    from cchc.pipeline.expected_exports import expects_export, exports_for
    from cchc.pipeline.onestop import exports_to_ingest, ingest_and_validate

    night, june = date(2025, 9, 1), date(2025, 6, 20)
    # the session's warehouse may hold other tests' batches of these codes and days: count only ours
    first_batch = db.execute("select coalesce(max(batch_id), 0) + 1 from audit.batches").fetchone()[0]
    write_export(landing, "91", night, n=3)
    old = write_export(landing, "89", june, n=4)
    assert not expects_export("89", night) and expects_export("89", june)
    assert [r.province_code for r in exports_for(night)] == ["89", "91"]
    assert [e.business_date for e in exports_to_ingest("89", night)] == [june]
    ingest_and_validate("89", night)
    loaded = db.execute(
        "select count(*) from audit.batches where province_code = '89' and business_date = %s "
        "and status = 'accepted' and batch_id >= %s",
        (june, first_batch),
    ).fetchone()[0]
    assert loaded == 1
    assert [r.province_code for r in exports_for(night)] == ["91"]  # taken: not mapped again
    # a corrected re-delivery with its times set back: new content, so new again
    write_export(landing, "89", june, n=5)
    for path in old.iterdir():
        os.utime(path, (0, 0))
    assert [r.province_code for r in exports_for(night)] == ["89", "91"]
    ingest_and_validate("89", night)
    statuses = sorted(
        s
        for (s,) in db.execute(
            "select status from audit.batches where province_code = '89' and business_date = %s "
            "and batch_id >= %s",
            (june, first_batch),
        ).fetchall()
    )
    assert statuses == ["accepted", "superseded"]
    assert [r.province_code for r in exports_for(night)] == ["91"]


def test_province_folders_must_be_ascii_digits(landing):
    from cchc.pipeline.expected_exports import exports_for

    day = date(2026, 3, 10)
    write_export(landing, "01", day)
    write_export(landing, "٠١", day)  # Arabic-Indic digits match \d, not a province code
    write_export(landing, "０１", day)  # full-width digits
    write_export(landing, "01; drop table x", day)
    write_export(landing, "77", day)  # Bà Rịa - Vũng Tàu: a province until 2025-06-30 only
    write_export(landing, "00", day)  # never a province
    assert [r.province_code for r in exports_for(day)] == ["01"]


def test_only_provinces_of_the_export_day_are_loaded(landing, caplog):
    """A folder is a province only if its code is one on the export's date: anything else is
    reported (a warning naming it) and never loaded, in the one-stop and in the reports area."""
    from cchc.sources.onestop.discover import find_exports
    from cchc.sources.reports.ingest_reports import _report_files

    write_export(landing, "77", date(2026, 3, 10))
    write_export(landing, "77", date(2025, 6, 30))  # still a province that day: a late delivery
    for folder in ("77", "00", "7a"):
        (landing / "reports" / folder).mkdir(parents=True)
        (landing / "reports" / folder / "bieu06_00004_20260201_20260228.xlsx").write_bytes(b"PK")
    found = [(e.province_code, e.business_date) for e in find_exports(province_code="77")]
    assert found == [("77", date(2025, 6, 30))]
    assert "77 is not a province on 2026-03-10" in caplog.text
    assert [code for code, _ in _report_files(None)] == ["77"]  # a province of the old map
    assert "reports/00: not the code of a province" in caplog.text


def test_a_second_local_run_says_a_run_is_in_progress(warehouse, tmp_path):
    """Two `cchc run` at once would break the shared SQLite metadata DB half-way through a night;
    the second waits for the first, and past its bound says so in one line, not a traceback."""
    import os
    import subprocess
    import sys

    from cchc.pipeline.run_lock import exclusive_run
    from cchc.settings import get_settings

    with exclusive_run(get_settings().airflow_home, wait_seconds=5):
        started = time.monotonic()
        proc = subprocess.run(
            [sys.executable, "-m", "cchc.cli", "run", "--date", "2026-03-01", "--wait", "2"],
            capture_output=True,
            text=True,
            env=os.environ.copy(),
            timeout=120,
            check=False,
        )
    assert proc.returncode == 3, proc.stderr[-2000:]
    assert f"another `cchc run` is in progress (pid {os.getpid()}" in proc.stderr
    assert "waiting for it to finish" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert time.monotonic() - started >= 2


def test_a_batch_left_pending_by_a_killed_run_is_validated_by_the_next(landing, db):
    """A run killed after its COPY committed leaves the batch pending; the rerun finds the same file
    a duplicate of it. The night's leftover validation accepts it, and until then the run summary
    names it and fails the run."""
    from cchc.pipeline.leftovers import still_pending, validate_leftovers
    from cchc.pipeline.onestop import ingest_and_validate
    from cchc.pipeline.outcomes import RunHadFailures, summarise_run
    from cchc.sources.onestop.discover import find_exports
    from cchc.sources.onestop.ingest import ingest_export

    validate_leftovers()  # other tests' strays in the session's warehouse
    day = date(2026, 3, 14)
    write_export(landing, "01", day, n=6)
    (export,) = [e for e in find_exports(business_date=day) if e.province_code == "01"]
    (killed,) = ingest_export(export)  # loaded, then the process died before validating
    assert killed.status == "pending"
    rerun = ingest_and_validate("01", day)
    assert rerun["counts"] == {"duplicate": 1}
    assert still_pending()["count"] == 1
    with pytest.raises(
        RunHadFailures, match=r"1 batch\(es\) still pending: batch \d+ onestop_hoso 01 2026-03-14"
    ):
        summarise_run("run-killed", day, ["01"], {"01": "success"}, [rerun], {"dbt": "success"})
    done = validate_leftovers()
    assert done["counts"] == {"accepted": 1} and done["errors"] == []
    status = db.execute("select status from audit.batches where batch_id = %s", (killed.batch_id,)).fetchone()
    assert status == ("accepted",)
    assert still_pending()["count"] == 0
    summary = summarise_run("run-next", day, ["01"], {"01": "success"}, [rerun], {"dbt": "success"})
    assert summary["still_pending"]["count"] == 0
