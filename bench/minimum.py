"""The design's minimum: the least work the project's own rules ask of a full load, each part
done once by the cheapest single statement, on the same files as the floor.

Issue 17 asks for a full load within 3× the floor. This stage measures, in the same run, how
much of that budget is spent before anything this pipeline could do differently:

1. **copy** — every hoso and bosung file `COPY`ed into an UNLOGGED all-text table (the floor's
   first half, `floor.copy_text`);
2. **type, check, pseudonymise** — one `CREATE TABLE AS` per entity with the ingestion's own SQL
   (`csv_in_sql.all_accepted` quick checks in the `WHERE`, `csv_in_sql.typed_values` for every
   column, the citizen ID keyed with HMAC-SHA256): what ingestion must do to every row, without
   its indexes, ledger, rejects or per-file work;
3. **latest version per dossier** — one `DISTINCT ON` sort of the typed dossier rows into a
   table: the least staging can do to find each dossier's current row, without the ledger join,
   the batch order or any index;
4. **start great_expectations** — `import great_expectations` in a new process (validation runs
   in its own task);
5. **start dbt** — `dbt --version` in a new process (a build also loads the adapter and parses).

What it leaves out is everything else the pipeline does: validation's queries, every fact and
monthly model, the data tests, raw's and the marts' indexes, the ledger. So the pipeline's full
load cannot cost less than this: its ratio to the floor is at least this stage's. Rows a quick check refuses (none in the bench's clean world) are left out, not
typed more slowly as ingestion would: that only makes the bound lower.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from psycopg import sql

from bench.columns import text_column
from bench.floor import SCHEMA, copy_text
from bench.monitor import server_cpu_seconds

TABLE_PREFIX = "minimum_"


def _client_cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class Sections:
    """Wall and CPU (this process, its children and the server) of each named part."""

    def __init__(self, pm_pid: int | None) -> None:
        self.pm_pid = pm_pid
        self.times: dict[str, dict[str, float]] = {}

    def measure(self, name: str, work: Callable[[], object]) -> object:
        cpu0, server0, wall0 = _client_cpu(), server_cpu_seconds(self.pm_pid), time.perf_counter()
        out = work()
        wall = time.perf_counter() - wall0
        cpu = _client_cpu() - cpu0 + server_cpu_seconds(self.pm_pid) - server0
        part = self.times.setdefault(name, {"wall_s": 0.0, "cpu_s": 0.0})
        part["wall_s"] = round(part["wall_s"] + wall, 3)
        part["cpu_s"] = round(part["cpu_s"] + cpu, 3)
        return out


def _table(name: str) -> sql.Identifier:
    return sql.Identifier(SCHEMA, TABLE_PREFIX + name)


def _typed_select(entity, headers: set[str], text_table: sql.Identifier) -> sql.Composed:
    """The ingestion's own select (`csv_in_sql.typed_values`, `all_accepted`) over the text table."""
    from cchc.sources.onestop import csv_in_sql

    cells = [
        (column, sql.Identifier(text_column(column.source)) if column.source in headers else None)
        for column in entity.columns
    ]
    values = [
        sql.SQL("{} as {}").format(value, sql.Identifier(column.target))
        for (column, _), value in zip(cells, csv_in_sql.typed_values(cells), strict=True)
    ]
    return sql.SQL("select {} from {} where {}").format(
        sql.SQL(", ").join(values), text_table, csv_in_sql.all_accepted(cells, careful=False)
    )


def run(conn, files: dict[str, list[Path]], pm_pid: int | None, dbt: str) -> dict:
    """Measure the parts on `files` ({"hoso": [...], "bosung": [...]}) through `conn` (the bench's
    warehouse, served by postmaster `pm_pid`); the tables are dropped at the end."""
    from cchc.privacy import Pseudonymiser
    from cchc.sources.onestop import csv_in_sql
    from cchc.sources.onestop.columns import BOSUNG, HOSO

    entities = {"hoso": HOSO, "bosung": BOSUNG}
    parts = Sections(pm_pid)
    rows: dict[str, int] = {}
    made: list[sql.Identifier] = []
    try:
        with conn.cursor() as cur:
            cur.execute("set datestyle = 'ISO, DMY'")
            headers = {}
            for entity, paths in files.items():
                made.append(_table(f"{entity}_text"))
                headers[entity] = parts.measure(
                    "copy", partial(copy_text, cur, _table(f"{entity}_text"), paths)
                )
            conn.commit()
            for entity in files:
                select = _typed_select(entities[entity], headers[entity], _table(f"{entity}_text"))
                made.append(_table(entity))

                def typed(entity=entity, select=select) -> int:
                    csv_in_sql.set_pads(conn, Pseudonymiser())
                    cur.execute(sql.SQL("drop table if exists {}").format(_table(entity)))
                    cur.execute(sql.SQL("create table {} as {}").format(_table(entity), select))
                    count = cur.rowcount
                    conn.commit()  # the pads go with the transaction
                    return count

                rows[entity] = parts.measure("type, check, pseudonymise", typed)
                # Not timed; at 10M the text copy holds ~6 GB of disk.
                cur.execute(sql.SQL("drop table {}").format(_table(f"{entity}_text")))
                conn.commit()
            made.append(_table("latest"))

            def latest() -> int:
                cur.execute(sql.SQL("drop table if exists {}").format(_table("latest")))
                cur.execute(
                    sql.SQL(
                        'create table {} as select distinct on (ma_ho_so collate "C") * from {}'
                        ' where ma_ho_so is not null order by ma_ho_so collate "C", ngay_cap_nhat desc nulls last'
                    ).format(_table("latest"), _table("hoso"))
                )
                count = cur.rowcount
                conn.commit()
                return count

            dossiers = parts.measure("latest version per dossier", latest)
        parts.measure(
            "start great_expectations",
            lambda: subprocess.run([sys.executable, "-c", "import great_expectations"], check=True),
        )
        parts.measure(
            "start dbt", lambda: subprocess.run([dbt, "--version"], check=True, capture_output=True)
        )
    finally:
        with conn.cursor() as cur:
            conn.rollback()
            for table in made:
                cur.execute(sql.SQL("drop table if exists {}").format(table))
            conn.commit()
    return {
        "rows": sum(rows.values()),
        "detail": {
            "rows_by_entity": rows,
            "dossiers": dossiers,
            "files": sum(map(len, files.values())),
            "sections": parts.times,
        },
    }
