"""The usual way's restatement of the suites' SQL row rules agrees with PostgreSQL, row for row."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from bench import pandas_rules

REPO = Path(__file__).resolve().parents[2]

COLUMNS = {
    "ma_ho_so": "text",
    "trang_thai_ho_so": "smallint",
    "tong_phi_le_phi": "bigint",
    "duoc_thanh_toan_truc_tuyen": "smallint",
    "cap_don_vi": "text",
    "ngay_nop_ho_so": "timestamp",
    "ngay_tiep_nhan": "timestamp",
    "ngay_hen_tra": "timestamp",
    "ngay_ket_thuc_xu_ly": "timestamp",
    "ngay_tra": "timestamp",
    "ngay_tu_choi": "timestamp",
    "ngay_cap_nhat": "timestamp",
}


def _ts(day: int, hour: int = 9) -> datetime:
    return datetime(2025, 6, day, hour)


ROWS = [
    # code, status, fee, paid, level, submitted, received, due, finished, returned, refused, updated
    ("a", 2, 0, 0, "XA", _ts(1), _ts(2), _ts(9), None, None, None, _ts(2)),
    (
        "b",
        9,
        50000,
        1,
        "XA",
        _ts(1),
        _ts(2, 15),
        _ts(2, 8),
        _ts(2, 16),
        None,
        None,
        _ts(3),
    ),  # due same day, earlier hour
    ("c", 9, 0, 2, "HUYEN", None, _ts(3), _ts(1), None, None, None, _ts(10)),  # due before received; no end
    ("d", 1, 0, 0, "TINH", _ts(4), None, None, None, None, None, _ts(4)),
    ("e", 7, 0, 0, "XA", _ts(4), _ts(5), _ts(12), None, None, None, _ts(5)),  # withdrawn, no refusal date
    (
        "f",
        10,
        100,
        0,
        "XA",
        _ts(6),
        _ts(5),
        _ts(20),
        _ts(7),
        None,
        None,
        _ts(3),
    ),  # received > updated + 1 day
    ("g", 4, 0, 0, "XA", _ts(3), _ts(4), None, None, _ts(8), None, _ts(8)),
    ("h", None, None, None, None, None, None, None, None, None, None, None),
]

EXTRA_CONDITIONS = [
    "ngay_hen_tra is not null or ngay_tra is not null",
    "(trang_thai_ho_so = 9) and tong_phi_le_phi <> 0",
    "cap_don_vi = 'HUYEN' and coalesce(ngay_tiep_nhan, ngay_cap_nhat) >= '2025-06-03'",
    "ngay_tiep_nhan - interval '2 days' > ngay_nop_ho_so",
]


def _suite_conditions() -> list[str]:
    out = []
    for path in sorted((REPO / "expectations").rglob("onestop_hoso/*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        out += [
            e["kwargs"]["condition"] for e in doc["expectations"] if e["type"] == "expect_rows_to_not_match"
        ]
    return out


@pytest.fixture
def rows_table(db):
    cols = ", ".join(f"{name} {kind}" for name, kind in COLUMNS.items())
    db.execute(f"create temporary table rule_rows ({cols})")
    with db.cursor() as cur:
        cur.executemany(
            f"insert into rule_rows values ({', '.join(['%s'] * len(COLUMNS))})",
            ROWS,
        )
    yield "rule_rows"
    db.execute("drop table rule_rows")


def _frame() -> pd.DataFrame:
    frame = pd.DataFrame(ROWS, columns=list(COLUMNS))
    for name, kind in COLUMNS.items():
        if kind == "timestamp":
            frame[name] = pd.to_datetime(frame[name])
        elif kind in {"smallint", "bigint"}:
            frame[name] = frame[name].astype("Int64")
        else:
            frame[name] = frame[name].astype("string")
    return frame


def test_every_condition_matches_the_rows_postgres_matches(db, rows_table):
    conditions = _suite_conditions() + EXTRA_CONDITIONS
    assert len(conditions) > len(EXTRA_CONDITIONS), "the hoso suites have SQL row rules to restate"
    frame = _frame()
    matched_somewhere = 0
    for cond in conditions:
        expected = sorted(
            r[0] for r in db.execute(f"select ma_ho_so from {rows_table} where {cond}").fetchall()
        )
        mask = pandas_rules.condition(cond)(frame)
        got = sorted(frame.loc[mask.to_numpy(dtype=bool), "ma_ho_so"].tolist())
        assert got == expected, cond
        matched_somewhere += bool(expected)
    assert matched_somewhere >= 5  # the rows exercise the rules, not only their silence


@pytest.mark.parametrize("cond", ["exists (select 1)", "ngay_tra ~ 'x'", "lower(cap_don_vi) = 'xa'"])
def test_what_it_cannot_restate_is_refused(cond):
    with pytest.raises(pandas_rules.Untranslatable):
        pandas_rules.condition(cond)(_frame())
