"""Petitions still open are pulled again each night until the portal shows them resolved.

The dates are far from every other test's (the session warehouse is shared) so that only this
test's petitions are open for province 48."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import jinja2
import pytest
from tests.sources.portal.conftest import make_client, write_jsonl

from cchc import ledger
from cchc.sources.portal.pull import pull_endpoint

pytestmark = pytest.mark.usefixtures("portal_clean")

NIGHT1 = date(2029, 3, 5)
PETITIONS = "/api/v1/petitions"
DBT = Path(__file__).parents[3] / "dbt_project"
STAGING_SQL = DBT / "models/staging/portal/stg_portal__petitions.sql"
MACRO_SQL = DBT / "macros/latest_accepted_rows.sql"


def petition(pid: str, day: date, resolved: date | None = None, satisfied: bool | None = None) -> dict:
    return {
        "id": pid,
        "unitCode": "000.00.01.H48",
        "category": "TTHC",
        "receivedAt": f"{day}T09:00:00+07:00",
        "dueAt": f"{day + timedelta(days=21)}T17:00:00+07:00",
        "resolvedAt": f"{resolved}T16:00:00+07:00" if resolved else None,
        "satisfied": satisfied,
    }


def file_of(world: Path, day: date) -> Path:
    return world / "portal" / "petitions" / "48" / f"{day}.jsonl"


def staging_state(db) -> dict[str, tuple]:
    """The latest state per petition as stg_portal__petitions picks it: its SQL and the project's
    macro it calls, rendered by Jinja as dbt would outside an incremental run."""
    model = re.sub(r"^--.*$", "", STAGING_SQL.read_text(encoding="utf-8"), flags=re.M)
    template = jinja2.Environment(undefined=jinja2.StrictUndefined).from_string(
        MACRO_SQL.read_text(encoding="utf-8") + model
    )
    sql = template.render(source=lambda schema, table: f"{schema}.{table}", is_incremental=lambda: False)
    assert "{{" not in sql and "raw.portal_petitions" in sql
    rows = db.execute(
        f"select petition_id, resolved_date, is_satisfied from ({sql}) as s where province_code = '48'"
    ).fetchall()
    return {r[0]: (r[1], r[2]) for r in rows}


def requests(sim) -> int:
    return sim.stats.requests[PETITIONS]


def test_an_open_petition_is_pulled_again_until_resolved(db, world, sim, monkeypatch):
    from cchc.pipeline.portal_pulls import pull_day

    monkeypatch.setenv("CCHC_PROVINCES", "48")
    night = [NIGHT1 + timedelta(days=i) for i in range(5)]
    done = petition("P-done", NIGHT1, NIGHT1, True)
    write_jsonl(file_of(world, NIGHT1), [petition("P-open", NIGHT1), petition("P-late", NIGHT1), done])

    # night 1: the day window only (nothing accepted is open yet)
    first = pull_day("petitions", night[0])
    assert [(b["file_name"], b["status"], b["rows_loaded"]) for b in first["batches"]] == [
        (f"petitions/48/{NIGHT1}", "accepted", 3)
    ]
    assert staging_state(db) == {"P-open": (None, None), "P-late": (None, None), "P-done": (NIGHT1, True)}

    # night 2: still open on the portal; the range window finds nothing new and stores nothing
    before = requests(sim)
    second = pull_day("petitions", night[1])
    assert requests(sim) - before == 2  # the day window and the range window
    ranged = second["batches"][1]
    assert (ranged["file_name"], ranged["status"], ranged["rows_loaded"]) == (
        f"petitions/48/open/{NIGHT1}..{NIGHT1}",
        "accepted",
        0,
    )
    row = db.execute(
        "select business_date, rows_in, rows_loaded from audit.batches where batch_id = %s",
        (ranged["batch_id"],),
    ).fetchone()
    assert row == (None, 3, 0)

    # resolved on day 3 in the portal's world; night 3 pulls it again and staging shows it resolved
    write_jsonl(
        file_of(world, NIGHT1), [petition("P-open", NIGHT1, night[2], True), petition("P-late", NIGHT1), done]
    )
    third = pull_day("petitions", night[2])
    ranged = third["batches"][1]
    assert (ranged["file_name"], ranged["status"], ranged["rows_loaded"]) == (
        f"petitions/48/open/{NIGHT1}..{night[1]}",
        "accepted",
        1,
    )
    assert db.execute(
        "select id, business_date from raw.portal_petitions where batch_id = %s", (ranged["batch_id"],)
    ).fetchall() == [("P-open", night[1])]
    assert staging_state(db) == {
        "P-open": (night[2], True), "P-late": (None, None), "P-done": (NIGHT1, True)
    }  # fmt: skip

    # a rerun of night 3 (P-late still open: the same range) is a duplicate of its range batch,
    # never a batch without P-open that would supersede it
    rerun = pull_day("petitions", night[2])
    assert [(b["file_name"], b["status"]) for b in rerun["batches"]] == [
        (f"petitions/48/{night[2]}", "duplicate"),
        (f"petitions/48/open/{NIGHT1}..{night[1]}", "duplicate"),
    ]
    assert db.execute(
        "select status from audit.batches where batch_id = %s", (ranged["batch_id"],)
    ).fetchone() == ("accepted",)
    assert staging_state(db)["P-open"] == (night[2], True)

    # night 4 takes in the last one's resolution; night 5 has nothing open, so no range call
    write_jsonl(
        file_of(world, NIGHT1),
        [petition("P-open", NIGHT1, night[2], True), petition("P-late", NIGHT1, night[3], False), done],
    )
    assert pull_day("petitions", night[3])["batches"][1]["rows_loaded"] == 1
    assert staging_state(db)["P-late"] == (night[3], False)
    before = requests(sim)
    fifth = pull_day("petitions", night[4])
    assert requests(sim) - before == 1
    assert [b["file_name"] for b in fifth["batches"]] == [f"petitions/48/{night[4]}"]


def accept_all(db, outcomes) -> None:
    for outcome in outcomes:
        if outcome.status == "pending":
            ledger.accept(db, outcome.batch_id)


def test_the_range_starts_at_the_earliest_open_petition(db, world, sim):
    client = make_client(sim)
    old, mid = NIGHT1 - timedelta(days=10), NIGHT1 - timedelta(days=3)
    write_jsonl(file_of(world, old - timedelta(days=1)), [petition("P-before", old - timedelta(days=1))])
    write_jsonl(file_of(world, old), [petition("P-old", old), petition("P-old-done", old, old, False)])
    write_jsonl(file_of(world, mid), [petition("P-mid", mid)])
    # the days were pulled on earlier nights and accepted; P-before was never pulled (not in the
    # warehouse), so it does not move the range
    for day in (old, mid):
        accept_all(db, pull_endpoint("petitions", day, ["48"], client=client, max_catch_up_days=1))
    before = requests(sim)
    outcomes = pull_endpoint("petitions", NIGHT1, ["48"], client=client, max_catch_up_days=1)
    assert requests(sim) - before == 2
    day, ranged = outcomes
    assert day.file_name == f"petitions/48/{NIGHT1}"
    last = NIGHT1 - timedelta(days=1)
    assert ranged.file_name == f"petitions/48/open/{old}..{last}" and ranged.business_date is None
    # all three petitions received in the range came back; none changed
    assert db.execute(
        "select rows_in from audit.batches where batch_id = %s", (ranged.batch_id,)
    ).fetchone() == (3,)
    assert ranged.rows_loaded == 0

    # once the oldest is resolved in the warehouse, the range starts at the next open one
    write_jsonl(
        file_of(world, old), [petition("P-old", old, last, True), petition("P-old-done", old, old, False)]
    )
    accept_all(db, outcomes)
    accept_all(db, pull_endpoint("petitions", NIGHT1 + timedelta(days=1), ["48"], client=client))
    outcomes = pull_endpoint("petitions", NIGHT1 + timedelta(days=2), ["48"], client=client)
    assert outcomes[-1].file_name == f"petitions/48/open/{mid}..{NIGHT1 + timedelta(days=1)}"


def test_open_petitions_older_than_the_setting_are_left(db, world, sim, monkeypatch):
    monkeypatch.setenv("CCHC_PETITION_REOPEN_DAYS", "5")
    client = make_client(sim)
    old = NIGHT1 - timedelta(days=6)
    write_jsonl(file_of(world, old), [petition("P-old", old)])
    accept_all(db, pull_endpoint("petitions", old, ["48"], client=client))
    before = requests(sim)
    outcomes = pull_endpoint("petitions", NIGHT1, ["48"], client=client, max_catch_up_days=1)
    assert requests(sim) - before == 1 and len(outcomes) == 1


def test_a_range_longer_than_a_portal_query_is_asked_in_parts(db, world, sim):
    client = make_client(sim)
    old = NIGHT1 - timedelta(days=390)
    write_jsonl(file_of(world, old), [petition("P-old", old)])
    write_jsonl(file_of(world, NIGHT1 - timedelta(days=2)), [petition("P-new", NIGHT1 - timedelta(days=2))])
    accept_all(db, pull_endpoint("petitions", old, ["48"], client=client))
    before = requests(sim)
    outcomes = pull_endpoint("petitions", NIGHT1, ["48"], client=client, max_catch_up_days=1)
    assert requests(sim) - before == 3  # the day window, then 366 + 24 days
    ranged = outcomes[-1]
    assert ranged.status == "pending" and ranged.rows_loaded == 1  # P-new: not in the warehouse yet
    assert db.execute(
        "select id from raw.portal_petitions where batch_id = %s", (ranged.batch_id,)
    ).fetchall() == [("P-new",)]


def test_windows_follow_each_province_and_retired_codes_to_their_last_day():
    from cchc.sources.portal.open_petitions import windows

    night = date(2025, 7, 10)
    open_from = {
        "91": date(2025, 6, 25),
        "89": date(2025, 6, 20),
        "48": date(2025, 7, 12),
        "49": date(2025, 6, 1),
    }
    # 48 caught up from 07-08; its open petition is inside tonight's day windows: no range.
    # 89 (An Giang before the reorganisation) passed to 91, 49 (Quảng Nam) to 48: re-pulled while
    # their successor is served
    assert windows(open_from, {"91": night, "48": date(2025, 7, 8), "01": night}) == [
        ("91", date(2025, 6, 25), date(2025, 7, 9)),
        ("49", date(2025, 6, 1), date(2025, 6, 30)),
        ("89", date(2025, 6, 20), date(2025, 6, 30)),
    ]
    assert windows(open_from, {"48": date(2025, 7, 20)}) == [
        ("48", date(2025, 7, 12), date(2025, 7, 19)),
        ("49", date(2025, 6, 1), date(2025, 6, 30)),
    ]
    assert windows({}, {"91": night}) == [] and windows(open_from, {}) == []
