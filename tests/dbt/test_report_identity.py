"""The same Biểu 06 file delivered in two province folders is two reports (one misfiled), not one
report twice: the reconciliation builds and its checks stay unique; an operator withdraws the
misfiled batch with one command, and the next build drops it (issue 15)."""

from __future__ import annotations

from datetime import date

from cchc import ledger
from cchc.transform.dbt import build

from .conftest import SKIP

REPORT = "bieu06_77777_20220301_20220331"


def _load(conn, province: str) -> int:
    slot = ledger.BatchSlot("reports", "bieu06_rows", province, date(2022, 3, 31), f"{REPORT}.xlsx")
    with conn.transaction():
        batch_id = ledger.open_batch(conn, slot, file_path=f"reports/{province}/{REPORT}.xlsx", sha256="same")
        for measure, value in (("received_total", 3), ("received_online", 1), ("received_direct_postal", 2)):
            conn.execute(
                "insert into raw.bieu06_rows (batch_id, report_id, province_code, unit_code, unit_name, "
                "period_start, period_end, sheet_name, source_row, field_name, is_total, measure, reported_value) "
                "values (%s, %s, %s, '77777', 'Xã Thử', '2022-03-01', '2022-03-31', 'Sheet1', 10, 'Hộ tịch', false, "
                "%s, %s)",
                (batch_id, REPORT, province, measure, value),
            )
        ledger.accept(conn, batch_id)
    return batch_id


def _checks(db) -> list[tuple]:
    return db.execute(
        "select province_code, count(*), count(distinct check_id) from marts.fct_report_reconciliation "
        "where report_id = %s group by province_code order by 1",
        (REPORT,),
    ).fetchall()


def test_one_report_in_two_province_folders_and_its_withdrawal(seeded, db, capsys):
    from cchc.cli import main

    _load(db, "01")
    misfiled = _load(db, "79")
    result = build(
        select=["+fct_report_reconciliation"], variables={"as_of_date": "2022-04-30"}, exclude=SKIP
    )
    assert result.success
    assert _checks(db) == [("01", 7, 7), ("79", 7, 7)]

    assert main(["batches", "withdraw", str(misfiled), "--reason", "filed under the wrong province"]) == 0
    assert "withdrawn (was accepted)" in capsys.readouterr().out
    status, reason = db.execute(
        "select status, reason from audit.batches where batch_id = %s", (misfiled,)
    ).fetchone()
    assert status == "quarantined"
    assert reason.startswith("withdrawn by ") and reason.endswith(
        ": filed under the wrong province (was accepted)"
    )
    build(select=["+fct_report_reconciliation"], variables={"as_of_date": "2022-04-30"}, exclude=SKIP)
    assert _checks(db) == [("01", 7, 7)]
    # nothing to withdraw twice, and a reason is required
    assert main(["batches", "withdraw", str(misfiled), "--reason", "again"]) == 2
    assert "is quarantined: nothing of it is in the warehouse" in capsys.readouterr().err
