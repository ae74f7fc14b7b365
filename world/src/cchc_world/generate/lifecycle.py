"""Dossier lives, simulated for a batch of dossiers at once (numpy, no per-dossier Python).

Every dossier gets a fixed set of event slots; an absent slot is -1. Days are decided first
(working-day arithmetic over the VN calendar), then times of day, then timestamps are made
strictly increasing within each dossier. Events after the world's last day never happened: the
truth and the exports both see the dossier as it stood on that day.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cchc_world.generate import calendar_arrays as cal
from cchc_world.generate.procedures import FIELD_CODES, FIELDS, REORGANISATION
from cchc_world.generate.world import World

DAY = 86400
REFORM_DAY = cal.day_number(REORGANISATION)
ONLINE_LEVELS = ("TOAN_TRINH", "MOT_PHAN", "KHONG")

# event slots, in the order they happen
SUBMIT, RECEIVE, PROCESS, REQ1, SUP1, REQ2, SUP2, END, RETURN = range(9)
N_SLOTS = 9
SLOT_STATUS = np.array([1, 2, 4, 5, 4, 5, 4, 9, 10], dtype=np.int8)

# final outcome codes
REGISTERED, REFUSED, FINISHED, WITHDRAWN, STOPPED, WAITING = range(6)


@dataclass
class Dossiers:
    """One batch of simulated dossiers; every array has one entry per dossier."""

    did: np.ndarray  # global sequence number
    unit: np.ndarray
    proc: np.ndarray
    field: np.ndarray
    channel: np.ndarray  # 1 direct, 2 online, 3 postal
    olevel: np.ndarray  # index into ONLINE_LEVELS
    fee: np.ndarray
    person: np.ndarray
    wp: np.ndarray  # world province
    submit: np.ndarray  # NgayNopHoSo timestamp
    outcome: np.ndarray
    show_receipt: np.ndarray  # NgayTiepNhan filled (always, except some refusals)
    ts: np.ndarray  # (n, N_SLOTS) event timestamps, local seconds since epoch, -1 absent
    due0: np.ndarray  # NgayHenTra timestamp, -1 none
    due_new: np.ndarray  # (n, 2) NgayHenTraMoi of supplement 1/2 once supplied, -1 none
    due_before: np.ndarray  # (n, 2) NgayHenTraTruoc
    paid: np.ndarray  # 0 / 1 / 2
    digitised: np.ndarray
    eresult: np.ndarray  # electronic result (issued at the end)
    vneid: np.ndarray
    synced: np.ndarray
    # schema 1.3 flags (DuocTaiSuDung, DuocLayTuKhoDLCN, CoSuDungDuLieuDanCu): every dossier has
    # them; only 1.3 exports write them
    reused: np.ndarray
    pdstore: np.ndarray
    popdata: np.ndarray
    many_changes: np.ndarray  # bool: touched on many days (field mess)
    code: np.ndarray  # MaHoSo (object)

    def __len__(self) -> int:
        return len(self.did)

    def take(self, idx: np.ndarray) -> Dossiers:
        return Dossiers(**{k: v[idx] for k, v in self.__dict__.items()})


def id_uniform(ids: np.ndarray, salt: int) -> np.ndarray:
    """A uniform number in [0, 1) per id (splitmix64), independent of any random stream."""
    x = ids.astype(np.uint64) + np.uint64((0x9E3779B97F4A7C15 * (salt + 1)) % 2**64)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    x = x ^ (x >> np.uint64(31))
    return (x >> np.uint64(11)).astype(np.float64) / float(2**53)


def _office_time(rng, n, start=7.5, end=16.75) -> np.ndarray:
    return (rng.uniform(start, end, size=n) * 3600).astype(np.int64)


def _pick(rng, weights: np.ndarray, n: int) -> np.ndarray:
    return rng.choice(len(weights), size=n, p=weights / weights.sum())


def _choose_units_and_procedures(world: World, rng, recv_day, wp):
    n = len(recv_day)
    era = (recv_day >= REFORM_DAY).astype(np.int8)
    unit = np.full(n, -1, dtype=np.int64)
    proc = np.full(n, -1, dtype=np.int64)
    procs = world.procedures
    for e in (0, 1):
        usable = [
            i for i, p in enumerate(procs) if (p.valid_to is None if e else p.effective_date < REORGANISATION)
        ]
        # dossier volume by level: communes take most, districts existed only before the reform
        level_share = {0: (0.25, 0.30, 0.45), 1: (0.30, 0.0, 0.70)}[e]
        sel = np.flatnonzero(era == e)
        lv = _pick(rng, np.array(level_share), len(sel))
        for li, level in enumerate(("TINH", "HUYEN", "XA")):
            rows = sel[lv == li]
            if not len(rows):
                continue
            cands = [i for i in usable if level in procs[i].levels]
            w = np.array([procs[i].weight for i in cands])
            proc[rows] = np.array(cands)[_pick(rng, w, len(rows))]
            for p in range(len(world.provinces)):
                prow = rows[wp[rows] == p]
                if not len(prow):
                    continue
                mask = (world.unit_world_province == p) & (world.unit_era == e)
                if level == "TINH":
                    # the department handling the field, in one of the province's (old) provinces
                    xs = sorted({int(x) for x in world.unit_export[mask]})
                    xw = np.array([np.sum(mask & (world.unit_export == x)) for x in xs], dtype=float)
                    x_of = np.array(xs)[_pick(rng, xw, len(prow))]
                    for j, r in enumerate(prow):
                        dept = FIELDS[procs[proc[r]].field][1 + e]
                        unit[r] = world.agency[(world.exports[x_of[j]].code, e, dept)]
                else:
                    cands_u = np.flatnonzero(mask & (world.unit_level == li))
                    unit[prow] = cands_u[_pick(rng, world.unit_weight[cands_u], len(prow))]
    return unit, proc


def simulate(
    world: World,
    recv_day: np.ndarray,
    wp: np.ndarray,
    first_id: int,
    rng,
    *,
    start_day: int,
    world_end: int,
    pool_sizes: list[int],
    many_changes_rate: float,
    plan_end: int | None = None,
) -> Dossiers:
    n = len(recv_day)
    procs = world.procedures
    unit, proc = _choose_units_and_procedures(world, rng, recv_day, wp)
    field = np.array([FIELD_CODES.index(p.field) for p in procs], dtype=np.int8)[proc]
    pdays = np.array([p.processing_days for p in procs], dtype=np.int64)[proc]
    olevel = np.array([ONLINE_LEVELS.index(p.online_level) for p in procs], dtype=np.int8)[proc]
    fee = np.array([p.fee for p in procs], dtype=np.int64)[proc]
    # progress through the world, 0..1: online use, payment and digitisation rise over time
    # (over the planned range, so a world stopped early is a prefix of the longer one)
    plan_end = world_end if plan_end is None else plan_end
    t = np.clip((recv_day - start_day) / max(1, plan_end - start_day), 0, 1)

    p_online = np.select([olevel == 0, olevel == 1], [0.35 + 0.45 * t, 0.15 + 0.40 * t], 0.0)
    u = rng.random(n)
    channel = np.where(u < p_online, 2, np.where(rng.random(n) < 0.04, 3, 1)).astype(np.int8)
    online = channel == 2

    outcome = np.full(n, FINISHED, dtype=np.int8)
    u = rng.random(n)
    outcome[online & (u < 0.02)] = REGISTERED
    outcome[(outcome == FINISHED) & (rng.random(n) < 0.012)] = REFUSED
    received = (outcome != REGISTERED) & (outcome != REFUSED)

    ts = np.full((n, N_SLOTS), -1, dtype=np.int64)
    recv_ts = recv_day * DAY + _office_time(rng, n)
    submit_ts = np.where(
        online, recv_ts - rng.integers(600, 2 * DAY, size=n), recv_ts - rng.integers(60, 900, size=n)
    )
    # a registration that was never received is a row of its own, on the day it was drawn
    submit_ts = np.where(outcome == REGISTERED, recv_ts, submit_ts)
    ts[:, SUBMIT] = np.where(outcome == REGISTERED, recv_ts, -1)
    ts[:, RECEIVE] = np.where(outcome != REGISTERED, recv_ts, -1)
    show_receipt = ~((outcome == REFUSED) & (rng.random(n) < 0.6))
    ts[:, PROCESS] = np.where(
        received & (rng.random(n) < 0.3), recv_ts + rng.integers(300, 3 * 3600, size=n), -1
    )

    has_due = pdays > 0
    due0_day = np.where(has_due, cal.add(recv_day, np.maximum(pdays, 1)), -1)

    # supplement requests stop the clock; the due date moves by the working days waited
    sup_rate = np.array([FIELDS[f][3] for f in FIELD_CODES])[field]
    req1 = received & (pdays >= 2) & (rng.random(n) < sup_rate)
    req1_day = np.where(req1, cal.add(recv_day, rng.integers(1, np.maximum(pdays, 2))), -1)
    sup1 = req1 & (rng.random(n) < 0.85)
    w1 = rng.integers(1, 11, size=n)
    sup1_day = np.where(sup1, cal.add(np.where(req1, req1_day, recv_day), w1), -1)
    due1_new = np.where(sup1, cal.add(np.where(has_due, due0_day, recv_day), w1), -1)
    req2 = sup1 & (rng.random(n) < 0.2)
    req2_day = np.where(req2, cal.add(np.where(sup1, sup1_day, recv_day), rng.integers(1, 4, size=n)), -1)
    sup2 = req2 & (rng.random(n) < 0.85)
    w2 = rng.integers(1, 8, size=n)
    sup2_day = np.where(sup2, cal.add(np.where(req2, req2_day, recv_day), w2), -1)
    due2_new = np.where(sup2, cal.add(np.where(sup1, due1_new, recv_day), w2), -1)
    for slot, day in ((REQ1, req1_day), (SUP1, sup1_day), (REQ2, req2_day), (SUP2, sup2_day)):
        ts[:, slot] = np.where(day >= 0, day * DAY + _office_time(rng, n), -1)
    eff_due = np.where(sup2, due2_new, np.where(sup1, due1_new, due0_day))
    waiting = (req1 & ~sup1) | (req2 & ~sup2)
    last_day = np.maximum.reduce([recv_day, sup1_day, sup2_day])

    # endings: withdrawn, stopped, left waiting for documents, or finished early / on time / late
    u = rng.random(n)
    outcome[received & waiting] = WAITING
    outcome[received & waiting & (u < 0.4)] = WITHDRAWN
    u2 = rng.random(n)
    normal = received & ~waiting
    outcome[normal & (u2 < 0.008)] = WITHDRAWN
    outcome[normal & (u2 >= 0.008) & (u2 < 0.014)] = STOPPED
    wait_from = np.maximum(req1_day, req2_day)
    quit_day = np.where(
        waiting,
        cal.add(np.where(waiting, wait_from, recv_day), rng.integers(10, 31, size=n)),
        cal.add(last_day, rng.integers(1, np.maximum(pdays, 2) + 1)),
    )
    late_base = np.array([0.10, 0.02, 0.22, 0.06, 0.18, 0.12, 0.05, 0.08, 0.15, 0.09])[field]
    p_late = late_base * (1.2 - 0.7 * t)
    u3 = rng.random(n)
    cls = np.where(u3 < p_late, 2, np.where(u3 < p_late + 0.45, 0, 1))  # 0 early, 1 on time, 2 late
    due_or_recv = np.where(has_due, eff_due, recv_day)
    early_day = cal.add(due_or_recv, -rng.integers(1, np.clip(pdays, 1, 5) + 1))
    late_day = cal.add(due_or_recv, rng.integers(1, 13, size=n))
    finish_day = np.select([cls == 0, cls == 1], [early_day, due_or_recv], late_day)
    finish_day = np.where(has_due, np.maximum(finish_day, last_day), recv_day)
    end_day = np.where((outcome == WITHDRAWN) | (outcome == STOPPED), quit_day, finish_day)
    ends = (outcome == FINISHED) | (outcome == WITHDRAWN) | (outcome == STOPPED)
    ts[:, END] = np.where(ends, end_day * DAY + _office_time(rng, n, 8.0, 17.0), -1)
    ret_k = rng.integers(0, 4, size=n)
    ret_day = np.where(ret_k == 0, end_day, cal.add(end_day, np.maximum(ret_k, 1)))
    returned = (outcome == FINISHED) & (rng.random(n) < 0.92)
    ts[:, RETURN] = np.where(returned, ret_day * DAY + _office_time(rng, n, 8.0, 17.0), -1)

    # strictly increasing timestamps within a dossier (same-day events keep their order)
    last = np.full(n, -1, dtype=np.int64)
    for s in range(N_SLOTS):
        col = ts[:, s]
        present = col >= 0
        col = np.where(present & (col <= last), last + 60, col)
        ts[:, s] = col
        last = np.where(present, col, last)

    # the world stops on its last day: later events never happened
    ts[ts >= (world_end + 1) * DAY] = -1
    due_before = np.stack(
        [np.where(ts[:, REQ1] >= 0, due0_day, -1), np.where(ts[:, REQ2] >= 0, due1_new, -1)], 1
    )
    due_new = np.stack(
        [np.where(ts[:, SUP1] >= 0, due1_new, -1), np.where(ts[:, SUP2] >= 0, due2_new, -1)], 1
    )
    for arr in (due_before, due_new):
        arr[arr >= 0] = arr[arr >= 0] * DAY + 16 * 3600 + 30 * 60
    due0 = np.where(has_due & (ts[:, RECEIVE] >= 0), due0_day * DAY + 16 * 3600 + 30 * 60, -1)

    paid_p = np.where(online, 0.30 + 0.45 * t, 0.03)
    paid = np.where(
        received & (ts[:, RECEIVE] >= 0) & (fee > 0) & (rng.random(n) < paid_p),
        np.where(rng.random(n) < 0.7, 1, 2),
        0,
    )
    digitised = (received & (rng.random(n) < np.where(online, 0.45, 0.25) + 0.45 * t)).astype(np.int8)
    eresult = (rng.random(n) < 0.2 + 0.5 * t).astype(np.int8)  # shown once the dossier is finished
    vneid = (rng.random(n) < np.where(online, 0.5 + 0.45 * t, 0.1 + 0.3 * t)).astype(np.int8)
    synced = (outcome != REGISTERED) & (rng.random(n) < 0.96)
    long_lived = (ts[:, END] < 0) | (ts[:, END] - ts[:, RECEIVE] > 6 * DAY)
    many = (
        received
        & (ts[:, RECEIVE] >= 0)
        & long_lived
        & (ts[:, REQ1] < 0)
        & (rng.random(n) < many_changes_rate)
    )
    person = (
        np.array([rng.integers(0, pool_sizes[p]) for p in wp], dtype=np.int64) if n else np.zeros(0, np.int64)
    )

    did = np.arange(first_id, first_id + n, dtype=np.int64)
    code = _codes(world, unit, recv_day, did)
    # drawn from the dossier id, not from rng: adding these flags left every older draw as it was
    reused = (received & (id_uniform(did, 1) < 0.15 + 0.5 * t)).astype(np.int8)
    pdstore = (received & (id_uniform(did, 2) < 0.02 + 0.1 * t)).astype(np.int8)
    popdata = (received & (id_uniform(did, 3) < np.where(online, 0.4 + 0.4 * t, 0.2 + 0.3 * t))).astype(
        np.int8
    )
    return Dossiers(
        did=did,
        unit=unit,
        proc=proc,
        field=field,
        channel=channel,
        olevel=olevel,
        fee=fee,
        person=person,
        wp=wp.astype(np.int32),
        submit=submit_ts,
        outcome=outcome,
        show_receipt=show_receipt,
        ts=ts,
        due0=due0,
        due_new=due_new,
        due_before=due_before,
        paid=paid.astype(np.int8),
        digitised=digitised,
        eresult=eresult,
        vneid=vneid,
        synced=synced,
        reused=reused,
        pdstore=pdstore,
        popdata=popdata,
        many_changes=many,
        code=code,
    )


def _codes(world: World, unit: np.ndarray, recv_day: np.ndarray, did: np.ndarray) -> np.ndarray:
    """MaHoSo: the receiving unit's code, the receipt date (yymmdd) and a per-unit-day sequence."""
    order = np.lexsort((did, recv_day, unit))
    key = unit[order] * 100000 + (recv_day[order] - 18000)
    starts = np.r_[True, key[1:] != key[:-1]]
    group_start = np.maximum.accumulate(np.where(starts, np.arange(len(key)), 0))
    seq = np.empty(len(key), dtype=np.int64)
    seq[order] = np.arange(len(key)) - group_start + 1
    if not hasattr(world, "_code_prefix"):
        world._code_prefix = [
            (u.unit_code if u.unit_kind == "agency" else f"{u.unit_code}.H{u.province_code}") + "-"
            for u in world.units
        ]
    prefix = world._code_prefix
    yymmdd = {d: cal.day_date(d).strftime("%y%m%d") + "-" for d in np.unique(recv_day).tolist()}
    out = np.empty(len(unit), dtype=object)
    out[:] = [
        prefix[u] + yymmdd[d] + f"{s:04d}"
        for u, d, s in zip(unit.tolist(), recv_day.tolist(), seq.tolist(), strict=True)
    ]
    return out
