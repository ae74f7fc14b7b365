"""Source B: pull the portal API into raw.portal_*, one batch per endpoint × province × window.

    pull_endpoint("payments", date(2025, 7, 1))     daily endpoints, every province of that day
    pull_catalogue()                                the procedure catalogue since the watermark
    pull_service_results(2025, 7)                   the published Decision 766 scores of a month

Each window follows the ledger protocol (docs/ARCHITECTURE.md): the window's records, sorted,
as canonical JSON, give its sha256; the same content as an earlier batch of the slot becomes a
`duplicate` with nothing loaded, new content is COPYed into raw with its ledger row in one
transaction and left `pending` for validation (which supersedes the older batch on acceptance).

Watermarks (audit.watermarks) make the nightly pull incremental: a daily endpoint pulls every
date after the province's watermark up to the business date (at most `max_catch_up_days`), so a
night that failed is caught up by the next; a rerun of an older date pulls that date again and
loads it idempotently. One failing window, province or endpoint never stops the others: each has
its own outcome, a failure is a `failed` ledger row with the error, and the watermark stops
before the first failed date.

Petitions are filtered by receipt date, so a petition resolved after the night it was received
is pulled again by a range window after the day windows until the portal shows it resolved
(`cchc.sources.portal.open_petitions`).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg

from cchc import ledger
from cchc.ledger import BatchOutcome, BatchSlot
from cchc.settings import LOCAL_TZ, Settings, get_settings
from cchc.sources.portal import open_petitions, watermarks
from cchc.sources.portal.client import PortalClient
from cchc.sources.portal.paging import PAGE_SIZE, PagedResult, fetch_all
from cchc.sources.portal.records import EndpointSpec, RowBuilder, endpoint_spec

log = logging.getLogger(__name__)

SOURCE = "portal"
DEFAULT_CATCH_UP_DAYS = 7


# -- provinces -------------------------------------------------------------------------------
def _reference_provinces(day: date) -> set[str] | None:
    try:
        from cchc.reference.admin_units import provinces

        return {p.unit_code for p in provinces(day)}
    except (ImportError, FileNotFoundError, LookupError):  # no reference data: take the list on trust
        return None


def provinces_on(day: date, settings: Settings | None = None) -> list[str]:
    """Province codes to pull for `day`: those valid that day (63 before 2025-07-01, 34 after)
    that this deployment serves: CCHC_PROVINCES when set, else the provinces that deliver
    one-stop exports to the landing area (as the nightly DAG's discovery does), else all."""
    settings = settings or get_settings()
    served = set(settings.province_filter)
    landing = settings.landing_dir / "onestop"
    if not served and landing.is_dir():
        served = {p.name for p in landing.iterdir() if p.is_dir() and len(p.name) == 2 and p.name.isdigit()}
    valid = _reference_provinces(day)
    if valid is None:
        if served:
            return sorted(served)
        raise RuntimeError("no province list: cchc.reference is unavailable and CCHC_PROVINCES is not set")
    return sorted(valid & served if served else valid)


# -- loading one window ---------------------------------------------------------------------
def _canonical(record: dict) -> str:
    return json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def content_sha256(records: list[dict]) -> tuple[str, list[tuple[str, dict]]]:
    """sha256 of the sorted canonical records (order on the wire does not matter), and the pairs."""
    pairs = sorted(((_canonical(r), r) for r in records), key=lambda p: p[0])
    digest = hashlib.sha256(("[" + ",".join(text for text, _ in pairs) + "]").encode()).hexdigest()
    return digest, pairs


def load_window(
    conn: psycopg.Connection,
    spec: EndpointSpec,
    slot: BatchSlot,
    result: PagedResult,
    fixed: tuple,
    watermark: tuple[str, str | None, str] | None,
    *,
    rows_in: int | None = None,
) -> BatchOutcome:
    """Ledger row + COPY (or a duplicate row) + watermark, in one transaction. `rows_in`: the
    records the portal returned, when the batch keeps only some of them (open petitions)."""
    sha, pairs = content_sha256(result.records)
    fixed_columns = {
        "daily": ["province_code", "business_date"],
        "monthly": ["year", "month", "time_type"],
    }.get(spec.scope, [])
    fixed_types = {"daily": ["text", "date"], "monthly": ["integer", "integer", "text"]}.get(spec.scope, [])
    columns = ["batch_id", *fixed_columns, *(c.name for c in spec.columns), "record"]
    types = ["bigint", *fixed_types, *(c.pg_type for c in spec.columns), "text"]
    with conn.transaction():
        # two runs of the same window at once must not both load it
        conn.execute(
            "select pg_advisory_xact_lock(hashtextextended(%s, 0))", (f"{slot.entity}|{slot.file_name}",)
        )
        earlier = ledger.find_same_content(conn, slot, sha)
        reason = None
        if earlier is not None:
            reason = f"same content as batch {earlier}"
            batch_id = ledger.open_batch(
                conn, slot, file_path=spec.path, sha256=sha, manifest_rows=result.total_elements,
                status="duplicate", reason=reason,
            )  # fmt: skip
            ledger.close_as(conn, batch_id, "duplicate")
            status, rows = "duplicate", 0
        else:
            batch_id = ledger.open_batch(
                conn, slot, file_path=spec.path, sha256=sha, manifest_rows=result.total_elements
            )
            builder = RowBuilder(spec)
            copy_sql = f"copy {spec.table} ({', '.join(columns)}) from stdin"
            with conn.cursor() as cur, cur.copy(copy_sql) as copy:
                copy.set_types(types)
                for text, record in pairs:
                    copy.write_row([batch_id, *fixed, *builder.values(record), text])
            rows = len(pairs)
            ledger.record_load(
                conn, batch_id, rows_in=rows if rows_in is None else rows_in, rows_loaded=rows,
                warnings=builder.warnings(),
            )  # fmt: skip
            status = "pending"
        if watermark is not None:
            watermarks.advance(conn, *watermark)
    return BatchOutcome(
        batch_id, spec.entity, slot.province_code, slot.business_date, slot.file_name, status, rows, reason
    )


def _failed(conn: psycopg.Connection, spec: EndpointSpec, slot: BatchSlot, reason: str) -> BatchOutcome:
    log.error("portal %s %s: %s", spec.name, slot.file_name, reason)
    batch_id = None
    try:
        batch_id = ledger.open_batch(
            conn, slot, file_path=spec.path, sha256=None, status="failed", reason=reason
        )
        ledger.close_as(conn, batch_id, "failed")
    except psycopg.Error:
        log.exception("could not record the failed batch %s", slot.file_name)
    return BatchOutcome(
        batch_id, spec.entity, slot.province_code, slot.business_date, slot.file_name, "failed", 0, reason
    )


def _pull_window(
    conn, client, spec, slot, filters, fixed, watermark, page_size
) -> tuple[BatchOutcome, PagedResult | None]:
    try:
        result = fetch_all(client, spec.path, filters, spec.key, page_size=page_size)
    except Exception as exc:  # any failure of this window is its outcome, never the run's
        return _failed(conn, spec, slot, str(exc)), None
    try:
        return load_window(conn, spec, slot, result, fixed, watermark), result
    except Exception as exc:
        log.exception("portal %s: loading %s failed", spec.name, slot.file_name)
        return _failed(conn, spec, slot, f"load failed: {type(exc).__name__}: {exc}"), None


# -- entry points ---------------------------------------------------------------------------
@contextmanager
def _session(
    client: PortalClient | None, settings: Settings
) -> Iterator[tuple[PortalClient, psycopg.Connection]]:
    from cchc.warehouse.connection import connect, loader_target

    own = client is None
    client = client or PortalClient.from_settings(settings)
    try:
        with connect(loader_target(settings), autocommit=True) as conn:
            yield client, conn
    finally:
        if own:
            client.close()


def _windows(watermark: str | None, day: date, max_catch_up_days: int) -> list[date]:
    try:
        last = date.fromisoformat(watermark) if watermark else None
    except ValueError:
        last = None
    if last is None or last >= day:
        return [day]
    first = max(last + timedelta(days=1), day - timedelta(days=max(1, max_catch_up_days) - 1))
    return [first + timedelta(days=i) for i in range((day - first).days + 1)]


def pull_endpoint(
    endpoint: str,
    business_date: date,
    province_codes: list[str] | None = None,
    *,
    client: PortalClient | None = None,
    settings: Settings | None = None,
    max_catch_up_days: int = DEFAULT_CATCH_UP_DAYS,
    page_size: int = PAGE_SIZE,
) -> list[BatchOutcome]:
    """Pull a daily endpoint (dossier-sync, payments, petitions, ratings) for each province.
    For petitions, then one range window per province with petitions still open (see
    `cchc.sources.portal.open_petitions`)."""
    spec = endpoint_spec(endpoint)
    if spec.scope != "daily":
        raise ValueError(f"{spec.name} is not a daily endpoint: use pull_catalogue / pull_service_results")
    settings = settings or get_settings()
    codes = list(province_codes) if province_codes is not None else provinces_on(business_date, settings)
    outcomes: list[BatchOutcome] = []
    first_windows: dict[str, date] = {}
    with _session(client, settings) as (client, conn):
        for code in codes:
            windows = _windows(watermarks.get(conn, spec.name, code), business_date, max_catch_up_days)
            gapless = True
            for day in windows:
                if (
                    day != business_date
                    and (valid := _reference_provinces(day)) is not None
                    and code not in valid
                ):
                    continue  # catching up across the 2025 reorganisation: the code did not exist then
                slot = BatchSlot(SOURCE, spec.entity, code, day, f"{spec.name}/{code}/{day.isoformat()}")
                if spec.name == "petitions":
                    filters = {"provinceCode": code, "fromDate": day.isoformat(), "toDate": day.isoformat()}
                else:
                    filters = {"provinceCode": code, "date": day.isoformat()}
                mark = (spec.name, code, day.isoformat()) if gapless else None
                outcome, _ = _pull_window(conn, client, spec, slot, filters, (code, day), mark, page_size)
                gapless = gapless and outcome.status != "failed"
                outcomes.append(outcome)
                first_windows.setdefault(code, day)
        if spec.name == "petitions":
            floor = business_date - timedelta(days=settings.petition_reopen_days)
            outcomes += pull_open_petitions(conn, client, spec, first_windows, floor, page_size)
    return outcomes


def pull_open_petitions(
    conn: psycopg.Connection,
    client: PortalClient,
    spec: EndpointSpec,
    first_windows: dict[str, date],
    floor: date,
    page_size: int = PAGE_SIZE,
) -> list[BatchOutcome]:
    """One range window per province with open petitions received since `floor` and before the
    first day it pulled tonight (`first_windows`); only new or changed records are stored."""
    if not first_windows:
        return []
    open_from = open_petitions.open_since(conn, floor, max(first_windows.values()))
    outcomes = []
    for code, first, last in open_petitions.windows(open_from, first_windows):
        slot = open_petitions.slot_for(spec, SOURCE, code, first, last)
        try:
            result = open_petitions.fetch_range(client, spec, code, first, last, page_size)
        except Exception as exc:  # as for a day window: this window's outcome, never the run's
            outcomes.append(_failed(conn, spec, slot, str(exc)))
            continue
        try:
            known = {_canonical(r) for r in open_petitions.accepted_records(conn, code, first, last, slot)}
            kept = replace(result, records=[r for r in result.records if _canonical(r) not in known])
            outcome = load_window(conn, spec, slot, kept, (code, last), None, rows_in=len(result.records))
        except Exception as exc:
            log.exception("portal %s: loading %s failed", spec.name, slot.file_name)
            outcome = _failed(conn, spec, slot, f"load failed: {type(exc).__name__}: {exc}")
        log.info(
            "portal %s: %d pulled, %d new or changed (%s)",
            slot.file_name, len(result.records), outcome.rows_loaded, outcome.status,
        )  # fmt: skip
        outcomes.append(outcome)
    return outcomes


def _local_date(value) -> str | None:
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    if parsed is None or parsed.tzinfo is None:
        return None
    return parsed.astimezone(ZoneInfo(LOCAL_TZ)).date().isoformat()


def pull_catalogue(
    updated_from: date | None = None,
    *,
    client: PortalClient | None = None,
    settings: Settings | None = None,
    page_size: int = PAGE_SIZE,
) -> list[BatchOutcome]:
    """The procedure catalogue changed since `updated_from` (default: the watermark; none = all)."""
    spec = endpoint_spec("formalities")
    settings = settings or get_settings()
    with _session(client, settings) as (client, conn):
        if updated_from is None and (mark := watermarks.get(conn, spec.name)):
            updated_from = date.fromisoformat(mark)
        since = updated_from.isoformat() if updated_from else "all"
        slot = BatchSlot(SOURCE, spec.entity, None, updated_from, f"{spec.name}/updatedFrom={since}")
        filters = {"updatedFrom": since} if updated_from else {}
        try:
            result = fetch_all(client, spec.path, filters, spec.key, page_size=page_size)
        except Exception as exc:
            return [_failed(conn, spec, slot, str(exc))]
        newest = max((d for r in result.records if (d := _local_date(r.get("updatedAt")))), default=None)
        mark = (spec.name, None, newest) if newest else None
        try:
            return [load_window(conn, spec, slot, result, (), mark)]
        except Exception as exc:
            log.exception("portal formalities: load failed")
            return [_failed(conn, spec, slot, f"load failed: {type(exc).__name__}: {exc}")]


def pull_service_results(
    year: int,
    month: int,
    *,
    time_type: str = "month",
    client: PortalClient | None = None,
    settings: Settings | None = None,
    page_size: int = PAGE_SIZE,
) -> list[BatchOutcome]:
    """The Decision 766 scores the portal published for one month (every evaluated unit, one
    batch): time_type "month" evaluates the month, "year" the year to date up to it."""
    if time_type not in ("month", "year"):
        raise ValueError(f"time_type must be month or year, not {time_type!r}")
    spec = endpoint_spec("service-results")
    settings = settings or get_settings()
    period = f"{year:04d}-{month:02d}"
    name = f"{spec.name}/{period}" + ("" if time_type == "month" else "/year")
    slot = BatchSlot(SOURCE, spec.entity, None, date(year, month, 1), name)
    filters = {"timeType": time_type, "year": year, "month": month}
    # the watermark follows the month evaluations (the year to date is pulled beside them)
    mark = (spec.name, None, period) if time_type == "month" else None
    with _session(client, settings) as (client, conn):
        outcome, _ = _pull_window(
            conn, client, spec, slot, filters, (year, month, time_type), mark, page_size
        )
    return [outcome]
