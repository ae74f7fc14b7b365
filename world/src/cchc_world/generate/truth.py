"""What the generator intended, from its own decisions (never from the warehouse's SQL).

Written under `DIR/truth/`:
- `dossiers.csv`: one row per exported dossier, its state on the world's last day, classified by
  the KPI dictionary of docs/KPIS.md (fct_dossier's column names).
- `timeliness_monthly.csv` (unit × field × month), `online_service_monthly.csv`,
  `online_payment_monthly.csv`, `digitisation_monthly.csv`, `satisfaction_monthly.csv`
  (unit × month): the marts' column names, units as `unit_code` + `unit_valid_from` (+ `unit_key`).
  Only rows with a non-zero count; units that deliver only Biểu 06 are not in them.
- `bieu06_reports.csv`: every report's intended figures and what was printed.
- `mess.jsonl`: every piece of field mess injected and what the warehouse should do with it.
- `personal_values.txt`: every applicant name, ID number and phone the exports can contain.

Counting rules (docs/KPIS.md, applied literally): received = NgayTiepNhan's date, statuses 1 and 3
never count; end = first of NgayKetThucXuLy / NgayTra / NgayTuChoi (withdrawn 7 and stopped 8 end
at NgayTuChoi and count as resolved, classified against their due date like any other); effective
due = NgayHenTraMoi of the latest supplement request that has one, else NgayHenTra; unit = MaDonVi
as of the received date. Petitions count in the month of their due date (`dueAt`), on time when
resolved on or before it; ratings in the month of `ratedAt`, satisfied = RAT_HAI_LONG or HAI_LONG,
attributed to the rated dossier's unit. Months run from the world's start month to its end month;
dossier states are as of the world's last day.

Index style (Decision 766, TDGQ; `index_handled`, `index_timely`, `index_timely_ratio` of
timeliness_monthly): a dossier's clock stops at its single supplement request while the applicant
has not answered it (even if the dossier ended later), else at its end; its index due date is
NgayHenTra moved later by the working days the applicant took on each answered request. It is
handled in every month from its received month to the month its clock stopped (or the last month);
timely in the month its clock stopped when it had at most one request and stopped on or before the
index due date (or has none), and in an earlier month when it had at most one request and the index
due date is on or after that month's last day (or there is none). Request counts and due dates are as
of the world's last day, like the report style's.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from cchc.report_measures import REPORT_MEASURES
from cchc_world.generate import calendar_arrays as cal
from cchc_world.generate.lifecycle import (
    DAY,
    END,
    FINISHED,
    ONLINE_LEVELS,
    RECEIVE,
    REFUSED,
    REGISTERED,
    REQ1,
    REQ2,
    SLOT_STATUS,
    STOPPED,
    SUP1,
    SUP2,
    WITHDRAWN,
    Dossiers,
)
from cchc_world.generate.procedures import FIELD_CODES, FIELDS
from cchc_world.generate.world import World

TIMELINESS = (
    "received_online",
    "received_direct_postal",
    "carried_over",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "in_progress_within",
    "in_progress_overdue",
)
# index style: handled and timely-while-running over month ranges, timely-at-stop in one month
INDEX = ("index_handled", "index_timely_running", "index_timely_stopped", "index_stopped")
UNIT_MONTH = (
    "received",
    "received_online",
    "eligible",
    "eligible_online",
    "full",
    "full_online",
    "fee_dossiers",
    "paid_online_dossiers",
    "digitised",
    "electronic_result",
    "vneid",
    "synced",
    "synced_accepted",
    "reused",
    "personal_store",
    "population_data",
    "petitions_due",
    "petitions_on_time",
    "petitions_well_handled",
    "ratings_total",
    "ratings_satisfied",
)
CHANNELS = {1: "direct", 2: "online", 3: "postal"}
DOSSIER_COLUMNS = (
    "dossier_code",
    "province_code_current",
    "unit_code",
    "unit_valid_from",
    "unit_key",
    "procedure_code",
    "field_code",
    "channel",
    "online_level",
    "received_date",
    "due_date",
    "ended_date",
    "status_code",
    "timeliness",
    "supplement_count",
    "is_paid_online",
    "fee_vnd",
    "has_digitised_components",
    "has_electronic_result",
    "is_vneid_verified",
    "is_synced_to_portal",
)


def portal_rejects_sync(did: np.ndarray) -> np.ndarray:
    """Dossiers the province synchronised but the portal's evaluation did not accept (1%): the
    one input where the portal's published figures knowingly differ from the province's records."""
    from cchc_world.generate.lifecycle import id_uniform

    return id_uniform(did, 21) < 0.01


def _month_index(days: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Index of each day's month in `months` (first days of months, as day numbers)."""
    return np.searchsorted(months, days, side="right") - 1


@dataclass
class DossierTruth:
    """The classification of a batch of dossiers, as arrays."""

    received: np.ndarray
    recv_day: np.ndarray
    end_day: np.ndarray  # -1: not ended by the world's last day
    due_day: np.ndarray  # effective, -1: none
    status: np.ndarray
    supplements: np.ndarray
    index_end_day: np.ndarray  # the index clock's stop, -1: still running on the world's last day
    index_due_day: np.ndarray  # -1: none
    index_timely_at_end: np.ndarray  # bool: early or on time when the clock stopped


def _index_clock(d: Dossiers, received: np.ndarray, end_day: np.ndarray, supplements: np.ndarray):
    """Decision 766's clock from the lifecycle's own events: where it stops, the due date it is held to
    (the applicant's working days added back) and whether the stop was in time."""
    req1, sup1 = d.ts[:, REQ1] // DAY, d.ts[:, SUP1] // DAY
    req2, sup2 = d.ts[:, REQ2] // DAY, d.ts[:, SUP2] // DAY
    waiting_once = (supplements == 1) & (d.ts[:, SUP1] < 0)
    index_end = np.where(received, np.where(waiting_once, req1, end_day), -1)
    paused = np.zeros(len(d), dtype=np.int64)
    for req, sup, answered in ((req1, sup1, d.ts[:, SUP1] >= 0), (req2, sup2, d.ts[:, SUP2] >= 0)):
        if answered.any():
            paused[answered] += cal.between(req[answered], sup[answered])
    due0 = np.where(d.due0 >= 0, d.due0 // DAY, -1)
    moved = (due0 >= 0) & (paused > 0)
    index_due = due0.copy()
    if moved.any():
        index_due[moved] = cal.add(due0[moved], paused[moved])
    timely = (supplements <= 1) & ((index_due < 0) | (index_end <= index_due)) & (index_end >= 0)
    return index_end, index_due, timely


def classify(d: Dossiers) -> DossierTruth:
    received = (d.ts[:, RECEIVE] >= 0) & (d.outcome != REFUSED) & (d.outcome != REGISTERED)
    recv_day = np.where(received, d.ts[:, RECEIVE] // DAY, -1)
    end_day = np.where(received & (d.ts[:, END] >= 0), d.ts[:, END] // DAY, -1)
    due = np.where(
        d.due_new[:, 1] >= 0, d.due_new[:, 1], np.where(d.due_new[:, 0] >= 0, d.due_new[:, 0], d.due0)
    )
    due_day = np.where(due >= 0, due // DAY, -1)
    last_slot = np.where(d.ts >= 0, np.arange(d.ts.shape[1]), -1).max(axis=1)
    status = SLOT_STATUS[last_slot].copy()
    status[d.outcome == REFUSED] = 3
    ended_quit = (last_slot == END) & ((d.outcome == WITHDRAWN) | (d.outcome == STOPPED))
    status[ended_quit & (d.outcome == WITHDRAWN)] = 7
    status[ended_quit & (d.outcome == STOPPED)] = 8
    supplements = (d.ts[:, REQ1] >= 0).astype(np.int64) + (d.ts[:, REQ2] >= 0)
    index = _index_clock(d, received, end_day, supplements)
    return DossierTruth(received, recv_day, end_day, due_day, status, supplements, *index)


class Accumulator:
    """Monthly counts on dense (unit, field, month) grids; ranges via difference arrays."""

    def __init__(self, world: World, start: date, end: date):
        self.world = world
        self.start, self.end = start, end
        self.end_day = cal.day_number(end)
        months = []
        y, m = start.year, start.month
        while (y, m) <= (end.year, end.month):
            months.append(date(y, m, 1))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        self.months = months
        self.month_days = np.array([cal.day_number(x) for x in months], dtype=np.int64)
        last = [
            *self.month_days[1:].tolist(),
            cal.day_number(date(end.year + (end.month == 12), end.month % 12 + 1, 1)),
        ]
        self.month_last_day = np.array(last, dtype=np.int64) - 1
        self.nm = len(months)
        nu, nf = world.n_units, len(FIELD_CODES)
        self.shape3 = (nu, nf, self.nm + 1)
        self.t = {k: np.zeros(self.shape3, dtype=np.int64) for k in TIMELINESS}
        self.ix = {k: np.zeros(self.shape3, dtype=np.int64) for k in INDEX}
        self.um = {k: np.zeros((nu, self.nm + 1), dtype=np.int64) for k in UNIT_MONTH}
        # (unit, procedure, received month) of received dossiers, and of those received online and
        # paid online: the procedure-count sub-indicators of Decision 766 count distinct procedures
        self.n_procs = len(world.procedures)
        self._proc_keys: dict[str, list[np.ndarray]] = {"any": [], "online": [], "paid": []}

    def _add3(self, key: str, unit, field, month, weight=1):
        flat = (unit * self.shape3[1] + field) * self.shape3[2] + month
        grid = self.t[key] if key in self.t else self.ix[key]
        np.add.at(grid.reshape(-1), flat, weight)

    def _add2(self, key: str, unit, month, weight=1):
        flat = unit * (self.nm + 1) + month
        np.add.at(self.um[key].reshape(-1), flat, weight)

    def add_dossiers(self, d: Dossiers, tr: DossierTruth) -> None:
        r = tr.received
        unit, field = d.unit[r].astype(np.int64), d.field[r].astype(np.int64)
        mr = _month_index(tr.recv_day[r], self.month_days)
        ended = tr.end_day[r] >= 0
        me = np.where(ended, _month_index(np.where(ended, tr.end_day[r], 0), self.month_days), self.nm)
        online = d.channel[r] == 2
        self._add3("received_online", unit[online], field[online], mr[online])
        self._add3("received_direct_postal", unit[~online], field[~online], mr[~online])
        # carried over into months mr+1 .. me (inclusive), capped at the last month
        lo, hi = mr + 1, np.minimum(me, self.nm - 1) + 1
        ok = lo < hi
        self._add3("carried_over", unit[ok], field[ok], lo[ok])
        self._add3("carried_over", unit[ok], field[ok], hi[ok], -1)
        due = tr.due_day[r]
        end = tr.end_day[r]
        cls = np.where(due < 0, 1, np.where(end < due, 0, np.where(end == due, 1, 2)))
        for k, key in enumerate(("resolved_early", "resolved_on_time", "resolved_late")):
            sel = ended & (cls == k)
            self._add3(key, unit[sel], field[sel], me[sel])
        # in progress at the end of months mr .. me-1; within while the month's last day <= due
        within_hi = np.where(
            due < 0, me, np.minimum(me, np.searchsorted(self.month_last_day, due, side="right"))
        )
        within_hi = np.maximum(within_hi, mr)
        ok = mr < within_hi
        self._add3("in_progress_within", unit[ok], field[ok], mr[ok])
        self._add3("in_progress_within", unit[ok], field[ok], within_hi[ok], -1)
        ok = within_hi < me
        self._add3("in_progress_overdue", unit[ok], field[ok], within_hi[ok])
        self._add3("in_progress_overdue", unit[ok], field[ok], me[ok], -1)
        self._add_index(unit, field, mr, tr.index_end_day[r], tr.index_due_day[r],
                        tr.supplements[r], tr.index_timely_at_end[r])  # fmt: skip

        lvl = d.olevel[r]
        self._add2("received", unit, mr)
        self._add2("received_online", unit[online], mr[online])
        elig = lvl <= 1
        self._add2("eligible", unit[elig], mr[elig])
        self._add2("eligible_online", unit[elig & online], mr[elig & online])
        full = lvl == 0
        self._add2("full", unit[full], mr[full])
        self._add2("full_online", unit[full & online], mr[full & online])
        fee = d.fee[r] > 0
        self._add2("fee_dossiers", unit[fee], mr[fee])
        paid = fee & (d.paid[r] > 0)
        self._add2("paid_online_dossiers", unit[paid], mr[paid])
        dig = d.digitised[r] > 0
        self._add2("digitised", unit[dig], mr[dig])
        vn = d.vneid[r] > 0
        self._add2("vneid", unit[vn], mr[vn])
        er = ended & (d.eresult[r] > 0) & (d.outcome[r] == FINISHED)
        self._add2("electronic_result", unit[er], me[er])
        synced = d.synced[r]
        self._add2("synced", unit[synced], mr[synced])
        accepted = synced & ~portal_rejects_sync(d.did[r])
        self._add2("synced_accepted", unit[accepted], mr[accepted])
        for key, flags in (
            ("reused", d.reused),
            ("personal_store", d.pdstore),
            ("population_data", d.popdata),
        ):
            on = flags[r] > 0
            self._add2(key, unit[on], mr[on])
        pkey = (unit * self.n_procs + d.proc[r].astype(np.int64)) * (self.nm + 1) + mr
        self._proc_keys["any"].append(np.unique(pkey))
        self._proc_keys["online"].append(np.unique(pkey[online]))
        self._proc_keys["paid"].append(np.unique(pkey[paid]))

    def _add_index(self, unit, field, mr, stop, due, supplements, timely_at_stop) -> None:
        stopped = stop >= 0
        ms = np.where(stopped, _month_index(np.where(stopped, stop, 0), self.month_days), self.nm)
        # handled from the received month to the stop month (both counted), or to the last month
        hi = np.minimum(ms, self.nm - 1) + 1
        self._add3("index_handled", unit, field, mr)
        self._add3("index_handled", unit, field, hi, -1)
        # running at the end of months mr .. ms-1: timely while the index due date is not past
        run_hi = np.where(
            due < 0, ms, np.minimum(ms, np.searchsorted(self.month_last_day, due, side="right"))
        )
        ok = (supplements <= 1) & (mr < run_hi)
        self._add3("index_timely_running", unit[ok], field[ok], mr[ok])
        self._add3("index_timely_running", unit[ok], field[ok], run_hi[ok], -1)
        ok = stopped & timely_at_stop
        self._add3("index_timely_stopped", unit[ok], field[ok], ms[ok])
        self._add3("index_stopped", unit[stopped], field[stopped], ms[stopped])

    def add_petitions(
        self, unit: np.ndarray, due_day: np.ndarray, on_time: np.ndarray, well_handled: np.ndarray
    ) -> None:
        ok = due_day <= self.end_day  # due by the world's last day (the marts' as-of date)
        m = _month_index(due_day[ok], self.month_days)
        self._add2("petitions_due", unit[ok], m)
        self._add2("petitions_on_time", unit[ok][on_time[ok]], m[on_time[ok]])
        self._add2("petitions_well_handled", unit[ok][well_handled[ok]], m[well_handled[ok]])

    def add_ratings(self, unit: np.ndarray, day: np.ndarray, satisfied: np.ndarray) -> None:
        m = _month_index(day, self.month_days)
        self._add2("ratings_total", unit, m)
        self._add2("ratings_satisfied", unit[satisfied], m[satisfied])

    def procedure_use(self) -> dict[str, np.ndarray]:
        """kind -> bool (unit, procedure, month): a dossier of that procedure was received by the
        unit in the month (any), received online (online), paid online (paid)."""
        out = {}
        for kind, parts in self._proc_keys.items():
            grid = np.zeros(self.um["received"].shape[0] * self.n_procs * (self.nm + 1), dtype=bool)
            if parts:
                grid[np.concatenate(parts)] = True
            out[kind] = grid.reshape(-1, self.n_procs, self.nm + 1)[:, :, : self.nm]
        return out

    # -- finished grids ------------------------------------------------------------------
    def index_stops(self) -> dict[str, np.ndarray]:
        """Per (unit, field, month): dossiers whose index clock stopped in the month, and of those
        the timely ones (a year-to-date evaluation judges a dossier at its stop)."""
        return {k: self.ix[k][:, :, : self.nm].copy() for k in ("index_stopped", "index_timely_stopped")}

    def timeliness(self) -> dict[str, np.ndarray]:
        out = {k: v[:, :, : self.nm].copy() for k, v in self.t.items()}
        for k in ("carried_over", "in_progress_within", "in_progress_overdue"):
            out[k] = np.cumsum(self.t[k], axis=2)[:, :, : self.nm]
        return out

    def index(self) -> dict[str, np.ndarray]:
        handled = np.cumsum(self.ix["index_handled"], axis=2)[:, :, : self.nm]
        running = np.cumsum(self.ix["index_timely_running"], axis=2)[:, :, : self.nm]
        return {
            "index_handled": handled,
            "index_timely": running + self.ix["index_timely_stopped"][:, :, : self.nm],
        }

    def unit_month(self) -> dict[str, np.ndarray]:
        out = {k: v[:, : self.nm] for k, v in self.um.items()}
        t = self.timeliness()
        out["resolved"] = (t["resolved_early"] + t["resolved_on_time"] + t["resolved_late"]).sum(axis=1)
        return out


def _rate(num: int, den: int) -> str:
    return "" if den == 0 else f"{num / den:.6f}"


def _unit_cols(u) -> list[str]:
    return [u.unit_code, u.valid_from.isoformat(), u.unit_key, u.province_code_current]


def write_monthly(acc: Accumulator, truth_dir: Path) -> dict[str, int]:
    world = acc.world
    t = acc.timeliness()
    ix = acc.index()
    counts: dict[str, int] = {}
    unit_head = ["unit_code", "unit_valid_from", "unit_key", "province_code_current"]
    with (truth_dir / "timeliness_monthly.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(
            [
                "month_start",
                *unit_head,
                "field_code",
                *REPORT_MEASURES,
                "on_time_rate",
                "index_handled",
                "index_timely",
                "index_timely_ratio",
            ]
        )
        n = 0
        nz = np.argwhere(sum(np.abs(v) for v in t.values()) > 0)
        for ui, fi, mi in sorted(map(tuple, nz), key=lambda x: (x[2], x[0], x[1])):
            if world.report_only[ui]:
                continue
            v = {k: int(t[k][ui, fi, mi]) for k in TIMELINESS}
            rec = v["received_online"] + v["received_direct_postal"] + v["carried_over"]
            res = v["resolved_early"] + v["resolved_on_time"] + v["resolved_late"]
            ip = v["in_progress_within"] + v["in_progress_overdue"]
            handled, timely = int(ix["index_handled"][ui, fi, mi]), int(ix["index_timely"][ui, fi, mi])
            w.writerow(
                [
                    acc.months[mi].isoformat(),
                    *_unit_cols(world.units[ui]),
                    FIELD_CODES[fi],
                    rec,
                    v["received_online"],
                    v["received_direct_postal"],
                    v["carried_over"],
                    res,
                    v["resolved_early"],
                    v["resolved_on_time"],
                    v["resolved_late"],
                    ip,
                    v["in_progress_within"],
                    v["in_progress_overdue"],
                    _rate(v["resolved_early"] + v["resolved_on_time"], res),
                    handled,
                    timely,
                    _rate(timely, handled),
                ]
            )
            n += 1
        counts["timeliness_monthly"] = n
    um = acc.unit_month()
    specs = {
        "online_service_monthly": (
            ("received", "received_online", "eligible", "full"),
            lambda v: [
                v["received"],
                v["received_online"],
                _rate(v["received_online"], v["received"]),
                v["eligible"],
                v["eligible_online"],
                _rate(v["eligible_online"], v["eligible"]),
                v["full"],
                v["full_online"],
                _rate(v["full_online"], v["full"]),
            ],
            [
                "received_total",
                "received_online",
                "online_share",
                "eligible_total",
                "eligible_online",
                "online_share_eligible",
                "full_online_total",
                "full_online_received_online",
                "full_online_share",
            ],
        ),
        "online_payment_monthly": (
            ("fee_dossiers",),
            lambda v: [
                v["fee_dossiers"],
                v["paid_online_dossiers"],
                _rate(v["paid_online_dossiers"], v["fee_dossiers"]),
                "0.30",
                ""
                if not v["fee_dossiers"]
                else str(v["paid_online_dossiers"] >= 0.3 * v["fee_dossiers"]).lower(),
            ],
            ["fee_dossiers", "paid_online_dossiers", "online_payment_share", "target_share", "meets_target"],
        ),
        "digitisation_monthly": (
            ("received", "resolved"),
            lambda v: [
                v["received"],
                v["digitised"],
                _rate(v["digitised"], v["received"]),
                v["resolved"],
                v["electronic_result"],
                _rate(v["electronic_result"], v["resolved"]),
                v["vneid"],
                _rate(v["vneid"], v["received"]),
            ],
            [
                "received_total",
                "digitised_dossiers",
                "digitised_share",
                "resolved_total",
                "electronic_result_dossiers",
                "electronic_result_share",
                "vneid_dossiers",
                "vneid_share",
            ],
        ),
        "satisfaction_monthly": (
            ("petitions_due", "ratings_total"),
            lambda v: [
                v["petitions_due"],
                v["petitions_on_time"],
                _rate(v["petitions_on_time"], v["petitions_due"]),
                v["ratings_total"],
                v["ratings_satisfied"],
                _rate(v["ratings_satisfied"], v["ratings_total"]),
            ],
            [
                "petitions_due",
                "petitions_on_time",
                "petition_on_time_rate",
                "ratings_total",
                "ratings_satisfied",
                "satisfaction_rate",
            ],
        ),
    }
    for name, (keys, render, head) in specs.items():
        with (truth_dir / f"{name}.csv").open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(["month_start", *unit_head, *head])
            n = 0
            for mi in range(acc.nm):
                for ui in range(world.n_units):
                    if world.report_only[ui] or not any(um[k][ui, mi] for k in keys):
                        continue
                    v = {k: int(a[ui, mi]) for k, a in um.items()}
                    w.writerow([acc.months[mi].isoformat(), *_unit_cols(world.units[ui]), *render(v)])
                    n += 1
            counts[name] = n
    return counts


class DossierWriter:
    """Streams truth/dossiers.csv, one chunk at a time."""

    def __init__(self, path: Path, world: World, world_end: int):
        self.fh = path.open("w", newline="", encoding="utf-8")
        self.w = csv.writer(self.fh, lineterminator="\n")
        self.w.writerow(DOSSIER_COLUMNS)
        self.world = world
        self.world_end = world_end
        self.count = 0

    def add(self, d: Dossiers, tr: DossierTruth) -> None:
        from cchc_world.generate.formats import BASE_DAY, DATE_ISO

        w = self.world
        keep = ~w.report_only[d.unit]
        end_cls = np.where(
            tr.due_day < 0, 1, np.where(tr.end_day < tr.due_day, 0, np.where(tr.end_day == tr.due_day, 1, 2))
        )
        open_cls = np.where((tr.due_day < 0) | (tr.due_day >= self.world_end), 3, 4)
        cls = np.where(~tr.received, 5, np.where(tr.end_day >= 0, end_cls, open_cls))[keep]
        names = ("early", "on_time", "late", "in_progress_within", "in_progress_overdue", "")
        if not hasattr(self, "_unit_cells"):
            self._unit_cells = [
                f"{u.province_code_current},{u.unit_code},{u.valid_from.isoformat()},{u.unit_key}"
                for u in w.units
            ]
            self._proc_cells = [f"{p.code},{p.field}" for p in w.procedures]
        days = [*DATE_ISO, ""]

        def day(a):
            return [days[x] for x in np.where(a >= 0, a - BASE_DAY, -1)[keep].tolist()]

        status = tr.status[keep]
        eres = np.where(np.isin(status, (9, 10)), d.eresult[keep], 0)
        cols = [
            d.code[keep].tolist(),
            [self._unit_cells[u] for u in d.unit[keep].tolist()],
            [self._proc_cells[p] for p in d.proc[keep].tolist()],
            [CHANNELS[c] for c in d.channel[keep].tolist()],
            [ONLINE_LEVELS[v] for v in d.olevel[keep].tolist()],
            day(tr.recv_day),
            day(np.where(tr.received, tr.due_day, -1)),
            day(tr.end_day),
            [str(v) for v in status.tolist()],
            [names[c] for c in cls.tolist()],
            [str(v) for v in tr.supplements[keep].tolist()],
            ["true" if v else "false" for v in (d.paid[keep] > 0).tolist()],
            [str(v) for v in d.fee[keep].tolist()],
            [str(v) for v in d.digitised[keep].tolist()],
            [str(v) for v in eres.tolist()],
            [str(v) for v in d.vneid[keep].tolist()],
            ["true" if v else "false" for v in d.synced[keep].tolist()],
        ]
        self.fh.write("".join(",".join(r) + "\n" for r in zip(*cols, strict=True)))
        self.count += int(keep.sum())

    def close(self) -> None:
        self.fh.close()


# -- reading the truth back (tests, the demo) ----------------------------------------------------


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def load(world_dir: Path | str, table: str = "timeliness_monthly") -> list[dict[str, str]]:
    """Rows of one truth table (`timeliness_monthly`, `online_service_monthly`,
    `online_payment_monthly`, `digitisation_monthly`, `satisfaction_monthly`, `dossiers`,
    `bieu06_reports`) as dicts of strings, exactly as written."""
    return _read(Path(world_dir) / "truth" / f"{table}.csv")


def monthly(
    world_dir: Path | str, table: str, key: tuple[str, ...] | None = None
) -> dict[tuple, dict[str, str]]:
    """A monthly truth table keyed by (month_start, unit_key[, field_code])."""
    rows = load(world_dir, table)
    key = key or (
        ("month_start", "unit_key", "field_code")
        if table == "timeliness_monthly"
        else ("month_start", "unit_key")
    )
    return {tuple(r[k] for k in key): r for r in rows}


def mess(world_dir: Path | str) -> list[dict]:
    import json

    path = Path(world_dir) / "truth" / "mess.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def personal_values(world_dir: Path | str) -> list[str]:
    return (Path(world_dir) / "truth" / "personal_values.txt").read_text(encoding="utf-8").splitlines()


def field_name(code: str) -> str:
    return FIELDS[code][0]
