"""Issue 2's hand-computed case: one commune's export, monthly counts worked out by hand.

Unit 00025 (Phường Giảng Võ, Hà Nội, valid from 2025-07-01), field HT, report date 2025-11-30.
No public holiday falls in Sep-Nov 2025, so working days are Monday to Friday.

November 2025, field HT (report style):
  new received   online D01 D05 D10 D13 = 4; direct/postal D02 D03 D04 D06 D11 D12 = 6
  carried over   D07 D08 D14 = 3 (D17 ended 2025-10-10, before November: not carried)
  resolved       early D01 (7<10) D10 (withdrawn 12<20) D11 (13 < new due 14) D14 (6<7) = 4
                 on time D02 (same day, later hour) D04 (no due date) D12 (new due of request 1) = 3
                 late D03 (12>7) D07 (4/11 > 31/10) = 2
  in progress    within D05 (due 5/12) = 1; overdue D06 (25/11) D08 (20/11) D13 (24/11, waiting) = 3
  13 received = 9 resolved + 4 in progress; on-time rate 7/9.
  index style    timely D01 D02 D04 D10 D14, D05 (in progress within), D13 (clock stopped 19/11 < 24/11) = 7
                 of 13; D11 is late (due 10/11 + 2 paused working days = 12/11 < 13/11), D12 late
                 (two requests), D03 D07 late, D06 D08 overdue.
October: new D07 D08 (direct) D14 (online, received on the 31st) + carried D17 = 4; resolved D17 on
  time = 1; in progress within D07 (due 31/10) D08 D14 = 3.
September: D17 new direct, in progress within. D09 (refused at reception) and D16 (registered)
count nowhere; a quarantined batch that would end D05 is ignored; D02's stale state is replaced.
Unit 00004 changed version on 2025-07-01: D19 received 30/06 counts at 00004@2000-01-01 (June),
D20 received 01/07 at 00004@2025-07-01 (July).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from cchc.report_measures import REPORT_MEASURES
from cchc.sources.onestop.columns import BOSUNG, HOSO
from cchc.transform.dbt import build

from .conftest import BOSUNG_COLUMNS, HOSO_COLUMNS, HOSO_DEFAULTS, SKIP

AS_OF = {"as_of_date": "2025-11-30"}
U = "00025"
X = "00004"


def dt(text: str) -> datetime:
    return datetime.fromisoformat(text)


def hoso(code, received, due=None, ended=None, *, status=10, channel=1, returned=None, refused=None, **kw):
    return {
        "ma_ho_so": code,
        "ma_don_vi": kw.pop("unit", U),
        "kenh_thuc_hien": channel,
        "ngay_nop_ho_so": dt(received) if received else None,
        "ngay_tiep_nhan": dt(received) if received else None,
        "ngay_hen_tra": dt(due) if due else None,
        "ngay_ket_thuc_xu_ly": dt(ended) if ended else None,
        "ngay_tra": dt(returned) if returned else None,
        "ngay_tu_choi": dt(refused) if refused else None,
        "trang_thai_ho_so": status,
        "ngay_cap_nhat": dt(kw.pop("updated", "2025-11-29 18:00")),
        **kw,
    }


DOSSIERS = [
    hoso("D01", "2025-11-03 08:00", "2025-11-10 17:00", "2025-11-07 09:30", channel=2),
    hoso("D02", "2025-11-03 08:10", "2025-11-10 08:00", "2025-11-10 16:00"),
    hoso("D03", "2025-11-04 09:00", "2025-11-07 17:00", "2025-11-12 10:00", channel=3),
    hoso("D04", "2025-11-05 10:00", None, "2025-11-05 10:30"),
    hoso("D05", "2025-11-20 14:00", "2025-12-05 17:00", None, status=4, channel=2),
    hoso("D06", "2025-11-10 08:00", "2025-11-25 17:00", None, status=4),
    hoso("D07", "2025-10-20 08:00", "2025-10-31 17:00", "2025-11-04 11:00"),
    hoso("D08", "2025-10-25 08:00", "2025-11-20 17:00", None, status=4),
    hoso("D09", None, None, None, status=3, refused="2025-11-06 09:00"),
    hoso(
        "D10", "2025-11-06 08:00", "2025-11-20 17:00", None, status=7, channel=2, refused="2025-11-12 15:00"
    ),
    hoso("D11", "2025-11-03 08:00", "2025-11-10 17:00", "2025-11-13 10:00"),
    hoso("D12", "2025-11-03 08:00", "2025-11-10 17:00", "2025-11-12 10:00"),
    hoso("D13", "2025-11-17 08:00", "2025-11-24 17:00", None, status=5, channel=2),
    hoso("D14", "2025-10-31 16:45", "2025-11-07 17:00", "2025-11-06 10:00", channel=2),
    hoso(
        "D15",
        "2025-11-11 08:00",
        "2025-11-18 17:00",
        None,
        returned="2025-11-18 15:00",
        ma_linh_vuc="CT",
        ten_linh_vuc="Chứng thực",
    ),
    hoso("D16", None, None, None, status=1),
    hoso("D17", "2025-09-15 08:00", "2025-10-10 17:00", "2025-10-10 09:00"),
    hoso("D19", "2025-06-30 09:00", None, "2025-06-30 10:00", unit=X),
    hoso("D20", "2025-07-01 09:00", None, "2025-07-01 10:00", unit=X),
    # D02 as it stood before it ended: an older state, replaced by the row above
    hoso("D02", "2025-11-03 08:10", "2025-11-10 08:00", None, status=4, updated="2025-11-03 08:10"),
]

SUPPLEMENTS = [
    # D11: one request, answered; the unit moved the due date to 14/11
    {
        "ma_ho_so": "D11",
        "lan_bo_sung": 1,
        "ngay_yeu_cau_bo_sung": dt("2025-11-05 09:00"),
        "ngay_cong_dan_bo_sung": dt("2025-11-07 09:00"),
        "ngay_hen_tra_truoc": dt("2025-11-10 17:00"),
        "ngay_hen_tra_moi": dt("2025-11-14 17:00"),
        "ngay_cap_nhat": dt("2025-11-07 09:00"),
    },
    # D12: two requests; only the first set a new due date (12/11)
    {
        "ma_ho_so": "D12",
        "lan_bo_sung": 1,
        "ngay_yeu_cau_bo_sung": dt("2025-11-04 09:00"),
        "ngay_cong_dan_bo_sung": dt("2025-11-05 09:00"),
        "ngay_hen_tra_truoc": dt("2025-11-10 17:00"),
        "ngay_hen_tra_moi": dt("2025-11-12 17:00"),
        "ngay_cap_nhat": dt("2025-11-05 09:00"),
    },
    {
        "ma_ho_so": "D12",
        "lan_bo_sung": 2,
        "ngay_yeu_cau_bo_sung": dt("2025-11-06 09:00"),
        "ngay_cong_dan_bo_sung": dt("2025-11-10 09:00"),
        "ngay_hen_tra_truoc": dt("2025-11-12 17:00"),
        "ngay_hen_tra_moi": None,
        "ngay_cap_nhat": dt("2025-11-10 09:00"),
    },
    # D13: one request still waiting for the applicant at the end of November
    {
        "ma_ho_so": "D13",
        "lan_bo_sung": 1,
        "ngay_yeu_cau_bo_sung": dt("2025-11-19 09:00"),
        "ngay_cong_dan_bo_sung": None,
        "ngay_hen_tra_truoc": dt("2025-11-24 17:00"),
        "ngay_hen_tra_moi": None,
        "ngay_cap_nhat": dt("2025-11-19 09:00"),
    },
]

COLUMNS = (
    "received_total, received_online, received_direct_postal, carried_over, resolved_total, resolved_early, "
    "resolved_on_time, resolved_late, in_progress_total, in_progress_within, in_progress_overdue, "
    "on_time_rate, index_handled, index_timely"
)


def monthly(db) -> dict[tuple, tuple]:
    rows = db.execute(
        f"select unit_key, field_code, month_start, {COLUMNS} from marts.fct_timeliness_monthly "
        "where unit_code in (%s, %s)",
        (U, X),
    ).fetchall()
    return {(r[0], r[1], r[2]): tuple(r[3:]) for r in rows}


MEASURES = REPORT_MEASURES


def load_report(conn) -> None:
    """Biểu 06 of unit 00025 for November: the HT row as computed above except early typed 5 instead
    of 4; a total row equal to HT + CT, but the CT row is missing from the form."""
    from cchc import ledger

    slot = ledger.BatchSlot(
        "reports", "bieu06_rows", "01", date(2025, 12, 5), "bieu06_00025_20251101_20251130.xlsx"
    )
    with conn.transaction():
        batch_id = ledger.open_batch(conn, slot, file_path="test/report.xlsx", sha256=None)
        figures = {
            "Hộ tịch": (13, 4, 6, 3, 9, 5, 3, 2, 4, 1, 3),
            "Tổng cộng": (14, 4, 7, 3, 10, 4, 4, 2, 4, 1, 3),
        }
        for row, (field, values) in enumerate(figures.items(), start=10):
            for measure, value in zip(MEASURES, values, strict=True):
                conn.execute(
                    "insert into raw.bieu06_rows (batch_id, report_id, province_code, unit_code, unit_name, "
                    "period_start, period_end, sheet_name, source_row, field_name, is_total, measure, "
                    "reported_value) values (%s, 'bieu06_00025_20251101_20251130', '01', %s, 'Phường Giảng Võ', "
                    "'2025-11-01', '2025-11-30', 'Sheet1', %s, %s, %s, %s, %s)",
                    (batch_id, U, row, field, field == "Tổng cộng", measure, value),
                )
        ledger.accept(conn, batch_id)


# raw column -> export header (docs/SOURCES.md), the contract's names as the ingest reads them
HEADERS = {c.target: c.source for entity in (HOSO, BOSUNG) for c in entity.columns if c.kind != "citizen"}


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M:%S")
    return str(value)


def write_csv(path, rows: list[dict], *, hoso: bool) -> int:
    import csv

    defaults = HOSO_DEFAULTS if hoso else {}
    columns = [c for c in (HOSO_COLUMNS if hoso else BOSUNG_COLUMNS) if c in HEADERS]
    headers = [HEADERS[c] for c in columns] + (["SoGiayToChuHoSo", "ChuHoSo"] if hoso else [])
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        for i, row in enumerate(rows):
            values = {**defaults, **row}
            person = [f"0010{i:08d}", f"Người Thử {i}"] if hoso else []
            writer.writerow([_text(values.get(c)) for c in columns] + person)
    return len(rows)


def write_export(landing, day: date, hoso_rows: list[dict], bosung_rows=(), *, corrupt=False) -> None:
    """One export folder with its manifest (a corrupt one announces one row too many)."""
    import hashlib
    import json

    folder = landing / "onestop" / "01" / day.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    files = {"hoso.csv": write_csv(folder / "hoso.csv", hoso_rows, hoso=True)}
    if bosung_rows:
        files["bosung.csv"] = write_csv(folder / "bosung.csv", list(bosung_rows), hoso=False)
    manifest = {
        "schema_version": "1.2",
        "ma_tinh": "01",
        "he_thong": "hand-made test export",
        "ngay_xuat": f"{day.isoformat()}T23:40:05+07:00",
        "tu_ngay": day.isoformat(),
        "den_ngay": day.isoformat(),
        "files": [
            {
                "ten": name,
                "so_dong": rows + (1 if corrupt else 0),
                "sha256": hashlib.sha256((folder / name).read_bytes()).hexdigest(),
            }
            for name, rows in files.items()
        ],
    }
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


@pytest.fixture(scope="module")
def hand_made_marts(seeded, warehouse):
    """The export goes the pipeline's way: file -> parse -> COPY + ledger -> GX -> dbt -> marts."""
    from cchc.settings import get_settings
    from cchc.sources.onestop.discover import find_exports
    from cchc.sources.onestop.ingest import ingest_export
    from cchc.validate import validate_pending
    from cchc.warehouse.connection import connect

    landing = get_settings().landing_dir
    days = [date(2025, 11, 3), date(2025, 11, 29), date(2025, 11, 30)]
    write_export(landing, days[0], DOSSIERS[-1:])  # D02 before it ended
    write_export(landing, days[1], DOSSIERS[:-1], SUPPLEMENTS)
    # a truncated transfer that would end D05: quarantined, never reaches the marts
    ended_d05 = hoso(
        "D05", "2025-11-20 14:00", "2025-12-05 17:00", "2025-11-21 08:00", updated="2025-11-30 10:00"
    )
    write_export(landing, days[2], [ended_d05], corrupt=True)
    outcomes = [o for day in days for export in find_exports(day, "01") for o in ingest_export(export)]
    assert sorted((o.business_date, o.file_name, o.status) for o in outcomes) == [
        (days[0], "hoso.csv", "pending"),
        (days[1], "bosung.csv", "pending"),
        (days[1], "hoso.csv", "pending"),
        (days[2], "hoso.csv", "quarantined"),
    ]
    validated = validate_pending()
    assert {v.batch_id for v in validated} >= {o.batch_id for o in outcomes if o.status == "pending"}
    with connect(warehouse, autocommit=True) as conn:
        statuses = conn.execute(
            "select status, count(*) from audit.batches where batch_id = any(%s) group by 1",
            ([o.batch_id for o in outcomes],),
        ).fetchall()
        assert dict(statuses) == {"accepted": 3, "quarantined": 1}, statuses
        load_report(conn)
    build(full_refresh=True, variables=AS_OF, exclude=SKIP)
    return warehouse


def test_monthly_counts_match_the_hand_computation(hand_made_marts, db):
    got = monthly(db)
    nov = (13, 4, 6, 3, 9, 4, 3, 2, 4, 1, 3, Decimal(7) / Decimal(9), 13, 7)
    expected = {
        (f"{U}@2025-07-01", "HT", date(2025, 9, 1)): (1, 0, 1, 0, 0, 0, 0, 0, 1, 1, 0, None, 1, 1),
        (f"{U}@2025-07-01", "HT", date(2025, 10, 1)): (4, 1, 2, 1, 1, 0, 1, 0, 3, 3, 0, Decimal(1), 4, 4),
        (f"{U}@2025-07-01", "HT", date(2025, 11, 1)): nov,
        (f"{U}@2025-07-01", "CT", date(2025, 11, 1)): (1, 0, 1, 0, 1, 0, 1, 0, 0, 0, 0, Decimal(1), 1, 1),
        (f"{X}@2000-01-01", "HT", date(2025, 6, 1)): (1, 0, 1, 0, 1, 0, 1, 0, 0, 0, 0, Decimal(1), 1, 1),
        (f"{X}@2025-07-01", "HT", date(2025, 7, 1)): (1, 0, 1, 0, 1, 0, 1, 0, 0, 0, 0, Decimal(1), 1, 1),
    }
    assert set(got) == set(expected)
    for key, values in expected.items():
        row = list(got[key])
        # rates compared to 12 places: numeric division carries more digits than a hand fraction
        row[11] = None if row[11] is None else round(row[11], 12)
        want = list(values)
        want[11] = None if want[11] is None else round(want[11], 12)
        assert row == want, key


def test_dossier_classes_and_current_state(hand_made_marts, db):
    rows = dict(
        db.execute(
            "select dossier_code, timeliness || '/' || coalesce(timeliness_index, '-') "
            "from marts.fct_dossier where timeliness is not null and dossier_code like 'D%'"
        ).fetchall()
    )
    assert rows == {
        "D01": "early/early",
        "D02": "on_time/on_time",
        "D03": "late/late",
        "D04": "on_time/on_time",
        "D05": "in_progress_within/-",
        "D06": "in_progress_overdue/-",
        "D07": "late/late",
        "D08": "in_progress_overdue/-",
        "D10": "early/early",
        "D11": "early/late",
        "D12": "on_time/late",
        "D13": "in_progress_overdue/early",
        "D14": "early/early",
        "D15": "on_time/on_time",
        "D17": "on_time/on_time",
        "D19": "on_time/on_time",
        "D20": "on_time/on_time",
    }
    d11, d12, d13 = (
        db.execute(
            "select due_date, supplement_count, working_days_taken from marts.fct_dossier where dossier_code = %s",
            (code,),
        ).fetchone()
        for code in ("D11", "D12", "D13")
    )
    # D11: received Mon 3/11, ended Thu 13/11 = 8 working days, 2 of them waiting for the applicant
    assert d11 == (date(2025, 11, 14), 1, 6)
    assert d12 == (date(2025, 11, 12), 2, 7 - 1 - 2)
    assert d13 == (date(2025, 11, 24), 1, None)
    never = db.execute(
        "select count(*) from marts.fct_dossier where dossier_code in ('D09', 'D16')"
    ).fetchone()
    assert never == (2,)


def test_report_reconciliation(hand_made_marts, db):
    rows = db.execute(
        "select field_name, measure, rule, status, reported_value, recomputed_value, difference "
        "from marts.fct_report_reconciliation where status <> 'ok' order by 1, 2, 3"
    ).fetchall()
    assert rows == [
        ("Hộ tịch", "resolved_early", "recomputed_from_dossiers", "broken", 5, 4, 1),
        ("Hộ tịch", "resolved_total", "resolved_total = early + on_time + late", "broken", 9, 10, -1),
        ("Tổng cộng", "received_direct_postal", "total_row = sum of field rows", "broken", 7, 6, 1),
        ("Tổng cộng", "received_total", "total_row = sum of field rows", "broken", 14, 13, 1),
        ("Tổng cộng", "resolved_early", "total_row = sum of field rows", "broken", 4, 5, -1),
        ("Tổng cộng", "resolved_on_time", "total_row = sum of field rows", "broken", 4, 3, 1),
        ("Tổng cộng", "resolved_total", "total_row = sum of field rows", "broken", 10, 9, 1),
    ]
    # 22 comparisons with dossiers (the total row covers CT too: it matches), 8 identities, 11 total-row sums
    counts = db.execute(
        "select rule like 'recomputed%%', count(*) from marts.fct_report_reconciliation group by 1 order by 1"
    ).fetchall()
    assert counts == [(False, 19), (True, 22)]
