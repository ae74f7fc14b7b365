"""docs/MARTS.md is the promise BI tools rely on: every column it names for a mart is in that
model's dbt YAML, where the enforced contract makes the build fail if the SQL stops producing it.
So the page cannot drift from the warehouse without this test failing."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _promised() -> dict[str, set[str]]:
    text = (ROOT / "docs" / "MARTS.md").read_text(encoding="utf-8")
    out = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and re.fullmatch(r"`\w+`", cells[0]):
            out[cells[0].strip("`")] = set(re.findall(r"`(\w+)`", cells[2]))
    return out


def _model_columns() -> dict[str, tuple[set[str], bool]]:
    out = {}
    for path in (ROOT / "dbt_project" / "models").rglob("*.yml"):
        for model in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("models", []):
            enforced = bool(((model.get("config") or {}).get("contract") or {}).get("enforced"))
            out[model["name"]] = ({c["name"] for c in model.get("columns", [])}, enforced)
    return out


def test_every_promised_column_is_in_an_enforced_contract():
    promised = _promised()
    models = _model_columns()
    assert len(promised) >= 15, sorted(promised)
    for table, columns in promised.items():
        assert table in models, table
        declared, enforced = models[table]
        assert enforced, f"{table} has no enforced contract"
        assert columns <= declared, f"{table}: promised but not declared: {sorted(columns - declared)}"
