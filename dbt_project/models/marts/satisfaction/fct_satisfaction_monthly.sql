-- Satisfaction per unit × month: petitions (PAKN) that fell due in the month (due date = 15 working
-- days, from the portal) and how many were resolved by their due date; ratings given in the month and
-- how many were satisfied (RAT_HAI_LONG or HAI_LONG). A petition's unit is its unitCode as valid on its
-- received date; a rating's unit is its dossier's (a rating joins once its dossier has arrived).
--
-- Incremental by month (macros/monthly_incremental/): a run rebuilds the due months of every version of
-- the petitions and the rated months of every version of the ratings in batches accepted or superseded
-- since the last run, the rated months of dossiers with a new version (their unit may have changed), and
-- the months from the last run's report date to this one's.
-- depends_on: {{ ref('log_dossier_month_versions') }}

with

petitions as (
    select
        u.unit_key,
        p.unit_code,
        u.province_code_current,
        date_trunc('month', p.due_date)::date as month_start,
        count(*) as petitions_due,
        count(*) filter (where p.resolved_date <= p.due_date) as petitions_on_time,
        0 as ratings_total,
        0 as ratings_satisfied
    from {{ ref('stg_portal__petitions') }} as p
    left join {{ ref('dim_admin_unit') }} as u
        on
            p.unit_code = u.unit_code
            and p.received_date >= u.valid_from
            and (u.valid_to is null or p.received_date <= u.valid_to)
    where
        p.due_date <= {{ as_of_date() }}
        {% if is_incremental() %}
            and date_trunc('month', p.due_date)::date in (select m.month_start from {{ months_to_rebuild() }} as m)
        {% endif %}
    group by u.unit_key, p.unit_code, u.province_code_current, date_trunc('month', p.due_date)
),

ratings as (
    select
        d.unit_key,
        d.unit_code,
        d.province_code_current,
        date_trunc('month', r.rated_date)::date as month_start,
        0 as petitions_due,
        0 as petitions_on_time,
        count(*) as ratings_total,
        count(*) filter (where r.is_satisfied) as ratings_satisfied
    from {{ ref('stg_portal__ratings') }} as r
    inner join {{ ref('fct_dossier') }} as d
        on r.dossier_code = d.dossier_code
    where
        r.rated_date <= {{ as_of_date() }}
        {% if is_incremental() %}
            and date_trunc('month', r.rated_date)::date in (select m.month_start from {{ months_to_rebuild() }} as m)
        {% endif %}
    group by d.unit_key, d.unit_code, d.province_code_current, date_trunc('month', r.rated_date)
),

both_sides as (
    select * from petitions
    union all
    select * from ratings
),

counts as (
    select
        month_start,
        unit_key,
        unit_code,
        max(province_code_current) as province_code_current,
        sum(petitions_due)::integer as petitions_due,
        sum(petitions_on_time)::integer as petitions_on_time,
        sum(ratings_total)::integer as ratings_total,
        sum(ratings_satisfied)::integer as ratings_satisfied
    from both_sides
    group by month_start, unit_key, unit_code
)

select
    month_start,
    unit_key,
    unit_code,
    province_code_current,
    petitions_due,
    petitions_on_time,
    petitions_on_time::numeric / nullif(petitions_due, 0) as petition_on_time_rate,
    ratings_total,
    ratings_satisfied,
    ratings_satisfied::numeric / nullif(ratings_total, 0) as satisfaction_rate
from counts
where petitions_due > 0 or ratings_total > 0
