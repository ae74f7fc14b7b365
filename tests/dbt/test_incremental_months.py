"""Monthly facts rebuilt by affected month: after a day of changes, an incremental build rewrites only
the months those changes touch, and every monthly mart equals what --full-refresh gives on the same data.

Dossiers M01-M06 (unit 00070 Phường Hoàn Kiếm from 2025-07-01; 00001 Phường Phúc Xá for 2023), field HT:
  M01 received 2025-09-05, open             -> day 2 resolves it late on 2025-11-21 (carried over Sep..Nov)
  M02 received 2025-08-10, ended 2025-08-18 -> untouched; day 2 brings its rating, given in August
  M03 received 2025-10-03, ended 2025-10-10 -> day 2 corrects its received date to 2025-09-20
  M05 received 2023-06-12, ended 2023-06-20 -> day 2 corrects both dates into May: June 2023 empties
  M06                                       -> new on day 2 (2025-11-21)
Report date 2025-11-20, then 2025-11-21. So the timeliness and count models must rebuild exactly
2023-05, 2023-06, 2025-09, 2025-10 and 2025-11, and leave August 2025 (and every other month) alone;
satisfaction rebuilds August (the rating) and November (the report date).
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from cchc import ledger
from cchc.transform.dbt import build

from .conftest import SKIP, RawLoader

UNIT, OLD_UNIT = "00070", "00001"
DAY1, DAY2 = date(2025, 11, 20), date(2025, 11, 21)
# every model made incremental by month, and where it lives
MONTHLY = {
    "fct_unit_month_dossier_counts": "marts",
    **{
        f"fct_{kpi}{scope}_monthly": "marts"
        for kpi in ("timeliness", "online_service", "online_payment", "digitisation", "satisfaction")
        for scope in ("", "_province", "_national")
    },
    "fct_unit_month_procedure_use": "marts",
    "fct_dossier_monthly_status": "marts",
}
DOSSIER_MONTHS = {date(2023, 5, 1), date(2023, 6, 1), date(2025, 9, 1), date(2025, 10, 1), date(2025, 11, 1)}


def dt(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def hoso(code, received, due, ended, status, updated, unit=UNIT):
    return {
        "ma_ho_so": code,
        "ma_don_vi": unit,
        "ngay_tiep_nhan": dt(received),
        "ngay_hen_tra": dt(due),
        "ngay_ket_thuc_xu_ly": dt(ended),
        "trang_thai_ho_so": status,
        "tong_phi_le_phi": 20000,
        "duoc_thanh_toan_truc_tuyen": 1 if code in ("M01", "M06") else 0,
        "kenh_thuc_hien": 2 if code in ("M03", "M06") else 1,
        "ngay_cap_nhat": dt(updated),
    }


FIRST = [
    hoso("M01", "2025-09-05 08:00", "2025-09-15 17:00", None, 4, "2025-11-20 09:00"),
    hoso("M02", "2025-08-10 08:00", "2025-08-20 17:00", "2025-08-18 10:00", 10, "2025-11-20 09:00"),
    hoso("M03", "2025-10-03 08:00", "2025-10-13 17:00", "2025-10-10 10:00", 10, "2025-11-20 09:00"),
    hoso("M05", "2023-06-12 08:00", "2023-06-22 17:00", "2023-06-20 10:00", 10, "2025-11-20 09:00", OLD_UNIT),
]
SECOND = [
    hoso("M01", "2025-09-05 08:00", "2025-09-15 17:00", "2025-11-21 10:00", 10, "2025-11-21 10:00"),
    hoso("M03", "2025-09-20 08:00", "2025-10-13 17:00", "2025-10-10 10:00", 10, "2025-11-21 10:00"),
    hoso("M05", "2023-05-12 08:00", "2023-05-22 17:00", "2023-05-20 10:00", 10, "2025-11-21 10:00", OLD_UNIT),
    hoso("M06", "2025-11-21 08:00", "2025-11-28 17:00", None, 2, "2025-11-21 10:00"),
]


def load_rating(db, dossier_code: str, rated_at: str, level: str, day: date) -> None:
    """A portal ratings batch of one record, through the ledger like the portal pull."""
    slot = ledger.BatchSlot("portal", "portal_ratings", "01", day, "ratings.jsonl")
    with db.transaction():
        batch_id = ledger.open_batch(db, slot, file_path=f"ratings/01/{day}", sha256=None)
        db.execute(
            "insert into raw.portal_ratings (batch_id, province_code, business_date, dossier_code, rated_at, "
            "level, record) values (%s, '01', %s, %s, %s, %s, '{}'::jsonb)",
            (batch_id, day, dossier_code, datetime.fromisoformat(rated_at), level),
        )
        ledger.record_load(db, batch_id, rows_in=1, rows_loaded=1)
    ledger.accept(db, batch_id)


def monthly_rows(db) -> dict[str, list[tuple]]:
    """Every monthly model's rows (bookkeeping columns starting with '_' left out), sorted."""
    snapshot = {}
    for table, schema in MONTHLY.items():
        cols = [
            r[0]
            for r in db.execute(
                "select column_name from information_schema.columns where table_schema = %s "
                "and table_name = %s and column_name not like '\\_%%' order by ordinal_position",
                (schema, table),
            ).fetchall()
        ]
        assert cols, f"{schema}.{table} does not exist"
        rows = db.execute(f"select {', '.join(cols)} from {schema}.{table}").fetchall()
        snapshot[table] = sorted(rows, key=repr)
    return snapshot


def row_versions(db, table: str, schema: str = "marts") -> dict[date, set[str]]:
    """Per month, the transaction ids that wrote its rows (xmin): a rewritten month gets new ones."""
    versions: dict[date, set[str]] = {}
    for month, xmin in db.execute(f"select month_start, xmin::text from {schema}.{table}").fetchall():
        versions.setdefault(month, set()).add(xmin)
    return versions


def dossier_row_versions(db) -> dict[str, set[str]]:
    """Per dossier, the transaction ids that wrote its fct_dossier_monthly_status rows."""
    versions: dict[str, set[str]] = {}
    for code, xmin in db.execute("select dossier_code, xmin::text from marts.fct_dossier_monthly_status"):
        versions.setdefault(code, set()).add(xmin)
    return versions


def builds(db) -> dict[str, tuple]:
    return {
        r[0]: r[1:]
        for r in db.execute(
            "select model, full_rebuild, months_rebuilt, as_of_date from audit.monthly_builds"
        )
    }


@pytest.mark.slow
def test_a_day_of_changes_rebuilds_only_its_months_and_equals_a_full_refresh(seeded, db):
    loader = RawLoader(db)
    loader.hoso(FIRST, day=DAY1, file_name="months.csv")
    build(full_refresh=True, variables={"as_of_date": str(DAY1)}, exclude=SKIP)
    assert all(full for full, *_ in builds(db).values())
    before = {t: row_versions(db, t, s) for t, s in MONTHLY.items()}
    dossiers_before = dossier_row_versions(db)
    assert date(2023, 6, 1) in before["fct_timeliness_monthly"]
    assert date(2025, 8, 1) in before["fct_timeliness_monthly"]

    loader.hoso(SECOND, day=DAY2, file_name="months.csv")
    load_rating(db, "M02", "2025-08-25 09:00+07:00", "HAI_LONG", DAY2)
    build(variables={"as_of_date": str(DAY2)}, exclude=SKIP)

    done = builds(db)
    assert {m: done[m][:2] for m in ("fct_timeliness_monthly", "fct_unit_month_dossier_counts")} == {
        "fct_timeliness_monthly": (False, len(DOSSIER_MONTHS)),
        "fct_unit_month_dossier_counts": (False, len(DOSSIER_MONTHS)),
    }
    assert done["fct_satisfaction_monthly"][:2] == (False, 2)
    # the dossier-grain table rewrites the changed dossiers' rows only: M02 did not change, and the
    # report date moving within November stages no month for everyone
    assert done["fct_dossier_monthly_status"][:2] == (False, 0)
    dossiers_after = dossier_row_versions(db)
    # (the warehouse is shared: other tests' dossiers are left out)
    mine = {c for c in dossiers_before.keys() | dossiers_after.keys() if c.startswith("M")}
    rewritten = {c for c in mine if dossiers_before.get(c) != dossiers_after.get(c)}
    assert rewritten == {"M01", "M03", "M05", "M06"}
    after = {t: row_versions(db, t, s) for t, s in MONTHLY.items()}
    for table in ("fct_timeliness_monthly", "fct_unit_month_dossier_counts", "fct_online_payment_monthly"):
        months = set(before[table]) | set(after[table])
        rewritten = {m for m in months if before[table].get(m) != after[table].get(m)}
        assert rewritten <= DOSSIER_MONTHS, table
        assert date(2025, 11, 1) in rewritten, table
    # June 2023 lost its only dossier: its rows are gone, not left stale
    assert date(2023, 6, 1) not in after["fct_timeliness_monthly"]
    assert date(2023, 5, 1) in after["fct_timeliness_monthly"]
    sat_months = set(before["fct_satisfaction_monthly"]) | set(after["fct_satisfaction_monthly"])
    rewritten = {
        m
        for m in sat_months
        if before["fct_satisfaction_monthly"].get(m) != after["fct_satisfaction_monthly"].get(m)
    }
    assert rewritten <= {date(2025, 8, 1), date(2025, 11, 1)}
    assert date(2025, 8, 1) in rewritten
    # November: M06 new, M01 carried over and now resolved late
    november = db.execute(
        "select received_new, carried_over, resolved_late from marts.fct_timeliness_monthly "
        "where unit_code = %s and month_start = '2025-11-01'",
        (UNIT,),
    ).fetchone()
    assert november == (1, 1, 1)

    incremental = monthly_rows(db)
    build(full_refresh=True, variables={"as_of_date": str(DAY2)}, exclude=SKIP)
    assert monthly_rows(db) == incremental


@pytest.mark.slow
def test_next_month_and_a_report_date_moved_back_equal_a_full_refresh(seeded, db):
    """The report date crossing into December rebuilds November too (open dossiers' state at its end);
    a report date moved backwards rebuilds every month. Both equal a full refresh."""
    loader = RawLoader(db)
    loader.hoso(
        [hoso("M07", "2025-10-20 08:00", "2025-11-25 17:00", None, 4, "2025-11-21 09:00")],
        day=DAY2,
        file_name="months2.csv",
    )
    build(full_refresh=True, variables={"as_of_date": "2025-11-21"}, exclude=SKIP)

    build(variables={"as_of_date": "2025-12-02"}, exclude=SKIP)
    done = builds(db)
    assert done["fct_timeliness_monthly"][:2] == (False, 2)  # November and December
    assert done["fct_dossier_monthly_status"][:2] == (False, 1)  # December, new for every open dossier
    # open dossiers (M06, M07) are carried over into December, which did not exist before
    carried = db.execute(
        "select carried_over from marts.fct_timeliness_monthly where unit_code = %s and month_start = '2025-12-01'",
        (UNIT,),
    ).fetchone()
    assert carried == (2,)
    incremental = monthly_rows(db)
    build(full_refresh=True, variables={"as_of_date": "2025-12-02"}, exclude=SKIP)
    assert monthly_rows(db) == incremental

    build(variables={"as_of_date": "2025-11-21"}, exclude=SKIP)
    assert all(full for full, *_ in builds(db).values())
    incremental = monthly_rows(db)
    build(full_refresh=True, variables={"as_of_date": "2025-11-21"}, exclude=SKIP)
    assert monthly_rows(db) == incremental


@pytest.mark.slow
def test_missed_nights_and_an_unsummed_log_run_equal_a_full_refresh(seeded, db):
    """A monthly model that missed a night rebuilds the months of that night's versions and of the
    version it had counted before (found in log_touched_months); a night that built the version log
    without log_touched_months (a partial rerun) is found in the log itself. Both equal a full refresh.

    M08: night 1 received and ended in March; night 2 received in July, open (the timeliness facts do
    not run); night 3 received in June, ended in November (log_touched_months does not run). March is
    only in the version the timeliness facts counted, June only in the unsummed run."""
    loader = RawLoader(db)
    day1, day2, day3 = date(2025, 11, 24), date(2025, 11, 25), date(2025, 11, 26)

    def m08(received: str, due: str, ended: str | None, updated: str) -> list[dict]:
        return [hoso("M08", received, due, ended, 10 if ended else 4, updated)]

    loader.hoso(
        m08("2025-03-03 08:00", "2025-03-13 17:00", "2025-03-10 10:00", "2025-11-24 09:00"),
        day=day1,
        file_name="months3.csv",
    )
    build(full_refresh=True, variables={"as_of_date": str(day1)}, exclude=SKIP)

    loader.hoso(
        m08("2025-07-08 08:00", "2025-07-18 17:00", None, "2025-11-25 09:00"),
        day=day2,
        file_name="months3.csv",
    )
    build(variables={"as_of_date": str(day2)}, exclude=[*SKIP, "fct_timeliness_monthly+"])
    assert builds(db)["fct_timeliness_monthly"][2] == day1

    loader.hoso(
        m08("2025-06-09 08:00", "2025-06-19 17:00", "2025-11-26 10:00", "2025-11-26 10:00"),
        day=day3,
        file_name="months3.csv",
    )
    build(variables={"as_of_date": str(day3)}, exclude=[*SKIP, "log_touched_months"])
    unsummed = db.execute(
        "select (select max(_logged_at) from intermediate.log_touched_months)"
        " < (select max(_logged_at) from intermediate.log_dossier_month_versions)"
    ).fetchone()
    assert unsummed == (True,), "night 3 was summed: the test no longer covers an unsummed run"
    done = builds(db)
    assert done["fct_timeliness_monthly"][:2] == (False, 7)  # March, and June to November

    incremental = monthly_rows(db)
    build(full_refresh=True, variables={"as_of_date": str(day3)}, exclude=SKIP)
    assert monthly_rows(db) == incremental
