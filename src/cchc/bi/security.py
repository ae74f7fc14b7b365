"""The province fence: a role per province of today's map, each with one row-level security rule
(`province_code_current = '<code>'`) on every dataset that has that column, so an official of a
province sees its rows only. National datasets carry no province rows and are not fenced.

Declared in bi/superset/security.yaml (reviewed like the dashboards) and applied idempotently
after every import, since Superset's asset bundles carry no roles or rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from cchc.bi.client import SupersetClient


@dataclass(frozen=True)
class Fence:
    role_name: str  # with {code} and {name}
    base_role: str  # Superset's read-only role the officials also get
    permissions: list[tuple[str, str]]
    column: str
    clause: str  # with {code}
    group_key: str


def load(path: Path) -> Fence:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))["province_fence"]
    return Fence(
        role_name=doc["role_name"],
        base_role=doc["base_role"],
        permissions=[tuple(p) for p in doc["permissions"]],
        column=doc["column"],
        clause=doc["clause"],
        group_key=doc["group_key"],
    )


def provinces() -> list[tuple[str, str]]:
    from cchc.reference import admin_units

    return sorted((p.unit_code, p.unit_name) for p in admin_units.provinces(date(2025, 7, 1)))


def _permission_ids(client: SupersetClient, wanted: list[tuple[str, str]]) -> list[int]:
    found = {}
    for pv in client.all("security/permissions-resources"):
        key = (pv["permission"]["name"], pv["view_menu"]["name"])
        found[key] = pv["id"]
    missing = [w for w in wanted if w not in found]
    if missing:
        raise RuntimeError(f"Superset has no permission {missing}")
    return [found[w] for w in wanted]


def apply(client: SupersetClient, fence: Fence) -> dict[str, int]:
    """Create or update the roles and rules; returns {role name: role id}."""
    roles = {r["name"]: r["id"] for r in client.all("security/roles")}
    permission_ids = _permission_ids(client, fence.permissions)
    datasets = [
        d["id"]
        for d in client.all("dataset", columns=["id", "table_name"])
        if fence.column in _columns(client, d["id"])
    ]
    rules = {r["name"]: r["id"] for r in client.all("rowlevelsecurity")}
    out = {}
    for code, name in provinces():
        role = fence.role_name.format(code=code, name=name)
        if role not in roles:
            roles[role] = client.post("/api/v1/security/roles/", json={"name": role})["id"]
        client.post(
            f"/api/v1/security/roles/{roles[role]}/permissions",
            json={"permission_view_menu_ids": permission_ids},
        )
        rule = {
            "name": f"{role}: {fence.column}",
            "filter_type": "Regular",
            "tables": datasets,
            "roles": [roles[role]],
            "clause": fence.clause.format(code=code),
            "group_key": fence.group_key,
            "description": f"Officials of {name} see the rows of {name} only.",
        }
        if not datasets:
            pass  # nothing to fence yet (no dataset has the column)
        elif rule["name"] in rules:
            client.put(f"/api/v1/rowlevelsecurity/{rules[rule['name']]}", json=rule)
        else:
            client.post("/api/v1/rowlevelsecurity/", json=rule)
        out[role] = roles[role]
    return out


def _columns(client: SupersetClient, dataset_id: int) -> set[str]:
    body = client.get(f"/api/v1/dataset/{dataset_id}")
    return {c["column_name"] for c in body["result"]["columns"]}


def add_official(client: SupersetClient, fence: Fence, code: str, username: str, password: str) -> int:
    """A user who is an official of one province (tests, and the README's example)."""
    roles = {r["name"]: r["id"] for r in client.all("security/roles")}
    name = dict(provinces())[code]
    role_ids = [roles[fence.base_role], roles[fence.role_name.format(code=code, name=name)]]
    users = {u["username"]: u["id"] for u in client.all("security/users")}
    body = {
        "first_name": "Cán bộ",
        "last_name": name,
        "username": username,
        "email": f"{username}@cchc.local",
        "active": True,
        "password": password,
        "roles": role_ids,
    }
    if username in users:
        client.put(
            f"/api/v1/security/users/{users[username]}",
            json={k: v for k, v in body.items() if k != "password"},
        )
        return users[username]
    return client.post("/api/v1/security/users/", json=body)["id"]
