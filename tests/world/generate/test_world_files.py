"""Determinism, manifests, deliveries, province codes around 2025-07-01, Biểu 06 and personal data."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from pathlib import Path

import pytest

from cchc_world.generate import deliveries, truth
from cchc_world.generate.generator import Config, generate

TINY = {
    "dossiers": 400,
    "start": date(2025, 6, 16),
    "end": date(2025, 7, 15),
    "provinces": ("91",),
    "seed": 3,
}


def _tree_hash(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_same_seed_gives_byte_identical_files(tmp_path):
    a = _tree_hash_of(tmp_path / "a", TINY)
    b = _tree_hash_of(tmp_path / "b", TINY)
    assert a == b
    assert any(k.endswith(".xlsx") for k in a) and any(k.endswith(".csv") for k in a)
    c = _tree_hash_of(tmp_path / "c", {**TINY, "seed": 4})
    assert c != a


def _tree_hash_of(out: Path, params: dict) -> dict[str, str]:
    generate(Config(out=out, deliver_all=True, **params))
    return _tree_hash(out)


def test_manifests_match_the_landed_files(small_world):
    out, _ = small_world
    folders = sorted((out / "landing" / "onestop").glob("*/*"))
    assert folders
    for folder in folders:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["ma_tinh"] == folder.parent.name and manifest["tu_ngay"] == folder.name
        names = {f["ten"] for f in manifest["files"]}
        assert names == {p.name for p in folder.iterdir()} - {"manifest.json"}
        for f in manifest["files"]:
            payload = (folder / f["ten"]).read_bytes()
            assert hashlib.sha256(payload).hexdigest() == f["sha256"], folder
            if f["ten"].endswith(".csv"):
                assert payload.count(b"\r\n") - 1 == f["so_dong"]
            elif f["ten"].endswith(".jsonl"):
                assert payload.count(b"\n") == f["so_dong"]


def test_province_codes_around_the_reorganisation(small_world):
    out, _ = small_world
    onestop = out / "landing" / "onestop"
    before = {p.parent.name for p in onestop.glob("*/2025-06-30")}
    after = {p.parent.name for p in onestop.glob("*/2025-07-01")}
    assert before == {"11", "89", "91"}  # 89 An Giang and 91 Kiên Giang still separate
    assert after == {"11", "91"}  # merged into 91 An Giang
    # a dossier of old An Giang (89) received before and changed after keeps its code and old unit
    rows = {r["dossier_code"]: r for r in truth.load(out, "dossiers")}
    crossing = [
        r for r in rows.values()
        if r["unit_valid_from"] == "2000-01-01" and r["received_date"] and r["received_date"] < "2025-07-01"
        and r["ended_date"] >= "2025-07-02" and ".H89-" in r["dossier_code"]
    ]  # fmt: skip
    assert crossing
    code = crossing[0]["dossier_code"]
    seen_in = set()
    for f in onestop.glob("*/*/hoso.*"):
        if code.encode() in f.read_bytes() or (f.suffix == ".xlsx" and _xlsx_has(f, code)):
            seen_in.add((f.parent.parent.name, f.parent.name >= "2025-07-01"))
    assert ("89", False) in seen_in and ("91", True) in seen_in
    assert not any(p == "89" and after_ for p, after_ in seen_in)


def _xlsx_has(path: Path, code: str) -> bool:
    from python_calamine import CalamineWorkbook

    return any(
        code in map(str, r) for r in CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    )


def test_deliveries_replay_in_arrival_order(tmp_path):
    out = tmp_path / "w"
    generate(Config(out=out, mess_rate=0.0, mess_overrides={"truncated": 1.0, "late": 0.0}, **TINY))
    log = deliveries.log(out)
    arrivals = [e["arrival"] for e in log]
    assert arrivals == sorted(arrivals)
    for seq in {e["seq"] for e in log if e["kind"] == "onestop"}:
        files = [e["file"] for e in log if e["seq"] == seq]
        assert files[-1].endswith("manifest.json")  # written last: half-delivered = not ready
    # first night: only the first business day's export has arrived
    placed = deliveries.deliver(out, datetime(2025, 6, 16, 23, 59))
    assert {p.business_date for p in placed} == {"2025-06-16"}
    assert not (out / "landing" / "onestop" / "91" / "2025-06-17").exists()
    # a truncated first copy contradicts its manifest; the good copy replaces it later
    trunc = next(m for m in truth.mess(out) if m["kind"] == "truncated")
    first_night = datetime.fromisoformat(trunc["arrivals"][0]).replace(tzinfo=None)
    deliveries.deliver(out, first_night)
    landed = out / "landing" / trunc["path"]
    manifest = json.loads((landed.parent / "manifest.json").read_text())
    declared = next(f["sha256"] for f in manifest["files"] if f["ten"] == landed.name)
    assert hashlib.sha256(landed.read_bytes()).hexdigest() != declared
    again = deliveries.deliver(out, first_night)
    assert again == []  # nothing new: idempotent
    deliveries.deliver_all(out)
    assert hashlib.sha256(landed.read_bytes()).hexdigest() == declared
    # the same world replays into another landing folder independently, and a wiped file comes back
    other = deliveries.deliver_all(out, tmp_path / "other")
    assert {p.file for p in other} == {
        p.relative_to(out / "landing").as_posix() for p in (out / "landing").rglob("*") if p.is_file()
    }
    landed.unlink()
    assert [p.path for p in deliveries.deliver_all(out)] == [landed]


def test_bieu06_form_and_its_truth(small_world):
    from python_calamine import CalamineWorkbook

    out, stats = small_world
    assert stats["bieu06_reports"] > 0
    rows = truth.load(out, "bieu06_reports")
    report = rows[0]["report_id"]
    path = next((out / "landing" / "reports").glob(f"*/{report}.xlsx"))
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    text = [" ".join(str(c) for c in r) for r in sheet]
    assert any("Kỳ báo cáo: từ ngày" in t for t in text)
    assert any(r[:3] == ["(1)", "(2)", "(3)"] for r in sheet)
    total = next(r for r in sheet if r[1] == "Tổng cộng")
    expected = [r["printed_value"] for r in rows if r["report_id"] == report and r["is_total"] == "true"]
    assert [str(int(v)) if isinstance(v, float) else v for v in total[2:13]] == expected
    assert any(r["report_only"] == "true" for r in rows)
    # an unbroken report satisfies its identities
    clean = [r for r in rows if r["mess"] == "" and r["is_total"] == "true"]
    by = {}
    for r in clean:
        by.setdefault(r["report_id"], {})[r["measure"]] = int(r["intended_value"])
    for v in by.values():
        assert v["received_total"] == v["received_online"] + v["received_direct_postal"] + v["carried_over"]
        assert v["received_total"] == v["resolved_total"] + v["in_progress_total"]


def test_personal_values_are_listed(small_world):
    out, _ = small_world
    values = set(truth.personal_values(out))
    sample = out / "landing" / "onestop" / "11" / "2025-05-06" / "hoso.jsonl"
    sample = sample if sample.exists() else next((out / "landing" / "onestop").glob("*/*/hoso.jsonl"))
    rows = [json.loads(line) for line in sample.read_text(encoding="utf-8").splitlines()]
    assert rows
    for r in rows:
        assert {r["ChuHoSo"], r["SoGiayToChuHoSo"], r["SoDienThoai"]} <= values
        assert len(r["SoGiayToChuHoSo"]) == 12 and r["SoGiayToChuHoSo"].isdigit()


def test_cli_generates_and_delivers(tmp_path, capsys):
    from cchc.cli import main

    out = tmp_path / "cli"
    args = ["generate", "--out", str(out), "--dossiers", "150", "--start", "2025-06-02", "--end", "2025-06-20",
            "--provinces", "11", "--mess-rate", "0", "--formats", "csv"]  # fmt: skip
    assert main(args) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["dossiers"] == 150 and stats["mess_records"] == 0
    assert not (out / "landing").exists()
    assert main(["generate", "--out", str(out), "--deliver-until", "2025-06-03T23:59:59"]) == 0
    assert sorted(p.name for p in (out / "landing" / "onestop" / "11").iterdir()) == [
        "2025-06-02",
        "2025-06-03",
    ]
    world = json.loads((out / "world.json").read_text(encoding="utf-8"))
    assert world["provinces"] == [{"code": "11", "name": "Tỉnh Điện Biên"}]
    # refuses to overwrite a folder that is not a world
    stranger = tmp_path / "stranger"
    stranger.mkdir()
    (stranger / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError):
        main(["generate", "--out", str(stranger), "--dossiers", "10"])
