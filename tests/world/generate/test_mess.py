"""Every kind of field mess appears when its rate is 1, is recorded, and really is in the files."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from pathlib import Path

import pytest

from cchc_world.generate import deliveries, mess, truth
from cchc_world.generate.generator import Config, generate

# 89 (XLSX) and 91 (CSV) before 2025-07-01, 91 after (CSV); 11 exports JSONL before
TINY = {
    "dossiers": 300,
    "start": date(2025, 6, 23),
    "end": date(2025, 7, 8),
    "provinces": ("11", "91"),
    "seed": 5,
}


# Biểu 06 reports cover whole quarters
QUARTER = {**TINY, "start": date(2025, 4, 1), "end": date(2025, 6, 30), "dossiers": 600}


def _world(tmp_path: Path, kind: str) -> Path:
    out = tmp_path / kind
    params = QUARTER if kind.startswith("bieu06") else TINY
    generate(Config(out=out, mess_rate=0.0, mess_overrides={kind: 1.0}, **params))
    return out


def _versions(out: Path, path: str) -> list[dict]:
    return [e for e in deliveries.log(out) if e["file"] == path]


@pytest.mark.parametrize("kind", mess.KINDS)
def test_each_kind_appears_and_is_recorded(tmp_path, kind):
    out = _world(tmp_path, kind)
    records = [m for m in truth.mess(out) if m["kind"] == kind]
    assert records, kind
    assert {m["kind"] for m in truth.mess(out)} == {kind}  # the other rates are 0
    assert all(m["expect"] for m in records)
    if kind in ("corrected", "critical_error", "truncated", "duplicate"):
        for r in records:  # every injected export really arrives twice, as the kind says
            v = _versions(out, r["path"])
            assert len(v) == 2 and (v[0]["sha256"] == v[1]["sha256"]) == (kind == "duplicate"), r
    rec = records[0]
    path = rec.get("path", "")
    if kind == "duplicate":
        v = _versions(out, path)
        assert len(v) == 2 and v[0]["sha256"] == v[1]["sha256"] and v[0]["arrival"] < v[1]["arrival"]
    elif kind in ("corrected", "critical_error", "truncated"):
        v = _versions(out, path)
        assert len(v) == 2 and v[0]["sha256"] != v[1]["sha256"]
        first = (out / v[0]["stored"]).read_bytes()
        manifest_v1 = json.loads((out / v[0]["stored"]).with_name("manifest.json").read_bytes())
        declared = next(f["sha256"] for f in manifest_v1["files"] if path.endswith(f["ten"]))
        # a truncated copy contradicts its manifest; corrected/critical versions are consistent ones
        assert (hashlib.sha256(first).hexdigest() == declared) == (kind != "truncated")
        if kind == "critical_error" and path.endswith(".csv"):
            text = first.decode("utf-8-sig").splitlines()
            head = text[0].split(",")
            i, j = head.index("NgayTiepNhan"), head.index("NgayHenTra")
            fmt = "%d/%m/%Y %H:%M:%S"
            bad = [
                r for r in (line.split(",") for line in text[1:])
                if len(r) == len(head) and r[i] and r[j]
                and datetime.strptime(r[j], fmt) < datetime.strptime(r[i], fmt)
            ]  # fmt: skip
            assert bad
    elif kind == "late":
        v = _versions(out, path)
        assert len(v) == 1
        assert v[0]["arrival"][:10] >= (
            date.fromisoformat(rec["business_date"]).toordinal() + 2 and rec["arrival"][:10]
        )
        assert rec["days_late"] >= 2
    elif kind == "bom":
        assert (out / _versions(out, path)[0]["stored"]).read_bytes().startswith(b"\xef\xbb\xbfMaHoSo")
    elif kind == "extra_column":
        assert b"GhiChu" in (out / _versions(out, path)[0]["stored"]).read_bytes()[:2000] or path.endswith(
            ".xlsx"
        )
    elif kind == "excel_text":
        from python_calamine import CalamineWorkbook

        rows = (
            CalamineWorkbook.from_path(str(out / _versions(out, path)[0]["stored"]))
            .get_sheet_by_index(0)
            .to_python()
        )
        col = rows[0].index("NgayCapNhat")
        assert all(isinstance(r[col], str) and r[col][2] == "/" for r in rows[1:])
    elif kind == "many_changes":
        code = rec["dossier_code"].encode()
        days = {e["business_date"] for e in deliveries.log(out) if e["file"].startswith("onestop/")
                and code in (out / e["stored"]).read_bytes()}  # fmt: skip
        assert len(days) >= 5
    elif kind == "bieu06_malformed":
        assert rec["cell"]["value"].split(".")[-1].isdigit() and len(rec["cell"]["value"].split(".")[-1]) == 4
    elif kind == "bieu06_broken":
        assert rec["broken_identities"]
        rows = [r for r in truth.load(out, "bieu06_reports") if r["mess"] == "bieu06_broken"]
        assert any(r["intended_value"] != r["printed_value"] for r in rows)
