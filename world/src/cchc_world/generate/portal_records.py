"""Portal data of the same world, as the API's JSON records (`docs/SOURCES.md`), one
record per line. The simulator serves these files as they are."""

from __future__ import annotations

import json
import uuid
from datetime import date

import numpy as np

from cchc_world.generate import calendar_arrays as cal
from cchc_world.generate.formats import BASE_DAY, DATE_ISO, TIMES
from cchc_world.generate.lifecycle import DAY, RECEIVE, RETURN, Dossiers
from cchc_world.generate.procedures import REORGANISATION, Procedure
from cchc_world.generate.rows import _export_of
from cchc_world.generate.world import World, stable_int

RATING_LEVELS = ("RAT_HAI_LONG", "HAI_LONG", "KHONG_HAI_LONG")
PAY_STATUS = ("SUCCESS", "FAILED", "PENDING")


def iso(ts: int) -> str:
    return f"{DATE_ISO[ts // DAY - BASE_DAY]}T{TIMES[ts % DAY]}+07:00"


def record_uuid(*parts: object) -> str:
    return str(uuid.UUID(int=stable_int(*parts) << 64 | stable_int("b", *parts), version=4))


def _published(decided: date, salt: str, world_end: date) -> tuple[str | None, bool]:
    """When a decision's procedures were made public on the portal, and whether in full."""
    u = stable_int("published", salt) % 1000 / 1000
    if u < 0.06:
        return None, False  # never made public
    lag = 1 + stable_int("lag", salt) % (6 if u < 0.9 else 12)  # working days after the decision
    day = cal.day_date(int(cal.add(cal.day_number(decided), lag)))
    if day > world_end:
        return None, False
    return f"{day.isoformat()}T09:00:00+07:00", stable_int("full", salt) % 100 >= 4


def formality_records(procs: tuple[Procedure, ...], world_end) -> list[dict]:
    out = []
    for p in sorted(procs, key=lambda p: p.code):
        if p.effective_date > world_end:
            continue
        abolished = p.valid_to is not None and world_end >= REORGANISATION
        updated = p.valid_to if abolished else p.effective_date
        out.append(
            {
                "code": p.code,
                "id": record_uuid("formality", p.code),
                "name": p.name,
                "fieldCode": p.field,
                "fieldName": p.field_name,
                "levels": list(p.levels),
                "onlineLevel": p.online_level,
                "processingDays": p.processing_days,
                "dayType": "WORKING",
                "hasFee": p.fee > 0,
                "state": "ABOLISHED" if abolished else "ACTIVE",
                "decisionDate": p.decision_date.isoformat(),
                "effectiveDate": p.effective_date.isoformat(),
                "legalBasisEffectiveDate": p.effective_date.isoformat(),
                "publishedAt": f"{p.decision_date.isoformat()}T09:00:00+07:00",
                "contentComplete": True,
                "hasOnlinePayment": p.fee > 0 and p.online_level != "KHONG",
                "provinceCode": None,
                "replacedByCode": p.replaced_by if abolished else None,
                "updatedAt": f"{updated.isoformat()}T{'17:00:00' if abolished else '08:00:00'}+07:00",
            }
        )
    return out


def announcement_records(world: World, procs: tuple[Procedure, ...], start: date, end: date) -> list[dict]:
    """Provinces' own announcements (provinceCode set): each month a province announces a few
    procedures under local codes (`<national code>.000.00.00.H<province>`), some less than 5
    working days before their legal basis takes effect, most made public within 5 working days.
    Decision 766's transparency group (CKMB) scores these dates and flags."""
    out = []
    active = [p for p in procs if p.valid_to is None or p.valid_to >= start]
    used: set[str] = set()  # a local code is announced once (the API returns one record per code)
    month = date(start.year, start.month, 1)
    while month <= end:
        era = int(month >= REORGANISATION)
        for e in world.exports:
            if e.era != era:
                continue
            count = stable_int("announce", e.code, month) % 5
            for k in range(count):
                salt = f"{e.code}|{month}|{k}"
                base = active[stable_int("proc", salt) % len(active)]
                first = cal.day_number(month)
                decided = cal.day_date(first + stable_int("day", salt) % 28)
                code = f"{base.code}.000.00.00.H{e.code}"
                if decided > end or decided < start or code in used:
                    continue
                used.add(code)
                # the legal basis takes effect 2..24 working days after the decision
                lead = 2 + stable_int("lead", salt) % 23
                basis = cal.day_date(int(cal.add(cal.day_number(decided), lead)))
                published_at, complete = _published(decided, salt, end)
                out.append(
                    {
                        "code": code,
                        "id": record_uuid("announcement", code),
                        "name": base.name,
                        "fieldCode": base.field,
                        "fieldName": base.field_name,
                        "levels": list(base.levels),
                        "onlineLevel": base.online_level,
                        "processingDays": base.processing_days,
                        "dayType": "WORKING",
                        "hasFee": base.fee > 0,
                        "hasOnlinePayment": base.fee > 0 and base.online_level != "KHONG",
                        "state": "ACTIVE",
                        "decisionDate": decided.isoformat(),
                        "effectiveDate": basis.isoformat(),
                        "legalBasisEffectiveDate": basis.isoformat(),
                        "publishedAt": published_at,
                        "contentComplete": complete,
                        "provinceCode": e.code,
                        "replacedByCode": None,
                        # making it public is a change of the record: a pull by updatedFrom sees it
                        "updatedAt": published_at or f"{decided.isoformat()}T08:00:00+07:00",
                    }
                )
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return out


def dossier_events(world: World, d: Dossiers, rng, world_end: int) -> dict[str, dict[str, np.ndarray]]:
    """Sync, payment and rating events of exported dossiers, as arrays keyed by day."""
    limit = (world_end + 1) * DAY
    n = len(d)
    out = {}
    recv = d.ts[:, RECEIVE]
    sync = d.synced & (recv >= 0)
    sync_ts = recv + rng.integers(60, 7200, size=n)
    sync &= sync_ts < limit
    idx = np.flatnonzero(sync)
    out["dossier-sync"] = {"di": idx, "ts": sync_ts[idx], "kind": np.zeros(len(idx), np.int8)}

    paid_ts = recv + rng.integers(60, 3600, size=n)
    success = (d.paid > 0) & (paid_ts < limit)
    failed_first = success & (rng.random(n) < 0.06)
    pending = (
        (recv >= 0)
        & (d.fee > 0)
        & (d.channel == 2)
        & (d.paid == 0)
        & (rng.random(n) < 0.1)
        & (paid_ts < limit)
    )
    parts = [
        (np.flatnonzero(success), paid_ts, 0),
        (np.flatnonzero(failed_first), paid_ts - rng.integers(60, 1800, size=n), 1),
        (np.flatnonzero(pending), paid_ts, 2),
    ]
    out["payments"] = {
        "di": np.concatenate([p[0] for p in parts]),
        "ts": np.concatenate([p[1][p[0]] for p in parts]),
        "kind": np.concatenate([np.full(len(p[0]), p[2], np.int8) for p in parts]),
    }
    rated_ts = d.ts[:, RETURN] + rng.integers(600, 3 * DAY, size=n)
    rated = (d.ts[:, RETURN] >= 0) & (rng.random(n) < 0.25) & (rated_ts < limit)
    idx = np.flatnonzero(rated)
    # one draw per dossier, whether or not the world has ended by then: a world stopped earlier draws
    # the same numbers, so it is an exact prefix of the longer one
    level = rng.choice(3, size=n, p=[0.55, 0.35, 0.10]).astype(np.int8)[idx]
    out["ratings"] = {"di": idx, "ts": rated_ts[idx], "kind": level}
    for ev in out.values():
        di = ev["di"]
        ev["did"] = d.did[di]
        ev["code"] = d.code[di]
        ev["unit"] = d.unit[di]
        ev["amount"] = d.fee[di]
        ev["gateway"] = np.where(d.paid[di] > 0, d.paid[di], 1 + (d.did[di] % 2)).astype(np.int8)
        ev["bday"] = ev["ts"] // DAY
        ev["xprov"] = _export_of(world, d.unit[di], d.wp[di], ev["bday"])
        del ev["di"]
    return out


def render(endpoint: str, world: World, ev: dict[str, np.ndarray], seed: int) -> list[str]:
    """JSON lines built from templates: every value is a code, a number or a timestamp (no
    escaping needed), except unit codes, which are plain ASCII too."""
    units = world.units
    n = len(ev["ts"])
    ts = ev["ts"].tolist()
    if endpoint == "dossier-sync":
        codes, unit = ev["code"].tolist(), ev["unit"].tolist()
        return [
            f'{{"dossierCode": "{codes[i]}", "unitCode": "{units[unit[i]].unit_code}", "syncedAt": "{iso(ts[i])}"}}'
            for i in range(n)
        ]
    if endpoint == "payments":
        codes, kind, did = ev["code"].tolist(), ev["kind"].tolist(), ev["did"].tolist()
        amount, gateway = ev["amount"].tolist(), ev["gateway"].tolist()
        return [
            f'{{"transactionId": "GD{seed % 1000:03d}{did[i]:011d}{kind[i]}", "dossierCode": "{codes[i]}", '
            f'"amount": {amount[i]}, "status": "{PAY_STATUS[kind[i]]}", "gateway": {gateway[i]}, '
            f'"paidAt": "{iso(ts[i])}"}}'
            for i in range(n)
        ]
    if endpoint == "ratings":
        codes, kind = ev["code"].tolist(), ev["kind"].tolist()
        return [
            f'{{"dossierCode": "{codes[i]}", "ratedAt": "{iso(ts[i])}", "level": "{RATING_LEVELS[kind[i]]}"}}'
            for i in range(n)
        ]
    if endpoint == "petitions":
        lines = []
        for i in range(n):
            res = int(ev["resolved"][i])
            sat = int(ev["satisfied"][i])
            rec = {
                "id": record_uuid("petition", seed, int(ev["did"][i])),
                "unitCode": units[ev["unit"][i]].unit_code,
                "category": "TTHC" if ev["kind"][i] == 0 else "CAN_BO",
                "receivedAt": iso(ts[i]),
                "dueAt": iso(int(ev["due"][i])),
                "resolvedAt": iso(res) if res >= 0 else None,
                "satisfied": None if sat < 0 else bool(sat),
                "likes": int(ev["likes"][i]),
                "dislikes": int(ev["dislikes"][i]),
                "isRepeat": bool(ev["repeat"][i]),
            }
            lines.append(json.dumps(rec, ensure_ascii=False))
        return lines
    raise ValueError(endpoint)
