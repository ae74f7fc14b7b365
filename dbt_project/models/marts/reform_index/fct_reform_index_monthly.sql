{{
    config(
        materialized='table',
        indexes=[{'columns': ['month_start']}],
    )
}}

-- Decision 766 per province (today's map) × month × group, summed from the sub-indicators of
-- fct_reform_index_indicators_monthly (the province's own evaluation): the points our records give
-- beside the points the portal published, and the difference. Before 2025-07-01 a province of
-- today's map can be several provinces of that day: each is scored on its own, and the group's
-- points here are their mean weighted by dossiers received.
--
-- Kept for BI tools that read groups; the columns are the marts' promise (docs/MARTS.md):
-- numerator = points computed, denominator = the group's maximum, ratio = their quotient.

with

provinces as (
    select
        month_start,
        department_code,
        province_code_current,
        group_code,
        max(group_max_points) as max_points,
        sum(score_computed) as score_computed,
        -- a group is published only when every sub-indicator is
        case when bool_and(score_published is not null) then sum(score_published) end as score_published,
        max(denominator) filter (where indicator_code = 'ckmb_synced_dossiers') as received
    from {{ ref('fct_reform_index_indicators_monthly') }}
    where period = 'month' and department_level = 'PROVINCE' and province_code_current is not null
    group by month_start, department_code, province_code_current, group_code
),

weighted as (
    select
        p.*,
        -- a province that received nothing still counts, with the least weight
        greatest(coalesce(max(p.received) over (partition by p.month_start, p.department_code), 0), 1)
            as weight
    from provinces as p
)

select
    month_start,
    province_code_current,
    group_code,
    max(max_points)::integer as max_points,
    sum(weight * score_computed) / sum(weight) as numerator,
    max(max_points) as denominator,
    sum(weight * score_computed) / sum(weight) / max(max_points) as ratio,
    sum(weight * score_computed) / sum(weight) as score_computed,
    case when bool_and(score_published is not null) then sum(weight * score_published) / sum(weight) end
        as score_published,
    sum(weight * score_computed) / sum(weight)
    - case when bool_and(score_published is not null) then sum(weight * score_published) / sum(weight) end
        as score_delta
from weighted
group by month_start, province_code_current, group_code
