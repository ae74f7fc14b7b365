"""A monthly figure down to its dossiers (`cchc explain`): the rows of fct_dossier_monthly_status
in the cell's column, with what decided it, beside the cell as the mart has it, so the two can be
seen to agree. No personal data: codes, dates and counts only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# measure -> (the fact that holds the cell, the condition on fct_dossier_monthly_status)
MEASURES: dict[str, tuple[str, str]] = {
    "received_total": ("fct_timeliness_monthly", "s.received_as is not null"),
    "received_new": ("fct_timeliness_monthly", "s.received_as in ('new_online', 'new_direct_postal')"),
    "received_online": ("fct_timeliness_monthly", "s.received_as = 'new_online'"),
    "received_direct_postal": ("fct_timeliness_monthly", "s.received_as = 'new_direct_postal'"),
    "carried_over": ("fct_timeliness_monthly", "s.received_as = 'carried_over'"),
    "resolved_total": ("fct_timeliness_monthly", "s.resolved_as is not null"),
    "resolved_early": ("fct_timeliness_monthly", "s.resolved_as = 'early'"),
    "resolved_on_time": ("fct_timeliness_monthly", "s.resolved_as = 'on_time'"),
    "resolved_late": ("fct_timeliness_monthly", "s.resolved_as = 'late'"),
    "in_progress_total": ("fct_timeliness_monthly", "s.in_progress_as is not null"),
    "in_progress_within": ("fct_timeliness_monthly", "s.in_progress_as = 'within'"),
    "in_progress_overdue": ("fct_timeliness_monthly", "s.in_progress_as = 'overdue'"),
    "index_handled": ("fct_timeliness_monthly", "s.is_index_handled"),
    "index_timely": ("fct_timeliness_monthly", "s.is_index_timely"),
    "index_stopped": ("fct_timeliness_monthly", "s.is_index_stopped"),
    "fee_dossiers": ("fct_unit_month_dossier_counts", "s.is_received_in_month and s.has_fee"),
    "paid_online_dossiers": (
        "fct_unit_month_dossier_counts",
        "s.is_received_in_month and s.has_fee and s.is_paid_online",
    ),
    "digitised_dossiers": (
        "fct_unit_month_dossier_counts",
        "s.is_received_in_month and s.has_digitised_components",
    ),
    "vneid_dossiers": ("fct_unit_month_dossier_counts", "s.is_received_in_month and s.is_vneid_verified"),
    "electronic_result_dossiers": (
        "fct_unit_month_dossier_counts",
        "s.is_ended_in_month and s.has_electronic_result",
    ),
}


class ExplainError(ValueError):
    """The question cannot be answered as asked; the message says why."""


@dataclass(frozen=True)
class Dossier:
    dossier_code: str
    procedure_code: str | None
    field_name: str | None
    received_date: date | None
    original_due_date: date | None
    due_date: date | None
    end_date: date | None
    working_days_taken: int | None
    supplement_count: int | None
    why: str


def _why(measure: str, row: dict) -> str:
    """What put the dossier in the measure's column, in the rule's own terms."""
    due, end, received = row["due_date"], row["end_date"], row["received_date"]
    if measure.startswith("resolved"):
        return {
            "late": f"ended {end}, after its due date {due}",
            "early": f"ended {end}, before its due date {due}",
            "on_time": f"ended {end}, on its due date" if due else f"ended {end}; no due date (on the spot)",
        }[row["resolved_as"]]
    if measure.startswith("in_progress"):
        state = "overdue" if row["in_progress_as"] == "overdue" else "within the deadline"
        return f"open at the month's end, {state}; due {due or 'none'}"
    if row["received_as"] == "carried_over" and measure in ("carried_over", "received_total"):
        return f"received {received}, before the month, still open at its start"
    if measure.startswith("received"):
        channel = "online" if row["received_as"] == "new_online" else "in person or by post"
        return f"received {received}, {channel}"
    if measure.startswith("index"):
        return f"index clock: {row['supplement_count']} supplement request(s), due {due or 'none'}, ended {end or 'not yet'}"
    if measure == "electronic_result_dossiers":
        return f"ended {end} with an electronic result"
    return f"received {received}: " + measure.removesuffix("_dossiers").replace("_", " ")


def explain(
    conn, unit_code: str, month: date, measure: str, field: str | None = None
) -> tuple[int | None, list[Dossier]]:
    """(the cell as its fact has it, the dossiers behind it)."""
    if measure not in MEASURES:
        raise ExplainError(f"measure {measure!r}: choose one of {', '.join(MEASURES)}")
    fact, condition = MEASURES[measure]
    month = month.replace(day=1)
    params = {"unit": unit_code, "month": month, "field": field}
    field_filter = "and (s.field_code = %(field)s or s.field_name = %(field)s)" if field else ""
    if field and fact != "fct_timeliness_monthly":
        raise ExplainError(f"{measure} is counted per unit and month, not per field: leave out --field")
    rows = conn.execute(
        f"""
        select s.dossier_code, d.procedure_code, s.field_name, d.received_date, d.original_due_date,
               d.due_date, d.end_date, d.working_days_taken, d.supplement_count,
               s.received_as, s.resolved_as, s.in_progress_as
        from marts.fct_dossier_monthly_status as s
        inner join marts.fct_dossier as d on d.dossier_code = s.dossier_code
        where s.unit_code = %(unit)s and s.month_start = %(month)s and {condition} {field_filter}
        order by s.dossier_code
        """,  # the condition and filter are fixed text from MEASURES; values are bound
        params,
    ).fetchall()
    names = ("dossier_code", "procedure_code", "field_name", "received_date", "original_due_date", "due_date",
             "end_date", "working_days_taken", "supplement_count", "received_as", "resolved_as", "in_progress_as")  # fmt: skip
    dossiers = []
    for values in rows:
        row = dict(zip(names, values, strict=True))
        dossiers.append(Dossier(*(row[n] for n in names[:9]), why=_why(measure, row)))
    where_field = "and (field_code = %(field)s or field_name = %(field)s)" if field else ""
    (cell,) = conn.execute(
        f"select sum({measure})::bigint from marts.{fact} "
        f"where unit_code = %(unit)s and month_start = %(month)s {where_field}",
        params,
    ).fetchone()
    return (None if cell is None else int(cell)), dossiers
