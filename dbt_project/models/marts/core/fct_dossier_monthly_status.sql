{{
    config(
        indexes=[
            {'columns': ['dossier_code', 'month_start'], 'unique': true},
            {'columns': ['month_start']},
            {'columns': ['unit_code', 'month_start']},
        ],
    )
}}

-- Every figure down to its dossiers: one row per dossier and month it counts in (from its received
-- month to its end month, or the report month while open), with its unit and field of that month and
-- the column of each monthly fact it falls in. fct_timeliness_monthly is this table grouped by unit,
-- field and month; a dbt test proves that grouping it the other facts' way reproduces
-- fct_unit_month_dossier_counts (online, payment, digitisation) exactly. `cchc explain` and the BI
-- drill to detail read it.
--
-- Incremental by dossier (replace_dossier_months, macros/monthly_incremental/dossiers_to_rebuild.sql):
-- a run rewrites every row of the dossiers with a new logged version or a date the report date moved
-- over, and the months after the previous report month for every dossier (new rows of open dossiers).
-- The rows of every other dossier are the same under the new report date, so they stay.
-- depends_on: {{ ref('log_dossier_month_versions') }}

with

dossiers as (
    select
        d.dossier_code,
        d.unit_key,
        d.unit_code,
        d.province_code_current,
        d.field_code,
        d.field_name,
        d.channel_code,
        d.online_level,
        d.received_date,
        d.due_date,
        d.index_due_date,
        d.supplement_count,
        d.timeliness_index,
        d.fee_vnd,
        d.is_paid_online,
        d.has_digitised_components,
        d.has_electronic_result,
        d.is_vneid_verified,
        d.is_synced_to_portal,
        d.is_data_reused,
        d.is_personal_store_linked,
        d.is_population_data_used,
        case when d.end_date <= {{ as_of_date() }} then d.end_date end as report_end_date,
        case when d.index_clock_end_date <= {{ as_of_date() }} then d.index_clock_end_date end as index_end_date
    from {{ ref('fct_dossier') }} as d
    where
        d.received_date is not null and d.received_date <= {{ as_of_date() }}
        {% if is_incremental() %}
            -- the staged dossiers, and those whose span reaches the first staged month: open, or ended on or
            -- after it. The planner sees that month (first_month_to_rebuild) and ORs the date indexes
            -- instead of scanning all history when the month is recent.
            and (
                d.dossier_code in (select r.dossier_code from {{ dossiers_to_rebuild() }} as r)
                or (
                    {{ first_month_to_rebuild() }} is not null
                    and (
                        d.end_date is null
                        or d.end_date >= {{ first_month_to_rebuild() }}
                        or d.index_clock_end_date >= {{ first_month_to_rebuild() }}
                    )
                )
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
        where
            d.dossier_code in (select r.dossier_code from {{ dossiers_to_rebuild() }} as r)
            or m.month_start::date in (select r.month_start from {{ months_to_rebuild() }} as r)
    {% endif %}
),

flags as (
    select
        *,
        -- report style (Biểu 06)
        (report_end_date is null or report_end_date >= month_start) as is_handled,
        received_date >= month_start as is_new,
        coalesce(report_end_date between month_start and month_end, false) as is_resolved,
        (report_end_date is null or report_end_date > month_end) as is_in_progress,
        (due_date is null or due_date >= month_end) as is_within,
        -- index style (Decision 766)
        (index_end_date is null or index_end_date >= month_start) as is_index_handled,
        coalesce(index_end_date between month_start and month_end, false) as is_index_stopped,
        case
            when index_end_date between month_start and month_end then timeliness_index in ('early', 'on_time')
            -- while the clock runs, the index judges against its own due date (the applicant's time
            -- is not counted), not the unit's NgayHenTraMoi
            else supplement_count <= 1 and (index_due_date is null or index_due_date >= month_end)
        end as is_index_timely
    from dossier_months
)

select
    month_start,
    dossier_code,
    unit_key,
    unit_code,
    province_code_current,
    field_code,
    field_name,
    case
        when not is_handled then null
        when not is_new then 'carried_over'
        when channel_code = 2 then 'new_online'
        when channel_code is not null then 'new_direct_postal'
    end as received_as,
    case
        when not is_resolved then null
        when due_date is null or report_end_date = due_date then 'on_time'
        when report_end_date < due_date then 'early'
        else 'late'
    end as resolved_as,
    case
        when not (is_handled and is_in_progress) then null
        when is_within then 'within'
        else 'overdue'
    end as in_progress_as,
    is_index_handled,
    is_index_handled and is_index_timely as is_index_timely,
    is_index_stopped,
    -- the month it was received in: the online, payment and digitisation facts' "new dossiers"
    received_date between month_start and month_end as is_received_in_month,
    channel_code = 2 as is_online,
    online_level,
    coalesce(fee_vnd > 0, false) as has_fee,
    coalesce(is_paid_online, false) as is_paid_online,
    coalesce(has_digitised_components, false) as has_digitised_components,
    coalesce(is_vneid_verified, false) as is_vneid_verified,
    coalesce(is_synced_to_portal, false) as is_synced_to_portal,
    is_data_reused,
    is_personal_store_linked,
    is_population_data_used,
    -- the month it ended in (on or before the report date): the facts' "resolved"
    coalesce(report_end_date between month_start and month_end, false) as is_ended_in_month,
    coalesce(has_electronic_result, false) as has_electronic_result
from flags
