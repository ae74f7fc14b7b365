-- Biểu 06 report style per unit × field × month (docs/KPIS.md, "Timeliness, report style"),
-- with the Decision 766 index-style counts beside it: fct_dossier_monthly_status (one row per dossier
-- and month it counts in, with the column it falls in) counted by unit, field and month, so every
-- cell here lists its dossiers there.
--
-- Incremental by month (macros/monthly_incremental/), on the same months as its input: a run
-- recounts the months whose dossiers changed since the last run and those the report date moved over.
-- depends_on: {{ ref('log_dossier_month_versions') }}

with

counts as (
    select
        month_start,
        unit_key,
        unit_code,
        field_code,
        max(field_name) as field_name,
        max(province_code_current) as province_code_current,
        count(*) filter (where received_as = 'new_online') as received_online,
        count(*) filter (where received_as = 'new_direct_postal') as received_direct_postal,
        count(*) filter (where received_as = 'carried_over') as carried_over,
        count(*) filter (where resolved_as = 'early') as resolved_early,
        count(*) filter (where resolved_as = 'on_time') as resolved_on_time,
        count(*) filter (where resolved_as = 'late') as resolved_late,
        count(*) filter (where in_progress_as = 'within') as in_progress_within,
        count(*) filter (where in_progress_as = 'overdue') as in_progress_overdue,
        count(*) filter (where is_index_handled) as index_handled,
        count(*) filter (where is_index_timely) as index_timely,
        count(*) filter (where is_index_stopped) as index_stopped,
        count(*) filter (where is_index_stopped and is_index_timely) as index_timely_stopped
    from {{ ref('fct_dossier_monthly_status') }}
    {% if is_incremental() %}
        where month_start in (select r.month_start from {{ months_to_rebuild() }} as r)
    {% endif %}
    group by month_start, unit_key, unit_code, field_code
)

select
    month_start,
    unit_key,
    unit_code,
    province_code_current,
    field_code,
    field_name,
    (received_online + received_direct_postal + carried_over)::integer as received_total,
    (received_online + received_direct_postal)::integer as received_new,
    received_online::integer as received_online,
    received_direct_postal::integer as received_direct_postal,
    carried_over::integer as carried_over,
    (resolved_early + resolved_on_time + resolved_late)::integer as resolved_total,
    resolved_early::integer as resolved_early,
    resolved_on_time::integer as resolved_on_time,
    resolved_late::integer as resolved_late,
    (in_progress_within + in_progress_overdue)::integer as in_progress_total,
    in_progress_within::integer as in_progress_within,
    in_progress_overdue::integer as in_progress_overdue,
    (resolved_early + resolved_on_time)::numeric
    / nullif(resolved_early + resolved_on_time + resolved_late, 0) as on_time_rate,
    index_handled::integer as index_handled,
    index_timely::integer as index_timely,
    index_timely::numeric / nullif(index_handled, 0) as index_timely_ratio,
    index_stopped::integer as index_stopped,
    index_timely_stopped::integer as index_timely_stopped
from counts
