"""The truth's monthly figures equal a plain recount of the rows that landed."""

from __future__ import annotations

import importlib.util
from datetime import date
from pathlib import Path

from cchc_world.generate import truth

_spec = importlib.util.spec_from_file_location(
    "gen_recount", Path(__file__).parent / "support" / "recount.py"
)
recount = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(recount)

COUNTS = ("received_online", "received_direct_postal", "carried_over", "resolved_early", "resolved_on_time",
          "resolved_late", "in_progress_within", "in_progress_overdue")  # fmt: skip


def _landed(world):
    out, _ = world
    hoso, bosung = recount.latest_states(out / "landing")
    return recount.classify(hoso, bosung)


def test_timeliness_truth_equals_recount(small_world):
    out, _ = small_world
    dossiers = _landed(small_world)
    assert len(dossiers) > 1000
    expected = {k: v for k, v in recount.timeliness(dossiers, date(2025, 4, 1), date(2025, 9, 30)).items()}
    got = truth.monthly(out, "timeliness_monthly")
    assert set(got) == set(expected)
    for key, row in got.items():
        assert {c: int(row[c]) for c in COUNTS} == {c: expected[key].get(c, 0) for c in COUNTS}, key
        assert int(row["received_total"]) == int(row["resolved_total"]) + int(row["in_progress_total"])
    # the world has every class, carried-over work, and both sides of the reorganisation
    for c in COUNTS:
        assert sum(int(r[c]) for r in got.values()) > 0, c
    assert {k[1].split("@")[1] for k in got} == {"2000-01-01", "2025-07-01"}


def test_index_style_truth_equals_recount(small_world):
    out, _ = small_world
    dossiers = _landed(small_world)
    expected = recount.index_style(dossiers, date(2025, 4, 1), date(2025, 9, 30))
    got = truth.monthly(out, "timeliness_monthly")
    # the index's months are among the report style's rows (its clock never stops after the end)
    assert set(expected) <= set(got)
    for key, row in got.items():
        e = expected.get(key, {})
        handled, timely = e.get("index_handled", 0), e.get("index_timely", 0)
        assert (int(row["index_handled"]), int(row["index_timely"])) == (handled, timely), key
        assert row["index_timely_ratio"] == ("" if not handled else f"{timely / handled:.6f}"), key
    # not vacuous: the world has every case the index style treats apart from the report style
    cases = {
        "two requests": [d for d in dossiers if len(d["requests"]) == 2],
        "one unanswered request": [
            d for d in dossiers if len(d["requests"]) == 1 and d["requests"][0][1] is None
        ],
        "one answered request": [d for d in dossiers if len(d["requests"]) == 1 and d["requests"][0][1]],
        "unanswered, then ended": [
            d for d in dossiers if len(d["requests"]) == 1 and d["requests"][0][1] is None and d["end"]
        ],
    }
    assert {k: len(v) > 0 for k, v in cases.items()} == dict.fromkeys(cases, True)
    # the index differs from the report style somewhere: handled < received_total, timely != on time
    assert sum(int(r["index_handled"]) for r in got.values()) < sum(
        int(r["received_total"]) for r in got.values()
    )
    assert any(0 < int(r["index_timely"]) < int(r["index_handled"]) for r in got.values())
    assert any(r["index_timely_ratio"] == "" and int(r["received_total"]) for r in got.values())


def test_unit_month_truths_equal_recount(small_world):
    out, _ = small_world
    expected = recount.unit_month(_landed(small_world))
    online = truth.monthly(out, "online_service_monthly")
    payment = truth.monthly(out, "online_payment_monthly")
    digit = truth.monthly(out, "digitisation_monthly")
    assert set(online) == set(expected)
    for key, e in expected.items():
        o = online[key]
        assert (int(o["received_total"]), int(o["received_online"])) == (
            e["received_total"],
            e["received_online"],
        )
        assert (int(o["eligible_total"]), int(o["eligible_online"])) == (
            e["eligible_total"],
            e["eligible_online"],
        )
        if e["fee_dossiers"]:
            p = payment[key]
            assert (int(p["fee_dossiers"]), int(p["paid_online_dossiers"])) == (
                e["fee_dossiers"],
                e["paid_online_dossiers"],
            )
            assert p["meets_target"] == str(e["paid_online_dossiers"] / e["fee_dossiers"] >= 0.3).lower()
        else:
            assert key not in payment
        assert int(digit[key]["digitised_dossiers"]) == e["digitised_dossiers"]
        assert int(digit[key]["vneid_dossiers"]) == e["vneid_dossiers"]
    rates = [float(r["online_share"]) for r in online.values()]
    assert all(0 <= r <= 1 for r in rates)


def test_dossier_truth_matches_landed_states(small_world):
    out, _ = small_world
    landed = {d["code"]: d for d in _landed(small_world)}
    rows = truth.load(out, "dossiers")
    received = [r for r in rows if r["received_date"]]
    assert {r["dossier_code"] for r in received} == set(landed)
    for r in received:
        d = landed[r["dossier_code"]]
        assert r["unit_key"] == d["unit_key"]
        assert r["received_date"] == d["recv"].isoformat()
        assert r["ended_date"] == (d["end"].isoformat() if d["end"] else "")
        assert r["due_date"] == (d["due"].isoformat() if d["due"] else "")
    assert {r["status_code"] for r in rows} >= {"1", "2", "3", "5", "7", "8", "9", "10"}
    assert {r["timeliness"] for r in received} == {
        "early",
        "on_time",
        "late",
        "in_progress_within",
        "in_progress_overdue",
    }


def test_satisfaction_truth_equals_recount_of_portal_files(small_world):
    import json
    from collections import defaultdict

    from cchc.reference import admin_units

    out, _ = small_world
    units_of = {r["dossier_code"]: r["unit_key"] for r in truth.load(out, "dossiers")}
    expected = defaultdict(lambda: defaultdict(int))
    for f in sorted((out / "portal" / "petitions").glob("*/*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            p = json.loads(line)
            due = p["dueAt"][:10]
            if due > "2025-09-30":
                continue
            unit = admin_units.unit(p["unitCode"], date.fromisoformat(p["receivedAt"][:10])).unit_key
            c = expected[(due[:8] + "01", unit)]
            c["petitions_due"] += 1
            c["petitions_on_time"] += p["resolvedAt"] is not None and p["resolvedAt"][:10] <= due
    for f in sorted((out / "portal" / "ratings").glob("*/*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            c = expected[(r["ratedAt"][:8] + "01", units_of[r["dossierCode"]])]
            c["ratings_total"] += 1
            c["ratings_satisfied"] += r["level"] in ("RAT_HAI_LONG", "HAI_LONG")
    got = truth.monthly(out, "satisfaction_monthly")
    assert set(got) == set(expected)
    keys = ("petitions_due", "petitions_on_time", "ratings_total", "ratings_satisfied")
    for key, row in got.items():
        assert {k: int(row[k]) for k in keys} == {k: expected[key][k] for k in keys}, key
    assert sum(int(r["ratings_total"]) for r in got.values()) > 0
    assert sum(int(r["petitions_due"]) - int(r["petitions_on_time"]) for r in got.values()) > 0
