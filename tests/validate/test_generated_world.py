"""The generator's world delivered night by night, ingested and validated as the pipeline does:
its injected critical errors are quarantined with the exact rule, their corrected exports load,
and every clean batch loads."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Path:
    from cchc_world.generate.generator import Config, generate

    out = tmp_path_factory.mktemp("world")
    generate(
        Config(
            out=out,
            seed=11,
            dossiers=250,
            start=date(2025, 5, 10),
            end=date(2025, 5, 31),
            provinces=("01",),
            mess_rate=0.0,
            mess_overrides={"critical_error": 0.25, "corrected": 0.1},
            formats=("csv",),
        )
    )
    return out


@pytest.mark.slow
def test_injected_critical_errors_are_quarantined_and_their_corrections_load(
    world, tmp_path, monkeypatch, db, catalogue
):
    from cchc.sources.onestop.discover import find_exports
    from cchc.sources.onestop.ingest import ingest_export
    from cchc.validate import validate_batch
    from cchc_world.generate.deliveries import deliver, log

    landing = tmp_path / "landing"
    monkeypatch.setenv("CCHC_LANDING_DIR", str(landing))
    outcomes = []
    for arrival in sorted({e["arrival"] for e in log(world)}):
        placed = deliver(world, datetime.fromisoformat(arrival), landing)
        days = {(d.province, d.business_date) for d in placed if d.file.endswith("manifest.json")}
        for province, day in sorted(days):
            for export in find_exports(date.fromisoformat(day), province):
                for loaded in ingest_export(export):
                    outcome = validate_batch(loaded.batch_id) if loaded.status == "pending" else loaded
                    outcomes.append((f"onestop/{province}/{day}/{loaded.file_name}", outcome))

    by_path = defaultdict(list)
    for path, outcome in outcomes:
        by_path[path].append(outcome)
    mess = [json.loads(line) for line in (world / "truth" / "mess.jsonl").read_text().splitlines()]
    critical = {m["path"] for m in mess if m["kind"] == "critical_error"}
    assert critical
    for path in critical:
        first, *later = by_path[path]
        assert first.status == "quarantined", (path, first)
        assert first.reason.startswith("NgayHenTra before NgayTiepNhan in "), first.reason
        assert [o.status for o in later][-1:] == ["accepted"], (path, later)
    # everything else validated loads (duplicates are not batches to validate)
    for path, items in by_path.items():
        for outcome in items:
            if path in critical and outcome is items[0]:
                continue
            assert outcome.status in {"accepted", "superseded", "duplicate"}, (path, outcome)
