{{
    config(
        materialized='incremental',
        incremental_strategy='replace_months',
        on_schema_change='append_new_columns',
        pre_hook="{{ stage_months_to_rebuild(['petitions', 'ratings']) }}",
        post_hook="{{ record_monthly_build() }}",
        indexes=[{'columns': ['month_start']}],
    )
}}

-- fct_satisfaction_monthly rolled up onto the nation; rates recomputed from the sums.
-- Incremental by month like its input (macros/monthly_incremental.sql): rebuilds the months its input
-- can have changed since the last run.

{% set counts = [
    'petitions_due',
    'petitions_on_time',
    'ratings_total',
    'ratings_satisfied',
] %}

with rolled as (
    {{ rollup_to_nation(ref('fct_satisfaction_province_monthly'), counts) }}
)

select
    month_start,
    
    {%- for col in counts %}
        {{ col }},
    {%- endfor %}
    petitions_on_time / nullif(petitions_due, 0) as petition_on_time_rate,
    ratings_satisfied / nullif(ratings_total, 0) as satisfaction_rate
from rolled
