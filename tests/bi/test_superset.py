"""Superset as officials use it (issue 13), against a real warehouse with a generated world: the
dashboards from bi/superset/ import and render charts (headless Chromium, as a person sees them),
a chart's numbers through Superset's own API equal the marts, and the province fence holds: an
official of province 91 sees no row of province 01, in the API and on the screen."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cchc.bi import security
from cchc.bi.browser_session import logged_in_proxy
from cchc.bi.client import SupersetClient
from cchc.bi.environment import ADMIN_PASSWORD, ADMIN_USER, paths
from cchc.docs import browser

pytestmark = pytest.mark.slow

DASHBOARDS = {
    "tong-quan": "Tổng quan tỉnh/thành",
    "chi-so-766": "Chỉ số 766",
    "doi-soat-bao-cao": "Đối soát báo cáo",
    "van-hanh": "Vận hành pipeline",
}
ERRORS = ("Unexpected error", "error-alert", "Lỗi không mong muốn", "An error occurred")


def _admin(url: str) -> SupersetClient:
    return SupersetClient(url, ADMIN_USER, ADMIN_PASSWORD)


def _dataset_id(client: SupersetClient, name: str) -> int:
    return next(d["id"] for d in client.all("dataset") if d["table_name"] == name)


def _ranking(client: SupersetClient, dataset_id: int) -> dict[str, tuple]:
    """The ranking table's query ("Xếp hạng tỉnh/thành"), through Superset's chart data API."""
    body = {
        "datasource": {"id": dataset_id, "type": "table"},
        "queries": [
            {
                "columns": ["province_code_current", "province_name"],
                "metrics": [
                    {"expressionType": "SQL", "sqlExpression": "SUM(received_new)", "label": "received"},
                    {"expressionType": "SQL", "sqlExpression": "SUM(resolved_in_time)", "label": "in_time"},
                    {"expressionType": "SQL", "sqlExpression": "SUM(paid_online_dossiers)", "label": "paid"},
                ],
                "filters": [{"col": "month_start", "op": "==", "val": "2026-06-01"}],
                "row_limit": 1000,
            }
        ],
        "result_format": "json",
        "result_type": "full",
    }
    result = client.post("/api/v1/chart/data", json=body)["result"][0]
    assert result.get("error") is None, result
    return {r["province_code_current"]: (r["received"], r["in_time"], r["paid"]) for r in result["data"]}


def test_the_numbers_superset_shows_are_the_marts(bi, db_of_bi):
    url, _ = bi
    client = _admin(url)
    shown = _ranking(client, _dataset_id(client, "Tổng quan tỉnh theo tháng"))
    marts = {
        code: (received, in_time, paid)
        for code, received, in_time, paid in db_of_bi.execute(
            """
            select t.province_code_current, sum(t.received_new), sum(t.resolved_early + t.resolved_on_time),
                   max(p.paid_online_dossiers)
            from marts.fct_timeliness_province_monthly as t
            left join marts.fct_online_payment_province_monthly as p using (month_start, province_code_current)
            where t.month_start = '2026-06-01'
            group by t.province_code_current
            """
        ).fetchall()
    }
    assert set(shown) == {"01", "91"} == set(marts)
    for code in marts:
        assert tuple(float(v) for v in shown[code]) == tuple(float(v) for v in marts[code]), code
    assert all(marts[c][0] > 0 for c in marts)


def test_an_official_of_91_sees_no_row_of_01(bi):
    url, settings = bi
    client = _admin(url)
    fence = security.load(paths(settings).assets / "security.yaml")
    security.add_official(client, fence, "91", "canbo91", "canbo91-pass")
    official = SupersetClient(url, "canbo91", "canbo91-pass")
    for name in ("Tổng quan tỉnh theo tháng", "Chỉ số 766 theo nhóm", "Thanh toán trực tuyến theo đơn vị"):
        dataset_id = _dataset_id(client, name)
        body = {
            "datasource": {"id": dataset_id, "type": "table"},
            "queries": [{"columns": ["province_code_current"], "metrics": ["count"], "row_limit": 1000}],
            "result_format": "json",
            "result_type": "full",
        }
        admin_sees = {
            r["province_code_current"]
            for r in client.post("/api/v1/chart/data", json=body)["result"][0]["data"]
        }
        official_sees = {
            r["province_code_current"]
            for r in official.post("/api/v1/chart/data", json=body)["result"][0]["data"]
        }
        assert {"01", "91"} <= admin_sees, name
        assert official_sees == {"91"}, name
    # and on the screen: the overview as the official sees it names An Giang, never Hà Nội
    with logged_in_proxy(url, "canbo91", "canbo91-pass") as proxy:
        dom = browser.rendered_dom(
            f"{proxy}/superset/dashboard/tong-quan/", wait_ms=30000, width=1600, height=1800
        )
    assert "Loading" not in dom
    assert "Tỉnh An Giang" in dom
    assert "Thành phố Hà Nội" not in dom


@pytest.mark.skipif(browser.chromium() is None, reason="chromium is not installed (make tools)")
@pytest.mark.parametrize("slug", sorted(DASHBOARDS))
def test_every_dashboard_renders_its_charts(bi, slug, tmp_path):
    """Each dashboard, as the admin sees it after its scripts ran: every chart drawn (its grid
    component present), no error box; a screenshot for a person to look at."""
    url, _ = bi
    client = _admin(url)
    dashboard = next(d for d in client.all("dashboard") if d["slug"] == slug)
    charts = client.get(f"/api/v1/dashboard/{dashboard['id']}/charts")["result"]
    with logged_in_proxy(url, ADMIN_USER, ADMIN_PASSWORD) as proxy:
        png = tmp_path / f"{slug}.png"
        dom = browser.rendered_dom(
            f"{proxy}/superset/dashboard/{slug}/", wait_ms=30000, width=1600, height=1800, screenshot_to=png
        )
    assert DASHBOARDS[slug] in dom
    assert "Loading" not in dom
    assert len(re.findall(r'data-test="chart-grid-component"', dom)) == len(charts) > 0
    assert not [e for e in ERRORS if e in dom], [e for e in ERRORS if e in dom]
    for chart in charts:
        assert chart["slice_name"] in dom, chart["slice_name"]
    assert Path(png).stat().st_size > 50_000  # drawn, not a blank page
