"""A world generated with `horizon` (planned to a later day, stopped at `end`) is an exact prefix of
the longer world: the same files for every day up to `end`, with a truth of its own as of `end`.
The dbt truth test relies on this to check a one-day increment against two truths."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import pytest

from cchc_world.generate import truth
from cchc_world.generate.generator import Config, generate

BASE = {"dossiers": 600, "start": date(2025, 6, 2), "provinces": ("01", "91"), "seed": 5, "mess_rate": 0.0}
END = date(2025, 7, 8)
SHORT_END = date(2025, 7, 7)


def _daily_files(world: Path, until: date) -> dict[str, object]:
    out: dict[str, object] = {}
    for path in sorted(world.rglob("*")):
        rel = path.relative_to(world).as_posix()
        if (
            not path.is_file()
            or not rel.startswith(("landing/onestop/", "portal/"))
            or "/service-results/" in rel
        ):
            continue
        day = path.parent.name if rel.startswith("landing/") else path.stem
        if rel.endswith("formalities.jsonl") or date.fromisoformat(day) > until:
            continue
        if "/petitions/" in rel:
            # a petition file holds each petition's state on the world's last day
            records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
            for r in records:
                if (r["resolvedAt"] or "").startswith(END.isoformat()):
                    r["resolvedAt"] = r["satisfied"] = None
            out[rel] = records
        else:
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


@pytest.fixture(scope="module")
def worlds(tmp_path_factory):
    root = tmp_path_factory.mktemp("horizon")
    generate(Config(out=root / "short", end=SHORT_END, horizon=END, deliver_all=True, **BASE))
    generate(Config(out=root / "long", end=END, deliver_all=True, **BASE))
    return root / "short", root / "long"


def test_files_up_to_the_shorter_end_are_identical(worlds):
    short, long_ = worlds
    files = _daily_files(short, SHORT_END)
    assert sum(k.startswith("landing/") for k in files) > 50
    assert files == _daily_files(long_, SHORT_END)
    assert not any(k.endswith(f"/{END.isoformat()}.jsonl") or f"/{END.isoformat()}/" in k for k in files)


def test_each_world_has_the_truth_of_its_own_last_day(worlds):
    short, long_ = worlds
    assert json.loads((short / "world.json").read_text())["horizon"] == END.isoformat()
    a = {r["dossier_code"]: r for r in truth.load(short, "dossiers")}
    b = {r["dossier_code"]: r for r in truth.load(long_, "dossiers")}
    # the shorter world lacks only the dossiers first received on the last day
    assert set(a) < set(b)
    assert {b[c]["received_date"] for c in set(b) - set(a)} <= {END.isoformat(), ""}
    changed = [c for c in a if a[c] != b[c]]
    assert changed, "nothing happened on the last day"


def test_horizon_before_end_is_refused(tmp_path):
    with pytest.raises(ValueError, match="horizon"):
        generate(Config(out=tmp_path / "w", end=END, horizon=SHORT_END, **BASE))
