"""Builds the versioned administrative units and the old→new succession from the two packages,
cross-checking them against each other.

Any disagreement the code does not expect stops the build with `ReferenceMismatch`: a seed that
silently drops or re-maps units would shift every rollup on today's map.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from cchc.reference import package_sources as src
from cchc.reference.admin_units import AdminUnit, Succession
from cchc.reference.agencies import DEPARTMENTS, agency_code, successor_number

OLD_VALID_FROM = date(2000, 1, 1)
OLD_VALID_TO = date(2025, 6, 30)
REORGANISATION_DATE = date(2025, 7, 1)

CURRENT_PROVINCES = 34
CURRENT_COMMUNES = 3321
LEGACY_PROVINCES = 63
LEGACY_DISTRICTS = 696
LEGACY_COMMUNES = 10035
# vietnamadminunits carries a draft code for these communes (same province, same name) where
# vietnam-provinces has the code of Decision 19/2025/QĐ-TTg. The official list wins; any other
# count means one of the packages changed and the reconciliation must be looked at again.
EXPECTED_RECODED_COMMUNES = 123

SHARE_QUANTUM = Decimal("0.000001")


class ReferenceMismatch(RuntimeError):
    """The two packages disagree in a way the build does not know how to reconcile."""


_PUNCTUATION = str.maketrans({"’": "'", "‘": "'", "–": "-", "—": "-"})
_TONES = "\u0300\u0301\u0309\u0303\u0323"  # grave, acute, hook, tilde, dot below


def _norm(name: str) -> str:
    """A key insensitive to spelling conventions: the packages place tone marks differently
    (Hoà/Hòa, Thuỷ/Thủy) and use typographic apostrophes and dashes."""
    text = unicodedata.normalize("NFD", name.translate(_PUNCTUATION).casefold())
    for tone in _TONES:  # old style puts the tone on the second vowel of oa, oe, uy
        for first, second in (("o", "a"), ("o", "e"), ("u", "y")):
            text = text.replace(first + tone + second, first + second + tone)
    text = unicodedata.normalize("NFC", text)
    return " ".join(text.replace(" - ", "-").split())


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ReferenceMismatch(message)


def split_shares(areas: list[float | None], default_index: int = 0) -> list[Decimal]:
    """Area-proportional shares, rounded to 6 places, that sum to exactly 1.

    The part with the largest share absorbs the rounding (ties: the converter's default new
    commune). Where the package lacks an area for a part (one known case), the parts share equally:
    a guess, but a neutral one.
    """
    _require(0 <= default_index < len(areas), f"default part {default_index} out of {areas}")
    weights = [float(a) for a in areas] if all(a and a > 0 for a in areas) else [1.0] * len(areas)
    total = sum(weights)
    shares = [Decimal(w / total).quantize(SHARE_QUANTUM, ROUND_HALF_EVEN) for w in weights]
    largest = max(range(len(shares)), key=lambda i: (shares[i], i == default_index, -i))
    shares[largest] += Decimal(1) - sum(shares)
    return shares


class _Current:
    """The 34-province list: official codes from vietnam-provinces, matched to
    vietnamadminunits' keys (which the converter uses) by province and name."""

    def __init__(self) -> None:
        official = src.official_wards()
        rows = src.current_rows()
        self.province_names: dict[str, str] = {}
        self.communes: list[src.OfficialWard] = official
        self.code_by_key: dict[tuple[str, str], str] = {}
        self.province_code_by_key: dict[str, str] = {}
        self.recoded: list[tuple[str, str, str]] = []

        official_provinces = {w.province_code: w for w in official}
        _require(
            len(official_provinces) == CURRENT_PROVINCES,
            f"vietnam-provinces lists {len(official_provinces)} provinces, expected {CURRENT_PROVINCES}",
        )
        _require(
            len(official) == CURRENT_COMMUNES and len({w.ward_code for w in official}) == CURRENT_COMMUNES,
            f"vietnam-provinces lists {len(official)} communes, expected {CURRENT_COMMUNES} distinct",
        )
        _require(
            len(rows) == CURRENT_COMMUNES,
            f"vietnamadminunits lists {len(rows)} current communes, expected {CURRENT_COMMUNES}",
        )
        for row in rows:
            self.province_code_by_key.setdefault(row.province_key, row.province_code)
            _require(
                self.province_code_by_key[row.province_key] == row.province_code,
                f"vietnamadminunits: province key {row.province_key} has two codes",
            )
            self.province_names.setdefault(row.province_code, row.province_name)
        _require(
            set(self.province_names) == set(official_provinces),
            "province codes differ between the packages: "
            f"{sorted(set(self.province_names) ^ set(official_provinces))}",
        )
        for code, ward in official_provinces.items():
            full = self.province_names[code]
            _require(
                _norm(full) in {_norm(ward.province_name), _norm(f"tỉnh {ward.province_name}")},
                f"province {code}: vietnam-provinces says {ward.province_name!r}, "
                f"vietnamadminunits says {full!r}",
            )

        by_name: dict[tuple[str, str], src.OfficialWard] = {}
        for ward in official:
            key = (ward.province_code, _norm(ward.ward_name))
            _require(key not in by_name, f"vietnam-provinces: two communes named {key}")
            by_name[key] = ward
        matched: set[str] = set()
        for row in rows:
            ward = by_name.get((row.province_code, _norm(row.ward_name)))
            _require(
                ward is not None,
                f"vietnamadminunits commune {row.ward_code} {row.ward_name!r} (province "
                f"{row.province_code}) is not in vietnam-provinces",
            )
            assert ward is not None
            _require(ward.ward_code not in matched, f"two communes match official {ward.ward_code}")
            matched.add(ward.ward_code)
            if ward.ward_code != row.ward_code:
                self.recoded.append((row.province_code, row.ward_code, ward.ward_code))
            self.code_by_key[(row.province_key, row.ward_key)] = ward.ward_code
        self.area_by_key = {(r.province_key, r.ward_key): r.area_km2 for r in rows}
        self.province_of_commune = {w.ward_code: w.province_code for w in official}
        _require(
            len(self.recoded) == EXPECTED_RECODED_COMMUNES,
            f"{len(self.recoded)} communes have different codes in the two packages, expected "
            f"{EXPECTED_RECODED_COMMUNES} known ones; first: {self.recoded[:5]}",
        )


def _legacy_checks(rows: list[src.LegacyRow]) -> None:
    provinces = {r.province_code for r in rows}
    districts = {r.district_code for r in rows}
    communes = [r.ward_code for r in rows if r.ward_code]
    _require(len(provinces) == LEGACY_PROVINCES, f"{len(provinces)} provinces before 2025-07-01")
    _require(len(districts) == LEGACY_DISTRICTS, f"{len(districts)} districts before 2025-07-01")
    _require(
        len(communes) == LEGACY_COMMUNES == len(set(communes)),
        f"{len(communes)} communes ({len(set(communes))} distinct) before 2025-07-01",
    )
    district_parent: dict[str, str] = {}
    for r in rows:
        _require(
            district_parent.setdefault(r.district_code, r.province_code) == r.province_code,
            f"district {r.district_code} in two provinces",
        )


def _commune_successors(
    legacy: list[src.LegacyRow], current: _Current, conv: dict
) -> dict[str, list[tuple[str, Decimal]]]:
    """Old converter key → [(new commune code, share)]."""
    out: dict[str, list[tuple[str, Decimal]]] = {}
    for new_province, wards in conv["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_ward, old_keys in wards.items():
            code = current.code_by_key.get((new_province, new_ward))
            _require(code is not None, f"converter names unknown new commune {new_province}/{new_ward}")
            for old_key in old_keys:
                _require(old_key not in out, f"converter maps {old_key} twice")
                out[old_key] = [(code, Decimal(1))]  # type: ignore[list-item]
    divided: dict[str, list[tuple[str, float | None, bool]]] = defaultdict(list)
    for new_province, old_wards in conv["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_key, parts in old_wards.items():
            for part in parts:
                code = current.code_by_key.get((new_province, part["newWardKey"]))
                _require(code is not None, f"converter names unknown new commune {part['newWardKey']}")
                divided[old_key].append((code, part["newWardAreaKm2"], part["isDefaultNewWard"]))  # type: ignore[arg-type]
    for old_key, parts in divided.items():
        _require(old_key not in out, f"converter lists {old_key} as both divided and not divided")
        codes = [c for c, _, _ in parts]
        _require(len(set(codes)) == len(codes), f"converter splits {old_key} twice into one commune")
        defaults = [i for i, (_, _, is_default) in enumerate(parts) if is_default]
        _require(len(defaults) == 1, f"converter split of {old_key} has {len(defaults)} default parts")
        shares = split_shares([a for _, a, _ in parts], defaults[0])
        # the largest share first: it decides province_code_current
        out[old_key] = sorted(zip(codes, shares, strict=True), key=lambda t: -t[1])
    legacy_keys = {r.converter_key for r in legacy}
    unknown = set(out) - legacy_keys
    _require(not unknown, f"converter maps old units that do not exist: {sorted(unknown)[:5]}")
    missing = legacy_keys - set(out)
    _require(not missing, f"old units without a successor: {sorted(missing)[:5]}")
    return out


def build_admin_units() -> tuple[list[AdminUnit], list[Succession]]:
    current = _Current()
    legacy = src.legacy_rows()
    _legacy_checks(legacy)
    conv = src.converter()

    # old province key → new province code
    province_successor: dict[str, str] = {}
    for new_key, old_keys in conv["DICT_PROVINCE"].items():
        new_code = current.province_code_by_key.get(new_key)
        _require(new_code is not None, f"converter names unknown new province {new_key}")
        for old_key in old_keys:
            _require(old_key not in province_successor, f"old province {old_key} merged twice")
            province_successor[old_key] = new_code  # type: ignore[assignment]
    _require(
        set(province_successor) == {r.province_key for r in legacy},
        "the converter's old provinces differ from the pre-2025 list",
    )
    _require(
        len(set(province_successor.values())) == CURRENT_PROVINCES,
        "the converter's new provinces differ from the 34-province list",
    )
    commune_successors = _commune_successors(legacy, current, conv)

    units: list[AdminUnit] = []
    successions: list[Succession] = []

    def succeed(old_code: str, targets: list[tuple[str, Decimal]]) -> None:
        for new_code, share in targets:
            successions.append(
                Succession(
                    old_code, OLD_VALID_FROM, new_code, REORGANISATION_DATE, REORGANISATION_DATE, share
                )
            )

    def current_province(targets: list[tuple[str, Decimal]]) -> str:
        new_code = targets[0][0]  # successors are listed largest share first
        return current.province_of_commune.get(new_code, new_code)

    # current units
    for code, name in sorted(current.province_names.items()):
        units.append(AdminUnit(code, name, "TINH", "province", None, code, REORGANISATION_DATE, None, code))
        for dep in DEPARTMENTS:
            if dep.after_reform:
                units.append(
                    AdminUnit(
                        agency_code(dep.number, code), dep.name, "TINH", "agency", code, code,
                        REORGANISATION_DATE, None, code,
                    )
                )  # fmt: skip
    for ward in sorted(current.communes, key=lambda w: w.ward_code):
        units.append(
            AdminUnit(
                ward.ward_code, ward.ward_name, "XA", "commune", ward.province_code, ward.province_code,
                REORGANISATION_DATE, None, ward.province_code,
            )
        )  # fmt: skip

    # pre-2025 units
    seen_provinces: set[str] = set()
    seen_districts: set[str] = set()
    for row in sorted(legacy, key=lambda r: (r.province_code, r.district_code, r.ward_code or "")):
        new_province = province_successor[row.province_key]
        if row.province_code not in seen_provinces:
            seen_provinces.add(row.province_code)
            units.append(
                AdminUnit(
                    row.province_code, row.province_name, "TINH", "province", None, row.province_code,
                    OLD_VALID_FROM, OLD_VALID_TO, new_province,
                )
            )  # fmt: skip
            succeed(row.province_code, [(new_province, Decimal(1))])
            for dep in DEPARTMENTS:
                if dep.before_reform:
                    old_code = agency_code(dep.number, row.province_code)
                    units.append(
                        AdminUnit(
                            old_code, dep.name, "TINH", "agency", row.province_code, row.province_code,
                            OLD_VALID_FROM, OLD_VALID_TO, new_province,
                        )
                    )  # fmt: skip
                    succeed(old_code, [(agency_code(successor_number(dep), new_province), Decimal(1))])
        if row.district_code not in seen_districts:
            seen_districts.add(row.district_code)
            # districts were abolished: their work went to the new province, except island
            # districts without communes, which became special zones (đặc khu, commune level)
            targets = (
                commune_successors[row.converter_key]
                if row.ward_code is None
                else [(new_province, Decimal(1))]
            )
            units.append(
                AdminUnit(
                    row.district_code, row.district_name, "HUYEN", "district", row.province_code,
                    row.province_code, OLD_VALID_FROM, OLD_VALID_TO, current_province(targets),
                )
            )  # fmt: skip
            succeed(row.district_code, targets)
        if row.ward_code is not None:
            targets = commune_successors[row.converter_key]
            units.append(
                AdminUnit(
                    row.ward_code, row.ward_name or "", "XA", "commune", row.district_code, row.province_code,
                    OLD_VALID_FROM, OLD_VALID_TO, current_province(targets),
                )
            )  # fmt: skip
            succeed(row.ward_code, targets)

    check_consistency(units, successions)
    return units, successions


def check_consistency(units: list[AdminUnit], successions: list[Succession]) -> None:
    """The invariants dbt and the generator rely on; also run by the tests on the written seeds."""
    versions = {(u.unit_code, u.valid_from): u for u in units}
    _require(len(versions) == len(units), "a unit version (unit_code, valid_from) appears twice")
    current = [u for u in units if u.valid_to is None]
    old = [u for u in units if u.valid_to is not None]
    current_provinces = {u.unit_code for u in current if u.unit_kind == "province"}
    _require(len(current_provinces) == CURRENT_PROVINCES, f"{len(current_provinces)} current provinces")
    _require(
        sum(u.unit_kind == "commune" for u in current) == CURRENT_COMMUNES,
        "current commune count is not 3,321",
    )
    _require(
        sum(u.unit_kind == "province" for u in old) == LEGACY_PROVINCES,
        "pre-2025 province count is not 63",
    )
    for u in units:
        _require(
            u.province_code_current in current_provinces,
            f"{u.unit_code}@{u.valid_from}: province_code_current {u.province_code_current} is not current",
        )
        if u.parent_code is not None:
            _require((u.parent_code, u.valid_from) in versions, f"{u.unit_code}: unknown parent")
    shares: dict[tuple[str, date], Decimal] = defaultdict(Decimal)
    for s in successions:
        _require((s.old_unit_code, s.old_valid_from) in versions, f"succession from unknown {s}")
        new = versions.get((s.new_unit_code, s.new_valid_from))
        _require(new is not None and new.valid_to is None, f"succession to a non-current unit: {s}")
        _require(Decimal(0) < s.share <= Decimal(1), f"share out of (0, 1]: {s}")
        shares[(s.old_unit_code, s.old_valid_from)] += s.share
    for u in old:
        total = shares.get((u.unit_code, u.valid_from))
        _require(total is not None, f"old unit {u.unit_code}@{u.valid_from} has no successor")
        _require(total == 1, f"shares of {u.unit_code}@{u.valid_from} sum to {total}, not 1")
    _require(
        all(s.old_valid_from == OLD_VALID_FROM for s in successions), "only pre-2025 units have successors"
    )
