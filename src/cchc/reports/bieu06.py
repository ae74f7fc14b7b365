"""Biểu 06 for any unit and any period, from the dossiers (`marts.fct_dossier`).

A month's figures are the monthly fact's row (`fct_timeliness_monthly`), but a statutory period
need not be a month (15/12/2022–15/10/2023 is one officials file). So the period's figures are
counted here from the dossiers with the monthly fact's rules, with the period's first and last day
in place of the month's:
- new: received in the period; carried over: received before it and not ended before its first day;
- resolved: ended in the period, early / on time (or no due date) / late against the effective due date;
- in progress: received by its last day and not ended by it; within the deadline if due on or
  after its last day (or no due date), else overdue.
So received total = resolved + in progress and every other identity hold by construction.

A unit is a commune, a provincial department or a district (before 2025-07-01) by its code, or a
province: a province of today's map takes all its units' dossiers (today's map), an old province
code (e.g. 89 before the merger) the units that belonged to it on their received date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from cchc.report_measures import REPORT_MEASURES


class ReportError(ValueError):
    """The unit or period cannot make a report; the message says which and why."""


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    kind: str  # province, agency, district, commune
    province_name: str
    scope: str  # the SQL condition on fct_dossier (d) and its unit version (u) that selects it


@dataclass
class Bieu06Figures:
    unit: Unit
    period_start: date
    period_end: date
    fields: list[tuple[str, str, dict[str, int]]] = field(default_factory=list)  # code, name, counts

    @property
    def total(self) -> dict[str, int]:
        return {m: sum(values[m] for _, _, values in self.fields) for m in REPORT_MEASURES}


def resolve_unit(conn, code: str, period_end: date) -> Unit:
    """The unit version a report names, with what selects its dossiers."""
    row = conn.execute(
        """
        select u.unit_code, u.unit_name, u.unit_kind, u.province_code, u.is_current, p.unit_name
        from marts.dim_admin_unit as u
        left join marts.dim_admin_unit as p
            on p.unit_kind = 'province' and p.unit_code = u.province_code
           and p.valid_from <= u.valid_from and (p.valid_to is null or p.valid_to >= u.valid_from)
        where u.unit_code = %(code)s
        order by (u.valid_from <= %(end)s and (u.valid_to is null or u.valid_to >= %(end)s)) desc, u.valid_from desc
        limit 1
        """,
        {"code": code, "end": period_end},
    ).fetchone()
    if row is None:
        raise ReportError(f"unit {code!r}: no such unit in marts.dim_admin_unit")
    unit_code, name, kind, province_code, is_current, province_name = row
    if kind == "province":
        scope = "d.province_code_current = %(code)s" if is_current else "u.province_code = %(code)s"
        return Unit(unit_code, name, kind, name, scope)
    return Unit(unit_code, name, kind, province_name or province_code, "d.unit_code = %(code)s")


_COUNTS = """
with dossiers as (
    select d.province_code_current, d.unit_code, d.field_code, d.field_name, d.channel_code,
           d.received_date, d.due_date,
           case when d.end_date <= %(end)s then d.end_date end as end_date
    from marts.fct_dossier as d
    left join marts.dim_admin_unit as u on u.unit_key = d.unit_key
    where {scope}
      and d.received_date is not null and d.received_date <= %(end)s
      and (d.end_date is null or d.end_date >= %(start)s)
),
flags as (
    select province_code_current, unit_code, field_code, field_name, channel_code,
           received_date >= %(start)s as is_new,
           end_date is not null as is_resolved,
           case
               when end_date is null then null
               when due_date is null or end_date = due_date then 'on_time'
               when end_date < due_date then 'early'
               else 'late'
           end as resolved_class,
           (due_date is null or due_date >= %(end)s) as is_within
    from dossiers
)
select {keys}field_code, max(field_name),
       count(*) filter (where is_new and channel_code = 2),
       count(*) filter (where is_new and channel_code <> 2),
       count(*) filter (where not is_new),
       count(*) filter (where resolved_class = 'early'),
       count(*) filter (where resolved_class = 'on_time'),
       count(*) filter (where resolved_class = 'late'),
       count(*) filter (where not is_resolved and is_within),
       count(*) filter (where not is_resolved and not is_within)
from flags
group by {keys}field_code
order by {keys}field_code
"""


def _counts(values: tuple) -> dict[str, int]:
    online, direct, carried, early, on_time, late, within, overdue = (int(v) for v in values)
    return {
        "received_total": online + direct + carried,
        "received_online": online,
        "received_direct_postal": direct,
        "carried_over": carried,
        "resolved_total": early + on_time + late,
        "resolved_early": early,
        "resolved_on_time": on_time,
        "resolved_late": late,
        "in_progress_total": within + overdue,
        "in_progress_within": within,
        "in_progress_overdue": overdue,
    }


def _check_period(period_start: date, period_end: date) -> None:
    if period_end < period_start:
        raise ReportError(f"period {period_start}..{period_end}: the end is before the start")


def figures(conn, code: str, period_start: date, period_end: date) -> Bieu06Figures:
    """Counts per field for the unit and period (fields with no dossier are left out)."""
    _check_period(period_start, period_end)
    unit = resolve_unit(conn, code, period_end)
    rows = conn.execute(
        _COUNTS.format(scope=unit.scope, keys=""),
        {"code": code, "start": period_start, "end": period_end},
    ).fetchall()
    out = Bieu06Figures(unit, period_start, period_end)
    for field_code, field_name, *values in rows:
        out.fields.append((field_code, field_name or field_code, _counts(values)))
    return out


def figures_of_every_unit(conn, period_start: date, period_end: date) -> dict[tuple[str, str], list]:
    """(province of today's map, unit code) -> [(field code, field name, counts)] for every unit with
    a dossier in the period: one scan for a whole month's outbox."""
    _check_period(period_start, period_end)
    out: dict[tuple[str, str], list] = {}
    rows = conn.execute(
        _COUNTS.format(scope="true", keys="province_code_current, unit_code, "),
        {"start": period_start, "end": period_end},
    ).fetchall()
    for province, unit_code, field_code, field_name, *values in rows:
        out.setdefault((province, unit_code), []).append(
            (field_code, field_name or field_code, _counts(values))
        )
    return out


def file_name(unit_code: str, period_start: date, period_end: date) -> str:
    """The name the reports area expects (`bieu06_<MaDonVi>_<YYYYMMDD>_<YYYYMMDD>.xlsx`)."""
    return f"bieu06_{unit_code}_{period_start:%Y%m%d}_{period_end:%Y%m%d}.xlsx"


def workbook(report: Bieu06Figures) -> bytes:
    """The printable form (same layout as the ones units deliver)."""
    from cchc.reports.bieu06_form import write_form

    printed = [(name, [values[m] for m in REPORT_MEASURES]) for _, name, values in report.fields]
    total = report.total
    return write_form(
        report.unit.province_name,
        report.unit.name,
        (report.period_start, report.period_end),
        printed,
        [total[m] for m in REPORT_MEASURES],
    )
