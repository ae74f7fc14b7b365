"""An independent reader of a generated landing folder and a plain recount of the KPI rules of
docs/KPIS.md — deliberately naive (dicts and loops), sharing no code with the generator."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

from cchc.reference import admin_units
from cchc.reference.calendar import is_working_day


def _dt(value) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    s = str(value)
    if "T" in s:
        return datetime.fromisoformat(s).replace(tzinfo=None)
    return datetime.strptime(s, "%d/%m/%Y %H:%M:%S")


def _int(value) -> int:
    if isinstance(value, (int, float)):
        return int(value)
    return int(str(value).replace(".", ""))


def read_hoso(path: Path) -> list[dict]:
    if path.suffix == ".csv":
        text = path.read_bytes().decode("utf-8-sig")
        return list(csv.DictReader(io.StringIO(text, newline="")))
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    head = rows[0]
    return [dict(zip(head, r, strict=False)) for r in rows[1:]]


def latest_states(landing: Path) -> tuple[dict[str, dict], dict[tuple[str, int], dict]]:
    """Each dossier's row with the latest NgayCapNhat (ties: later business date); same for
    supplement requests."""
    hoso: dict[str, tuple] = {}
    bosung: dict[tuple[str, int], tuple] = {}
    for folder in sorted((landing / "onestop").glob("*/*")):
        bday = folder.name
        for f in folder.glob("hoso.*"):
            for r in read_hoso(f):
                key = (_dt(r["NgayCapNhat"]), bday)
                if r["MaHoSo"] not in hoso or key >= hoso[r["MaHoSo"]][0]:
                    hoso[r["MaHoSo"]] = (key, r)
        b = folder / "bosung.csv"
        if b.exists():
            for r in read_hoso(b):
                k = (r["MaHoSo"], int(r["LanBoSung"]))
                key = (_dt(r["NgayCapNhat"]), bday)
                if k not in bosung or key >= bosung[k][0]:
                    bosung[k] = (key, r)
    return {k: v[1] for k, v in hoso.items()}, {k: v[1] for k, v in bosung.items()}


def months(start: date, end: date) -> list[date]:
    out, y, m = [], start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append(date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def month_end(m: date) -> date:
    nxt = date(m.year + (m.month == 12), m.month % 12 + 1, 1)
    return date.fromordinal(nxt.toordinal() - 1)


def classify(hoso: dict[str, dict], bosung: dict[tuple[str, int], dict]) -> list[dict]:
    """Per received dossier: unit_key, field, channel, dates (the KPI dictionary's rules 1-4)."""
    requests = defaultdict(list)
    for (code, lan), r in bosung.items():
        requests[code].append((lan, r))
    out = []
    for code, r in hoso.items():
        status = _int(r["TrangThaiHoSo"])
        recv = _dt(r["NgayTiepNhan"])
        if status in (1, 3) or recv is None:
            continue
        ends = [_dt(r[c]) for c in ("NgayKetThucXuLy", "NgayTra", "NgayTuChoi")]
        end = next((e for e in ends if e is not None), None)
        if status in (7, 8):
            end = _dt(r["NgayTuChoi"])
        due = _dt(r["NgayHenTra"])
        for _, b in sorted(requests.get(code, []), key=lambda x: x[0], reverse=True):
            if _dt(b["NgayHenTraMoi"]) is not None:
                due = _dt(b["NgayHenTraMoi"])
                break
        unit = admin_units.unit(r["MaDonVi"], recv.date())
        asked = [
            (_dt(b["NgayYeuCauBoSung"]).date(), _dt(b["NgayCongDanBoSung"]))
            for _, b in sorted(requests.get(code, []), key=lambda x: x[0])
        ]
        original_due = _dt(r["NgayHenTra"])
        out.append(
            {
                "code": code,
                "unit_key": unit.unit_key,
                "field": r["MaLinhVuc"],
                "channel": _int(r["KenhThucHien"]),
                "level": r["MucDoDVC"],
                "recv": recv.date(),
                "end": end.date() if end else None,
                "due": due.date() if due else None,
                "paid": _int(r["DuocThanhToanTrucTuyen"]),
                "fee": _int(r["TongPhiLePhi"]),
                "digitised": _int(r["HoSoCoThanhPhanSoHoa"]),
                "eresult": _int(r["CoKetQuaDienTu"]),
                "vneid": _int(r["TaiKhoanDuocXacThucVoiVNeID"]),
                "original_due": original_due.date() if original_due else None,
                "requests": [(req, sup.date() if sup else None) for req, sup in asked],
            }
        )
    return out


def timeliness(dossiers: list[dict], start: date, end: date) -> dict[tuple, dict[str, int]]:
    counts: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for m in months(start, end):
        last = month_end(m)
        for d in dossiers:
            key = (m.isoformat(), d["unit_key"], d["field"])
            if d["recv"] > last or (d["end"] is not None and d["end"] < m):
                continue
            c = counts[key]
            if d["recv"] >= m:
                c["received_online" if d["channel"] == 2 else "received_direct_postal"] += 1
            else:
                c["carried_over"] += 1
            if d["end"] is not None and d["end"] <= last:
                if d["due"] is None or d["end"] == d["due"]:
                    c["resolved_on_time"] += 1
                elif d["end"] < d["due"]:
                    c["resolved_early"] += 1
                else:
                    c["resolved_late"] += 1
            elif d["due"] is None or d["due"] >= last:
                c["in_progress_within"] += 1
            else:
                c["in_progress_overdue"] += 1
    return counts


def _working_days_after(a: date, b: date) -> int:
    return sum(is_working_day(date.fromordinal(o)) for o in range(a.toordinal() + 1, b.toordinal() + 1))


def _nth_working_day_after(d: date, n: int) -> date:
    while n > 0:
        d = date.fromordinal(d.toordinal() + 1)
        n -= is_working_day(d)
    return d


def index_style(dossiers: list[dict], start: date, end: date) -> dict[tuple, dict[str, int]]:
    """Decision 766 TDGQ as docs/KPIS.md words it: a single unanswered supplement request stops the clock at
    the request, else the end does; the applicant's working days move the due date; more than one request
    is late; handled = received by the month's end and clock not stopped before its start."""
    counts: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for d in dossiers:
        reqs = d["requests"]
        stop = reqs[0][0] if len(reqs) == 1 and reqs[0][1] is None else d["end"]
        due = d["original_due"]
        paused = sum(_working_days_after(req, sup) for req, sup in reqs if sup is not None)
        if due is not None and paused:
            due = _nth_working_day_after(due, paused)
        for m in months(start, end):
            last = month_end(m)
            if d["recv"] > last or (stop is not None and stop < m):
                continue
            c = counts[(m.isoformat(), d["unit_key"], d["field"])]
            c["index_handled"] += 1
            if len(reqs) > 1:
                continue
            if stop is not None and stop <= last:  # stopped in m: early or on time
                c["index_timely"] += due is None or stop <= due
            else:  # running at the end of m: within the deadline
                c["index_timely"] += due is None or due >= last
    return counts


def unit_month(dossiers: list[dict]) -> dict[tuple, dict[str, int]]:
    counts: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for d in dossiers:
        c = counts[(d["recv"].replace(day=1).isoformat(), d["unit_key"])]
        online = d["channel"] == 2
        c["received_total"] += 1
        c["received_online"] += online
        if d["level"] in ("TOAN_TRINH", "MOT_PHAN"):
            c["eligible_total"] += 1
            c["eligible_online"] += online
        if d["fee"] > 0:
            c["fee_dossiers"] += 1
            c["paid_online_dossiers"] += d["paid"] in (1, 2)
        c["digitised_dossiers"] += d["digitised"]
        c["vneid_dossiers"] += d["vneid"]
    return counts
