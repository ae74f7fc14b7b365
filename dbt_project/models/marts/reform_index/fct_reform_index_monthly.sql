{{
    config(
        materialized='incremental',
        incremental_strategy='replace_months',
        on_schema_change='append_new_columns',
        pre_hook="{{ stage_months_to_rebuild(['dossier_span', 'petitions', 'ratings', 'service_results']) }}",
        post_hook="{{ record_monthly_build() }}",
        indexes=[{'columns': ['month_start']}],
    )
}}

-- Decision 766 index per province (today's map) × month × group: the warehouse's own recomputation
-- from records beside the score the portal published, and the difference.
-- ratio per group (null = not applicable: no records, never 0):
--   CKMB 18  transparency: received dossiers synchronised to the portal / received
--   TDGQ 20  timeliness, index style: (resolved early/on time + in progress within) / handled
--   CLGQ 12  online service: received online / received, among eligible procedures
--   TTTT 10  online payment: paid online / dossiers with fees
--   MDSH 22  digitisation: (digitised received + electronic results) / (received + resolved)
--   MDHL 18  satisfaction: (petitions on time + satisfied ratings) / (petitions due + ratings)
-- score_computed = max_points × ratio, capped at max_points.
--
-- Incremental by month (macros/monthly_incremental.sql): a run rebuilds every month any of its inputs can
-- have changed since the last run (dossier spans, petitions, ratings, published scores, report date).
-- depends_on: {{ ref('log_dossier_month_versions') }}

with

timeliness as (
    select
        month_start,
        province_code_current,
        sum(index_timely) as timely,
        sum(index_handled) as handled
    from {{ ref('fct_timeliness_province_monthly') }}
    {% if is_incremental() %}
        where month_start in (select m.month_start from {{ months_to_rebuild() }} as m)
    {% endif %}
    group by month_start, province_code_current
),

dossier_counts as (
    {{ rollup_to_provinces(ref('fct_unit_month_dossier_counts'), [
        'received_total', 'synced_dossiers', 'received_eligible', 'received_online_eligible',
        'fee_dossiers', 'paid_online_dossiers', 'digitised_dossiers', 'resolved_total',
        'electronic_result_dossiers',
    ]) }}
),

satisfaction as (
    select
        month_start,
        province_code_current,
        petitions_due + ratings_total as denominator,
        petitions_on_time + ratings_satisfied as numerator
    from {{ ref('fct_satisfaction_province_monthly') }}
    {% if is_incremental() %}
        where month_start in (select m.month_start from {{ months_to_rebuild() }} as m)
    {% endif %}
),

ratios as (
    select
        c.month_start,
        c.province_code_current,
        'CKMB' as group_code,
        c.synced_dossiers as numerator,
        c.received_total as denominator
    from dossier_counts as c
    union all
    select
        c.month_start,
        c.province_code_current,
        'CLGQ' as group_code,
        c.received_online_eligible as numerator,
        c.received_eligible as denominator
    from dossier_counts as c
    union all
    select
        c.month_start,
        c.province_code_current,
        'TTTT' as group_code,
        c.paid_online_dossiers as numerator,
        c.fee_dossiers as denominator
    from dossier_counts as c
    union all
    select
        c.month_start,
        c.province_code_current,
        'MDSH' as group_code,
        c.digitised_dossiers + c.electronic_result_dossiers as numerator,
        c.received_total + c.resolved_total as denominator
    from dossier_counts as c
    union all
    select
        t.month_start,
        t.province_code_current,
        'TDGQ' as group_code,
        t.timely as numerator,
        t.handled as denominator
    from timeliness as t
    union all
    select
        s.month_start,
        s.province_code_current,
        'MDHL' as group_code,
        s.numerator,
        s.denominator
    from satisfaction as s
),

groups as (
    select
        group_code,
        max_points
    from (
        values
        ('CKMB', 18), ('TDGQ', 20), ('CLGQ', 12), ('TTTT', 10), ('MDSH', 22), ('MDHL', 18)
    ) as g (group_code, max_points)
),

computed as (
    select
        r.month_start,
        r.province_code_current,
        r.group_code,
        sum(r.numerator) as numerator,
        sum(r.denominator) as denominator
    from ratios as r
    group by r.month_start, r.province_code_current, r.group_code
),

published as (
    select
        province_code,
        month_start,
        group_code,
        score_published
    from {{ ref('stg_portal__service_results') }}
    {% if is_incremental() %}
        where month_start in (select m.month_start from {{ months_to_rebuild() }} as m)
    {% endif %}
),

keys as (
    select
        month_start,
        province_code_current,
        group_code
    from computed
    union
    select
        month_start,
        province_code,
        group_code
    from published
),

scored as (
    select
        k.month_start,
        k.province_code_current,
        k.group_code,
        g.max_points,
        c.numerator,
        c.denominator,
        c.numerator / nullif(c.denominator, 0) as ratio,
        p.score_published
    from keys as k
    inner join groups as g
        on k.group_code = g.group_code
    left join computed as c
        on
            k.month_start = c.month_start
            and k.province_code_current = c.province_code_current
            and k.group_code = c.group_code
    left join published as p
        on
            k.month_start = p.month_start
            and k.province_code_current = p.province_code
            and k.group_code = p.group_code
)

select
    month_start,
    province_code_current,
    group_code,
    max_points,
    numerator,
    denominator,
    ratio,
    -- least() skips nulls: an inapplicable group must stay null, not score max_points
    case when ratio is not null then least(max_points * ratio, max_points) end as score_computed,
    score_published,
    case when ratio is not null then least(max_points * ratio, max_points) end - score_published as score_delta
from scored
