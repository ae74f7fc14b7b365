"""dbt the usual way: every model a table, rebuilt whole each time.

dbt has no command-line switch for materialisations and a model's own `config(...)` wins over
`dbt_project.yml`, so the bench copies the project to a scratch folder and rewrites it there:
every `+materialized` in `dbt_project.yml` and every `materialized=` in a model file becomes
`table` (views, incremental and ephemeral models alike). It then runs `dbt build --full-refresh`
on the copy, against the same warehouse and schemas. The repository's project is never touched.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml

_MATERIALIZED_IN_SQL = re.compile(r"""(materialized\s*=\s*)(['"])(?:view|incremental|ephemeral)\2""")
_IGNORED = shutil.ignore_patterns("target", "logs", "dbt_packages", ".user.yml")


def _all_tables(node):
    if isinstance(node, dict):
        return {
            k: ("table" if k in {"+materialized", "materialized"} else _all_tables(v))
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_all_tables(v) for v in node]
    return node


def make_table_project(source: Path, dest: Path) -> dict:
    """Copy `source` to `dest` with every model materialised as a table; return what changed."""
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(source, dest, ignore=_IGNORED)
    project_file = dest / "dbt_project.yml"
    project = yaml.safe_load(project_file.read_text(encoding="utf-8"))
    project["models"] = _all_tables(project.get("models") or {})
    name = project.get("name")
    project["models"].setdefault(name, {})["+materialized"] = "table"
    project_file.write_text(yaml.safe_dump(project, sort_keys=False, allow_unicode=True), encoding="utf-8")
    rewritten = []
    for path in sorted((dest / "models").rglob("*.sql")):
        text = path.read_text(encoding="utf-8")
        new = _MATERIALIZED_IN_SQL.sub(r"\1\2table\2", text)
        if new != text:
            path.write_text(new, encoding="utf-8")
            rewritten.append(str(path.relative_to(dest)))
    for path in sorted((dest / "models").rglob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        new_doc = _all_tables(doc)
        if new_doc != doc:
            path.write_text(yaml.safe_dump(new_doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
            rewritten.append(str(path.relative_to(dest)))
    return {"project_copy": str(dest), "files_rewritten": rewritten}


def run_table_build(target, project: Path, work: Path, threads: int) -> dict:
    """`dbt build --full-refresh` on the table-only copy; returns dbt's node statuses."""
    import os

    from dbt.cli.main import dbtRunner

    os.environ.update(target.dbt_env())
    os.environ["CCHC_DBT_THREADS"] = str(threads)
    args = [
        "build",
        "--full-refresh",
        "--project-dir",
        str(project),
        "--profiles-dir",
        str(project),
        "--target-path",
        str(work / "target"),
        "--log-path",
        str(work / "logs"),
    ]
    res = dbtRunner().invoke(args)
    statuses: dict[str, int] = {}
    failures = []
    for node in getattr(res.result, "results", None) or []:
        status = str(getattr(node, "status", ""))
        statuses[status] = statuses.get(status, 0) + 1
        if status in {"error", "fail", "runtime error"}:
            failures.append(f"{node.node.unique_id}: {status}")
    return {"success": bool(res.success), "statuses": statuses, "failures": failures[:20]}
