"""Superset as officials use it (issue 13), against a real warehouse with a generated world: the
dashboards from bi/superset/ import and render charts (headless Chromium, as a person sees them),
a chart's numbers through Superset's own API equal the marts, and the province fence holds: an
official of province 91 sees no row of province 01, in the API and on the screen."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from cchc.bi import security
from cchc.bi.assets import export_assets
from cchc.bi.browser_session import logged_in_proxy, login
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
ERRORS = (
    "Unexpected error",
    "error-alert",
    "ant-alert-error",
    "Data error",
    "Lỗi không mong muốn",
    "An error occurred",
)


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


@pytest.fixture
def official91(bi) -> SupersetClient:
    """An official of province 91 (An Giang), created through the fence's own helper."""
    url, settings = bi
    fence = security.load(paths(settings).assets / "security.yaml")
    security.add_official(_admin(url), fence, "91", "canbo91", "canbo91-pass")
    return SupersetClient(url, "canbo91", "canbo91-pass")


def _fenced_datasets(client: SupersetClient) -> dict[str, int]:
    """Every dataset that carries province rows (the fence's column), read from Superset."""
    out = {}
    for d in client.all("dataset", columns=["id", "table_name"]):
        columns = {c["column_name"] for c in client.get(f"/api/v1/dataset/{d['id']}")["result"]["columns"]}
        if "province_code_current" in columns:
            out[d["table_name"]] = d["id"]
    return out


def test_an_official_of_91_sees_no_row_of_01(bi, official91):
    url, _ = bi
    client = _admin(url)
    official = official91
    datasets = _fenced_datasets(client)
    # every dataset carries province rows, so none escapes the fence (the map, the unit view and
    # the dossiers behind drill to detail included)
    assert set(datasets) == {d["table_name"] for d in client.all("dataset")}
    proven = []
    for name, dataset_id in datasets.items():
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
        assert official_sees <= {"91"}, name
        if admin_sees:  # this world has no Biểu 06 report for May-June: nothing to fence there
            assert {"01", "91"} <= admin_sees, name
            assert official_sees == {"91"}, name
            proven.append(name)
    assert len(proven) >= len(datasets) - 1, set(datasets) - set(proven)
    # and on the screen: the overview as the official sees it names An Giang, never Hà Nội
    with logged_in_proxy(url, "canbo91", "canbo91-pass") as proxy:
        dom = browser.rendered_dom(
            f"{proxy}/superset/dashboard/tong-quan/", wait_ms=30000, width=1600, height=1800
        )
    assert "Loading" not in dom
    assert "Tỉnh An Giang" in dom
    assert "Thành phố Hà Nội" not in dom


def _samples(url: str, user: str, password: str, dataset_id: int, filters: list[dict]) -> dict:
    """What Superset's drill to detail asks for (the dataset's rows behind a chart's cell), with a
    browser's session as the user: POST /datasource/samples."""
    session = login(url, user, password)
    token = session.get(f"{url}/api/v1/security/csrf_token/", timeout=60).json()["result"]
    response = session.post(
        f"{url}/datasource/samples?datasource_type=table&datasource_id={dataset_id}&per_page=500&page=1",
        json={"filters": filters},
        headers={"X-CSRFToken": token, "Referer": url},
        timeout=120,
    )
    assert response.status_code == 200, response.text[:500]
    return response.json()["result"]


def test_drill_to_detail_leads_to_the_dossiers_and_stays_in_the_province(bi, official91, db_of_bi):
    """A cell of the dossier chart (June, resolved late) drilled to detail: the dossiers that ended
    late in June, one row each, as many as fct_timeliness_monthly's cell; an official of 91 gets
    only 91's, even when asking for 01's."""
    url, _ = bi
    dataset_id = _dataset_id(_admin(url), "Hồ sơ (chi tiết)")
    cell = [
        {"col": "month_start", "op": "==", "val": "2026-06-01"},
        {"col": "result_name", "op": "==", "val": "Đã giải quyết quá hạn"},
    ]
    late_june = {
        province: {code for (code,) in db_of_bi.execute(
            "select dossier_code from marts.fct_dossier where province_code_current = %s "
            "and end_date >= '2026-06-01' and end_date < '2026-07-01' and end_date > due_date", (province,)).fetchall()}
        for province in ("01", "91")
    }  # fmt: skip
    (mart_cell,) = db_of_bi.execute(
        "select sum(resolved_late) from marts.fct_timeliness_monthly where month_start = '2026-06-01'"
    ).fetchone()
    assert late_june["01"] and late_june["91"]
    admin = _samples(url, ADMIN_USER, ADMIN_PASSWORD, dataset_id, cell)
    assert admin["total_count"] == len(late_june["01"] | late_june["91"]) == mart_cell
    assert {r["dossier_code"] for r in admin["data"]} == late_june["01"] | late_june["91"]
    asking_for_01 = [*cell, {"col": "province_code_current", "op": "==", "val": "01"}]
    assert _samples(url, "canbo91", "canbo91-pass", dataset_id, asking_for_01)["total_count"] == 0
    official = _samples(url, "canbo91", "canbo91-pass", dataset_id, cell)
    assert {r["dossier_code"] for r in official["data"]} == late_june["91"]
    assert not {c for r in official["data"] for c in r} & {"citizen_key"}  # no pseudonym either


def test_the_map_colours_each_old_shape_with_its_province_of_today(bi, db_of_bi):
    """The country map's query: An Giang (91) of today is old An Giang (VN-44) and Kiên Giang
    (VN-47); both shapes carry its on-time rate, which is the mart's."""
    url, _ = bi
    client = _admin(url)
    body = {
        "datasource": {"id": _dataset_id(client, "Bản đồ tỉnh/thành theo tháng"), "type": "table"},
        "queries": [{
            "columns": ["iso_3166_2"],
            "metrics": [{"expressionType": "SQL", "label": "rate",
                         "sqlExpression": "SUM(resolved_in_time)::numeric / NULLIF(SUM(resolved_total), 0)"}],
            "row_limit": 100,
        }],
        "result_format": "json",
        "result_type": "full",
    }  # fmt: skip
    shown = {
        r["iso_3166_2"]: r["rate"] for r in client.post("/api/v1/chart/data", json=body)["result"][0]["data"]
    }
    (rate_91,) = db_of_bi.execute(
        "select sum(resolved_early + resolved_on_time)::numeric / sum(resolved_total) "
        "from marts.fct_timeliness_province_monthly where province_code_current = '91'"
    ).fetchone()
    assert {"VN-44", "VN-47"} <= set(shown)
    assert shown["VN-44"] == shown["VN-47"] == pytest.approx(float(rate_91))
    assert "VN-HN" in shown and shown["VN-HN"] != shown["VN-44"]


def test_an_export_after_import_rewrites_nothing(bi, tmp_path):
    """Dashboards as code: exporting what was just imported gives back the repo's files (stable
    ids), so a re-export after a UI edit shows only the edit."""
    url, settings = bi
    folder = tmp_path / "superset"
    export_assets(_admin(url), folder)
    repo = paths(settings).assets
    exported = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.yaml"))
    kept = sorted(p.relative_to(repo).as_posix() for p in repo.rglob("*.yaml") if p.name != "security.yaml")
    assert exported == kept
    for name in exported:
        assert yaml.safe_load((folder / name).read_text()) == yaml.safe_load((repo / name).read_text()), name


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
            f"{proxy}/superset/dashboard/{slug}/", wait_ms=30000, width=1600, height=3800, screenshot_to=png
        )
    assert DASHBOARDS[slug] in dom
    assert "Loading" not in dom
    assert len(re.findall(r'data-test="chart-grid-component"', dom)) == len(charts) > 0
    assert not [e for e in ERRORS if e in dom], [e for e in ERRORS if e in dom]
    for chart in charts:
        assert chart["slice_name"] in dom, chart["slice_name"]
    assert Path(png).stat().st_size > 50_000  # drawn, not a blank page
    if slug == "tong-quan":  # both maps drew shapes coloured by value (not all blank, not one colour)
        maps = dom.split('class="superset-legacy-chart-country-map')[1:]
        assert len(maps) == 2
        for svg in maps:
            fills = set(re.findall(r"fill: ?(rgb\([^)]*\))", svg.split("</svg>")[0]))
            assert len(fills) >= 2, fills
