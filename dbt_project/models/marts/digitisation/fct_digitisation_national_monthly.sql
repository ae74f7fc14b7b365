-- fct_digitisation_monthly rolled up onto the nation; shares recomputed from the sums.

{% set counts = [
    'received_total',
    'digitised_dossiers',
    'vneid_dossiers',
    'resolved_total',
    'electronic_result_dossiers',
] %}

with rolled as (
    {{ rollup_to_nation(ref('fct_digitisation_province_monthly'), counts) }}
)

select
    month_start,
    
    {%- for col in counts %}
        {{ col }},
    {%- endfor %}
    digitised_dossiers / nullif(received_total, 0) as digitised_share,
    electronic_result_dossiers / nullif(resolved_total, 0) as electronic_result_share,
    vneid_dossiers / nullif(received_total, 0) as vneid_share
from rolled
