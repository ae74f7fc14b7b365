"""The dashboards as files (bi/superset/), checked without a Superset: what a reviewer of a change
to them would check by hand. A native filter acts on every chart in its scope by column name, so a
chart whose dataset lacks the column fails with an error box as soon as someone picks a value,
which no render test sees (nothing is picked there)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ASSETS = Path(__file__).resolve().parents[2] / "bi" / "superset"


def _load(folder: str) -> list[dict]:
    return [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((ASSETS / folder).rglob("*.yaml"))]


DATASETS = {d["uuid"]: d for d in _load("datasets")}
CHARTS = {c["uuid"]: c for c in _load("charts")}
DASHBOARDS = _load("dashboards")


def _columns(dataset: dict) -> set[str]:
    return {c["column_name"] for c in dataset["columns"]}


@pytest.mark.parametrize("dashboard", DASHBOARDS, ids=[d["slug"] for d in DASHBOARDS])
def test_every_filter_acts_only_on_charts_that_have_its_column(dashboard):
    charts = {
        node["meta"]["chartId"]: CHARTS[node["meta"]["uuid"]]
        for node in dashboard["position"].values()
        if isinstance(node, dict) and node.get("type") == "CHART"
    }
    for native in dashboard["metadata"]["native_filter_configuration"]:
        (target,) = native["targets"]
        column = target["column"]["name"]
        assert column in _columns(DATASETS[target["datasetUuid"]]), native["name"]
        excluded = set(native["scope"].get("excluded") or [])
        assert excluded <= set(charts), f"{native['name']}: scope names charts not on the dashboard"
        for chart_id, chart in charts.items():
            if chart_id not in excluded:
                assert column in _columns(DATASETS[chart["dataset_uuid"]]), (
                    f"filter {native['name']!r} ({column}) reaches {chart['slice_name']!r}, whose dataset lacks it"
                )
        if "chartsInScope" in native:
            assert sorted(native["chartsInScope"]) == sorted(set(charts) - excluded), native["name"]


def test_every_dataset_is_fenced_and_every_chart_and_column_is_described():
    for dataset in DATASETS.values():
        assert "province_code_current" in _columns(dataset), dataset["table_name"]  # the RLS column
        for column in dataset["columns"]:
            assert column["verbose_name"], (dataset["table_name"], column["column_name"])
            assert column["column_name"] in (column["description"] or "") or column["description"], column
    for chart in CHARTS.values():
        assert chart["description"], chart["slice_name"]
        assert chart["dataset_uuid"] in DATASETS, chart["slice_name"]


def test_every_chart_is_on_a_dashboard():
    placed = {
        node["meta"]["uuid"]
        for dashboard in DASHBOARDS
        for node in dashboard["position"].values()
        if isinstance(node, dict) and node.get("type") == "CHART"
    }
    assert placed == set(CHARTS)


def test_dbt_exposures_name_every_mart_each_dashboard_reads():
    """dbt's exposures (the lineage graph's end) list, per dashboard, exactly the marts its datasets
    select from: a chart on a new mart shows up in `dbt docs` and in `dbt ls --select +exposure:…`."""
    import re

    exposures = yaml.safe_load(
        (ASSETS.parents[1] / "dbt_project" / "models" / "marts" / "exposures.yml").read_text(encoding="utf-8")
    )["exposures"]
    by_url = {e["url"].rstrip("/").rsplit("/", 1)[-1]: e for e in exposures}
    for dashboard in DASHBOARDS:
        read = set()
        for node in dashboard["position"].values():
            if isinstance(node, dict) and node.get("type") == "CHART":
                dataset = DATASETS[CHARTS[node["meta"]["uuid"]]["dataset_uuid"]]
                read |= set(re.findall(r"\bmarts\.(\w+)", dataset["sql"] or ""))
        declared = {
            re.fullmatch(r"ref\('(\w+)'\)", d).group(1) for d in by_url[dashboard["slug"]]["depends_on"]
        }
        assert declared == read, dashboard["slug"]
