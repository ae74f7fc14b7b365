"""Administrative units as the seeds describe them: versions and the old→new succession.

Reads `ref_admin_units.csv` and `ref_admin_unit_succession.csv` once per process (cached), so the
generator and dbt work from the same data. A unit code alone is ambiguous (codes were reused in
2025): a version is (unit_code, valid_from), and `unit(code, on)` finds the one valid on a date.
"""

from __future__ import annotations

import csv
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache

from cchc.reference import paths

REORGANISATION_DATE = date(2025, 7, 1)
LEVELS = ("TINH", "HUYEN", "XA")
KINDS = ("province", "agency", "district", "commune")


@dataclass(frozen=True)
class AdminUnit:
    unit_code: str
    unit_name: str
    unit_level: str  # TINH | HUYEN | XA
    unit_kind: str  # province | agency | district | commune
    parent_code: str | None
    province_code: str  # the province of its day (63-list before 2025-07-01, 34-list after)
    valid_from: date
    valid_to: date | None  # None: still valid
    province_code_current: str  # the 34-province code it rolls up to today

    @property
    def unit_key(self) -> str:
        """The dbt key of this version, e.g. `00004@2025-07-01`."""
        return f"{self.unit_code}@{self.valid_from.isoformat()}"

    def is_valid_on(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)


@dataclass(frozen=True)
class Succession:
    old_unit_code: str
    old_valid_from: date
    new_unit_code: str
    new_valid_from: date
    effective_date: date
    share: Decimal


class UnknownUnit(KeyError):
    """No version of this unit code is valid on that date."""


def _opt(value: str) -> str | None:
    return value or None


@cache
def all_units() -> tuple[AdminUnit, ...]:
    with (paths.seed_dir() / paths.ADMIN_UNITS_CSV).open(encoding="utf-8", newline="") as fh:
        return tuple(
            AdminUnit(
                unit_code=r["unit_code"],
                unit_name=r["unit_name"],
                unit_level=r["unit_level"],
                unit_kind=r["unit_kind"],
                parent_code=_opt(r["parent_code"]),
                province_code=r["province_code"],
                valid_from=date.fromisoformat(r["valid_from"]),
                valid_to=date.fromisoformat(r["valid_to"]) if r["valid_to"] else None,
                province_code_current=r["province_code_current"],
            )
            for r in csv.DictReader(fh)
        )


@cache
def all_successions() -> tuple[Succession, ...]:
    with (paths.seed_dir() / paths.SUCCESSION_CSV).open(encoding="utf-8", newline="") as fh:
        return tuple(
            Succession(
                old_unit_code=r["old_unit_code"],
                old_valid_from=date.fromisoformat(r["old_valid_from"]),
                new_unit_code=r["new_unit_code"],
                new_valid_from=date.fromisoformat(r["new_valid_from"]),
                effective_date=date.fromisoformat(r["effective_date"]),
                share=Decimal(r["share"]),
            )
            for r in csv.DictReader(fh)
        )


@cache
def _versions_by_code() -> dict[str, tuple[AdminUnit, ...]]:
    out: dict[str, list[AdminUnit]] = defaultdict(list)
    for u in all_units():
        out[u.unit_code].append(u)
    return {code: tuple(sorted(vs, key=lambda u: u.valid_from)) for code, vs in out.items()}


@cache
def _by_key() -> dict[tuple[str, date], AdminUnit]:
    return {(u.unit_code, u.valid_from): u for u in all_units()}


@cache
def _successors_index() -> dict[tuple[str, date], tuple[Succession, ...]]:
    out: dict[tuple[str, date], list[Succession]] = defaultdict(list)
    for s in all_successions():
        out[(s.old_unit_code, s.old_valid_from)].append(s)
    return {k: tuple(sorted(v, key=lambda s: (-s.share, s.new_unit_code))) for k, v in out.items()}


@cache
def _predecessors_index() -> dict[tuple[str, date], tuple[Succession, ...]]:
    out: dict[tuple[str, date], list[Succession]] = defaultdict(list)
    for s in all_successions():
        out[(s.new_unit_code, s.new_valid_from)].append(s)
    return {k: tuple(v) for k, v in out.items()}


@cache
def _boundaries() -> tuple[date, ...]:
    """Days on which the set of valid versions changes."""
    days = {u.valid_from for u in all_units()}
    days |= {date.fromordinal(u.valid_to.toordinal() + 1) for u in all_units() if u.valid_to is not None}
    return tuple(sorted(days))


@cache
def _units_in_period(period: int) -> tuple[AdminUnit, ...]:
    bounds = _boundaries()
    if period == 0:
        return ()
    on = bounds[period - 1]
    return tuple(u for u in all_units() if u.is_valid_on(on))


def _units_on(on: date) -> tuple[AdminUnit, ...]:
    # one cached list per period between boundaries (two today), not one per date asked
    return _units_in_period(bisect_right(_boundaries(), on))


def units(
    on: date, level: str | None = None, province_code: str | None = None, kind: str | None = None
) -> list[AdminUnit]:
    """Unit versions valid on `on`, optionally of one level (TINH/HUYEN/XA), kind, or province
    (the province code of that day)."""
    if level is not None and level not in LEVELS:
        raise ValueError(f"unknown unit level {level!r}; expected one of {LEVELS}")
    if kind is not None and kind not in KINDS:
        raise ValueError(f"unknown unit kind {kind!r}; expected one of {KINDS}")
    return [
        u
        for u in _units_on(on)
        if (level is None or u.unit_level == level)
        and (kind is None or u.unit_kind == kind)
        and (province_code is None or u.province_code == province_code)
    ]


def provinces(on: date) -> list[AdminUnit]:
    """The provinces of that day: 63 before 2025-07-01, 34 from then on."""
    return units(on, kind="province")


def province_codes(on: date) -> frozenset[str]:
    """The codes of the provinces of that day (asked once per export folder: cached per period)."""
    return _province_codes_in_period(bisect_right(_boundaries(), on))


@cache
def _province_codes_in_period(period: int) -> frozenset[str]:
    return frozenset(u.unit_code for u in _units_in_period(period) if u.unit_kind == "province")


def unit(unit_code: str, on: date) -> AdminUnit:
    """The version of `unit_code` valid on `on`."""
    for u in _versions_by_code().get(unit_code, ()):
        if u.is_valid_on(on):
            return u
    raise UnknownUnit(f"no administrative unit {unit_code!r} valid on {on.isoformat()}")


def version(unit_code: str, valid_from: date) -> AdminUnit:
    """The version with this key."""
    try:
        return _by_key()[(unit_code, valid_from)]
    except KeyError:
        raise UnknownUnit(f"no administrative unit version {unit_code}@{valid_from.isoformat()}") from None


def versions(unit_code: str) -> tuple[AdminUnit, ...]:
    """Every version of a code, oldest first (a reused code has two unrelated ones)."""
    return _versions_by_code().get(unit_code, ())


def successors(unit_code: str, valid_from: date) -> tuple[Succession, ...]:
    """The current units an old version passed to, largest share first (empty for current units)."""
    return _successors_index().get((unit_code, valid_from), ())


def current_successor(unit_code: str, on: date) -> AdminUnit:
    """Where the unit valid on `on` sits on today's map: itself if still valid, else its
    largest-share successor."""
    u = unit(unit_code, on)
    if u.valid_to is None:
        return u
    first = successors(u.unit_code, u.valid_from)[0]
    return version(first.new_unit_code, first.new_valid_from)


def reload() -> None:
    """Forget the cached seeds (after `build_seeds` rewrote them in this process)."""
    for cached in (
        all_units,
        all_successions,
        _versions_by_code,
        _by_key,
        _successors_index,
        _predecessors_index,
    ):
        cached.cache_clear()
    _units_on.cache_clear()
