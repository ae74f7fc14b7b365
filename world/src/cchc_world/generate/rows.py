"""From simulated dossiers to export rows: one hoso row per change, one bosung row per change of a
supplement request. Each row carries what the source system showed at that moment."""

from __future__ import annotations

import numpy as np

from cchc_world.generate import calendar_arrays as cal
from cchc_world.generate.lifecycle import (
    DAY,
    END,
    FINISHED,
    N_SLOTS,
    PROCESS,
    RECEIVE,
    REFORM_DAY,
    REFUSED,
    REQ1,
    REQ2,
    RETURN,
    SLOT_STATUS,
    STOPPED,
    SUP1,
    SUP2,
    WITHDRAWN,
    Dossiers,
)
from cchc_world.generate.world import World

Rows = dict[str, np.ndarray]


def _export_of(world: World, unit: np.ndarray, wp: np.ndarray, bday: np.ndarray) -> np.ndarray:
    """The export a change lands in: the unit's own province before the reform, the province that
    holds it today from 2025-07-01 (same MaHoSo, old MaDonVi)."""
    current = np.array([world.current_export(p) for p in range(len(world.provinces))], dtype=np.int32)
    return np.where(bday < REFORM_DAY, world.unit_export[unit], current[wp]).astype(np.int32)


def hoso_rows(world: World, d: Dossiers, world_end: int) -> Rows:
    n = len(d)
    di_parts, slot_parts, ts_parts = [], [], []
    for s in range(N_SLOTS):
        idx = np.flatnonzero(d.ts[:, s] >= 0)
        di_parts.append(idx)
        slot_parts.append(np.full(len(idx), s, dtype=np.int8))
        ts_parts.append(d.ts[idx, s])
    # field mess: a dossier touched on many working days while in process
    many = np.flatnonzero(d.many_changes)
    if len(many):
        recv_day = d.ts[many, RECEIVE] // DAY
        stop = np.where(d.ts[many, END] >= 0, d.ts[many, END], (world_end + 1) * DAY)
        for k in range(1, 16):
            day = cal.add(recv_day, k)
            t = day * DAY + 10 * 3600 + k
            ok = t < stop - 60
            di_parts.append(many[ok])
            slot_parts.append(np.full(int(ok.sum()), PROCESS, dtype=np.int8))
            ts_parts.append(t[ok])
    di = np.concatenate(di_parts) if n else np.zeros(0, np.int64)
    slot = np.concatenate(slot_parts) if n else np.zeros(0, np.int8)
    upd = np.concatenate(ts_parts) if n else np.zeros(0, np.int64)

    outcome = d.outcome[di]
    status = SLOT_STATUS[slot].copy()
    status[(slot == RECEIVE) & (outcome == REFUSED)] = 3
    status[(slot == END) & (outcome == WITHDRAWN)] = 7
    status[(slot == END) & (outcome == STOPPED)] = 8
    after_receipt = slot >= RECEIVE
    refused = outcome == REFUSED
    end_ts, ret_ts, recv_ts = d.ts[di, END], d.ts[di, RETURN], d.ts[di, RECEIVE]
    finished = outcome == FINISHED
    quit_ = (outcome == WITHDRAWN) | (outcome == STOPPED)
    unit, wp = d.unit[di], d.wp[di]
    bday = (upd // DAY).astype(np.int64)
    return {
        "did": d.did[di],
        "code": d.code[di],
        "unit": unit,
        "proc": d.proc[di],
        "channel": d.channel[di],
        "olevel": d.olevel[di],
        "fee": d.fee[di],
        "person": d.person[di],
        "wp": wp,
        "status": status,
        "submit": d.submit[di],
        "recv": np.where(after_receipt & d.show_receipt[di], recv_ts, -1),
        "due": np.where(after_receipt & ~refused, d.due0[di], -1),
        "kxl": np.where(finished & (slot >= END), end_ts, -1),
        "tra": np.where(slot >= RETURN, ret_ts, -1),
        "tuchoi": np.where(refused, recv_ts, np.where(quit_ & (slot >= END), end_ts, -1)),
        "paid": np.where(after_receipt, d.paid[di], 0).astype(np.int8),
        "digitised": d.digitised[di],
        "eresult": np.where(finished & (slot >= END), d.eresult[di], 0).astype(np.int8),
        "vneid": d.vneid[di],
        "reused": d.reused[di],
        "pdstore": d.pdstore[di],
        "popdata": d.popdata[di],
        "upd": upd,
        "bday": bday,
        "xprov": _export_of(world, unit, wp, bday),
    }


def bosung_rows(world: World, d: Dossiers) -> Rows:
    parts = []
    for lan, (req, sup) in enumerate(((REQ1, SUP1), (REQ2, SUP2))):
        asked = np.flatnonzero(d.ts[:, req] >= 0)
        supplied = np.flatnonzero(d.ts[:, sup] >= 0)
        for idx, is_supply in ((asked, False), (supplied, True)):
            parts.append(
                {
                    "di": idx,
                    "lan": np.full(len(idx), lan + 1, dtype=np.int8),
                    "req": d.ts[idx, req],
                    "sup": d.ts[idx, sup] if is_supply else np.full(len(idx), -1, dtype=np.int64),
                    "before": d.due_before[idx, lan],
                    "new": d.due_new[idx, lan] if is_supply else np.full(len(idx), -1, dtype=np.int64),
                    "upd": d.ts[idx, sup if is_supply else req],
                }
            )
    out = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    di = out.pop("di")
    out["did"] = d.did[di]
    out["code"] = d.code[di]
    out["bday"] = (out["upd"] // DAY).astype(np.int64)
    out["xprov"] = _export_of(world, d.unit[di], d.wp[di], out["bday"])
    return out
