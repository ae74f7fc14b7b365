"""Petitions still open in the warehouse, pulled again each night until the portal shows them resolved.

`/api/v1/petitions` filters on the receipt date, and a petition is resolved days or weeks after
it was received, so the night's day windows never see the resolution. After them, each province
with open petitions (in accepted batches) gets ONE range window: from the earliest receipt date
(local) of its open petitions, at most `petition_reopen_days` back, to the day before the night's
first day window. No open petition, no call.

The window is paged like any other, but its batch keeps only the records that are new to the
warehouse or differ from every accepted version (a resolution, a late petition): a range covers
months of petitions that did not change, and storing them again every night would grow raw with
history instead of with the changes. `rows_in` counts what the portal returned, `rows_loaded`
what was kept. Records are compared with the accepted versions outside the window's own slot, so
a rerun of the same night finds the same records (a duplicate) instead of an empty batch that
would supersede them.

Its slot is its own: `petitions/<code>/open/<from>..<to>` with no business date, so it never
supersedes a day batch, and a row-count band keyed on the business date (none on petitions
today) would treat it as a series of its own. Staging takes a petition's resolved version over an
open one, and the newer batch among equal ones (`stg_portal__petitions`).

A province code retired by the 2025 reorganisation (89 → 91) is re-pulled under its own code,
up to its last valid day, as long as its successor is one of the night's provinces: the portal
files a petition under the code valid on its receipt date, and no day window asks for it any more.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import psycopg

from cchc.ledger import BatchSlot
from cchc.settings import LOCAL_TZ
from cchc.sources.portal.client import PortalClient
from cchc.sources.portal.paging import PagedResult, fetch_all
from cchc.sources.portal.records import EndpointSpec

log = logging.getLogger(__name__)

# The simulator answers at most 366 days per query (the contract names no limit): longer ranges
# are asked in consecutive parts and make one batch.
MAX_RANGE_DAYS = 366


def open_since(conn: psycopg.Connection, floor: date, before: date) -> dict[str, date]:
    """Per province code: the earliest local receipt date, in [floor, before), of a petition that
    no accepted batch shows resolved."""
    rows = conn.execute(
        """
        select o.province_code, min(o.received_date)
        from (
            select
                p.province_code,
                min((p.received_at at time zone %(tz)s)::date) as received_date
            from raw.portal_petitions as p
            inner join audit.batches as b on b.batch_id = p.batch_id
            where b.status = 'accepted' and p.id is not null
                -- a day's margin: the window is in local dates, received_at in UTC
                and p.received_at >= %(floor)s::date - 1
            group by p.province_code, p.id
            having bool_and(p.resolved_at is null)
        ) as o
        where o.received_date >= %(floor)s and o.received_date < %(before)s
        group by o.province_code
        """,
        {"tz": LOCAL_TZ, "floor": floor, "before": before},
    ).fetchall()
    return dict(rows)


def _last_valid_day(code: str, on: date, codes: set[str]) -> date | None:
    """For a province code not valid on `on`: its last valid day when its successor is among
    `codes` (else None: not this deployment's, or no reference data)."""
    try:
        from cchc.reference import admin_units
    except ImportError:
        return None
    try:
        last = admin_units.versions(code)[-1] if admin_units.versions(code) else None
        if last is None or last.valid_to is None or last.valid_to >= on:
            return None
        successor = admin_units.current_successor(code, last.valid_to)
    except (LookupError, FileNotFoundError):
        return None
    return last.valid_to if successor.unit_code in codes else None


def windows(open_from: dict[str, date], first_windows: dict[str, date]) -> list[tuple[str, date, date]]:
    """(province, from, to) of the range windows to pull: each of the night's provinces (keyed to
    the first day its day windows pulled) up to the day before that, in their order; then the
    retired codes whose successor is among them, up to their last valid day."""
    out = []
    for code, first_window in first_windows.items():
        if code in open_from and open_from[code] < first_window:
            out.append((code, open_from[code], first_window - timedelta(days=1)))
    if not first_windows:
        return out
    night_first = min(first_windows.values())
    for code in sorted(set(open_from) - set(first_windows)):
        last = _last_valid_day(code, night_first, set(first_windows))
        if last is not None:
            last = min(last, night_first - timedelta(days=1))
            if open_from[code] <= last:
                out.append((code, open_from[code], last))
    return out


def fetch_range(
    client: PortalClient, spec: EndpointSpec, code: str, first: date, last: date, page_size: int
) -> PagedResult:
    """Every record received in [first, last], in parts of at most MAX_RANGE_DAYS days."""
    by_key: dict[str, dict] = {}
    keyless: list[dict] = []
    total = pages = duplicates = passes = 0
    start = first
    while start <= last:
        end = min(last, start + timedelta(days=MAX_RANGE_DAYS - 1))
        filters = {"provinceCode": code, "fromDate": start.isoformat(), "toDate": end.isoformat()}
        part = fetch_all(client, spec.path, filters, spec.key, page_size=page_size)
        for record in part.records:
            key = record.get(spec.key)
            if isinstance(key, str) and key:
                by_key[key] = record
            else:
                keyless.append(record)
        total += part.total_elements
        pages += part.pages
        duplicates += part.duplicates
        passes = max(passes, part.passes)
        start = end + timedelta(days=1)
    return PagedResult([*by_key.values(), *keyless], total, pages, duplicates, passes)


def accepted_records(
    conn: psycopg.Connection, code: str, first: date, last: date, slot: BatchSlot
) -> list[dict]:
    """The records of accepted versions of the province's petitions received in [first, last] (or
    with no usable receipt time), outside `slot`."""
    tz = ZoneInfo(LOCAL_TZ)
    rows = conn.execute(
        """
        select p.record
        from raw.portal_petitions as p
        inner join audit.batches as b on b.batch_id = p.batch_id
        where b.status = 'accepted' and p.province_code = %s and b.file_name <> %s
          and (p.received_at is null or (p.received_at >= %s and p.received_at < %s))
        """,
        (
            code,
            slot.file_name,
            datetime.combine(first, time(), tz),
            datetime.combine(last + timedelta(days=1), time(), tz),
        ),
    ).fetchall()
    return [r[0] for r in rows]


def slot_for(spec: EndpointSpec, source: str, code: str, first: date, last: date) -> BatchSlot:
    return BatchSlot(source, spec.entity, code, None, f"{spec.name}/{code}/open/{first}..{last}")
