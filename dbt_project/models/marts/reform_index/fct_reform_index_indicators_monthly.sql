{{
    config(
        materialized='table',
        indexes=[{'columns': ['month_start']}, {'columns': ['department_code']}],
    )
}}

-- Decision 766 per evaluated unit × month × period × sub-indicator: the numerator and denominator our records
-- give, scored by the rules in ref_reform_index_rules, beside what the portal published and the
-- score its own inputs give under the same rules. A sub-indicator our sources cannot state is
-- taken as published (source = 'published'), so group and total scores stay comparable.
--
-- Evaluated units (as the portal evaluates them): every province of the month's map, and every unit
-- at its own level (provincial departments; districts before 2025-07-01; communes) that received,
-- handled or was petitioned about anything in the month. A unit counts for itself and for the
-- province of its own day, and only in months its version is valid (a dossier an abolished unit
-- received before 2025-07-01 and still handles after is not in any later evaluation).
--
-- Periods, as the portal evaluates them: `month`, and `year_to_date` (January, or the first month
-- with records, to the month). A year-to-date count is the sum of the months' counts, except
-- where Decision 766 counts things once: a procedure counts once in the period, and a dossier is
-- handled once, judged in the last month of the period it was handled (then, or at its stop).
--
-- A table, rebuilt each run: it reads only monthly aggregates and the catalogue, which are small.

{# What the dossier sub-indicators count: name here -> column of fct_unit_month_dossier_counts. #}
{% set dossier_counts = {
    'received': 'received_total',
    'synced': 'synced_dossiers',
    'received_online': 'received_online',
    'fee_dossiers': 'fee_dossiers',
    'paid_online': 'paid_online_dossiers',
    'electronic_results': 'electronic_result_dossiers',
    'digitised': 'digitised_dossiers',
    'data_reused': 'data_reused_dossiers',
    'data_reused_known': 'data_reused_known',
    'personal_store': 'personal_store_dossiers',
    'personal_store_known': 'personal_store_known',
    'population_data': 'population_data_dossiers',
    'population_data_known': 'population_data_known',
} %}

with

members as (
    select
        unit_key,
        unit_code as department_code,
        case unit_level
            when 'TINH' then 'PROVINCIAL_DEPARTMENT'
            when 'HUYEN' then 'DISTRICT'
            else 'COMMUNE'
        end as department_level,
        unit_level as catalogue_level,
        province_code,
        province_code_current,
        valid_from,
        valid_to
    from {{ ref('dim_admin_unit') }}
    where unit_kind <> 'province'
    union all
    select
        unit_key,
        province_code as department_code,
        'PROVINCE' as department_level,
        null as catalogue_level,
        province_code,
        province_code_current,
        valid_from,
        valid_to
    from {{ ref('dim_admin_unit') }}
    where unit_kind <> 'province'
),

-- the evaluated unit as it was in the month (a commune code can exist before and after the reform)
unit_versions as (
    select
        department_code,
        department_level,
        catalogue_level,
        province_code,
        province_code_current,
        date_trunc('month', min(valid_from))::date as first_month,
        -- a province spans all its units' versions
        case when bool_or(valid_to is null) then null else max(valid_to) end as valid_to
    from members
    group by
        department_code, department_level, catalogue_level, province_code, province_code_current,
        case when department_level = 'PROVINCE' then null else valid_from end
),

counts as (
    select
        m.department_code,
        {%- for name, column in dossier_counts.items() %}
            sum(c.{{ column }}) as {{ name }},
        {%- endfor %}
        c.month_start
    from {{ ref('fct_unit_month_dossier_counts') }} as c
    inner join members as m
        on
            c.unit_key = m.unit_key
            and {{ version_valid_in_month('c.month_start') }}
    group by m.department_code, c.month_start
),

timeliness as (
    select
        m.department_code,
        t.month_start,
        sum(t.index_timely) as index_timely,
        sum(t.index_handled) as index_handled,
        sum(t.index_stopped) as index_stopped,
        sum(t.index_timely_stopped) as index_timely_stopped
    from {{ ref('fct_timeliness_monthly') }} as t
    inner join members as m
        on
            t.unit_key = m.unit_key
            and {{ version_valid_in_month('t.month_start') }}
    group by m.department_code, t.month_start
),

petitions as (
    select
        m.department_code,
        date_trunc('month', p.due_date)::date as month_start,
        count(*) as due,
        count(*) filter (where p.resolved_date <= p.due_date) as on_time,
        -- answered on time, not a repeat, not more disliked than liked
        count(*) filter (
            where
            p.resolved_date <= p.due_date
            and not coalesce(p.is_repeat, false)
            and coalesce(p.dislikes, 0) <= coalesce(p.likes, 0)
        ) as well_handled
    from {{ ref('stg_portal__petitions') }} as p
    inner join {{ ref('dim_admin_unit') }} as u
        on
            p.unit_code = u.unit_code
            and p.received_date >= u.valid_from
            and (u.valid_to is null or p.received_date <= u.valid_to)
    inner join members as m
        on
            u.unit_key = m.unit_key
            and {{ version_valid_in_month("date_trunc('month', p.due_date)") }}
    where p.due_date <= {{ as_of_date() }}
    group by m.department_code, date_trunc('month', p.due_date)
),

-- evaluation periods: each month on its own, and the year to date (January, or the first month
-- with records, to the month); `window_month` lists the months a period sums
months as (
    select month_start from counts
    union
    select month_start from timeliness
    union
    select month_start from petitions
    union
    select month_start from {{ ref('stg_portal__service_result_metrics') }}
),

periods as (
    select
        month_start,
        'month' as period,
        month_start as window_month,
        month_start as window_start
    from months
    union all
    select
        m.month_start,
        'year_to_date' as period,
        w.month_start as window_month,
        greatest(date_trunc('year', m.month_start)::date, (select min(f.month_start) from months as f))
            as window_start
    from months as m
    inner join months as w
        on
            m.month_start >= w.month_start
            and date_trunc('year', m.month_start) <= w.month_start
),

period_windows as (
    select distinct
        month_start,
        period,
        window_start
    from periods
),

counts_in_period as (
    select
        p.month_start,
        p.period,
        {%- for name in dossier_counts %}
            sum(c.{{ name }}) as {{ name }},
        {%- endfor %}
        c.department_code
    from periods as p
    inner join counts as c
        on p.window_month = c.month_start
    group by p.month_start, p.period, c.department_code
),

-- a dossier is handled once in a period, judged in the last month of it that it was handled: the
-- period's month when still handled then, else the month its clock stopped
timeliness_in_period as (
    select
        p.month_start,
        p.period,
        t.department_code,
        sum(case when t.month_start = p.month_start then t.index_timely else t.index_timely_stopped end)
            as index_timely,
        sum(case when t.month_start = p.month_start then t.index_handled else t.index_stopped end)
            as index_handled,
        sum(t.index_handled) as handled_months
    from periods as p
    inner join timeliness as t
        on p.window_month = t.month_start
    group by p.month_start, p.period, t.department_code
),

petitions_in_period as (
    select
        p.month_start,
        p.period,
        t.department_code,
        sum(t.due) as due,
        sum(t.on_time) as on_time,
        sum(t.well_handled) as well_handled
    from periods as p
    inner join petitions as t
        on p.window_month = t.month_start
    group by p.month_start, p.period, t.department_code
),

activity as (
    select
        department_code,
        month_start,
        period,
        received,
        0 as handled,
        0 as petitions_due
    from counts_in_period
    union all
    select
        department_code,
        month_start,
        period,
        0 as received,
        handled_months as handled,
        0 as petitions_due
    from timeliness_in_period
    union all
    select
        department_code,
        month_start,
        period,
        0 as received,
        0 as handled,
        due as petitions_due
    from petitions_in_period
),

-- evaluated: units that exist in the period's month and received, handled or were petitioned
-- about anything in the period
keys as (
    select distinct
        d.department_code,
        d.department_level,
        d.catalogue_level,
        d.province_code,
        d.province_code_current,
        a.month_start,
        a.period,
        w.window_start
    from (
        select
            department_code,
            month_start,
            period
        from activity
        group by department_code, month_start, period
        having sum(received) > 0 or sum(handled) > 0 or sum(petitions_due) > 0
    ) as a
    inner join unit_versions as d
        on
            a.department_code = d.department_code
            and a.month_start >= d.first_month
            and (d.valid_to is null or a.month_start <= d.valid_to)
    inner join period_windows as w
        on a.month_start = w.month_start and a.period = w.period
),

key_provinces as (
    select distinct
        province_code,
        month_start,
        period,
        window_start
    from keys
),

-- the national catalogue as it stands (latest state per code); in force in a month when effective
-- by its last day and not abolished before its first (an abolished state's date is its last day)
catalogue as (
    select distinct on (procedure_code)
        procedure_code,
        levels,
        online_level,
        has_fee,
        state,
        effective_date,
        updated_date
    from {{ ref('stg_portal__formalities') }}
    where province_code is null
    order by procedure_code asc, updated_at desc
),

procedure_use as (
    select
        m.department_code,
        u.month_start,
        u.procedure_code,
        sum(u.received_total) > 0 as had_dossier,
        sum(u.received_online) > 0 as had_online_dossier,
        sum(u.paid_online) > 0 as had_online_payment
    from {{ ref('fct_unit_month_procedure_use') }} as u
    inner join members as m
        on
            u.unit_key = m.unit_key
            and {{ version_valid_in_month('u.month_start') }}
    group by m.department_code, u.month_start, u.procedure_code
),

procedure_use_in_period as (
    select
        p.month_start,
        p.period,
        u.department_code,
        u.procedure_code,
        bool_or(u.had_dossier) as had_dossier,
        bool_or(u.had_online_dossier) as had_online_dossier,
        bool_or(u.had_online_payment) as had_online_payment
    from periods as p
    inner join procedure_use as u
        on p.window_month = u.month_start
    group by p.month_start, p.period, u.department_code, u.procedure_code
),

-- a procedure counts once in a period: in force at some time in it
procedure_counts as (
    select
        k.department_code,
        k.month_start,
        k.period,
        count(*) as procedures,
        count(*) filter (where c.online_level is distinct from 'KHONG') as online_procedures,
        count(*) filter (
            where c.online_level is distinct from 'KHONG' and u.had_online_dossier
        ) as online_procedures_used,
        count(*) filter (where c.has_fee) as fee_procedures,
        count(*) filter (where c.has_fee and u.had_online_payment) as fee_procedures_paid_online,
        count(*) filter (where c.has_fee and u.had_dossier) as fee_procedures_with_dossiers
    from keys as k
    inner join catalogue as c
        on
            (k.month_start + interval '1 month' - interval '1 day')::date >= c.effective_date
            and (c.state = 'ACTIVE' or k.window_start <= c.updated_date)
            and (k.catalogue_level is null or k.catalogue_level = any(string_to_array(c.levels, ',')))
    left join procedure_use_in_period as u
        on
            k.department_code = u.department_code
            and k.month_start = u.month_start
            and k.period = u.period
            and c.procedure_code = u.procedure_code
    group by k.department_code, k.month_start, k.period
),

-- a province's own announcements (latest state per local code), by the month of the decision
announcements as (
    select distinct on (procedure_code)
        province_code,
        decision_date,
        legal_basis_effective_date,
        published_date,
        content_complete
    from {{ ref('stg_portal__formalities') }}
    where province_code is not null and decision_date is not null
    order by procedure_code asc, updated_at desc
),

announcement_counts as (
    select
        province_code,
        date_trunc('month', decision_date)::date as month_start,
        count(*) as announced,
        count(*) filter (
            where {{ working_days_between('decision_date', 'legal_basis_effective_date') }} >= 5
        ) as announced_on_time,
        count(*) filter (
            where
            published_date is not null
            and {{ working_days_between('decision_date', 'published_date') }} <= 5
        ) as published_on_time,
        count(*) filter (where published_date is not null) as published,
        count(*) filter (where published_date is not null and content_complete) as published_in_full
    from announcements
    group by province_code, date_trunc('month', decision_date)
),

announcements_in_period as (
    select
        k.province_code,
        k.month_start,
        k.period,
        sum(a.announced) as announced,
        sum(a.announced_on_time) as announced_on_time,
        sum(a.published_on_time) as published_on_time,
        sum(a.published) as published,
        sum(a.published_in_full) as published_in_full
    from key_provinces as k
    inner join announcement_counts as a
        on
            k.province_code = a.province_code
            and a.month_start between k.window_start and k.month_start
    group by k.province_code, k.month_start, k.period
),

inputs as (
    select
        k.department_code,
        k.month_start,
        k.period,
        v.indicator_code,
        v.numerator,
        v.denominator,
        v.source
    from keys as k
    left join counts_in_period as c
        on k.department_code = c.department_code and k.month_start = c.month_start and k.period = c.period
    left join timeliness_in_period as t
        on k.department_code = t.department_code and k.month_start = t.month_start and k.period = t.period
    left join petitions_in_period as p
        on k.department_code = p.department_code and k.month_start = p.month_start and k.period = p.period
    left join procedure_counts as pc
        on k.department_code = pc.department_code and k.month_start = pc.month_start and k.period = pc.period
    left join announcements_in_period as a
        on k.province_code = a.province_code and k.month_start = a.month_start and k.period = a.period
    cross join lateral (
        values
        ('ckmb_announced_on_time', coalesce(a.announced_on_time, 0), coalesce(a.announced, 0), 'records'),
        ('ckmb_published_on_time', coalesce(a.published_on_time, 0), coalesce(a.announced, 0), 'records'),
        ('ckmb_published_in_full', coalesce(a.published_in_full, 0), coalesce(a.published, 0), 'records'),
        ('ckmb_synced_dossiers', coalesce(c.synced, 0), coalesce(c.received, 0), 'records'),
        ('tdgq_handled_on_time', coalesce(t.index_timely, 0), coalesce(t.index_handled, 0), 'records'),
        ('clgq_procedures_online', coalesce(pc.online_procedures, 0), coalesce(pc.procedures, 0), 'records'),
        (
            'clgq_online_procedures_used',
            coalesce(pc.online_procedures_used, 0),
            coalesce(pc.online_procedures, 0),
            'records'
        ),
        ('clgq_online_dossiers', coalesce(c.received_online, 0), coalesce(c.received, 0), 'records'),
        ('tttt_paid_online', coalesce(c.paid_online, 0), coalesce(c.fee_dossiers, 0), 'records'),
        (
            'tttt_procedures_with_online_payment',
            coalesce(pc.fee_procedures_paid_online, 0),
            coalesce(pc.fee_procedures, 0),
            'records'
        ),
        (
            'tttt_procedures_with_dossiers',
            coalesce(pc.fee_procedures_with_dossiers, 0),
            coalesce(pc.fee_procedures, 0),
            'records'
        ),
        ('mdsh_electronic_results', coalesce(c.electronic_results, 0), coalesce(c.received, 0), 'records'),
        ('mdsh_digitised_dossiers', coalesce(c.digitised, 0), coalesce(c.received, 0), 'records'),
        -- schema 1.3 flags: computable only when every received dossier's export stated them
        (
            'mdsh_reused_data',
            coalesce(c.data_reused, 0),
            coalesce(c.received, 0),
            case when coalesce(c.data_reused_known, 0) = coalesce(c.received, 0) then 'records' else 'published' end
        ),
        (
            'mdsh_personal_data_store',
            coalesce(c.personal_store, 0),
            coalesce(c.received, 0),
            case
                when coalesce(c.personal_store_known, 0) = coalesce(c.received, 0) then 'records' else 'published'
            end
        ),
        (
            'mdsh_population_data',
            coalesce(c.population_data, 0),
            coalesce(c.received, 0),
            case
                when coalesce(c.population_data_known, 0) = coalesce(c.received, 0) then 'records' else 'published'
            end
        ),
        -- no source of ours says which procedures are connected to population data, how many copies
        -- were certified electronically, or which dossiers were petitioned about
        ('mdsh_procedures_population_data', null, null, 'published'),
        ('mdsh_e_certified_copies', null, null, 'published'),
        ('mdhl_dossier_satisfaction', null, null, 'published'),
        ('mdhl_petitions_on_time', coalesce(p.on_time, 0), coalesce(p.due, 0), 'records'),
        ('mdhl_petition_satisfaction', coalesce(p.well_handled, 0), coalesce(p.due, 0), 'records')
    ) as v (indicator_code, numerator, denominator, source)
),

published as (
    select * from {{ ref('stg_portal__service_result_metrics') }}
),

joined as (
    select
        coalesce(i.department_code, p.department_code) as department_code,
        coalesce(i.month_start, p.month_start) as month_start,
        coalesce(i.period, p.period) as period,
        coalesce(i.indicator_code, p.indicator_code) as indicator_code,
        coalesce(i.source, 'published') as source,
        case when i.source = 'records' then i.numerator else p.numerator_published end as numerator,
        case when i.source = 'records' then i.denominator else p.denominator_published end as denominator,
        p.numerator_published,
        p.denominator_published,
        p.score_published,
        p.department_level as department_level_published
    from inputs as i
    full join published as p
        on
            i.department_code = p.department_code
            and i.month_start = p.month_start
            and i.period = p.period
            and i.indicator_code = p.indicator_code
),

scored as (
    select
        j.month_start,
        j.period,
        j.department_code,
        coalesce(u.department_level, j.department_level_published) as department_level,
        u.province_code,
        u.province_code_current,
        r.group_code,
        j.indicator_code,
        r.indicator_name_vi,
        r.rule_version,
        r.max_points,
        r.group_max_points,
        j.source,
        j.numerator,
        j.denominator,
        j.numerator::numeric / nullif(j.denominator, 0) as ratio,
        {{ reform_index_score('r', 'j.numerator', 'j.denominator') }} as score_computed,
        j.numerator_published,
        j.denominator_published,
        j.score_published,
        {{ reform_index_score('r', 'j.numerator_published', 'j.denominator_published') }}
            as score_published_recomputed
    from joined as j
    left join unit_versions as u
        on
            j.department_code = u.department_code
            and j.month_start >= u.first_month
            and (u.valid_to is null or j.month_start <= u.valid_to)
    inner join {{ ref('ref_reform_index_rules') }} as r
        on
            j.indicator_code = r.indicator_code
            and j.month_start >= r.valid_from
            and (r.valid_to is null or j.month_start <= r.valid_to)
)

select
    month_start,
    period,
    department_code,
    department_level,
    province_code,
    province_code_current,
    group_code,
    indicator_code,
    indicator_name_vi,
    rule_version,
    max_points,
    group_max_points,
    source,
    numerator,
    denominator,
    ratio,
    score_computed,
    numerator_published,
    denominator_published,
    score_published,
    score_published_recomputed,
    score_computed - score_published as score_delta,
    case
        when score_published is null then 'not published'
        when score_published_recomputed is null or score_published_recomputed <> score_published
            then 'published score does not follow from its inputs'
        when source = 'published' then 'taken as published'
        when numerator = numerator_published and denominator = denominator_published then 'same inputs'
        when numerator <> numerator_published and denominator <> denominator_published
            then 'numerator and denominator differ'
        when numerator <> numerator_published then 'numerator differs'
        else 'denominator differs'
    end as difference
from scored
