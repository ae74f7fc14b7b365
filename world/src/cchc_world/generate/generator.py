"""`generate(config)`: one seed -> one world (Source A files, portal files, truth, delivery log).

Dossiers are simulated in chunks of receipt days; their rows wait in a buffer until every
dossier that could still change on that day has been simulated (receipts are in day order), then
each province-day export is written and logged as a delivery. Memory follows the daily volume,
not the total.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np

from cchc.reports import bieu06_form as bieu06
from cchc_world.generate import calendar_arrays as cal
from cchc_world.generate import formats, mess, portal_records, published_index, rows, truth
from cchc_world.generate.deliveries import DeliveryLog, deliver_all
from cchc_world.generate.lifecycle import DAY, REFORM_DAY, id_uniform, simulate
from cchc_world.generate.people import ApplicantPool
from cchc_world.generate.procedures import FIELD_CODES, FIELDS
from cchc_world.generate.world import FORMATS, World, build, stable_int

GENERATOR_VERSION = "1"
OWNED = ("landing", "deliveries", "portal", "truth", "world.json", "deliveries.jsonl", "delivery_state")

PRESETS = {
    # the demo and tests: small, every kind of mess present
    "demo": {"dossiers": 20_000, "provinces": ("01", "11", "91")},
    # benchmarks: formats whose writers stream fast (XLSX writing is ~50x slower per row)
    "big": {"dossiers": 1_000_000, "provinces": ("01", "11", "91"), "formats": ("csv", "jsonl")},
}


@dataclass
class Config:
    out: Path
    seed: int = 42
    dossiers: int = 20_000
    start: date = date(2024, 1, 1)
    end: date = date(2026, 6, 30)
    provinces: tuple[str, ...] = ("01", "11", "91")
    mess_rate: float | None = None  # None: the default rate of each kind
    mess_overrides: dict[str, float] = field(default_factory=dict)
    formats: tuple[str, ...] = FORMATS
    chunk_days: int = 7
    pool_cap: int = 50_000
    deliver_all: bool = False
    # plan volumes and trends up to this later day but stop the world at `end`: the world is then
    # an exact prefix of the one generated with end=horizon (same files up to `end`), with its own
    # truth as of `end` (a one-day increment can be checked against both truths)
    horizon: date | None = None


class Buffer:
    """Rows of several streams waiting until their business day is complete."""

    def __init__(self):
        self.parts: dict[str, list[dict[str, np.ndarray]]] = {}

    def add(self, stream: str, part: dict[str, np.ndarray]) -> None:
        if len(part["bday"]):
            self.parts.setdefault(stream, []).append(part)

    def take(self, stream: str, last_day: int) -> dict[str, np.ndarray] | None:
        parts = self.parts.get(stream)
        if not parts:
            return None
        allrows = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
        ready = allrows["bday"] <= last_day
        rest = {k: v[~ready] for k, v in allrows.items()}
        self.parts[stream] = [rest] if len(rest["bday"]) else []
        out = {k: v[ready] for k, v in allrows.items()}
        order = np.lexsort((out["did"], out.get("upd", out.get("ts")), out["xprov"], out["bday"]))
        return {k: v[order] for k, v in out.items()}


def _slices(rowset: dict[str, np.ndarray] | None, day: int, xprov: int) -> dict[str, np.ndarray] | None:
    if rowset is None:
        return None
    key = rowset["bday"] * 1000 + rowset["xprov"]
    lo, hi = np.searchsorted(key, day * 1000 + xprov), np.searchsorted(key, day * 1000 + xprov, side="right")
    return {k: v[lo:hi] for k, v in rowset.items()} if hi > lo else None


def _prepare_out(out: Path) -> None:
    if out.exists() and any(out.iterdir()):
        if not (out / "world.json").exists():
            raise FileExistsError(f"{out} is not empty and holds no world.json: refusing to overwrite it")
        for name in OWNED:
            p = out / name
            if p.is_dir():
                shutil.rmtree(p)
            elif p.exists():
                p.unlink()
    out.mkdir(parents=True, exist_ok=True)
    (out / "truth").mkdir()
    (out / "portal").mkdir()


class Generator:
    def __init__(self, cfg: Config):
        if cfg.end < cfg.start:
            raise ValueError(f"--end {cfg.end} is before --start {cfg.start}")
        if cfg.horizon is not None and cfg.horizon < cfg.end:
            raise ValueError(f"--horizon {cfg.horizon} is before --end {cfg.end}")
        self.cfg = cfg
        self.out = Path(cfg.out)
        self.world: World = build(list(cfg.provinces), cfg.seed, tuple(cfg.formats))
        self.start_day, self.end_day = cal.day_number(cfg.start), cal.day_number(cfg.end)
        self.plan_end_day = cal.day_number(cfg.horizon or cfg.end)
        self.rates = mess.parse_rates(cfg.mess_rate, cfg.mess_overrides)
        self._current_exports = np.array([self.world.current_export(p) for p in range(len(cfg.provinces))])
        self.stats: dict[str, int] = {"hoso_rows": 0, "bosung_rows": 0, "exports": 0, "portal_records": 0}

    # -- planning ------------------------------------------------------------------------------
    def _allocate(self, rng) -> np.ndarray:
        """Dossiers received per (day, world province): exactly cfg.dossiers in all."""
        w = self.world
        days = np.arange(self.start_day, self.plan_end_day + 1)
        working = cal.is_working(days)
        t = (days - self.start_day) / max(1, self.plan_end_day - self.start_day)
        day_w = np.where(working, 1.0 + 0.3 * t, 0.0)
        prov_w = np.array(
            [np.sum((w.unit_world_province == p) & (w.unit_era == 1)) for p in range(len(w.provinces))],
            dtype=float,
        )
        p = np.outer(day_w, prov_w).ravel()
        return rng.multinomial(self.cfg.dossiers, p / p.sum()).reshape(len(days), len(w.provinces))

    def _exports_on(self, day: int) -> list[int]:
        era = int(day >= REFORM_DAY)
        return [i for i, e in enumerate(self.world.exports) if e.era == era]

    def _plan_mess(self, rng) -> dict[str, set]:
        days = range(self.start_day, self.end_day + 1)
        allx = [(d, x) for d in days for x in self._exports_on(d)]
        working = [(d, x) for d, x in allx if cal.is_working([d])[0] and d < self.end_day - 1]
        plan: dict[str, set] = {}
        taken: set = set()
        for kind in mess.DELIVERY_KINDS:
            cands = [k for k in working if k not in taken]
            plan[kind] = mess.pick(rng, cands, self.rates[kind])
            taken |= plan[kind]
        fmt = {x: e.file_format for x, e in enumerate(self.world.exports)}
        plan["bom"] = mess.pick(rng, [k for k in allx if fmt[k[1]] == "csv"], self.rates["bom"])
        plan["excel_text"] = mess.pick(
            rng, [k for k in allx if fmt[k[1]] == "xlsx"], self.rates["excel_text"]
        )
        plan["extra_column"] = mess.pick(rng, working, self.rates["extra_column"])
        return plan

    # -- main loop -----------------------------------------------------------------------------
    def run(self) -> dict:
        t0 = time.perf_counter()
        cfg, w = self.cfg, self.world
        _prepare_out(self.out)
        truth_dir = self.out / "truth"
        rng_plan = np.random.default_rng([cfg.seed, 1])
        counts = self._allocate(rng_plan)
        per_province = counts.sum(axis=0)
        self.pools = [
            ApplicantPool(cfg.seed, code, int(np.clip(per_province[i] // 3, 200, cfg.pool_cap)))
            for i, code in enumerate(w.provinces)
        ]
        self.plan = self._plan_mess(rng_plan)
        self.mess = mess.MessLog(truth_dir / "mess.jsonl")
        self.log = DeliveryLog(self.out)
        self.acc = truth.Accumulator(w, cfg.start, cfg.end)
        dossier_truth = truth.DossierWriter(truth_dir / "dossiers.csv", w, self.end_day)
        buf = Buffer()
        next_id = 1
        written_to = self.start_day - 1
        n_days = self.plan_end_day - self.start_day + 1
        for ci, lo in enumerate(range(0, n_days, cfg.chunk_days)):
            if self.start_day + lo > self.end_day:
                break  # planned beyond the world's end (horizon)
            hi = min(n_days, lo + cfg.chunk_days)
            block = counts[lo:hi]
            day_idx, prov_idx = np.nonzero(block)
            reps = block[day_idx, prov_idx]
            recv_day = np.repeat(self.start_day + lo + day_idx, reps).astype(np.int64)
            wp = np.repeat(prov_idx, reps).astype(np.int64)
            rng = np.random.default_rng([cfg.seed, 2, ci])
            d = simulate(
                w,
                recv_day,
                wp,
                next_id,
                rng,
                start_day=self.start_day,
                world_end=self.end_day,
                pool_sizes=[len(p) for p in self.pools],
                many_changes_rate=self.rates["many_changes"],
                plan_end=self.plan_end_day,
            )
            next_id += len(d)
            # dossiers planned after the end (horizon) never happened; they still drew their random
            # numbers, so what did happen is the same as in the longer world
            inside = (
                d
                if not len(d) or recv_day[-1] <= self.end_day
                else d.take(np.flatnonzero(recv_day <= self.end_day))
            )
            tr = truth.classify(inside)
            self.acc.add_dossiers(inside, tr)
            dossier_truth.add(inside, tr)
            exported = d.take(np.flatnonzero(~w.report_only[d.unit]))
            for i in np.flatnonzero(exported.many_changes):
                self.mess.add(
                    "many_changes", dossier_code=exported.code[i], province=w.provinces[exported.wp[i]]
                )
            buf.add("hoso", rows.hoso_rows(w, exported, self.end_day))
            buf.add("bosung", rows.bosung_rows(w, exported))
            for endpoint, ev in portal_records.dossier_events(w, exported, rng, self.end_day).items():
                buf.add(endpoint, ev)
                if endpoint == "ratings":
                    self.acc.add_ratings(ev["unit"], ev["bday"], ev["kind"] < 2)
            buf.add("petitions", self._petitions(rng, self.start_day + lo, self.start_day + hi - 1))
            last = min(self.end_day, self.start_day + hi - 1)
            self._flush(buf, written_to + 1, last)
            written_to = last
        dossier_truth.close()
        self.stats["dossiers"] = next_id - 1
        self.stats["dossiers_exported"] = dossier_truth.count
        self._reports()
        self._portal_static()
        self.stats.update({f"truth_{k}": v for k, v in truth.write_monthly(self.acc, truth_dir).items()})
        self._personal_values(truth_dir)
        (truth_dir / "README.md").write_text(
            "# Truth of this world\n\n" + (truth.__doc__ or ""), encoding="utf-8"
        )
        self.mess.close()
        self.stats["deliveries"] = self.log.close()
        self.stats["mess_records"] = len(self.mess.records)
        self._world_json()
        if cfg.deliver_all:
            deliver_all(self.out)
        self.stats["seconds"] = round(time.perf_counter() - t0, 2)
        return self.stats

    # -- petitions -----------------------------------------------------------------------------
    def _petitions(self, rng, first_day: int, last_day: int) -> dict[str, np.ndarray]:
        w = self.world
        ndays = last_day - first_day + 1
        rate = max(0.3, self.cfg.dossiers / max(1, self.plan_end_day - self.start_day + 1) / 40)
        n = int(rng.poisson(rate * ndays))
        day = rng.integers(first_day, last_day + 1, size=n)
        era = (day >= REFORM_DAY).astype(np.int8)
        unit = np.zeros(n, dtype=np.int64)
        for e in (0, 1):
            cands = np.flatnonzero((w.unit_era == e) & ~w.report_only & (w.unit_level != 1))
            sel = np.flatnonzero(era == e)
            p = w.unit_weight[cands] / w.unit_weight[cands].sum()
            unit[sel] = cands[rng.choice(len(cands), size=len(sel), p=p)]
        ts = day * DAY + rng.integers(0, DAY, size=n)
        due_day = cal.add(day, 15) if n else day
        u = rng.random(n)
        res_day = np.where(
            u < 0.82,
            cal.add(day, rng.integers(1, 16, size=n)) if n else day,
            cal.add(day, rng.integers(16, 26, size=n)) if n else day,
        )
        res_ts = res_day * DAY + rng.integers(8 * 3600, 17 * 3600, size=n)
        resolved = (u < 0.95) & (res_ts < (self.end_day + 1) * DAY)
        res_ts = np.where(resolved, res_ts, -1)
        s = rng.random(n)
        satisfied = np.where(resolved, np.where(s < 0.8, 1, np.where(s < 0.95, 0, -1)), -1)
        on_time = resolved & (res_day <= due_day)
        did = stable_int("pet", first_day) % 10**9 * 10**5 + np.arange(n)
        # petitions planned after the end (horizon) were never filed
        keep = day <= self.end_day
        if not keep.all():
            day, ts, unit, due_day, res_ts, satisfied, on_time, did = (
                a[keep] for a in (day, ts, unit, due_day, res_ts, satisfied, on_time, did)
            )
            kind_draw = rng.random(n)[keep]
        else:
            kind_draw = rng.random(n)
        # citizens' reactions and repeats: drawn from the petition id (older draws stay as they were),
        # and independent of when the world ends (a shorter world is an exact prefix of a longer one)
        likes = (id_uniform(did, 11) * 6).astype(np.int64)
        dislikes = (id_uniform(did, 12) ** 3 * 6).astype(np.int64)
        repeat = id_uniform(did, 13) < 0.06
        # Decision 766's petition satisfaction: answered on time, not repeated, not more disliked than liked
        well_handled = on_time & ~repeat & (dislikes <= likes)
        self.acc.add_petitions(unit, due_day, on_time, well_handled)
        xprov = np.where(
            day < REFORM_DAY,
            w.unit_export[unit],
            self._current_exports[w.unit_world_province[unit]],
        ).astype(np.int32)
        return {
            "did": did,
            "ts": ts,
            "unit": unit,
            "due": due_day * DAY + ts % DAY,
            "resolved": res_ts,
            "satisfied": satisfied,
            "likes": likes,
            "dislikes": dislikes,
            "repeat": repeat,
            "kind": (kind_draw < 0.15).astype(np.int8),
            "bday": day,
            "xprov": xprov,
        }

    # -- exports -------------------------------------------------------------------------------
    def _flush(self, buf: Buffer, first_day: int, last_day: int) -> None:
        hoso = buf.take("hoso", last_day)
        bosung = buf.take("bosung", last_day)
        streams = {e: buf.take(e, last_day) for e in ("dossier-sync", "payments", "ratings", "petitions")}
        for day in range(first_day, last_day + 1):
            for x in self._exports_on(day):
                self._export(day, x, _slices(hoso, day, x), _slices(bosung, day, x))
                for endpoint, rowset in streams.items():
                    part = _slices(rowset, day, x)
                    if part is not None:
                        self._portal_file(endpoint, day, x, part)

    def _portal_file(self, endpoint: str, day: int, x: int, part) -> None:
        lines = portal_records.render(endpoint, self.world, part, self.cfg.seed)
        path = (
            self.out
            / "portal"
            / endpoint
            / self.world.exports[x].code
            / f"{cal.day_date(day).isoformat()}.jsonl"
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        self.stats["portal_records"] += len(lines)

    def _render_hoso(
        self, x: int, part, key, *, fees_times_ten=False, bad_due=False
    ) -> tuple[str, bytes, int]:
        e = self.world.exports[x]
        n = 0 if part is None else len(part["did"])
        part = dict(part) if part is not None else None
        if part is not None and fees_times_ten:
            # the vendor's first export got some fees wrong; with no fee to get wrong, a VNeID flag
            wrong = (part["fee"] > 0) & (part["did"] % 3 == 0)
            wrong = wrong if wrong.any() else part["fee"] > 0
            if wrong.any():
                part["fee"] = np.where(wrong, part["fee"] * 10, part["fee"])
            else:
                part["vneid"] = part["vneid"].copy()
                part["vneid"][0] = 1 - part["vneid"][0]
        if part is not None and bad_due:
            both = np.flatnonzero((part["recv"] >= 0) & (part["due"] >= 0))[:3]
            due = part["due"].copy()
            due[both] = part["recv"][both] - 3 * DAY
            part["due"] = due
        order = list(e.column_order)
        extra = key in self.plan["extra_column"]
        style = {"csv": "csv", "jsonl": "json", "xlsx": "raw"}[e.file_format]
        if part is None:
            cols = {c: [] for c in order}
        else:
            cols = formats.hoso_columns(self.world, part, self.pools, style)
        if extra:
            order.insert(len(order) // 2, formats.EXTRA_COLUMN)
            val = {"csv": formats.csv_quote, "json": lambda s: json.dumps(s, ensure_ascii=False), "raw": str}[
                style
            ]
            cols[formats.EXTRA_COLUMN] = [val(formats.EXTRA_VALUE)] * n
        if e.file_format == "csv":
            payload = formats.write_csv(cols, order, bom=key in self.plan["bom"])
        elif e.file_format == "jsonl":
            payload = formats.write_jsonl(cols, order)
        else:
            payload = formats.write_xlsx(cols, order, text_cells=key in self.plan["excel_text"])
        return f"hoso.{e.file_format}", payload, n

    def _manifest(self, x: int, day: int, files: list[tuple[str, bytes, int]], at: datetime) -> bytes:
        import hashlib

        e = self.world.exports[x]
        iso_day = cal.day_date(day).isoformat()
        doc = {
            "schema_version": e.schema_version,
            "ma_tinh": e.code,
            "he_thong": e.vendor,
            "ngay_xuat": at.strftime("%Y-%m-%dT%H:%M:%S+07:00"),
            "tu_ngay": iso_day,
            "den_ngay": iso_day,
            "files": [
                {"ten": n, "so_dong": rows_, "sha256": hashlib.sha256(p).hexdigest()} for n, p, rows_ in files
            ],
        }
        return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")

    def _export(self, day: int, x: int, hoso_part, bosung_part) -> None:
        e = self.world.exports[x]
        key = (day, x)
        d = cal.day_date(day)
        folder = f"onestop/{e.code}/{d.isoformat()}"
        normal_at = datetime(d.year, d.month, d.day, 23, 40, 5 + x)
        name, payload, n = self._render_hoso(x, hoso_part, key)
        files = [(name, payload, n)]
        if bosung_part is not None:
            files.append(("bosung.csv", formats.bosung_csv(bosung_part), len(bosung_part["did"])))
        self.stats["hoso_rows"] += n
        self.stats["bosung_rows"] += 0 if bosung_part is None else len(bosung_part["did"])
        self.stats["exports"] += 1

        def delivery(at: datetime, fs, manifest_at: datetime | None = None, manifest_files=None):
            manifest = self._manifest(x, day, manifest_files or fs, manifest_at or at)
            self.log.add(
                at,
                "onestop",
                e.code,
                d.isoformat(),
                [*((f"{folder}/{fn}", p) for fn, p, _ in fs), (f"{folder}/manifest.json", manifest)],
            )

        path = f"{folder}/{name}"
        for kind in ("bom", "excel_text", "extra_column"):
            if key in self.plan[kind]:
                self.mess.add(kind, path=path, province=e.code, business_date=d.isoformat())
        if key in self.plan["duplicate"]:
            delivery(normal_at, files)
            delivery(normal_at + timedelta(days=1, minutes=10), files)
            self.mess.add(
                "duplicate",
                path=path,
                province=e.code,
                business_date=d.isoformat(),
                arrivals=[normal_at.isoformat(), (normal_at + timedelta(days=1, minutes=10)).isoformat()],
            )
        elif key in self.plan["late"]:
            lag = 2 + stable_int("late", self.cfg.seed, day, x) % 5
            at = normal_at + timedelta(days=lag, hours=3)
            delivery(at, files)
            self.mess.add(
                "late",
                path=path,
                province=e.code,
                business_date=d.isoformat(),
                arrival=at.isoformat(),
                days_late=lag,
            )
        elif key in self.plan["corrected"] and n:
            _, wrong, _ = self._render_hoso(x, hoso_part, key, fees_times_ten=True)
            delivery(normal_at, [(name, wrong, n), *files[1:]])
            fix_at = normal_at + timedelta(hours=10, minutes=20)
            delivery(fix_at, files)
            self.mess.add(
                "corrected",
                path=path,
                province=e.code,
                business_date=d.isoformat(),
                detail="first version: TongPhiLePhi x10 on some rows (or one VNeID flag wrong when no row has a fee)",
                versions=2,
                arrivals=[normal_at.isoformat(), fix_at.isoformat()],
            )
        elif key in self.plan["truncated"]:
            cut = payload[: max(1, len(payload) * 2 // 3)]
            delivery(normal_at, [(name, cut, n), *files[1:]], manifest_files=files)
            good_at = normal_at + timedelta(days=1, hours=2)
            delivery(good_at, files)
            self.mess.add(
                "truncated",
                path=path,
                province=e.code,
                business_date=d.isoformat(),
                arrivals=[normal_at.isoformat(), good_at.isoformat()],
                detail=f"first copy has {len(cut)} of {len(payload)} bytes",
            )
        elif (
            key in self.plan["critical_error"]
            and hoso_part is not None
            and np.any((hoso_part["recv"] >= 0) & (hoso_part["due"] >= 0))
        ):
            _, bad, _ = self._render_hoso(x, hoso_part, key, bad_due=True)
            delivery(normal_at, [(name, bad, n), *files[1:]])
            fix_at = normal_at + timedelta(hours=9)
            delivery(fix_at, files)
            self.mess.add(
                "critical_error",
                path=path,
                province=e.code,
                business_date=d.isoformat(),
                detail="first version: up to 3 rows with NgayHenTra 3 days before NgayTiepNhan",
                arrivals=[normal_at.isoformat(), fix_at.isoformat()],
            )
        else:
            delivery(normal_at, files)

    # -- Biểu 06 ---------------------------------------------------------------------------------
    def _reports(self) -> None:
        w, acc, cfg = self.world, self.acc, self.cfg
        t = acc.timeliness()
        rng = np.random.default_rng([cfg.seed, 3])
        out_rows = []
        quarters = [
            (mi, mi + 2) for mi, m in enumerate(acc.months) if m.month in (1, 4, 7, 10) and mi + 2 < acc.nm
        ]
        units = np.flatnonzero(w.report_only | w.reports_too)
        cands = [
            (int(u), q)
            for u in units
            for q in quarters
            if (acc.months[q[0]] >= date(2025, 7, 1)) == bool(w.unit_era[u])
        ]
        broken = mess.pick(rng, cands, self.rates["bieu06_broken"])
        malformed = mess.pick(rng, [c for c in cands if c not in broken], self.rates["bieu06_malformed"])
        for u, (m0, m2) in cands:
            unit = w.units[u]
            fields = []
            for fi, fc in enumerate(FIELD_CODES):
                v = {
                    "received_online": int(t["received_online"][u, fi, m0 : m2 + 1].sum()),
                    "received_direct_postal": int(t["received_direct_postal"][u, fi, m0 : m2 + 1].sum()),
                    "carried_over": int(t["carried_over"][u, fi, m0]),
                    "resolved_early": int(t["resolved_early"][u, fi, m0 : m2 + 1].sum()),
                    "resolved_on_time": int(t["resolved_on_time"][u, fi, m0 : m2 + 1].sum()),
                    "resolved_late": int(t["resolved_late"][u, fi, m0 : m2 + 1].sum()),
                    "in_progress_within": int(t["in_progress_within"][u, fi, m2]),
                    "in_progress_overdue": int(t["in_progress_overdue"][u, fi, m2]),
                }
                v["received_total"] = v["received_online"] + v["received_direct_postal"] + v["carried_over"]
                v["resolved_total"] = v["resolved_early"] + v["resolved_on_time"] + v["resolved_late"]
                v["in_progress_total"] = v["in_progress_within"] + v["in_progress_overdue"]
                if v["received_total"]:
                    fields.append((FIELDS[fc][0], v))
            if not fields:
                continue
            total = {m: sum(v[m] for _, v in fields) for m in bieu06.MEASURES}
            printed = [(name, dict(v)) for name, v in fields]
            printed_total = dict(total)
            kind = ""
            if (u, (m0, m2)) in broken:
                kind = "bieu06_broken"
                printed[0][1]["received_online"] += 1 + int(rng.integers(0, 9))  # a typo in one part
                printed_total["resolved_on_time"] += 1 + int(
                    rng.integers(0, 5)
                )  # a total that does not add up
            text_numbers = stable_int("vn", u, m0) % 2 == 0
            cells = [
                [(bieu06.vn_number(v[m]) if text_numbers and v[m] >= 1000 else v[m]) for m in bieu06.MEASURES]
                for _, v in printed
            ]
            total_cells = [
                (
                    bieu06.vn_number(printed_total[m])
                    if text_numbers and printed_total[m] >= 1000
                    else printed_total[m]
                )
                for m in bieu06.MEASURES
            ]
            bad_cell = None
            if (u, (m0, m2)) in malformed:
                kind = "bieu06_malformed"
                j = bieu06.MEASURES.index("received_total")
                bad = f"{max(1, printed_total['received_total'] // 1000)}.{printed_total['received_total'] % 1000:03d}1"
                total_cells[j] = bad
                bad_cell = {"sheet": "Bieu06", "row_label": "Tổng cộng", "column": "(3)", "value": bad}
            p0, p2 = acc.months[m0], acc.months[m2]
            period_end = date(p2.year + (p2.month == 12), p2.month % 12 + 1, 1) - timedelta(days=1)
            payload = bieu06.write_form(
                self._province_name(unit),
                unit.unit_name,
                (p0, period_end),
                [(n, c) for (n, _), c in zip(printed, cells, strict=True)],
                total_cells,
            )
            report_id = f"bieu06_{unit.unit_code}_{p0:%Y%m%d}_{period_end:%Y%m%d}"
            rel = f"reports/{unit.province_code}/{report_id}.xlsx"
            arrival = datetime(period_end.year, period_end.month, period_end.day, 9, 15) + timedelta(
                days=10 + u % 5
            )
            self.log.add(arrival, "reports", unit.province_code, period_end.isoformat(), [(rel, payload)])
            found = bieu06.broken_identities(printed, printed_total)
            if kind:
                self.mess.add(
                    kind,
                    path=rel,
                    province=unit.province_code,
                    broken_identities=found,
                    **({"cell": bad_cell} if bad_cell else {}),
                )
            for (name, v), c in zip(
                [*fields, ("Tổng cộng", total)],
                [*cells, total_cells],
                strict=True,
            ):
                for j, m in enumerate(bieu06.MEASURES):
                    out_rows.append(
                        [
                            report_id,
                            unit.province_code,
                            unit.unit_code,
                            unit.valid_from.isoformat(),
                            unit.unit_key,
                            p0.isoformat(),
                            period_end.isoformat(),
                            name,
                            str(name == "Tổng cộng").lower(),
                            m,
                            v[m],
                            c[j],
                            str(bool(w.report_only[u])).lower(),
                            kind,
                        ]
                    )
        import csv

        with (self.out / "truth" / "bieu06_reports.csv").open("w", newline="", encoding="utf-8") as fh:
            wr = csv.writer(fh, lineterminator="\n")
            wr.writerow(
                [
                    "report_id",
                    "province_code",
                    "unit_code",
                    "unit_valid_from",
                    "unit_key",
                    "period_start",
                    "period_end",
                    "field_name",
                    "is_total",
                    "measure",
                    "intended_value",
                    "printed_value",
                    "report_only",
                    "mess",
                ]
            )
            wr.writerows(out_rows)
        self.stats["bieu06_reports"] = len({r[0] for r in out_rows})

    def _province_name(self, unit) -> str:
        for e in self.world.exports:
            if e.code == unit.province_code and e.era == (unit.valid_to is None):
                return e.name
        return ""

    # -- catalogue, published scores ---------------------------------------------------------------
    def _portal_static(self) -> None:
        w = self.world
        catalogue = portal_records.formality_records(
            w.procedures, self.cfg.end
        ) + portal_records.announcement_records(w, w.procedures, self.cfg.start, self.cfg.end)
        (self.out / "portal" / "formalities.jsonl").write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in catalogue), encoding="utf-8"
        )
        folder = self.out / "portal" / "service-results"
        folder.mkdir(parents=True, exist_ok=True)
        for (time_type, month), records in published_index.service_results(w, self.acc, catalogue).items():
            # the month's evaluation, and the year to date (timeType=year) in year/
            path = (
                folder / f"{month:%Y-%m}.jsonl"
                if time_type == "month"
                else folder / "year" / f"{month:%Y-%m}.jsonl"
            )
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(
                "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
            )

    def _personal_values(self, truth_dir: Path) -> None:
        values = sorted({v for p in self.pools for v in (*p.names, *p.ids, *p.phones)})
        (truth_dir / "personal_values.txt").write_text("".join(v + "\n" for v in values), encoding="utf-8")

    def _world_json(self) -> None:
        cfg = self.cfg
        doc = {
            "generator_version": GENERATOR_VERSION,
            "seed": cfg.seed,
            "dossiers": cfg.dossiers,
            "start": cfg.start.isoformat(),
            "end": cfg.end.isoformat(),
            **({"horizon": cfg.horizon.isoformat()} if cfg.horizon else {}),
            "provinces": [{"code": c, "name": self.world.province_names[c]} for c in self.world.provinces],
            "exports": [
                {
                    "ma_tinh": e.code,
                    "era": "before_2025_07_01" if e.era == 0 else "from_2025_07_01",
                    "name": e.name,
                    "format": e.file_format,
                    "vendor": e.vendor,
                    "schema_version": e.schema_version,
                }
                for e in self.world.exports
            ],
            "mess_rates": self.rates,
            "formats": list(cfg.formats),
            "stats": {k: v for k, v in self.stats.items() if k != "seconds"},
        }
        (self.out / "world.json").write_text(
            json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )


def generate(cfg: Config) -> dict:
    return Generator(cfg).run()


def config_dict(cfg: Config) -> dict:
    return {
        k: (v.isoformat() if isinstance(v, date) else str(v) if isinstance(v, Path) else v)
        for k, v in asdict(cfg).items()
    }
