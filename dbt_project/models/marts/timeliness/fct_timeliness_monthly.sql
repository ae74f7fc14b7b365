{{
    config(
        materialized='incremental',
        incremental_strategy='replace_months',
        on_schema_change='append_new_columns',
        pre_hook="{{ stage_months_to_rebuild(['dossier_span']) }}",
        post_hook="{{ record_monthly_build() }}",
        indexes=[{'columns': ['month_start']}],
    )
}}

-- Biểu 06 report style per unit × field × month (docs/KPIS.md, "Timeliness, report style"),
-- with the Decision 766 index-style counts beside it. Each received dossier gets one row per month
-- from its received month to its end month (or the report month while open), so carried-over
-- dossiers make rows in later months. Ends after the report date count as not yet ended.
--
-- Incremental by month (macros/monthly_incremental.sql): one version of a dossier touches every month from
-- its received month to its end month (or the report month while open), so a run rebuilds the whole span of
-- the old and of the new version of every dossier changed since the last run, plus the months from the last
-- run's report date to this one's (open dossiers' within/overdue status moves with the report date), and
-- reads only the dossiers whose span can meet those months (indexed received/end dates of fct_dossier).
-- depends_on: {{ ref('log_dossier_month_versions') }}

with

dossiers as (
    select
        d.unit_key,
        d.unit_code,
        d.province_code_current,
        d.field_code,
        d.field_name,
        d.channel_code,
        d.received_date,
        d.due_date,
        d.index_due_date,
        d.supplement_count,
        d.timeliness_index,
        case when d.end_date <= {{ as_of_date() }} then d.end_date end as report_end_date,
        case when d.index_clock_end_date <= {{ as_of_date() }} then d.index_clock_end_date end as index_end_date
    from {{ ref('fct_dossier') }} as d
    where
        d.received_date is not null and d.received_date <= {{ as_of_date() }}
        {% if is_incremental() %}
            -- a superset of the dossiers touching the months to rebuild: open, or ended on or after the first
            -- of them. Written as ranges whose both ends are subqueries: the planner then estimates each as
            -- narrow (it cannot see the values) and ORs the date indexes instead of scanning all history.
            and (
                d.end_date is null
                or d.end_date between {{ first_month_to_rebuild() }} and (select 'infinity'::date)
                or d.index_clock_end_date between {{ first_month_to_rebuild() }} and (select 'infinity'::date)
            )
        {% endif %}
),

dossier_months as (
    select
        d.*,
        m.month_start::date as month_start,
        (m.month_start + interval '1 month' - interval '1 day')::date as month_end
    from dossiers as d
    cross join
        lateral generate_series(
            date_trunc('month', d.received_date),
            date_trunc('month', greatest(
                d.received_date,
                coalesce(d.report_end_date, {{ as_of_date() }}),
                coalesce(d.index_end_date, d.report_end_date, {{ as_of_date() }})
            )),
            interval '1 month'
        ) as m (month_start)
    {% if is_incremental() %}
        where m.month_start::date in (select r.month_start from {{ months_to_rebuild() }} as r)
    {% endif %}
),

flags as (
    select
        unit_key,
        unit_code,
        province_code_current,
        field_code,
        field_name,
        month_start,
        -- report style
        (report_end_date is null or report_end_date >= month_start) as is_handled,
        received_date >= month_start as is_new,
        channel_code = 2 as is_online,
        coalesce(report_end_date between month_start and month_end, false) as is_resolved,
        case
            when report_end_date between month_start and month_end
                then
                    case
                        when due_date is null or report_end_date = due_date then 'on_time'
                        when report_end_date < due_date then 'early'
                        else 'late'
                    end
        end as resolved_class,
        (report_end_date is null or report_end_date > month_end) as is_in_progress,
        (due_date is null or due_date >= month_end) as is_within,
        -- index style
        (index_end_date is null or index_end_date >= month_start) as is_index_handled,
        coalesce(index_end_date between month_start and month_end, false) as is_index_stopped,
        case
            when index_end_date between month_start and month_end then timeliness_index in ('early', 'on_time')
            -- while the clock runs, the index judges against its own due date (the applicant's time
            -- is not counted), not the unit's NgayHenTraMoi
            else supplement_count <= 1 and (index_due_date is null or index_due_date >= month_end)
        end as is_index_timely
    from dossier_months
),

counts as (
    select
        month_start,
        unit_key,
        unit_code,
        field_code,
        max(field_name) as field_name,
        max(province_code_current) as province_code_current,
        count(*) filter (where is_handled and is_new and is_online) as received_online,
        count(*) filter (where is_handled and is_new and not is_online) as received_direct_postal,
        count(*) filter (where is_handled and not is_new) as carried_over,
        count(*) filter (where is_resolved and resolved_class = 'early') as resolved_early,
        count(*) filter (where is_resolved and resolved_class = 'on_time') as resolved_on_time,
        count(*) filter (where is_resolved and resolved_class = 'late') as resolved_late,
        count(*) filter (where is_handled and is_in_progress and is_within) as in_progress_within,
        count(*) filter (where is_handled and is_in_progress and not is_within) as in_progress_overdue,
        count(*) filter (where is_index_handled) as index_handled,
        count(*) filter (where is_index_handled and is_index_timely) as index_timely,
        count(*) filter (where is_index_stopped) as index_stopped,
        count(*) filter (where is_index_stopped and is_index_timely) as index_timely_stopped
    from flags
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
