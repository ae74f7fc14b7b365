"""Reading every page of a portal list, when records can arrive or move while we page.

A record inserted in front of our position pushes the rest one place on, so the last record of a
page shows up again at the top of the next one: records are de-duplicated on their key (records
without a key, which break the contract, on their whole content). What we got is compared with
`totalElements` of the first page; fewer means records slipped past us, so the whole list is
read again, and still fewer after `max_passes` is an error, never a silently short batch. A
later page announcing more records than the first means some arrived while we paged (and the
one in front of us was never seen): the list is read again too, to take them in.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from cchc.sources.portal.client import PortalClient, PortalError

log = logging.getLogger(__name__)

PAGE_SIZE = 1000  # the contract's maximum: fewest round trips


class ShortCountError(PortalError):
    """Fewer distinct records than the portal said it had, after every pass."""


@dataclass(frozen=True)
class PagedResult:
    records: list[dict]
    total_elements: int  # as announced on the first page of the pass that succeeded
    pages: int
    duplicates: int
    passes: int


def _key_of(record: dict, key: str) -> str | None:
    value = record.get(key)
    return value if isinstance(value, str) and value else None


def _one_pass(client: PortalClient, endpoint: str, filters: dict, key: str, page_size: int):
    by_key: dict[str, dict] = {}
    keyless: dict[str, dict] = {}
    duplicates = 0
    page, pages = 1, 0
    total: int | None = None
    latest = 0
    while True:
        data = client.post(endpoint, {**filters, "currentPage": page, "pageSize": page_size})
        pages += 1
        content = data.get("content")
        if not isinstance(content, list) or not isinstance(data.get("totalElements"), int):
            raise PortalError(endpoint, filters, 201, "page without content/totalElements")
        if total is None:
            total = data["totalElements"]
            # a list that grows while we page adds pages: follow the newest count, within reason
            page_cap = int(data.get("totalPages") or 0) + 10
        for record in content:
            if not isinstance(record, dict):
                record = {"_not_an_object": record}
            k = _key_of(record, key)
            if k is None:
                k = json.dumps(record, sort_keys=True, ensure_ascii=False)
                target = keyless
            else:
                target = by_key
            if k in target:
                duplicates += 1
            target[k] = record  # a later sighting is the fresher one
        latest = data["totalElements"]
        last_page = int(data.get("totalPages") or 0)
        if not content or page >= last_page or page >= page_cap:
            break
        page += 1
    return [*by_key.values(), *keyless.values()], total or 0, latest, pages, duplicates


def fetch_all(
    client: PortalClient,
    endpoint: str,
    filters: dict,
    key: str,
    *,
    page_size: int = PAGE_SIZE,
    max_passes: int = 3,
) -> PagedResult:
    got = total = all_duplicates = 0
    for passes in range(1, max_passes + 1):
        records, total, latest, pages, duplicates = _one_pass(client, endpoint, filters, key, page_size)
        got = len(records)
        all_duplicates += duplicates
        if got >= total and (got >= latest or passes == max_passes):
            if all_duplicates:
                log.info("portal %s %s: %d duplicate sightings dropped", endpoint, filters, all_duplicates)
            return PagedResult(records, total, pages, all_duplicates, passes)
        log.warning(
            "portal %s %s: %d distinct records on pass %d, announced %d then %d; reading again",
            endpoint, filters, got, passes, total, latest,
        )  # fmt: skip
    raise ShortCountError(
        endpoint,
        filters,
        201,
        f"short count: {got} distinct records of {total} announced after {max_passes} passes",
    )
