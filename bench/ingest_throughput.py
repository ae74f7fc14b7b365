"""Source A load throughput: CSV, XLSX and JSONL exports of N dossiers through `ingest_export`.

    .venv/bin/python bench/ingest_throughput.py --rows 1000000 --scratch /tmp/cchc-ingest-bench

Everything lives under --scratch (its own embedded warehouse, landing folder and files; reused
between runs, so the files are generated once). Each format is ingested in a child process so
its peak RSS is its own; the floor is a bare `COPY` of the same CSV bytes into an UNLOGGED
all-text table, measured in the same run. RSS is also sampled during each load, to show that
memory does not follow the file.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import threading
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from cchc_world.generate.world import HOSO_COLUMNS

COLUMNS = list(HOSO_COLUMNS)  # the schema 1.2 export, in the generator's order
DAYS = {"csv": date(2026, 1, 5), "xlsx": date(2026, 1, 6), "jsonl": date(2026, 1, 7)}


def _rows(n: int):
    base = datetime(2025, 9, 1, 7, 30)
    for i in range(n):
        received = base + timedelta(minutes=i % 500_000)
        done = i % 3 != 0
        yield [
            f"000.00.31.H56-250901-{i:07d}", "1.004227", "Đăng ký khai sinh", "HT", "Hộ tịch",
            f"{30280 + i % 40}", "XA", 1 + i % 3, "TOAN_TRINH" if i % 2 else "MOT_PHAN",
            received - timedelta(minutes=20), received, received + timedelta(days=5),
            received + timedelta(days=3) if done else None, received + timedelta(days=4) if done else None,
            None, 10 if done else 4, i % 3, (i % 5) * 50_000, i % 2, int(done), (i + 1) % 2,
            f"Nguyễn Văn Bench {i}", f"{79_000_000_000 + i:012d}", f"09{i % 100_000_000:08d}",
            received + timedelta(days=4, hours=1),
        ]  # fmt: skip


def _vn(value):
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M:%S")
    return "" if value is None else value


def write_csv(path: Path, n: int) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for row in _rows(n):
            writer.writerow([_vn(v) for v in row])


def write_jsonl(path: Path, n: int) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for row in _rows(n):
            obj = {
                k: (v.isoformat() + "+07:00" if isinstance(v, datetime) else v)
                for k, v in zip(COLUMNS, row, strict=True)
            }
            handle.write(json.dumps(obj, ensure_ascii=False) + "\n")


def write_xlsx(path: Path, n: int) -> None:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet()
    stamp = workbook.add_format({"num_format": "dd/mm/yyyy hh:mm:ss"})
    sheet.write_row(0, 0, COLUMNS)
    for r, row in enumerate(_rows(n), start=1):
        for c, value in enumerate(row):
            if isinstance(value, datetime):
                sheet.write_datetime(r, c, value, stamp)
            elif isinstance(value, str):
                sheet.write_string(r, c, value)
            elif value is not None:
                # fees as Vietnamese-notation text, as some vendors write them
                sheet.write_string(r, c, f"{value:,}".replace(",", ".")) if c == 17 else sheet.write_number(
                    r, c, value
                )
    workbook.close()


def prepare(scratch: Path, n: int, fmt: str) -> Path:
    from cchc.sources.onestop.manifest import file_sha256

    folder = scratch / "landing" / "onestop" / "91" / DAYS[fmt].isoformat()
    path = folder / f"hoso.{fmt}"
    if (folder / "manifest.json").exists() and json.loads((folder / "manifest.json").read_text())["files"][0][
        "so_dong"
    ] == n:
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    {"csv": write_csv, "jsonl": write_jsonl, "xlsx": write_xlsx}[fmt](path, n)
    sha = file_sha256(path)  # in chunks: this process's RSS is inherited by the measured children
    manifest = {"ma_tinh": "91", "files": [{"ten": path.name, "so_dong": n, "sha256": sha}]}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    print(f"  wrote {path} ({path.stat().st_size / 1e6:.0f} MB) in {time.monotonic() - started:.0f} s")
    return folder


def child(folder: str, fmt: str) -> None:
    """Runs in the measured process: one ingest_export of one export folder."""
    import resource

    from cchc.sources.onestop.discover import Export
    from cchc.sources.onestop.ingest import ingest_export

    started = time.monotonic()
    outcome = ingest_export(Export("91", DAYS[fmt], Path(folder), True))[0]
    seconds = time.monotonic() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result = {
        "seconds": seconds,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,  # the client's own work, whatever the load
        "rows": outcome.rows_loaded,
        "status": outcome.status,
    }
    print(json.dumps(result))


def _measure(argv: list[str]) -> tuple[dict, list[float]]:
    import psutil

    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    samples: list[float] = []

    done = threading.Event()

    def sample() -> None:
        ps = psutil.Process(proc.pid)
        while not done.is_set():
            try:
                samples.append(ps.memory_info().rss / 2**20)
            except psutil.Error:
                break
            time.sleep(0.1)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    out = proc.stdout.read()
    proc.wait()
    done.set()
    thread.join()
    if proc.returncode:
        raise SystemExit(f"child failed ({proc.returncode}): {out}")
    return json.loads(out.strip().splitlines()[-1]), samples


def floor_copy(csv_path: Path) -> float:
    from psycopg import sql

    from cchc.warehouse.connection import connect

    cols = sql.SQL(", ").join(sql.SQL("{} text").format(sql.Identifier(f"c{i}")) for i in range(len(COLUMNS)))
    with connect() as conn:
        conn.execute("drop table if exists raw.bench_ingest_floor")
        conn.execute(sql.SQL("create unlogged table raw.bench_ingest_floor ({})").format(cols))
        conn.commit()
        started = time.monotonic()
        cpu = time.process_time()
        with (
            conn.cursor() as cur,
            cur.copy("copy raw.bench_ingest_floor from stdin with (format csv, header true)") as copy,
            open(csv_path, "rb") as handle,
        ):
            while chunk := handle.read(1 << 20):
                copy.write(chunk)
        conn.commit()
        seconds = time.monotonic() - started
        print(f"  floor client CPU {time.process_time() - cpu:.1f} s")
        conn.execute("drop table raw.bench_ingest_floor")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--scratch", type=Path, default=Path("/tmp/cchc-ingest-bench"))
    parser.add_argument("--formats", default="csv,xlsx,jsonl")
    parser.add_argument("--child", nargs=2, metavar=("FOLDER", "FORMAT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    scratch = args.scratch.resolve()
    # The children and this process use the bench's own warehouse and landing folder.
    os.environ.update(
        {
            "CCHC_STATE_DIR": str(scratch / "state"),
            "CCHC_LANDING_DIR": str(scratch / "landing"),
            "CCHC_DEMO": "1",
        }
    )
    os.environ.pop("CCHC_WAREHOUSE_URL", None)
    from cchc.warehouse.bootstrap import bootstrap
    from cchc.warehouse.connection import connect

    bootstrap()
    print(f"preparing {args.rows:,} dossiers per format under {scratch}")
    formats = args.formats.split(",")
    folders = {fmt: prepare(scratch, args.rows, fmt) for fmt in formats}
    with connect() as conn:  # every run measures a first load, not a duplicate
        conn.execute("delete from raw.onestop_hoso")
        conn.execute("delete from audit.rejected_rows")
        conn.execute("delete from audit.batches")
    results = {}
    for fmt in formats:
        argv = [sys.executable, str(Path(__file__).resolve()), "--child", str(folders[fmt]), fmt]
        measured, samples = _measure(argv)
        peak = max(samples, default=0.0)
        # RSS at each quarter of the load: flat means memory does not follow the file
        quarters = [round(samples[min(len(samples) - 1, len(samples) * q // 4)]) for q in (1, 2, 3, 4)]
        results[fmt] = {**measured, "peak_rss_mb": round(peak), "rss_by_quarter_mb": quarters}
        print(
            f"{fmt:6} {measured['rows']:>9,} rows  {measured['seconds']:7.1f} s  "
            f"{measured['rows'] / measured['seconds']:>9,.0f} rows/s  client CPU {measured['cpu_seconds']:.1f} s  "
            f"peak RSS {peak:,.0f} MB "
            f"(by quarter {quarters})  ({measured['status']})"
        )
    csv_path = prepare(scratch, args.rows, "csv") / "hoso.csv"
    floor = floor_copy(csv_path)
    results["floor_copy_csv_seconds"] = floor
    print(
        f"floor  bare COPY of hoso.csv into an unlogged all-text table: {floor:.1f} s ({args.rows / floor:,.0f} rows/s)"
    )
    for fmt in formats:
        print(f"  {fmt}: {results[fmt]['seconds'] / floor:.1f}x the floor")
    results["load_average"] = os.getloadavg()
    print(f"load average at the end (2 cores, shared): {results['load_average']}")
    (scratch / "results.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
