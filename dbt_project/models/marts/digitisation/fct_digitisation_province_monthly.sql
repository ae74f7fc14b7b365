-- fct_digitisation_monthly rolled up onto today's 34 provinces (province_code_current; a split commune's
-- counts divided by share, so counts can be fractional); shares recomputed from the sums.

{% set counts = [
    'received_total',
    'digitised_dossiers',
    'vneid_dossiers',
    'resolved_total',
    'electronic_result_dossiers',
] %}

with rolled as (
    {{ rollup_to_provinces(ref('fct_digitisation_monthly'), counts) }}
)

select
    month_start,
    province_code_current,
    {%- for col in counts %}
        {{ col }},
    {%- endfor %}
    digitised_dossiers / nullif(received_total, 0) as digitised_share,
    electronic_result_dossiers / nullif(resolved_total, 0) as electronic_result_share,
    vneid_dossiers / nullif(received_total, 0) as vneid_share
from rolled
