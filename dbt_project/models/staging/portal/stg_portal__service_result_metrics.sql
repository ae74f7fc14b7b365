-- Decision 766 as the portal published it: one row per evaluated unit × month × period ('month':
-- the month's evaluation; 'year_to_date': January to the month) × sub-indicator (service-results
-- groups[].metrics[]), from the latest accepted batch of each unit, month and period.
-- Values of the wrong JSON type become null here; validation has already named them.

with latest as (
    {{ latest_accepted_rows(
        'portal_service_results', ['department_code', 'year', 'month', 'time_type'], 'r.batch_id desc',
        required=['department_code'],
    ) }}
),

groups as (
    select
        l.department_code,
        l.department_name,
        l.department_level,
        make_date(l.year, l.month, 1) as month_start,
        case l.time_type when 'year' then 'year_to_date' else 'month' end as period,
        l.total_score as total_score_published,
        l.batch_id,
        g.value as grp
    from latest as l
    cross join
        lateral jsonb_array_elements(
            case when jsonb_typeof(l.record -> 'groups') = 'array' then l.record -> 'groups' else '[]' end
        ) as g (value)
),

metrics as (
    select
        g.department_code,
        g.department_name,
        g.department_level,
        g.month_start,
        g.period,
        g.total_score_published,
        g.grp ->> 'code' as group_code,
        {{ json_number("g.grp -> 'score'") }} as group_score_published,
        m.value ->> 'code' as indicator_code,
        {{ json_number("m.value -> 'numerator'") }} as numerator_published,
        {{ json_number("m.value -> 'denominator'") }} as denominator_published,
        {{ json_number("m.value -> 'score'") }} as score_published,
        g.batch_id
    from groups as g
    cross join lateral jsonb_array_elements(
        case when jsonb_typeof(g.grp -> 'metrics') = 'array' then g.grp -> 'metrics' else '[]' end
    ) as m (value)
)

select
    department_code,
    department_name,
    department_level,
    month_start,
    period,
    group_code,
    indicator_code,
    numerator_published,
    denominator_published,
    score_published,
    group_score_published,
    total_score_published,
    batch_id as _batch_id
from metrics
where indicator_code is not null
