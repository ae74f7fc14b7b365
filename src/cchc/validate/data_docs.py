"""GX Data Docs: the static site of the validation results, built incrementally, offline."""

from __future__ import annotations

import datetime as dt

from cchc.settings import get_settings
from cchc.validate.gx import open_project


def build_data_docs(keep_days: int = 14) -> str:
    """Rebuild GX Data Docs (static HTML) under settings.data_docs_dir; return the index path.

    Incremental: only validation results stored since the last build are rendered (plus the
    suites and the index). Results older than `keep_days` leave the GX store and the site; the
    warehouse keeps every result in audit.validation_results anyway.
    """
    settings = get_settings()
    project = open_project(settings)
    results_dir = settings.state_dir / "gx" / "validations"
    marker = settings.state_dir / "gx" / "data_docs_built_at"
    now = dt.datetime.now(dt.UTC)
    _prune(results_dir, now - dt.timedelta(days=keep_days))
    _prune(settings.data_docs_dir / "validations", now - dt.timedelta(days=keep_days))
    index = settings.data_docs_dir / "index.html"
    since = (
        dt.datetime.fromisoformat(marker.read_text().strip()) if marker.exists() and index.exists() else None
    )
    project.build_data_docs(since)
    from cchc.docs.offline_assets import make_offline, vendor_dir

    make_offline(settings.data_docs_dir, vendor_dir(settings.home))  # no CDN: renders offline
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(now.isoformat())
    return str(index)


def _prune(folder, older_than: dt.datetime) -> None:
    if not folder.is_dir():
        return
    cutoff = older_than.timestamp()
    for path in folder.rglob("*"):
        if path.is_file() and path.suffix in {".json", ".html"} and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
