{#- The KPI rules on single dossiers (docs/KPIS.md, counting rules 1-4 and the index style): the SQL of
    the view int_dossier_timelines, one row per dossier. `only_dossiers` names a relation or CTE with a
    dossier_code column: the rules are then computed for those dossiers only. fct_dossier's incremental
    run passes its changed dossiers, because PostgreSQL does not move a join with them below the view's
    outer joins: through the view it computes every dossier's timeline and keeps the changed ones. -#}
{% macro dossier_timelines(only_dossiers=none) -%}
    with

    dossiers as (
        select
            d.*,
            case when d.status_code not in (1, 3) then d.received_at::date end as received_date,
            case
                when d.status_code in (7, 8) then coalesce(d.refused_at, d.processing_ended_at, d.returned_at)
                else coalesce(d.processing_ended_at, d.returned_at, d.refused_at)
            end as ended_at
        from {{ ref('stg_onestop__dossiers') }} as d
        {%- if only_dossiers %}
            where d.dossier_code in (select o.dossier_code from {{ only_dossiers }} as o)
        {%- endif %}
    ),

    supplement_requests as (
        select
            s.dossier_code,
            s.request_no,
            s.requested_at,
            s.supplied_at,
            s.due_after_at,
            s.requested_at::date as requested_date,
            -- working days the applicant took; an outstanding request is measured at the dossier's end
            sd.working_day_index as supplied_wdi,
            rd.working_day_index as requested_wdi
        from {{ ref('stg_onestop__supplements') }} as s
        left join {{ ref('dim_date') }} as rd
            on s.requested_at::date = rd.date_day
        left join {{ ref('dim_date') }} as sd
            on s.supplied_at::date = sd.date_day
        {%- if only_dossiers %}
            where s.dossier_code in (select o.dossier_code from {{ only_dossiers }} as o)
        {%- endif %}
    ),

    supplements as (
        select
            dossier_code,
            count(*) as supplement_count,
            (array_agg(due_after_at order by request_no desc) filter (where due_after_at is not null))[1]
                as latest_due_after_at,
            (array_agg(requested_date order by request_no desc))[1] as last_requested_date,
            (array_agg(supplied_at order by request_no desc))[1] as last_supplied_at,
            coalesce(sum(supplied_wdi - requested_wdi), 0) as closed_pause_working_days,
            (array_agg(requested_wdi order by request_no desc) filter (where supplied_at is null))[1]
                as open_pause_start_wdi
        from supplement_requests
        group by dossier_code
    ),

    timelines as (
        select
            d.*,
            d.ended_at::date as end_date,
            coalesce(s.latest_due_after_at, d.due_at) as effective_due_at,
            coalesce(s.supplement_count, 0) as supplement_count,
            coalesce(s.supplement_count = 1 and s.last_supplied_at is null, false) as has_outstanding_supplement,
            s.last_requested_date,
            s.closed_pause_working_days,
            s.open_pause_start_wdi,
            coalesce(d.received_at::date, d.submitted_at::date, d.updated_at::date) as unit_reference_date
        from dossiers as d
        left join supplements as s
            on d.dossier_code = s.dossier_code
    ),

    -- index style: the clock stops at a single outstanding request, else at the end; the original due
    -- date moves later by the working days the applicant took to supplement
    index_clock as (
        select
            t.*,
            case when t.has_outstanding_supplement then t.last_requested_date else t.end_date end
                as index_clock_end_date,
            case
                when coalesce(t.closed_pause_working_days, 0) = 0 then t.due_at::date
                else shifted.date_day
            end as index_due_date
        from timelines as t
        left join {{ ref('dim_date') }} as dd
            on t.due_at::date = dd.date_day
        left join {{ ref('dim_date') }} as shifted
            on
                dd.working_day_index + t.closed_pause_working_days = shifted.working_day_index
                and shifted.is_working_day
    )

    select
        t.dossier_code,
        t.procedure_code,
        t.procedure_name,
        t.field_code,
        t.field_name,
        t.unit_code,
        t.unit_level,
        u.unit_key,
        -- a unit code missing from the reference still belongs to the province whose export carried it:
        -- it counts there and in the nation, as unit unknown (fct_unknown_unit_codes lists the codes)
        coalesce(u.province_code_current, ep.province_code_current) as province_code_current,
        p.procedure_key,
        t.citizen_key,
        t.channel_code,
        case t.channel_code when 1 then 'direct' when 2 then 'online' when 3 then 'postal' end as channel,
        t.online_level,
        t.status_code,
        t.submitted_at,
        t.received_at,
        t.received_date,
        t.due_at as original_due_at,
        t.effective_due_at,
        t.effective_due_at::date as due_date,
        t.ended_at,
        t.end_date,
        t.supplement_count,
        t.has_outstanding_supplement,
        -- working days from reception to end, minus the days the applicant took to supplement
        case
            when t.end_date is not null and t.received_date is not null
                then
                    de.working_day_index - dr.working_day_index
                    - coalesce(t.closed_pause_working_days, 0)
                    - coalesce(de.working_day_index - t.open_pause_start_wdi, 0)
        end as working_days_taken,
        t.index_clock_end_date,
        t.index_due_date,
        t.closed_pause_working_days as index_paused_working_days,
        case
            when t.index_clock_end_date is null then null
            when t.supplement_count > 1 then 'late'
            when t.index_due_date is null then 'on_time'
            when t.index_clock_end_date < t.index_due_date then 'early'
            when t.index_clock_end_date = t.index_due_date then 'on_time'
            else 'late'
        end as index_timeliness,
        t.online_payment_code,
        coalesce(t.online_payment_code in (1, 2), false) as is_paid_online,
        t.fee_vnd,
        t.has_digitised_components,
        t.has_electronic_result,
        t.is_vneid_verified,
        t.is_data_reused,
        t.is_personal_store_linked,
        t.is_population_data_used,
        y.dossier_code is not null as is_synced_to_portal,
        t.updated_at,
        t._batch_id
    from index_clock as t
    left join {{ ref('dim_date') }} as dr
        on t.received_date = dr.date_day
    left join {{ ref('dim_date') }} as de
        on t.end_date = de.date_day
    left join {{ ref('dim_admin_unit') }} as u
        on
            t.unit_code = u.unit_code
            and t.unit_reference_date >= u.valid_from
            and (u.valid_to is null or t.unit_reference_date <= u.valid_to)
    left join {{ ref('dim_admin_unit') }} as ep
        on
            ep.unit_kind = 'province'
            and t.export_province_code = ep.unit_code
            and t.export_date >= ep.valid_from
            and (ep.valid_to is null or t.export_date <= ep.valid_to)
    left join {{ ref('dim_procedure') }} as p
        on
            t.procedure_code = p.procedure_code
            and (p.valid_from is null or t.unit_reference_date >= p.valid_from)
            and (p.valid_to is null or t.unit_reference_date <= p.valid_to)
    left join {{ ref('stg_portal__dossier_sync') }} as y
        on t.dossier_code = y.dossier_code
{%- endmacro %}
