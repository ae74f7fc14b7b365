"""The committed reference seeds: in sync with the packages, and the invariants dbt relies on."""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from cchc.reference import admin_units as au
from cchc.reference import paths
from cchc.reference.admin_seed import (
    ReferenceMismatch,
    check_consistency,
    split_shares,
)
from cchc.reference.build_seeds import build


def _read(name: str) -> list[dict[str, str]]:
    with (paths.seed_dir() / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def unit_rows() -> list[dict[str, str]]:
    return _read(paths.ADMIN_UNITS_CSV)


@pytest.fixture(scope="module")
def succession_rows() -> list[dict[str, str]]:
    return _read(paths.SUCCESSION_CSV)


def test_committed_seeds_match_a_fresh_build(tmp_path):
    counts = build(tmp_path)
    for name in counts:
        assert (tmp_path / name).read_bytes() == (paths.seed_dir() / name).read_bytes(), (
            f"{name} is stale: run `make seeds` and commit"
        )


def test_counts_before_and_after_the_reorganisation(unit_rows):
    counts = Counter((r["unit_kind"], r["valid_to"] == "") for r in unit_rows)
    assert counts[("province", True)] == 34
    assert counts[("commune", True)] == 3321
    assert counts[("province", False)] == 63
    assert counts[("district", False)] == 696
    assert counts[("commune", False)] == 10035
    assert counts[("district", True)] == 0  # districts were abolished


def test_versions_are_unique_and_dated(unit_rows):
    keys = Counter((r["unit_code"], r["valid_from"]) for r in unit_rows)
    assert max(keys.values()) == 1
    for r in unit_rows:
        assert (r["valid_from"], r["valid_to"]) in {("2000-01-01", "2025-06-30"), ("2025-07-01", "")}


def test_province_code_91_is_reused():
    assert au.unit("91", date(2025, 6, 30)).unit_name == "Tỉnh Kiên Giang"
    assert au.unit("91", date(2025, 7, 1)).unit_name == "Tỉnh An Giang"
    assert au.unit("89", date(2025, 6, 30)).province_code_current == "91"  # old An Giang
    with pytest.raises(au.UnknownUnit):
        au.unit("89", date(2025, 7, 1))


def test_every_old_unit_succeeds_with_shares_summing_to_one(unit_rows, succession_rows):
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for s in succession_rows:
        totals[(s["old_unit_code"], s["old_valid_from"])] += Decimal(s["share"])
        assert s["effective_date"] == "2025-07-01"
    old = {(r["unit_code"], r["valid_from"]) for r in unit_rows if r["valid_to"]}
    assert set(totals) == old
    assert set(totals.values()) == {Decimal(1)}
    current = {(r["unit_code"], r["valid_from"]) for r in unit_rows if not r["valid_to"]}
    assert {(s["new_unit_code"], s["new_valid_from"]) for s in succession_rows} <= current


def test_split_communes_exist_and_roll_up_to_their_largest_part(succession_rows):
    parts = Counter(s["old_unit_code"] for s in succession_rows if s["old_valid_from"] == "2000-01-01")
    split = [code for code, n in parts.items() if n > 1]
    assert len(split) == 471
    for code in split[:50]:
        old = au.version(code, date(2000, 1, 1))
        largest = au.successors(code, date(2000, 1, 1))[0]
        assert (
            old.province_code_current
            == au.version(largest.new_unit_code, largest.new_valid_from).province_code
        )


def test_agencies_follow_the_merged_departments():
    # Kiên Giang's Department of Planning and Investment → merged An Giang's Department of Finance
    old = au.unit("000.00.04.H91", date(2024, 1, 1))
    assert old.unit_level == "TINH" and old.unit_kind == "agency"
    (succ,) = au.successors(old.unit_code, old.valid_from)
    assert (succ.new_unit_code, succ.share) == ("000.00.05.H91", Decimal(1))
    with pytest.raises(au.UnknownUnit):
        au.unit("000.00.04.H91", date(2025, 7, 1))


def test_island_district_becomes_a_special_zone():
    (succ,) = au.successors("536", date(2000, 1, 1))  # huyện Lý Sơn
    zone = au.version(succ.new_unit_code, succ.new_valid_from)
    assert zone.unit_level == "XA" and "Lý Sơn" in zone.unit_name


def test_units_on_a_date():
    assert len(au.units(date(2024, 5, 1), level="XA")) == 10035
    assert len(au.units(date(2025, 7, 1), level="XA", province_code="01")) == 126
    assert len(au.units(date(2025, 7, 1), level="HUYEN")) == 0
    assert (
        len(au.units(date(2025, 6, 30))) == 63 + 63 * 9 + 696 + 10035
    )  # provinces, departments, districts, communes
    assert au.units(date(1999, 12, 31)) == []
    assert au.unit("00004", date(2025, 7, 1)).unit_key == "00004@2025-07-01"
    with pytest.raises(ValueError, match="unknown unit level"):
        au.units(date(2025, 7, 1), level="XAA")


def _tiny() -> tuple[list[au.AdminUnit], list[au.Succession]]:
    units, successions = [], []
    for code in [f"{i:02d}" for i in range(1, 35)]:
        units.append(au.AdminUnit(code, code, "TINH", "province", None, code, date(2025, 7, 1), None, code))
    for i in range(3321):
        units.append(au.AdminUnit(f"c{i}", "x", "XA", "commune", "01", "01", date(2025, 7, 1), None, "01"))
    for i in range(63):
        code = f"o{i}"
        units.append(
            au.AdminUnit(
                code, code, "TINH", "province", None, code, date(2000, 1, 1), date(2025, 6, 30), "01"
            )
        )
        successions.append(
            au.Succession(code, date(2000, 1, 1), "01", date(2025, 7, 1), date(2025, 7, 1), Decimal(1))
        )
    return units, successions


def test_consistency_check_accepts_a_sound_list_and_rejects_broken_shares():
    units, successions = _tiny()
    check_consistency(units, successions)
    broken = [replace(successions[0], share=Decimal("0.5")), *successions[1:]]
    with pytest.raises(ReferenceMismatch, match=r"sum to 0\.5"):
        check_consistency(units, broken)
    with pytest.raises(ReferenceMismatch, match="has no successor"):
        check_consistency(units, successions[1:])
    with pytest.raises(ReferenceMismatch, match="province_code_current"):
        check_consistency([replace(units[0], province_code_current="99"), *units[1:]], successions)


def test_split_shares_sum_exactly_to_one():
    shares = split_shares([1.0, 1.0, 1.0])
    assert sum(shares) == 1 and shares[0] == Decimal("0.333334")
    assert split_shares([73.3, 0.0], default_index=1) == [Decimal("0.5"), Decimal("0.5")]
    assert sum(split_shares([10.04, 15.17, 0.33])) == 1


def test_cross_check_reconciles_known_code_differences():
    from cchc.reference.admin_seed import EXPECTED_RECODED_COMMUNES, _Current

    current = _Current()
    assert len(current.recoded) == EXPECTED_RECODED_COMMUNES
    # same commune, same name: vietnamadminunits' draft code 00082, the official code 00073
    assert ("01", "00082", "00073") in current.recoded
    assert au.unit("00073", date(2025, 7, 1)).unit_name == "Phường Cửa Nam"


def test_cross_check_fails_loudly_when_the_packages_disagree(monkeypatch):
    from cchc.reference import admin_seed
    from cchc.reference import package_sources as src

    official = src.official_wards()
    monkeypatch.setattr(src, "official_wards", lambda: official[:-1])
    with pytest.raises(ReferenceMismatch, match="3320 communes"):
        admin_seed.build_admin_units()

    renamed = [replace(official[0], ward_name="Phường Không Tồn Tại"), *official[1:]]
    monkeypatch.setattr(src, "official_wards", lambda: renamed)
    with pytest.raises(ReferenceMismatch, match="is not in vietnam-provinces"):
        admin_seed.build_admin_units()


def test_cross_check_fails_when_an_old_commune_has_no_successor(monkeypatch):
    from cchc.reference import admin_seed
    from cchc.reference import package_sources as src

    conv = src.converter()
    wards = next(iter(conv["DICT_PROVINCE_WARD_NO_DIVIDED"].values()))
    ward, olds = next(iter(wards.items()))
    wards[ward] = olds[1:]
    monkeypatch.setattr(src, "converter", lambda: conv)
    with pytest.raises(ReferenceMismatch, match="old units without a successor"):
        admin_seed.build_admin_units()
