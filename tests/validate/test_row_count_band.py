"""A batch far smaller than the province's recent days is a truncated export: critical."""

from __future__ import annotations

import datetime as dt

from cchc.validate import validate_batch

MONDAY = dt.date(2026, 11, 2)


def _history(db, raw, province, sizes, *, weekday=True):
    """Accepted batches of earlier days (ledger rows only: the band reads rows_loaded)."""
    day = MONDAY
    for size in sizes:
        while (day.isoweekday() < 6) != weekday:
            day += dt.timedelta(days=1)
        raw.make_batch(db, "onestop", "onestop_hoso", province, day, "hoso.csv", rows=size, status="accepted")
        day += dt.timedelta(days=1)


def _rows(raw, province, day, n):
    return [raw.good_dossier(province, day, i) for i in range(n)]


def test_a_sudden_drop_is_quarantined_and_the_good_copy_loads(db, raw, catalogue):
    _history(db, raw, "B1", [100, 120, 90, 110])
    day = dt.date(2026, 11, 18)  # a Wednesday
    truncated = raw.hoso_batch(db, "B1", day, _rows(raw, "B1", day, 8))
    outcome = validate_batch(truncated)
    assert outcome.status == "quarantined"
    assert outcome.reason == (
        "row count dropped by more than 85% against the province's recent exports (truncated export?): "
        "8 rows against a median of 105 over the last 4 accepted batches (8%)"
    )
    good = raw.hoso_batch(db, "B1", day, _rows(raw, "B1", day, 95))
    outcome = validate_batch(good)
    assert outcome.status == "accepted", outcome.reason
    assert not [w for w in outcome.warnings if "row count" in w]


def test_a_modest_drop_is_only_a_warning(db, raw, catalogue):
    _history(db, raw, "B2", [100, 100, 100])
    day = dt.date(2026, 11, 18)
    outcome = validate_batch(raw.hoso_batch(db, "B2", day, _rows(raw, "B2", day, 30)))
    assert outcome.status == "accepted"
    assert (
        "row count outside 0.5-3x the province's recent exports: "
        "30 rows against a median of 100 over the last 3 accepted batches (30%)"
    ) in outcome.warnings


def test_weekends_are_compared_with_weekends(db, raw, catalogue):
    _history(db, raw, "B3", [400, 400, 400, 400])
    sunday = dt.date(2026, 11, 22)
    outcome = validate_batch(raw.hoso_batch(db, "B3", sunday, _rows(raw, "B3", sunday, 10)))
    assert outcome.status == "accepted"  # no earlier Sunday: not judged


def test_without_history_nothing_is_judged(db, raw, catalogue):
    day = dt.date(2026, 11, 18)
    outcome = validate_batch(raw.hoso_batch(db, "B4", day, _rows(raw, "B4", day, 1)))
    assert outcome.status == "accepted"
    band = [
        r
        for r in raw.results(db, outcome.batch_id)
        if r["expectation"] == "expect_batch_row_count_within_recent_band"
    ]
    assert [r["success"] for r in band] == [True, True]
    assert "not judged: only 0 earlier accepted batches" in band[0]["message"]
