"""The eleven counts of the statutory timeliness report (Biểu số 06/VPCP/KSTT), in form order.

They are the measure names of `raw.bieu06_rows` and the count columns of
`marts.fct_timeliness_monthly`; the generator, the form reader and the validation suites share
this one list so that a renamed measure cannot drift between them.
"""

REPORT_MEASURES = (
    "received_total",
    "received_online",
    "received_direct_postal",
    "carried_over",
    "resolved_total",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "in_progress_total",
    "in_progress_within",
    "in_progress_overdue",
)
