"""`cchc docs serve`'s sites as a person sees them, offline, in headless Chromium.

GX Data Docs pages load their CSS and JavaScript from public CDNs; here (as in a government
network) those are unreachable. The pages must load the vendored copies instead: the validation
results table is then drawn by bootstrap-table (a jQuery plugin), which only happens when jQuery,
bootstrap and bootstrap-table all loaded. dbt docs must be served over HTTP to render its models.
"""

from __future__ import annotations

import datetime as dt
import os

import pytest

from cchc.docs import browser
from cchc.settings import get_settings

DAY = dt.date(2026, 11, 21)

needs_browser = pytest.mark.skipif(
    browser.chromium() is None and not os.environ.get("CI"),
    reason="chromium not installed (make tools); CI installs it",
)


@pytest.fixture(scope="module")
def docs_site(warehouse, gx_project, catalogue, tmp_path_factory):
    from cchc.docs.server import serve_in_thread
    from cchc.validate import build_data_docs, validate_batch
    from cchc.warehouse.connection import connect

    from .conftest import Raw as raw

    with connect(warehouse, autocommit=True) as db:
        rows = [raw.good_dossier("DS", DAY, i) for i in range(4)]
        rows[0]["ngay_hen_tra"] = dt.datetime(2026, 11, 1)  # a critical failure: a results table with rows
        batch = raw.hoso_batch(db, "DS", DAY, rows)
    assert validate_batch(batch).status == "quarantined"
    build_data_docs()
    server, url = serve_in_thread(port=0)
    yield {"url": url, "batch": batch, "out": tmp_path_factory.mktemp("screens")}
    server.shutdown()


def _validation_page(batch: int) -> str:
    folder = get_settings().data_docs_dir / "validations" / "onestop_hoso" / "critical"
    [page] = [p for p in folder.rglob("*.html") if f"batch-{batch}" in str(p)]
    return page.relative_to(get_settings().data_docs_dir).as_posix()


def test_data_docs_pages_load_nothing_from_the_internet(docs_site):
    from cchc.docs.offline_assets import cdn_references

    pages = list(get_settings().data_docs_dir.rglob("*.html"))
    assert pages
    assert {str(p): cdn_references(p) for p in pages if cdn_references(p)} == {}
    assert (get_settings().data_docs_dir / "static" / "vendor" / "jquery.min.js").is_file()


@needs_browser
def test_validation_table_is_drawn_and_styled_offline(docs_site):
    url = f"{docs_site['url']}/data-docs/{_validation_page(docs_site['batch'])}"
    shot = docs_site["out"] / "data_docs_validation.png"
    dom = browser.rendered_dom(url, screenshot_to=shot)
    # bootstrap-table wraps the table it drew; without its scripts the page is a bare <table>
    assert "bootstrap-table" in dom and "fixed-table-body" in dom, dom[:2000]
    assert shot.stat().st_size > 20_000  # a drawn page, not a blank one


@needs_browser
def test_dbt_docs_render_models_over_http(docs_site):
    from cchc.commands.run import ensure_manifest
    from cchc.pipeline.docs import refresh_dbt_docs
    from cchc.pipeline.local_airflow import prepare_environment

    prepare_environment()
    ensure_manifest()
    refresh_dbt_docs()
    url = f"{docs_site['url']}/dbt/index.html#!/model/model.cchc.fct_timeliness_monthly"
    dom = browser.rendered_dom(url, wait_ms=8000)
    assert "fct_timeliness_monthly" in dom and "on_time_rate" in dom, dom[:2000]
    # the lineage graph (g_v=1) is drawn on a canvas: a screenshot is what shows it
    lineage = browser.screenshot(f"{url}?g_v=1", docs_site["out"] / "dbt_docs_lineage.png", wait_ms=10000)
    assert lineage.stat().st_size > 20_000
