-- fct_satisfaction_monthly rolled up onto the nation; rates recomputed from the sums.

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
