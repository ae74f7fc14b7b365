"""Writing one export's files in the formats the field uses: CSV (RFC 4180, `dd/MM/yyyy HH:mm:ss`
local times, optional UTF-8 BOM), XLSX (one sheet, Excel date cells or text, numbers possibly as
text with `.` thousands separators), JSONL (ISO 8601 with the +07:00 offset).

Rendering is column-wise with lookup tables (dates, times), not per-cell formatting, so a million
rows take seconds. Bytes are deterministic: no wall-clock anywhere (XLSX creation date is fixed).
"""

from __future__ import annotations

import io
import json
from datetime import date, datetime, timedelta

import numpy as np

from cchc.sources.onestop.columns import HOSO
from cchc_world.generate.lifecycle import DAY, ONLINE_LEVELS
from cchc_world.generate.people import ApplicantPool
from cchc_world.generate.world import BOSUNG_COLUMNS, HOSO_COLUMNS, World

BASE_DAY = 18262  # 2020-01-01
N_DAYS = 11 * 366
_EPOCH = date(1970, 1, 1)
_DAYS = [_EPOCH + timedelta(days=BASE_DAY + i) for i in range(N_DAYS)]
DATE_VN = [d.strftime("%d/%m/%Y") for d in _DAYS]
DATE_ISO = [d.isoformat() for d in _DAYS]
TIMES = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(DAY)]
LEVEL_NAMES = ("TINH", "HUYEN", "XA")
EXTRA_COLUMN = "GhiChu"
EXTRA_VALUE = 'Hồ sơ "ưu tiên", trả tại nhà'


def csv_quote(value: str) -> str:
    if any(c in value for c in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def dt_csv(ts: np.ndarray) -> list[str]:
    days = (ts // DAY - BASE_DAY).tolist()
    secs = (ts % DAY).tolist()
    return [
        DATE_VN[d] + " " + TIMES[s] if t >= 0 else "" for t, d, s in zip(ts.tolist(), days, secs, strict=True)
    ]


def dt_json(ts: np.ndarray) -> list[str]:
    days = (ts // DAY - BASE_DAY).tolist()
    secs = (ts % DAY).tolist()
    return [
        '"' + DATE_ISO[d] + "T" + TIMES[s] + '+07:00"' if t >= 0 else "null"
        for t, d, s in zip(ts.tolist(), days, secs, strict=True)
    ]


def vn_thousands(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _lookup(values: list[str], idx: np.ndarray) -> list[str]:
    return [values[i] for i in idx.tolist()]


def _quoter(style: str):
    if style == "csv":
        return csv_quote
    if style == "json":
        return lambda s: json.dumps(s, ensure_ascii=False)
    return str


def _tables(world: World, pools: list[ApplicantPool], style: str) -> dict[str, list[str]]:
    """Rendered cells of every unit, procedure and applicant, built once per world and style."""
    # cached on the world itself (an id()-keyed cache could hand a new world an old one's tables)
    cache = world.__dict__.setdefault("_render_tables", {})
    key = (style, id(pools))
    if key not in cache:
        q = _quoter(style)
        procs = world.procedures
        cache[key] = {
            "unit_code": [q(u.unit_code) for u in world.units],
            "unit_level": [q(u.unit_level) for u in world.units],
            "MaTTHC": [q(p.code) for p in procs],
            "TenTTHC": [q(p.name) for p in procs],
            "MaLinhVuc": [q(p.field) for p in procs],
            "TenLinhVuc": [q(p.field_name) for p in procs],
            "MucDoDVC": [q(v) for v in ONLINE_LEVELS],
            "names": [[q(v) for v in p.names] for p in pools],
            "ids": [[q(v) for v in p.ids] for p in pools],
            "phones": [[q(v) for v in p.phones] for p in pools],
        }
    return cache[key]


def hoso_columns(world: World, rows: dict, pools: list[ApplicantPool], style: str) -> dict[str, list]:
    """Column name -> rendered cells. style: 'csv' (quoted text), 'json' (JSON literals), 'raw'."""
    tb = _tables(world, pools, style)
    dt = dt_csv if style == "csv" else dt_json if style == "json" else (lambda ts: ts.tolist())
    num = (lambda a: [str(v) for v in a.tolist()]) if style != "raw" else (lambda a: a.tolist())
    person = rows["person"].tolist()
    wp = rows["wp"].tolist()
    names, ids, phones = tb["names"], tb["ids"], tb["phones"]
    proc = rows["proc"]
    return {
        # dossier codes are plain ASCII: quoting them is just the JSON string delimiters
        "MaHoSo": ['"' + c + '"' for c in rows["code"].tolist()]
        if style == "json"
        else rows["code"].tolist(),
        "MaTTHC": _lookup(tb["MaTTHC"], proc),
        "TenTTHC": _lookup(tb["TenTTHC"], proc),
        "MaLinhVuc": _lookup(tb["MaLinhVuc"], proc),
        "TenLinhVuc": _lookup(tb["TenLinhVuc"], proc),
        "MaDonVi": _lookup(tb["unit_code"], rows["unit"]),
        "CapDonVi": _lookup(tb["unit_level"], rows["unit"]),
        "KenhThucHien": num(rows["channel"]),
        "MucDoDVC": _lookup(tb["MucDoDVC"], rows["olevel"]),
        "NgayNopHoSo": dt(rows["submit"]),
        "NgayTiepNhan": dt(rows["recv"]),
        "NgayHenTra": dt(rows["due"]),
        "NgayKetThucXuLy": dt(rows["kxl"]),
        "NgayTra": dt(rows["tra"]),
        "NgayTuChoi": dt(rows["tuchoi"]),
        "TrangThaiHoSo": num(rows["status"]),
        "DuocThanhToanTrucTuyen": num(rows["paid"]),
        "TongPhiLePhi": num(rows["fee"]),
        "HoSoCoThanhPhanSoHoa": num(rows["digitised"]),
        "CoKetQuaDienTu": num(rows["eresult"]),
        "TaiKhoanDuocXacThucVoiVNeID": num(rows["vneid"]),
        "DuocTaiSuDung": num(rows["reused"]),
        "DuocLayTuKhoDLCN": num(rows["pdstore"]),
        "CoSuDungDuLieuDanCu": num(rows["popdata"]),
        "ChuHoSo": [names[w][p] for w, p in zip(wp, person, strict=True)],
        "SoGiayToChuHoSo": [ids[w][p] for w, p in zip(wp, person, strict=True)],
        "SoDienThoai": [phones[w][p] for w, p in zip(wp, person, strict=True)],
        "NgayCapNhat": dt(rows["upd"]),
    }


def write_csv(columns: dict[str, list[str]], order: list[str], *, bom: bool = False) -> bytes:
    header = ",".join(order)
    body = map(",".join, zip(*(columns[c] for c in order), strict=True))
    text = "\r\n".join([header, *body]) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def write_jsonl(columns: dict[str, list[str]], order: list[str]) -> bytes:
    keys = ['"' + c + '":' for c in order]
    lines = (
        "{" + ",".join(k + v for k, v in zip(keys, vals, strict=True)) + "}"
        for vals in zip(*(columns[c] for c in order), strict=True)
    )
    return "".join(line + "\n" for line in lines).encode("utf-8")


# the hoso date-times (every Ngay… column): typed cells in XLSX, ISO strings in JSONL
_DATETIME_COLUMNS = {c for c in HOSO_COLUMNS if c.startswith("Ngay")}
# the contract's integer columns (every schema version): numeric cells in XLSX and JSONL
_INT_COLUMNS = {c.source for c in HOSO.columns if c.kind in ("smallint", "integer", "bigint")}


def write_xlsx(columns: dict[str, list], order: list[str], *, text_cells: bool = False) -> bytes:
    """Raw-style columns in; dates as Excel date cells (or as dd/MM/yyyy text when text_cells,
    together with Vietnamese-notation text numbers, as some vendors' exports do)."""
    import xlsxwriter

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"constant_memory": True, "in_memory": True})
    book.set_properties({"created": datetime(2020, 1, 1)})
    sheet = book.add_worksheet("HoSo")
    date_fmt = book.add_format({"num_format": "dd/mm/yyyy hh:mm:ss"})
    for c, name in enumerate(order):
        sheet.write_string(0, c, name)
    n = len(columns[order[0]]) if order else 0
    epoch = datetime(1970, 1, 1)
    for name in order:
        if name in _DATETIME_COLUMNS:
            vals = columns[name]
            columns[name] = [None if v < 0 else (epoch + timedelta(seconds=v)) for v in vals]
    for r in range(n):
        for c, name in enumerate(order):
            v = columns[name][r]
            if v is None or v == "":
                continue
            if name in _DATETIME_COLUMNS:
                if text_cells:
                    sheet.write_string(r + 1, c, v.strftime("%d/%m/%Y %H:%M:%S"))
                else:
                    sheet.write_datetime(r + 1, c, v, date_fmt)
            elif name in _INT_COLUMNS:
                if text_cells and name == "TongPhiLePhi":
                    sheet.write_string(r + 1, c, vn_thousands(int(v)))
                else:
                    sheet.write_number(r + 1, c, int(v))
            else:
                sheet.write_string(r + 1, c, str(v))
    book.close()
    return buf.getvalue()


def bosung_csv(rows: dict) -> bytes:
    cols = {
        "MaHoSo": [csv_quote(c) for c in rows["code"].tolist()],
        "LanBoSung": [str(v) for v in rows["lan"].tolist()],
        "NgayYeuCauBoSung": dt_csv(rows["req"]),
        "NgayCongDanBoSung": dt_csv(rows["sup"]),
        "NgayHenTraTruoc": dt_csv(rows["before"]),
        "NgayHenTraMoi": dt_csv(rows["new"]),
        "NgayCapNhat": dt_csv(rows["upd"]),
    }
    return write_csv(cols, list(BOSUNG_COLUMNS))
