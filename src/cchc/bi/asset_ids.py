"""Superset's export carries the numeric ids of the machine it ran on (a chart's `datasource`, a
dashboard's `chartId`s and filter scopes). The import maps them again from the uuids, so their
values do not matter, only that they agree inside the bundle. Exporting them as they are made every
re-export rewrite files nobody changed; here they become stable numbers (the rank of the object's
uuid), so a diff shows only what someone edited.

One thing the import does not map: a native filter's `chartsInScope`, which the dashboard uses to
decide which charts a filter acts on. `settle_filter_scopes` recomputes it after an import from the
filter's scope (which the import does map) and the dashboard's charts."""

from __future__ import annotations

import json
from typing import Any

from cchc.bi.client import SupersetClient


def _rank(uuids: list[str]) -> dict[str, int]:
    return {uuid: rank for rank, uuid in enumerate(sorted(uuids), start=1)}


def stable_ids(docs: dict[str, dict]) -> dict[str, dict]:
    """`docs` (path -> parsed YAML of one export) with every numeric id replaced by a stable one."""
    datasets = _rank([d["uuid"] for p, d in docs.items() if p.startswith("datasets/")])
    charts = _rank([d["uuid"] for p, d in docs.items() if p.startswith("charts/")])
    for path, doc in docs.items():
        if path.startswith("charts/") and isinstance(doc.get("params"), dict):
            doc["params"]["datasource"] = f"{datasets[doc['dataset_uuid']]}__table"
        elif path.startswith("dashboards/"):
            _dashboard(doc, charts)
    return docs


def _dashboard(doc: dict, charts: dict[str, int]) -> None:
    old_to_new: dict[int, int] = {}
    for node in (doc.get("position") or {}).values():
        if isinstance(node, dict) and node.get("type") == "CHART" and node["meta"].get("uuid") in charts:
            new = charts[node["meta"]["uuid"]]
            old_to_new[node["meta"]["chartId"]] = new
            node["meta"]["chartId"] = new
    remap = lambda ids: sorted(old_to_new[i] for i in ids if i in old_to_new)  # noqa: E731
    meta = doc.get("metadata") or {}
    for native in meta.get("native_filter_configuration", []):
        scope = native.get("scope") or {}
        if scope.get("excluded"):
            scope["excluded"] = remap(scope["excluded"])
        if native.get("chartsInScope") is not None:
            native["chartsInScope"] = remap(native["chartsInScope"])
    configs = meta.get("chart_configuration") or {}
    if configs:
        settled = {}
        for key, config in configs.items():
            new = old_to_new.get(int(key))
            if new is None:
                continue
            config["id"] = new
            cross = config.get("crossFilters") or {}
            if (cross.get("scope") or {}).get("excluded"):
                cross["scope"]["excluded"] = remap(cross["scope"]["excluded"])
            if cross.get("chartsInScope") is not None:
                cross["chartsInScope"] = remap(cross["chartsInScope"])
            settled[str(new)] = config
        meta["chart_configuration"] = dict(sorted(settled.items(), key=lambda kv: int(kv[0])))
    glob = meta.get("global_chart_configuration") or {}
    if (glob.get("scope") or {}).get("excluded"):
        glob["scope"]["excluded"] = remap(glob["scope"]["excluded"])
    if glob.get("chartsInScope") is not None:
        glob["chartsInScope"] = remap(glob["chartsInScope"])


def _chart_ids(position: dict[str, Any]) -> list[int]:
    return sorted(
        node["meta"]["chartId"]
        for node in position.values()
        if isinstance(node, dict) and node.get("type") == "CHART"
    )


def settle_filter_scopes(client: SupersetClient) -> int:
    """Recompute every native filter's chartsInScope from its (import-mapped) scope; returns the
    number of dashboards changed."""
    changed = 0
    for summary in client.all("dashboard"):
        full = client.get(f"/api/v1/dashboard/{summary['id']}")["result"]
        meta = json.loads(full.get("json_metadata") or "{}")
        in_dashboard = _chart_ids(json.loads(full.get("position_json") or "{}"))
        dirty = False
        for native in meta.get("native_filter_configuration", []):
            excluded = set((native.get("scope") or {}).get("excluded") or [])
            wanted = [i for i in in_dashboard if i not in excluded]
            if native.get("chartsInScope") != wanted:
                native["chartsInScope"] = wanted
                dirty = True
        if dirty:
            client.put(
                f"/api/v1/dashboard/{summary['id']}",
                json={"json_metadata": json.dumps(meta, ensure_ascii=False)},
            )
            changed += 1
    return changed
