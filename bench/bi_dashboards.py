"""`python -m bench.bi_dashboards`: how long the dashboards take to load, on warehouses of different
sizes, in one run.

For each `--state-dir` (a state folder with a built warehouse: `.cchc` after `make demo`, or a
bench warehouse kept by `python -m bench --dossiers 1000000 --skip-usual --phase full`):

1. its embedded PostgreSQL is started (and stopped again if this run started it);
2. Superset is brought up on it the way `make bi` does (its own virtualenv and metadata under
   `<state>/bi`), with the dashboards imported from `bi/superset/`;
3. every dashboard is opened `--repeat` times in headless Chromium as the admin (through the
   logged-in loopback proxy the tests use), and timed two ways:
   - **page s**: wall time of the Chromium run, from launch until it has written the screenshot
     after the page settled (includes Chromium's own start, ~1 s, the same at every size);
   - **queries**: the chart-data requests Superset's event log recorded during that load: how
     many, their summed and their largest `duration_ms` (server side: SQL in the warehouse plus
     Superset's post-processing). Superset's result cache is off (`NullCache`: row-level security
     decides rows per user), so every load is a cold one.

The table gives the median of the repeats per warehouse and each figure's ratio to the first
warehouse. The JSON goes to `--out` (`bi_dashboards_<timestamp>.json`). A benchmark, not a test:
no time is asserted anywhere.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DASHBOARDS = ("tong-quan", "chi-so-766", "doi-soat-bao-cao", "van-hanh")
# Superset's event-log actions for a chart's data (the API charts use, and the legacy endpoint
# the country map still calls)
CHART_ACTIONS = ("ChartRestApi.data", "ChartDataRestApi.data", "explore_json")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.bi_dashboards", description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--state-dir", type=Path, action="append", required=True,
        help="a state folder with a built warehouse (repeatable; ratios are to the first)",
    )  # fmt: skip
    p.add_argument("--repeat", type=int, default=3, help="loads per dashboard (the median is reported)")
    p.add_argument("--out", type=Path, default=REPO / "bench" / "results")
    p.add_argument("--wait-ms", type=int, default=120_000, help="Chromium's budget for a page to settle")
    return p.parse_args(argv)


def _warehouse_size(settings) -> dict:
    from cchc.warehouse.connection import connect, loader_target

    with connect(loader_target(settings)) as conn:
        dossiers = conn.execute("select count(*) from marts.fct_dossier").fetchone()[0]
        size = conn.execute("select pg_database_size(current_database())").fetchone()[0]
    return {"fct_dossier_rows": dossiers, "database_mb": round(size / 2**20)}


def _chart_queries(metadata_db: Path, since: datetime) -> list[int]:
    """duration_ms of every chart-data request Superset logged since `since` (UTC)."""
    with sqlite3.connect(metadata_db) as db:
        rows = db.execute(
            f"select action, duration_ms from logs where dttm >= ? and action in ({','.join('?' * len(CHART_ACTIONS))})",
            (since.strftime("%Y-%m-%d %H:%M:%S.%f"), *CHART_ACTIONS),
        ).fetchall()
    return [int(ms or 0) for _, ms in rows]


def measure(state_dir: Path, repeat: int, wait_ms: int) -> dict:
    """Bring up Superset on one state folder's warehouse and time every dashboard."""
    os.environ["CCHC_STATE_DIR"] = str(state_dir.resolve())
    for key in ("CCHC_WAREHOUSE_URL", "CCHC_WAREHOUSE_ADMIN_URL"):
        os.environ.pop(key, None)
    from cchc.bi import server
    from cchc.bi.browser_session import logged_in_proxy
    from cchc.bi.environment import ADMIN_PASSWORD, ADMIN_USER, paths
    from cchc.bi.up import bring_up
    from cchc.docs import browser
    from cchc.settings import get_settings
    from cchc.warehouse import embedded

    settings = get_settings()
    started_pg = embedded.socket_dir(settings.pgdata_dir) is None
    if started_pg:
        embedded.start(settings.pgdata_dir)
    p = paths(settings)
    try:
        up = bring_up(None, settings=settings)
        out = {
            "state_dir": str(state_dir),
            **_warehouse_size(settings),
            "bring_up_s": round(up["seconds"], 1),
        }
        out["dashboards"] = {}
        with (
            logged_in_proxy(up["url"], ADMIN_USER, ADMIN_PASSWORD) as proxy,
            tempfile.TemporaryDirectory() as tmp,
        ):
            for slug in DASHBOARDS:
                loads = []
                for i in range(repeat):
                    since = datetime.now(UTC)
                    t0 = time.perf_counter()
                    browser.rendered_dom(
                        f"{proxy}/superset/dashboard/{slug}/", wait_ms=wait_ms, width=1600, height=3800,
                        screenshot_to=Path(tmp) / f"{slug}-{i}.png",
                    )  # fmt: skip
                    page = time.perf_counter() - t0
                    time.sleep(1.0)  # the event log is written after the response
                    queries = _chart_queries(p.home / "superset.db", since)
                    loads.append(
                        {"page_s": round(page, 2), "queries": len(queries),
                         "query_ms_sum": sum(queries), "query_ms_max": max(queries, default=0)}
                    )  # fmt: skip
                out["dashboards"][slug] = {
                    "loads": loads,
                    **{k: statistics.median(load[k] for load in loads) for k in loads[0]},
                }
        return out
    finally:
        server.stop(p)
        if started_pg:
            embedded.stop(settings.pgdata_dir)


def _table(results: list[dict]) -> str:
    base = results[0]
    lines = [
        f"{'dashboard':<18} {'warehouse':<34} {'dossiers':>10} {'page s':>8} {'×':>6} "
        f"{'queries':>8} {'sum ms':>8} {'×':>6} {'max ms':>8}",
    ]
    for slug in DASHBOARDS:
        b = base["dashboards"][slug]
        for r in results:
            d = r["dashboards"][slug]
            lines.append(
                f"{slug:<18} {Path(r['state_dir']).name[-34:]:<34} {r['fct_dossier_rows']:>10,} {d['page_s']:>8.2f} "
                f"{d['page_s'] / b['page_s']:>6.2f} {d['queries']:>8.0f} {d['query_ms_sum']:>8.0f} "
                f"{d['query_ms_sum'] / max(b['query_ms_sum'], 1):>6.1f} {d['query_ms_max']:>8.0f}"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    results = [measure(state, args.repeat, args.wait_ms) for state in args.state_dir]
    report = {
        "started_at": datetime.now(UTC).isoformat(),
        "load_average": os.getloadavg(),
        "cpus": os.cpu_count(),
        "results": results,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    out = args.out / f"bi_dashboards_{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    print(_table(results))
    print(f"[bench] {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
